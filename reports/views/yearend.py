"""Year-end figures (年度总结): on a page, as the Word document a unit starts its summary from, and
as an Excel sheet. The office sees any assessed unit or the whole office; a unit's own people see
their own unit."""

import io
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity.drawn import shown_key
from submissions.actions import ActionRefused

from .. import actions, documents, permissions
from ..documents import year_end_title
from ..figures import assessed_units
from ..forms import YearClosingForm
from ..models import AssessmentYear, YearEvent
from ..sheets import xlsx_response
from ..yearend import measures, month_lines, summary_sentence, year_end_figures

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEARS_OFFERED = 6  # this year and the five before it
FIRST_YEAR = 2000


@dataclass
class Scope:
    """What the request asks for, once the user's access allows it."""

    year: int
    unit: object  # None: the whole office
    units: list  # the units the user may choose
    office: bool  # may choose the whole office
    assessed: list  # every assessed unit

    @property
    def query(self):
        return urlencode({"year": self.year, "unit": self.unit.pk if self.unit else ""})


@login_required
def year_end(request):
    scope = _scope(request)
    figures = year_end_figures(scope.year, scope.unit, assessed=scope.assessed)
    this_year = timezone.localdate().year
    context = {
        **_closing(request.user, scope.year),
        "scope": scope,
        # the hundred units to choose from, drawn once for the same names and choice
        "units_key": shown_key([[(u.pk, str(u)) for u in scope.units], scope.unit and scope.unit.pk]),
        "figures": figures,
        "title": year_end_title(figures),
        "sentence": summary_sentence(figures),
        "measures": measures(figures),
        "months": month_lines(figures),
        "years": range(this_year, this_year - YEARS_OFFERED, -1),
        "year_not_over": scope.year >= this_year,
        "tab": "year_end",
    }
    return render(request, "reports/year_end.html", context)


def _closing(user, year):
    """Whether the year is closed, its log, and for the office director the form to close or reopen it.
    Two queries."""
    row = AssessmentYear.objects.filter(year=year).select_related("closed_by").first()
    may_close = permissions.may_close_years(user) and year < timezone.localdate().year
    return {
        "year_row": row,
        "year_events": list(YearEvent.objects.filter(year__year=year).select_related("actor")),
        "closing_form": YearClosingForm() if may_close else None,
    }


@login_required
@require_POST
def close_year(request, year):
    return _close_or_reopen(request, year, actions.close_year, _("%(year)s is closed."))


@login_required
@require_POST
def reopen_year(request, year):
    message = _("%(year)s is open again: its points are being recomputed.")
    return _close_or_reopen(request, year, actions.reopen_year, message)


def _close_or_reopen(request, year, action, done):
    if not permissions.may_close_years(request.user):
        raise PermissionDenied
    form = YearClosingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
    else:
        try:
            action(year, by=request.user, reason=form.cleaned_data["reason"])
        except ActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done % {"year": year})
    return redirect(f"{reverse('reports:year_end')}?{urlencode({'year': year})}")


@login_required
def year_end_docx(request):
    scope = _scope(request)
    figures = year_end_figures(scope.year, scope.unit, assessed=scope.assessed)
    document = io.BytesIO(documents.year_end_docx(figures))
    return FileResponse(document, as_attachment=True, filename=_filename(figures, ".docx"), content_type=DOCX)


@login_required
def year_end_xlsx(request):
    scope = _scope(request)
    figures = year_end_figures(scope.year, scope.unit, assessed=scope.assessed)
    headers = [_("Section"), _("Measure"), _("Value")]
    return xlsx_response(_filename(figures, ".xlsx"), year_end_title(figures), headers, _sheet_rows(figures))


def _scope(request):
    """The year and unit asked for; 404 for a unit the user may not see, or for someone with no unit."""
    assessed = units = list(assessed_units())
    office = permissions.may_see_office_figures(request.user)
    if not office:
        own = permissions.own_units(request.user)
        units = [unit for unit in units if unit.pk in own]
        if not units:
            raise Http404
    wanted = request.GET.get("unit", "")
    if wanted:
        unit = next((u for u in units if str(u.pk) == wanted), None)
        if unit is None:
            raise Http404
    else:
        unit = None if office else units[0]
    year = _year(request.GET.get("year"))
    return Scope(year=year, unit=unit, units=units, office=office, assessed=assessed)


def _year(value):
    this_year = timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year else this_year


def _filename(figures, extension):
    # no characters a file system or the Content-Disposition header would choke on
    name = re.sub(r'[\x00-\x1f\x7f"\\/:*?<>|]+', " ", year_end_title(figures))
    return re.sub(r"\s+", " ", name).strip() + extension


def _sheet_rows(figures):
    """One row per figure: section, what it is, its value (a number wherever it is one)."""
    summary = _("Figures of the year")
    rows = [[summary, m.label, m.number if m.number is not None else m.text] for m in measures(figures)]
    by_outlet = _("Adoptions by outlet")
    rows += [[by_outlet, f"{o.outlet} ({o.level_label})", o.items] for o in figures.by_outlet]
    categories = _("Busiest categories")
    rows += [[categories, name, items] for name, items in figures.categories]
    minimum = _("Monthly minimum")
    rows += [[minimum, month, result] for month, result in month_lines(figures)]
    return rows
