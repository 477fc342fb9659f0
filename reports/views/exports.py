"""Excel versions of the tables on the assessment pages."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..sheets import Percent, xlsx_response


def figures_sheet(rows, period, *, officers=False, ranked=False):
    headers = [_("Rank")] if ranked else []
    headers += [_("Liaison officer"), _("Units")] if officers else [_("Unit")]
    headers += [
        pgettext("count", "Submitted"),
        _("Signed off"),
        _("Delivered"),
        _("Adopted"),
        _("Adoption rate"),
        _("Points"),
    ]
    if not officers:
        headers += [_("Minimum submitted"), _("Minimum adopted"), _("Progress")]
    return xlsx_response(
        f"{_('figures')}-{period}.xlsx",
        str(period.label),
        headers,
        [_line(r, officers, ranked) for r in rows],
    )


def _line(row, officers, ranked):
    f = row.figures
    line = [row.rank] if ranked else []
    line += [str(row.subject), ", ".join(row.units)] if officers else [str(row.subject)]
    line += [f.submitted, f.signed_off, f.delivered, f.adopted, Percent(f.rate), f.points]
    if not officers:
        line += [f.min_submitted, f.min_adopted, str(f.progress_label)]
    return line
