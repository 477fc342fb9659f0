"""The office's dashboard and rankings, a unit's points ledger, and an officer's own figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.models import Unit
from outlets.models import Adoption, Outlet
from publicity.drawn import drawn_once, shown_key
from publicity.numbers import percent, points
from publicity.paging import page_of

from .. import actions, charts, permissions, tallies
from ..figures import Figures, Progress, assessed_units, monthly_series, officer_figures, unit_figures
from ..models import Reminder, Score
from ..periods import Kind, Period
from ..rankings import MEASURES, rank
from .exports import figures_sheet, ledger_sheet

EXPORT_LIMIT = 20_000
RATE_CHART_UNITS = 30  # the adoption-rate chart shows the units with the most signed-off items


@login_required
def dashboard(request):
    permissions.require_office(request.user)
    period = Period.parse(request.GET.get("period"), Kind.MONTH)
    year = Period(Kind.YEAR, period.year)
    rows = unit_figures(period)
    if request.GET.get("format") == "xlsx":
        return figures_sheet(rows, period)
    year_rows = None
    if period != year:  # the year's items adopted and points next to the period's: no minimums
        subjects = [row.subject.pk for row in rows]
        year_rows = tallies.figures_for(year, tallies.UNIT, subjects, healed=True)  # by unit_figures
    last_urged = dict(
        Reminder.objects.filter(month=period.start).order_by("sent_at").values_list("unit_id", "sent_at")
    )
    last_urged = {unit_id: timesince(sent_at) for unit_id, sent_at in last_urged.items()}
    paired = [
        (row, year_rows.get(row.subject.pk, Figures()) if year_rows is not None else None) for row in rows
    ]
    may_manage = permissions.may_manage_assessment(request.user)
    context = {
        "period": period,
        "period_over": period.is_over(),
        "year": year,
        "rows": paired,
        "rows_key": _rows_key(period, paired, last_urged, may_manage),
        "totals": _totals(rows),
        "zero": [row.subject for row in rows if row.figures.submitted == 0],
        "last_urged": last_urged,
        "may_manage": may_manage,
        "charts": _charts(year, rows),
        "Progress": Progress,
        "periods": _switch(period),
        "recomputing": Adoption.objects.filter(needs_scoring=True).count(),
    }
    return render(request, "reports/dashboard.html", context)


def _rows_key(period, paired, last_urged, may_manage):
    """What the unit table's rows show, as a key to draw them once by (publicity.drawn)."""
    shown = [str(period), period.is_over(), may_manage]
    for row, year_figures in paired:
        f, target = row.figures, row.figures.target
        shown.append(
            (
                row.subject.pk,
                str(row.subject),
                _figures_shown(f),
                (f.progress, f.min_submitted, f.min_adopted),
                (target.submitted, target.adopted) if target else None,
                (year_figures.adopted, year_figures.points) if year_figures else None,
                last_urged.get(row.subject.pk),
            )
        )
    return shown_key(shown)


def _ranking_key(rows, measure):
    shown = [(r.rank, str(r.subject), r.units, _figures_shown(r.figures)) for r in rows]
    return shown_key([measure, shown])


def _figures_shown(f):
    return (f.submitted, f.signed_off, f.delivered, f.adopted, f.signed_off_adopted, f.points)


def _totals(rows):
    """The office's totals: each item once (a unit's own items only), every unit's points."""
    keys = ["submitted", "signed_off", "delivered", "adopted", "adoptions", "signed_off_adopted"]
    totals = {key: sum(row.figures.own.get(key, 0) for row in rows) for key in keys}
    totals["points"] = sum(row.figures.points for row in rows)
    totals["rate"] = totals["signed_off_adopted"] / totals["signed_off"] if totals["signed_off"] else None
    return totals


def _charts(year, rows):
    """Each chart with its title and the table of its figures, months named in the page's language."""
    series = monthly_series(year)
    months = [date_format(m, "M") for m in series["months"]]
    submitted = [(pgettext("count", "Submitted"), list(series["submitted"].values()))]
    by_level = [
        (label, list(series["adopted_by_level"][level].values())) for level, label in Outlet.Level.choices
    ]
    units = {row.subject.pk: row.subject for row in rows}
    top = sorted(series["points"].items(), key=lambda item: -sum(item[1].values()))[:5]
    by_unit = [(_short_name(units.get(unit_id)), list(values.values())) for unit_id, values in top]
    with_items = sorted((r for r in rows if r.figures.signed_off), key=lambda r: -r.figures.signed_off)[
        :RATE_CHART_UNITS
    ]
    rates = [(_short_name(r.subject), r.figures.rate) for r in with_items]
    return {
        "submitted": _chart(
            "submitted", charts.stacked_bars, _("Items submitted per month"), months, submitted
        ),
        "adopted": _chart(
            "adopted", charts.stacked_bars, _("Adoptions per month, by outlet level"), months, by_level
        ),
        "points": _chart(
            "points", charts.line_chart, _("Points per month, top five units"), months, by_unit, points
        ),
        "rate": _drawn("rate", rates, lambda: _rate_chart(rates)),
    }


def _short_name(unit):
    return (unit.short_name or unit.name) if unit is not None else "?"


def _rate_chart(rates):
    return {
        "title": _("Adoption rate by unit"),
        "svg": charts.bar_list(rates, title=_("Adoption rate by unit"), value_format=percent),
        "table": {"headers": [_("Unit"), _("Adoption rate")], "rows": [[n, percent(r)] for n, r in rates]},
    }


def _chart(name, draw, title, months, series, value_text=None):
    def drawn():
        return {
            "title": title,
            "svg": draw(months, series, title=title),
            "table": charts.chart_table(months, series, value_text) if series else None,
        }

    inputs = (draw.__name__, title, months, series, value_text and value_text.__name__)
    return _drawn(name, inputs, drawn)


def _drawn(name, inputs, draw):
    """A chart's figure (its SVG, caption and table), drawn once for what it shows (publicity.drawn)."""
    return drawn_once(
        f"chart-{name}",
        shown_key(inputs),
        lambda: render_to_string("reports/includes/chart.html", {"chart": draw(), "name": name}),
    )


def _switch(period):
    today = timezone.localdate()
    return {
        "previous": period.previous(),
        "next": period.next() if period.next().has_begun(today) else None,
        "month": Period.containing(Kind.MONTH, today),
        "quarter": Period.containing(Kind.QUARTER, today),
        "year": Period.containing(Kind.YEAR, today),
    }


@login_required
def rankings(request):
    permissions.require_office(request.user)
    period = Period.parse(request.GET.get("period"), Kind.MONTH)
    measure = request.GET.get("measure") if request.GET.get("measure") in MEASURES else "points"
    of = "officers" if request.GET.get("of") == "officers" else "units"
    rows = rank(officer_figures(period) if of == "officers" else unit_figures(period), measure)
    if request.GET.get("format") == "xlsx":
        return figures_sheet(rows, period, officers=of == "officers", ranked=True)
    context = {
        "period": period,
        "measure": measure,
        "of": of,
        "rows": rows,
        "rows_key": _ranking_key(rows, measure),
        "periods": _switch(period),
    }
    return render(request, "reports/rankings.html", context)


@login_required
def unit_points(request, unit_id):
    """Every point of a unit in a period, and where it came from."""
    unit = get_object_or_404(Unit, pk=unit_id)
    if not permissions.may_see_unit_figures(request.user, unit.pk):
        raise Http404
    period = Period.parse(request.GET.get("period"), Kind.YEAR)
    lines = (
        Score.objects.filter(unit=unit, month__gte=period.start, month__lt=period.end)
        .select_related(
            "article__topic",
            "officer",
            "rule__outlet",
            "rule__category",
            "bonus",
            "policy",
            "adoption__outlet",
        )
        .order_by("-month", "-id")
    )
    if request.GET.get("format") == "xlsx":
        return ledger_sheet(lines[:EXPORT_LIMIT], unit, period)
    context = {
        "unit": unit,
        "period": period,
        "periods": _switch(period),
        **page_of(request, lines, name="lines"),
    }
    return render(request, "reports/unit_points.html", context)


@login_required
def my_unit(request):
    """A unit's own people: this month against the minimum, the year, their own adoptions and points."""
    unit_ids = permissions.own_units(request.user)
    units = [u for u in assessed_units() if u.pk in unit_ids]
    if not units:
        raise Http404
    today = timezone.localdate()
    month, year = Period.containing(Kind.MONTH, today), Period.containing(Kind.YEAR, today)
    mine = [row for row in officer_figures(year) if row.subject.pk == request.user.pk]
    context = {
        "month": month,
        "year": year,
        "rows": list(zip(unit_figures(month, units=units), unit_figures(year, units=units), strict=True)),
        "mine": mine[0].figures if mine else None,
        "adoptions": _my_adoptions(request.user, year),
    }
    return render(request, "reports/my_unit.html", context)


def _my_adoptions(user, year):
    found = Adoption.objects.between(year.start, year.end).filter(article__author=user)
    return list(found.select_related("article", "outlet")[:50])


@login_required
@require_POST
def urge(request, unit_id):
    permissions.require_manager(request.user)
    unit = get_object_or_404(assessed_units(), pk=unit_id)
    reminder = actions.urge(unit, by=request.user)
    messages.success(
        request,
        _("%(unit)s was urged: %(count)s people were told.") % {"unit": unit, "count": reminder.recipients},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "reports:dashboard"
    return redirect(back)
