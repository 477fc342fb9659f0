"""Bulletins (通报): generate from the figures, edit, publish as PDF and Word, see who has read them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from submissions.actions import ActionRefused

from .. import actions, permissions
from ..documents import figure_notes
from ..figures import assessed_units
from ..forms import BulletinForm, GenerateBulletinForm
from ..models import Bulletin
from .exports import bulletin_sheet

FILES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
def bulletin_list(request):
    if not permissions.may_read_bulletins(request.user):
        raise Http404
    office = permissions.may_see_office_figures(request.user)
    bulletins = Bulletin.objects.order_by("-year", "-created_at", "-id")
    if not office:
        bulletins = bulletins.filter(state=Bulletin.State.PUBLISHED)
    context = {
        "bulletins": list(bulletins[:60]),
        "form": GenerateBulletinForm() if permissions.may_manage_assessment(request.user) else None,
    }
    return render(request, "reports/bulletin_list.html", context)


@login_required
@require_POST
def generate(request):
    permissions.require_manager(request.user)
    form = GenerateBulletinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month or quarter from the list."))
        return redirect("reports:bulletins")
    try:
        bulletin = actions.generate_bulletin(form.cleaned_data["period"], by=request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("reports:bulletins")
    messages.success(
        request, _("The bulletin was written from the latest figures. Edit it, then publish it.")
    )
    return redirect("reports:bulletin", pk=bulletin.pk)


@login_required
def bulletin_detail(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    if not permissions.may_read_bulletin(request.user, bulletin):
        raise Http404
    manager = permissions.may_manage_assessment(request.user)
    form = None
    if manager and not bulletin.is_published:
        initial = {"title": bulletin.title, "body": bulletin.body, "version": bulletin.version}
        form = BulletinForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                actions.edit_bulletin(bulletin, by=request.user, **form.cleaned_data)
            except actions.StaleBulletin as stale:
                form.add_error(None, str(stale))
            except ActionRefused as refused:
                messages.error(request, str(refused))
                return redirect("reports:bulletin", pk=pk)
            else:
                messages.success(request, _("Saved."))
                return redirect("reports:bulletin", pk=pk)
    else:
        actions.mark_bulletin_read(bulletin, by=request.user)
    notes = figure_notes((bulletin.figures or {}).get("label", ""))
    context = {"bulletin": bulletin, "form": form, "may_manage": manager, "notes": notes}
    if manager:
        context["regenerations"] = list(bulletin.regenerations.select_related("by")[:5])
    if permissions.may_see_office_figures(request.user) and bulletin.is_published:
        read = {r.unit_id: r for r in bulletin.receipts.select_related("read_by")}
        context["receipts"] = [(unit, read.get(unit.pk)) for unit in assessed_units()]
        context["read_count"] = len(read)
    return render(request, "reports/bulletin_detail.html", context)


@login_required
@require_POST
def publish(request, pk):
    permissions.require_manager(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    published = actions.publish_bulletin(bulletin, by=request.user)
    messages.success(request, _("Published and sent to every unit."))
    return redirect("reports:bulletin", pk=published.pk)


@login_required
@require_POST
def regenerate(request, pk):
    permissions.require_manager(request.user)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        actions.regenerate_bulletin_files(bulletin, by=request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The PDF and Word files were made again from the published text."))
    return redirect("reports:bulletin", pk=pk)


@login_required
def download(request, pk, kind):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    if not permissions.may_read_bulletin(request.user, bulletin):
        raise Http404
    if kind == "xlsx":  # the table, also while the bulletin is a draft (the office checks the figures)
        return bulletin_sheet(bulletin)
    if kind not in FILES or not bulletin.is_published:
        raise Http404
    stored = getattr(bulletin, kind)
    name = f"bulletin-{bulletin.year}-{bulletin.period}-{bulletin.number}.{kind}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name, content_type=FILES[kind])
