"""Adoptions as the office sees them: the list, recording one by hand, importing a sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outlets.models import Adoption, Outlet
from publicity.paging import page_of
from submissions.actions import ActionRefused

from .. import actions, permissions, sheets
from ..forms import AdoptionForm, ImportForm
from ..periods import Kind, Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000


@login_required
def adoption_list(request):
    permissions.require_office(request.user)
    period = Period.parse(request.GET.get("period"), Kind.MONTH)
    found = (
        Adoption.objects.between(period.start, period.end)
        .select_related("article__unit", "outlet", "recorded_by")
        .order_by("-adopted_on", "-id")
    )
    outlet = request.GET.get("outlet", "")
    if outlet.isdigit():
        found = found.filter(outlet_id=outlet)
    if request.GET.get("format") == "xlsx":
        return _export(found[:EXPORT_LIMIT], period)
    context = {
        "period": period,
        "outlets": Outlet.objects.all(),
        "outlet": outlet,
        "may_manage": permissions.may_manage_assessment(request.user),
        **page_of(request, found, name="adoptions"),
    }
    return render(request, "reports/adoption_list.html", context)


def _export(adoptions, period):
    headers = [_("Published on"), _("Item number"), _("Title"), _("Unit"), _("Outlet"), _("Level")]
    headers += [_("Address"), _("Issue and page"), _("Leader instruction"), _("Source")]
    rows = [_line(a) for a in adoptions]
    return sheets.xlsx_response(f"{_('adoptions')}-{period}.xlsx", str(period.label), headers, rows)


def _line(a):
    article = a.article
    return [
        a.adopted_on,
        a.article_id,
        article.title,
        article.unit.name,
        a.outlet.name,
        a.get_level_display(),
        a.url,
        a.issue,
        a.get_instruction_level_display(),
        a.get_source_display(),
    ]


@login_required
def record(request):
    permissions.require_manager(request.user)
    form = AdoptionForm(request.POST or None, initial={"article": request.GET.get("article")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adoption = actions.record_adoption(
                data["article"],
                data["outlet"],
                adopted_on=data["adopted_on"],
                by=request.user,
                **form.details(),
            )
        except ActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Recorded: “%(title)s” adopted by %(outlet)s.")
                % {"title": adoption.article, "outlet": adoption.outlet},
            )
            month = Period.containing(Kind.MONTH, adoption.adopted_on)
            return redirect(f"{reverse('reports:adoptions')}?period={month}")
    return render(request, "reports/adoption_form.html", {"form": form})


@login_required
def import_sheet(request):
    """Upload a filled template: every row's errors are shown, and nothing is imported unless all are good."""
    permissions.require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = sheets.read_adoption_sheet(form.cleaned_data["sheet"])
        if not errors:
            try:
                imported = actions.import_adoptions(rows, by=request.user)
            except actions.ImportFailed as failed:
                errors = failed.errors
            else:
                messages.success(request, _("%(count)s adoptions imported.") % {"count": len(imported)})
                return redirect("reports:adoptions")
        if errors:
            form.add_error(None, _("Nothing was imported. Correct these rows and upload the sheet again."))
    return render(request, "reports/adoption_import.html", {"form": form, "errors": errors})


@login_required
def template(request):
    permissions.require_manager(request.user)
    response = HttpResponse(sheets.adoption_template(), content_type=XLSX)
    response["Content-Disposition"] = sheets.content_disposition(f"{_('adoptions')}-template.xlsx")
    return response


@login_required
@require_POST
def remove(request, pk):
    permissions.require_manager(request.user)
    adoption = Adoption.objects.filter(pk=pk).select_related("article", "outlet").first()
    if adoption is None:
        messages.info(request, _("That adoption was already removed."))
        return redirect("reports:adoptions")
    try:
        actions.remove_adoption(adoption, by=request.user, reason=request.POST.get("reason", ""))
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Removed: “%(title)s” adopted by %(outlet)s. Its points were recomputed.")
            % {"title": adoption.article, "outlet": adoption.outlet},
        )
    month = Period.containing(Kind.MONTH, adoption.adopted_on)
    return redirect(f"{reverse('reports:adoptions')}?period={month}")
