"""Excel versions of the tables on the assessment pages."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..figures import Progress
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


def bulletin_sheet(bulletin):
    """The bulletin's table as it stood when it was generated."""
    headers = [_("Rank"), _("Unit"), pgettext("count", "Submitted"), _("Signed off"), _("Adopted")]
    headers += [_("Adoption rate"), _("Points"), _("Minimum submitted"), _("Minimum adopted"), _("Progress")]
    rows = [
        [
            row["rank"],
            row["unit"],
            row["submitted"],
            row["signed_off"],
            row["adopted"],
            Percent(row["rate"]),
            Decimal(row["points"]),
            row["min_submitted"],
            row["min_adopted"],
            str(Progress.LABELS.get(row["progress"], "")),
        ]
        for row in bulletin.figures.get("rows", [])
    ]
    return xlsx_response(f"{bulletin.title}.xlsx", bulletin.figures.get("label", ""), headers, rows)


def ledger_sheet(lines, unit, period):
    """A unit's points, line by line, with where each came from."""
    headers = [_("Month"), _("Why"), _("Outlet"), _("Item number"), _("Item"), _("Liaison officer")]
    headers += [_("Rule"), _("Points")]
    rows = [
        [
            line.month,
            str(line.get_kind_display()),
            str(line.adoption.outlet) if line.adoption else "",
            line.article_id,
            str(line.article) if line.article else "",
            str(line.officer) if line.officer else "",
            str(line.source) if line.source else "",
            line.points,
        ]
        for line in lines
    ]
    return xlsx_response(f"{unit.name}-{period}.xlsx", str(period.label), headers, rows)


def items_sheet(items, title):
    """The item ledger as filtered on the page: one row per item."""
    headers = [_("Item number"), _("Title"), _("Unit"), _("Unit class"), _("Author"), _("Category")]
    headers += [_("Event date"), pgettext("date", "Submitted"), _("Signed off"), _("Status"), _("Important")]
    headers += [_("Co-contributing units"), _("Delivered to"), _("Adopted by"), _("Published on")]
    rows = [
        [
            item.pk,
            str(item),
            str(item.unit),
            str(item.unit.unit_class or ""),
            str(item.author),
            str(item.category or ""),
            item.event_date,
            item.submitted_at,
            item.signed_off_at,
            str(item.get_status_display()),
            _("Yes") if item.important else "",
            ", ".join(str(u) for u in item.co_units.all()),
            ", ".join(str(d.outlet) for d in item.deliveries.all()),
            ", ".join(str(a.outlet) for a in item.adoptions.all()),
            ", ".join(a.adopted_on.isoformat() for a in item.adoptions.all()),
        ]
        for item in items
    ]
    return xlsx_response(f"{title}.xlsx", title, headers, rows)
