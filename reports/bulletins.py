"""The text and table of a bulletin (通报), written from the period's figures; the office edits the
text before publishing it."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from topics.answers import answers_to, due_between

from .figures import Progress, unit_figures
from .rankings import rank

COMMENDED = 3  # the top units by points that the bulletin names


def compose(period, *, today=None):
    """(title, body HTML, figures snapshot) for the period's bulletin."""
    rows = rank(unit_figures(period, today=today), "points")
    commended = [row.subject.name for row in rows if row.figures.points > 0 and row.figures.adopted][
        :COMMENDED
    ]
    behind = [row.subject.name for row in rows if row.figures.progress == Progress.BEHIND]
    zero = [row.subject.name for row in rows if row.figures.submitted == 0]
    figures = {
        "period": str(period),
        "label": period.label,
        "rows": [_snapshot(row) for row in rows],
        "commended": commended,
        "behind": behind,
        "zero": zero,
        "topics": topic_snapshots(period, today=today),
    }
    title = _("Bulletin on information publicity, %(period)s") % {"period": period.label}
    body = render_to_string(
        "reports/bulletin_body.html", {"period": period, "figures": figures, "rows": rows}
    )
    return title, body.strip(), figures


def _snapshot(row):
    figures = row.figures
    return {
        "rank": row.rank,
        "unit": row.subject.name,
        "submitted": figures.submitted,
        "signed_off": figures.signed_off,
        "adopted": figures.adopted,
        "rate": _exact_rate(figures),
        "points": f"{figures.points:.2f}",
        "min_submitted": figures.min_submitted,
        "min_adopted": figures.min_adopted,
        "progress": figures.progress,
    }


def topic_snapshots(period, *, today=None):
    """The commissioned topics due in the period: which units answered and which did not."""
    found = answers_to(due_between(period.start, period.end), today=today)
    return [
        {
            "title": each.topic.title,
            "deadline": each.topic.deadline.isoformat(),
            "answered": [row.unit.name for row in each.answered],
            "not_answered": [row.unit.name for row in each.not_answered],
            "asked": each.asked,
            "items": each.items,
            "adopted": each.adopted,
        }
        for each in found
    ]


def _exact_rate(figures):
    # Kept as exact text: a rate rounded here and rounded again when shown could be off by 0.1 %.
    if not figures.signed_off:
        return None
    return str(Decimal(figures.signed_off_adopted) / Decimal(figures.signed_off))
