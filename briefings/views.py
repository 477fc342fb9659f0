from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity.paging import page_of
from publicity.pdf import render_pdf
from submissions import permissions as item_permissions
from submissions.models import Article
from submissions.models import Status as ArticleStatus

from . import actions, documents, permissions
from .forms import (
    AddToBriefingForm,
    ArchiveFilterForm,
    BriefingForm,
    CorrectionForm,
    DecisionForm,
    IssueForm,
    ItemSearchForm,
    NewBriefingForm,
    piece_formset,
)
from .models import Briefing, BriefingPiece, BriefingStep, Decision

ITEMS_SHOWN = 25


@login_required
def briefing_list(request):
    """The archive: every issue for the office (drafts too), the issued ones for a unit's people."""
    briefings = permissions.briefings_visible_to(request.user)
    office, units = permissions.may_edit_briefings(request.user), permissions.unit_ids_signing(request.user)
    if not office and not units:
        raise Http404
    form = ArchiveFilterForm(request.GET or None)
    if form.is_valid():
        if year := form.cleaned_data["year"]:
            briefings = briefings.filter(year=year)
        if q := form.cleaned_data["q"].strip():
            found = (
                Q(series__name__icontains=q) | Q(pieces__title__icontains=q) | Q(pieces__body__icontains=q)
            )
            briefings = briefings.filter(pk__in=Briefing.objects.filter(found).values("pk"))
    context = page_of(request, briefings.for_list(unit_ids=units), name="briefings") | {
        "form": form,
        "office": office,
        "to_decide": permissions.briefing_ids_to_decide(request.user) if office else set(),
        "new_form": NewBriefingForm() if office else None,
        "years": _years(),
    }
    return render(request, "briefings/briefing_list.html", context)


def _years():
    return list(Briefing.objects.issued().order_by("-year").values_list("year", flat=True).distinct())


@require_POST
@login_required
def briefing_new(request):
    permissions.require_office(request.user)
    form = NewBriefingForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        briefing = actions.create_briefing(form.cleaned_data["series"], by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("briefings:list")
    return redirect("briefings:edit", pk=briefing.pk)


@login_required
def briefing_detail(request, pk):
    briefing = permissions.access_briefing(request.user, pk)
    office = permissions.may_edit_briefings(request.user)
    receipts = list(briefing.receipts.select_related("unit", "signed_by"))
    step = briefing.steps.filter(decision=Decision.PENDING).select_related("stage").first()
    context = {
        "briefing": briefing,
        "office": office,
        "pieces": list(briefing.pieces.select_related("column", "article")),
        "receipts": receipts if office else [],
        "signed": sum(r.is_signed for r in receipts),
        "to_sign": permissions.receipts_to_sign(request.user, briefing),
        "step": step,
        "may_decide": step is not None and permissions.may_decide(request.user, step, briefing),
        "decision_form": DecisionForm(),
        "issue_form": IssueForm() if office else None,
        "steps": list(briefing.steps.exclude(decision=Decision.PENDING).select_related("stage", "reviewer")),
        "events": list(briefing.events.select_related("actor")) if office else [],
    }
    return render(request, "briefings/briefing_detail.html", context)


@login_required
def briefing_edit(request, pk):
    """Compose: the note, the distribution lines and each piece as edited for the briefing."""
    briefing = _editable(request, pk)
    if briefing is None:
        return redirect("briefings:detail", pk=pk)
    if request.method == "POST":
        form, formset = _bound_forms(request, briefing)
        if form.is_valid() and formset.is_valid():
            try:
                _save(request, briefing, form, formset)
            except actions.StaleBriefing as conflict:
                return _render_edit(request, briefing, form, formset, conflict=conflict.current, status=409)
            except actions.ActionRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Briefing saved."))
                return redirect("briefings:edit", pk=briefing.pk)
        return _render_edit(request, briefing, form, formset, status=400)
    form = BriefingForm(instance=briefing, initial={"version": briefing.version})
    return _render_edit(request, briefing, form, piece_formset(briefing))


def _editable(request, pk):
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    if not briefing.is_editable:
        messages.info(
            request,
            _("This briefing cannot be edited now (%(status)s).") % {"status": briefing.get_status_display()},
        )
        return None
    return briefing


def _bound_forms(request, briefing):
    current = Briefing.objects.get(pk=briefing.pk)
    return BriefingForm(request.POST, instance=current), piece_formset(briefing, request.POST)


def _save(request, briefing, form, formset):
    return actions.save_briefing(
        briefing,
        fields=form.cleaned_data,
        pieces=[f.change() for f in formset.forms],
        base_version=form.cleaned_data["version"],
        by=request.user,
    )


def _render_edit(request, briefing, form, formset, *, conflict=None, status=200):
    search = ItemSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    chosen = briefing.pieces.values("article_id")
    items = list(_signed_off_items(query).exclude(pk__in=chosen)[:ITEMS_SHOWN])
    context = {
        "briefing": briefing,
        "form": form,
        "formset": formset,
        "conflict": conflict,
        "search": search,
        "items": items,
    }
    return render(request, "briefings/briefing_form.html", context, status=status)


def _signed_off_items(query):
    items = Article.objects.filter(status=ArticleStatus.APPROVED).select_related("unit", "category")
    if query := query.strip():
        items = items.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return items.order_by("-signed_off_at", "-id")


@require_POST
@login_required
def autosave(request, pk):
    """Background save from the compose page: JSON in, JSON out; 409 on a stale version."""
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    if not briefing.is_editable:
        return JsonResponse({"error": _("This briefing can no longer be edited.")}, status=409)
    form, formset = _bound_forms(request, briefing)
    if not (form.is_valid() and formset.is_valid()):
        return JsonResponse({"error": _("Not saved: check the highlighted fields.")}, status=400)
    try:
        briefing = _save(request, briefing, form, formset)
    except actions.StaleBriefing as conflict:
        return JsonResponse({"error": conflict.message, "conflict": True}, status=409)
    except actions.ActionRefused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    return JsonResponse({"version": briefing.version, "saved_at": briefing.updated_at.isoformat()})


@require_POST
@login_required
def add_piece(request, pk):
    """Add a signed-off item picked on the compose page."""
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    article = get_object_or_404(Article, pk=request.POST.get("article") or 0)
    try:
        actions.add_piece(briefing, article, by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("briefings:edit", pk=briefing.pk)


@login_required
def add_from_item(request, article_pk):
    """ "Add to briefing" on an item's page: pick one of the issues being edited."""
    permissions.require_office(request.user)
    article = item_permissions.access_article(request.user, article_pk)
    editable = Briefing.objects.filter(status__in=Briefing.EDITABLE).select_related("series", "created_by")
    form = AddToBriefingForm(request.POST or None, briefings=editable)
    if request.method == "POST" and form.is_valid():
        briefing = form.cleaned_data["briefing"]
        try:
            actions.add_piece(briefing, article, by=request.user)
        except actions.ActionRefused as refused:
            messages.error(request, refused.message)
            return redirect("submissions:detail", pk=article.pk)
        messages.success(request, _("Added to %(briefing)s.") % {"briefing": briefing})
        return redirect("briefings:edit", pk=briefing.pk)
    context = {"article": article, "form": form, "new_form": NewBriefingForm(), "has_any": editable.exists()}
    return render(request, "briefings/add_from_item.html", context)


@require_POST
@login_required
def remove_piece(request, pk, piece_pk):
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    piece = get_object_or_404(BriefingPiece, pk=piece_pk, briefing=briefing)
    form = CorrectionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.remove_piece(piece, by=request.user, reason=reason)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The piece was taken out."))
    return redirect("briefings:edit" if briefing.is_editable else "briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def submit(request, pk):
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    try:
        actions.submit_for_review(briefing, by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The briefing was submitted for review."))
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def decide(request, pk, step_pk):
    briefing = permissions.access_briefing(request.user, pk)
    step = get_object_or_404(BriefingStep, pk=step_pk, briefing=briefing)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if request.POST.get("decision") == "return":
            actions.return_for_revision(step, by=request.user, comment=comment)
            messages.success(request, _("The briefing was returned to its editors."))
        else:
            actions.approve(step, by=request.user, comment=comment)
            messages.success(request, _("Approved."))
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def issue(request, pk):
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whom to send the briefing to."))
        return redirect("briefings:detail", pk=briefing.pk)
    try:
        briefing = actions.issue(briefing, units=form.chosen_units(), by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(briefing)s was issued.") % {"briefing": briefing.heading()})
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def sign(request, pk):
    """签收: the unit's officer or leader confirms receipt, one click per unit."""
    briefing = permissions.access_briefing(request.user, pk)
    receipt = get_object_or_404(briefing.receipts, unit_id=request.POST.get("unit") or 0)
    try:
        actions.sign_for(receipt, by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Signed for %(unit)s.") % {"unit": receipt.unit})
    return redirect("briefings:detail", pk=briefing.pk)


@require_POST
@login_required
def urge(request, pk):
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    units = actions.urge_unsigned(briefing, by=request.user)
    if units:
        messages.success(request, _("%(count)s units were reminded to sign.") % {"count": len(units)})
    else:
        messages.info(request, _("Nobody to remind: every unit signed, or was reminded just now."))
    return redirect("briefings:detail", pk=briefing.pk)


@login_required
def download(request, pk, kind):
    """The issue as PDF or Word, in the reader's language (Chinese or English labels)."""
    briefing = permissions.access_briefing(request.user, pk)
    if kind == "pdf":
        content, content_type = documents.briefing_pdf(briefing), "application/pdf"
    elif kind == "docx":
        content = documents.briefing_docx(briefing)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    name = f"briefing-{briefing.year or 'draft'}-{briefing.number or briefing.pk}.{kind}"
    return _attachment(content, content_type, name)


@login_required
def approval_sheet(request, pk):
    """审批单 of the issue: who approved or returned which version, when."""
    permissions.require_office(request.user)
    briefing = permissions.access_briefing(request.user, pk)
    steps = list(briefing.steps.exclude(decision=Decision.PENDING).select_related("stage", "reviewer"))
    context = {
        "briefing": briefing,
        "steps": steps,
        "printed_at": timezone.now(),
        "base_template": "base.html",
    }
    if request.GET.get("format") != "pdf":
        return render(request, "briefings/approval_sheet.html", context)
    pdf = context | {"for_pdf": True, "base_template": "reviews/pdf_base.html", "sheet_css": _sheet_css()}
    html = render_to_string("briefings/approval_sheet.html", pdf, request)
    return _attachment(render_pdf(html), "application/pdf", f"briefing-approval-sheet-{briefing.pk}.pdf")


def _sheet_css():
    with open(finders.find("css/sheet.css"), encoding="utf-8") as css:
        return mark_safe(css.read())  # our own static file, not user input


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
