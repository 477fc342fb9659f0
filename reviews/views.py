from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from outlets.models import Outlet
from publicity.drawn import shown_key
from publicity.paging import page_of
from publicity.pdf import render_pdf
from submissions import permissions as item_permissions
from submissions.checks import Check, presubmit_checks
from submissions.content import diff_html

from . import actions
from .forms import BatchSignOffForm, DecisionForm, DelegationForm, QueueFilterForm, ReviewerEditForm
from .models import Decision, Delegation, ReviewStep
from .permissions import (
    access_step,
    deputy_choices,
    has_queue,
    may_decide,
    may_name_deputy,
    on_behalf_of,
    queue_filter,
    reviewed_unit_ids,
)


@login_required
def queue(request):
    """The steps waiting for this reviewer: overdue first, then the longest waiting. Steps at their
    last stage can be ticked and signed off together."""
    if not has_queue(request.user):
        raise Http404
    now = timezone.now()
    form = QueueFilterForm(request.GET or None, unit_ids=reviewed_unit_ids(request.user))
    steps = ReviewStep.objects.for_queue().filter(queue_filter(request.user))
    if form.is_valid():
        steps = form.apply(steps)
    steps = steps.with_latest_revision().overdue_first(now)
    context = page_of(request, steps, name="steps") | {"now": now, "form": form}
    for step in context["steps"]:
        step.signs_off = actions.signs_off(step)
        step.on_behalf = on_behalf_of(request.user, step)
        step.waited = timesince(step.created_at, now)
    if any(step.signs_off for step in context["steps"]):
        context["outlets"] = list(Outlet.objects.order_by("name"))
    context["rows_key"] = _rows_key(context["steps"])
    return render(request, "reviews/queue.html", context)


def _rows_key(steps):
    """What the queue's rows show, as a key to draw them once by (publicity.drawn)."""
    shown = []
    for step in steps:
        article = step.article
        shown.append(
            (
                step.pk,
                step.is_overdue,
                step.signs_off,
                step.signs_off and step.latest_revision_id,
                step.on_behalf and str(step.on_behalf),
                step.waited,
                str(step.stage),
                article.pk,
                str(article),
                article.important,
                str(article.unit),
                str(article.author),
                article.category and str(article.category),
            )
        )
    return shown_key(shown)


@require_POST
@login_required
def batch_sign_off(request):
    """Sign off the ticked items to the outlets chosen once: each is its own decision."""
    if not has_queue(request.user):
        raise Http404
    form = BatchSignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("reviews:queue")
    choices = [
        (access_step(request.user, pk), form.revision_of(pk))
        for pk in dict.fromkeys(form.cleaned_data["steps"])
    ]
    outcome = actions.sign_off_batch(choices, by=request.user, outlets=form.cleaned_data["outlets"])
    if outcome.signed_off:
        messages.success(request, _signed_off_message(outcome.signed_off, form.cleaned_data["outlets"]))
    for step, reason in outcome.refused:
        messages.error(
            request,
            _("Not signed off: No. %(number)s “%(title)s”: %(reason)s")
            % {"number": step.article_id, "title": step.article, "reason": reason},
        )
    return redirect("reviews:queue")


def _signed_off_message(steps, outlets):
    if not outlets:
        return ngettext(
            "%(count)s item signed off, without deliveries.",
            "%(count)s items signed off, without deliveries.",
            len(steps),
        ) % {"count": len(steps)}
    return ngettext(
        "%(count)s item signed off and sent to: %(outlets)s.",
        "%(count)s items signed off and sent to: %(outlets)s.",
        len(steps),
    ) % {"count": len(steps), "outlets": ", ".join(str(o) for o in outlets)}


@login_required
def step_detail(request, pk):
    """The reviewer's page: the item as submitted, its checks, the diff since this stage last
    looked, and the decision form."""
    step = access_step(request.user, pk)
    return _render_step(request, step, DecisionForm(signs_off=_signs_off(step), article=step.article))


def _signs_off(step):
    return actions.signs_off(step)


def _latest_revision(step):
    return step.article.revisions.order_by("-number").first()


def _render_step(request, step, form, status=200):
    article = step.article
    revision = _latest_revision(step)
    if not form.is_bound:
        form.initial["revision"] = revision.pk  # the revision the reviewer sees is the one judged
    earlier = (
        ReviewStep.objects.filter(run=step.run, stage=step.stage, decided_at__isnull=False)
        .exclude(pk=step.pk)
        .select_related("revision")
        .order_by("-decided_at")
        .first()
    )
    changed = earlier and earlier.revision.content_hash != revision.content_hash
    return render(
        request,
        "reviews/step_detail.html",
        {
            "step": step,
            "article": article,
            "revision": revision,
            "photos": list(article.photos.all()),
            "checks": presubmit_checks(article) if step.is_pending else [],
            "block": Check.BLOCK,
            "earlier": earlier,
            "title_diff": diff_html(earlier.revision.title, revision.title) if changed else "",
            "body_diff": diff_html(earlier.revision.body, revision.body) if changed else "",
            "may_decide": may_decide(request.user, step),
            "on_behalf": on_behalf_of(request.user, step),
            "form": form,
            "steps": list(step.run.steps.select_related("stage", "reviewer", "on_behalf_of")),
        },
        status=status,
    )


@require_POST
@login_required
def decide(request, pk):
    step = access_step(request.user, pk)
    form = DecisionForm(request.POST, signs_off=_signs_off(step), article=step.article)
    if not form.is_valid():
        return _render_step(request, step, form, status=400)
    decision = form.cleaned_data["decision"]
    decided = {
        "by": request.user,
        "revision_id": form.cleaned_data["revision"],
        "comment": form.cleaned_data["comment"],
    }
    try:
        if decision == form.APPROVE:
            actions.approve(
                step, outlets=form.cleaned_data.get("outlets") if form.signs_off else None, **decided
            )
        elif decision == form.RETURN:
            actions.return_for_revision(step, **decided)
        else:
            actions.reject(step, **decided)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("reviews:step", pk=step.pk)
    if decision == form.APPROVE and form.signs_off:
        # the director stays with the item and watches its deliveries leave
        messages.success(request, _signed_off_message([step], form.cleaned_data["outlets"]))
        return redirect("submissions:detail", pk=step.article_id)
    messages.success(request, _DONE[decision]())
    return redirect("reviews:queue")


_DONE = {
    DecisionForm.APPROVE: lambda: _("Approved."),
    DecisionForm.RETURN: lambda: _("Returned for revision."),
    DecisionForm.REJECT: lambda: _("Rejected."),
}


@login_required
def edit(request, pk):
    """A reviewer corrects the text before deciding; the edit becomes a revision of its own."""
    step = access_step(request.user, pk)
    if not may_decide(request.user, step):
        raise PermissionDenied
    article = step.article
    form = ReviewerEditForm(
        request.POST or None,
        initial={"title": article.title, "body": article.body, "version": article.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_as_reviewer(
                step, by=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                base_version=form.cleaned_data["version"],
            )  # fmt: skip
        except actions.ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Your edit was saved as a new revision."))
        return redirect("reviews:step", pk=step.pk)
    return render(request, "reviews/step_edit.html", {"step": step, "article": article, "form": form})


@login_required
def submit(request, pk):
    """GET: the pre-submit checks. POST: hand the item to review (if nothing blocks it)."""
    article = item_permissions.access_article(request.user, pk)
    if request.method == "POST":
        return _submit(request, article)
    if not item_permissions.may_edit(request.user, article):
        return redirect("submissions:detail", pk=article.pk)
    checks = [*presubmit_checks(article), *actions.reviewer_checks(article)]
    return render(
        request,
        "reviews/submit.html",
        {
            "article": article,
            "blocking": [c for c in checks if c.level == Check.BLOCK],
            "warnings": [c for c in checks if c.level == Check.WARN],
        },
    )


def _submit(request, article):
    if not item_permissions.is_unit_officer(request.user, article):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        actions.submit_for_review(article, base_version=version, by=request.user)
    except actions.ChecksFailed:
        return redirect("reviews:submit", pk=article.pk)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("submissions:detail", pk=article.pk)
    messages.success(request, _("Submitted for review."))
    return redirect("submissions:detail", pk=article.pk)


@require_POST
@login_required
def withdraw(request, pk):
    article = item_permissions.access_article(request.user, pk)
    if not item_permissions.is_unit_officer(request.user, article):
        raise PermissionDenied
    try:
        actions.withdraw(article, by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The item was withdrawn."))
    return redirect("submissions:detail", pk=article.pk)


@login_required
def approval_sheet(request, pk):
    """审批单: who approved what, when — printable on A4, and as a PDF download."""
    article = item_permissions.access_article(request.user, pk)
    steps = list(
        ReviewStep.objects.filter(article=article)
        .exclude(decision__in=[Decision.PENDING, Decision.CANCELLED])
        .select_related("stage", "reviewer", "on_behalf_of", "revision")
    )
    context = {
        "article": article,
        "steps": steps,
        "printed_at": timezone.now(),
        "co_units": list(article.co_units.all()),
        "base_template": "base.html",
    }
    if request.GET.get("format") != "pdf":
        return render(request, "reviews/approval_sheet.html", context)
    return _pdf_response(
        render_to_string(
            "reviews/approval_sheet.html",
            context | {"for_pdf": True, "base_template": "reviews/pdf_base.html", "sheet_css": _sheet_css()},
            request,
        ),
        f"approval-sheet-{article.pk}.pdf",
    )


def _sheet_css():
    with open(finders.find("css/sheet.css"), encoding="utf-8") as css:
        return mark_safe(css.read())  # our own static file, not user input


def _pdf_response(html, filename):
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Delegation (代审) ------------------------------------------------------------------------


@login_required
def delegations(request):
    """A reviewer names a deputy for the days they are away; both see the delegations they are in."""
    if not (may_name_deputy(request.user) or has_queue(request.user)):
        raise Http404
    form = DelegationForm(request.POST or None, deputies=deputy_choices(request.user))
    if request.method == "POST":
        if not may_name_deputy(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.name_deputy(by=request.user, **form.cleaned_data)
            except actions.ActionRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your deputy was named."))
                return redirect("reviews:delegations")
    mine = Delegation.objects.filter(Q(reviewer=request.user) | Q(deputy=request.user)).select_related(
        "reviewer", "deputy"
    )
    context = {"form": form if may_name_deputy(request.user) else None, "today": timezone.localdate()}
    return render(request, "reviews/delegations.html", context | page_of(request, mine, name="delegations"))


@require_POST
@login_required
def end_delegation(request, pk):
    try:
        delegation = Delegation.objects.get(Q(reviewer=request.user) | Q(deputy=request.user), pk=pk)
    except Delegation.DoesNotExist:
        raise Http404 from None
    actions.end_delegation(delegation, by=request.user)
    messages.success(request, _("The delegation has ended."))
    return redirect("reviews:delegations")
