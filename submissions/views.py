import uuid
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.models import Unit
from publicity.drawn import shown_key
from publicity.paging import page_of
from publicity.uploads import SizeLimitHandler

from . import actions, permissions
from .content import diff_html, plain_text
from .forms import ArticleFilterForm, ArticleForm, UnitChoiceForm, cover_choice, photo_changes
from .models import Article, Event, Photo, Status


@login_required
def article_list(request):
    """My submissions: the items of the officer's units, newest activity first."""
    units = permissions.writable_unit_ids(request.user)
    if not units:
        raise Http404
    form = ArticleFilterForm(request.GET or None)
    articles = Article.objects.for_list()
    if form.is_valid():
        articles = _filtered(articles, form.cleaned_data)
    parts = [*articles.per_unit(units), articles.crediting(units)]
    context = page_of(request, parts, name="articles") | {"form": form, "own_units": units}
    context["rows_key"] = _rows_key(context["articles"], units)
    return render(request, "submissions/article_list.html", context)


def _rows_key(articles, own_units):
    """What the list's rows show, as a key to draw them once by (publicity.drawn)."""
    shown = []
    for article in articles:
        article.updated_ago = timesince(article.updated_at)
        shown.append(
            (
                article.pk,
                article.status,
                str(article),
                article.unit_id in own_units,
                str(article.unit),
                article.category and str(article.category),
                article.event_date,
                article.photo_count,
                article.updated_ago,
            )
        )
    return shown_key(shown)


def _filtered(articles, filters):
    if filters["status"]:
        articles = articles.filter(status=filters["status"])
    if filters["category"]:
        articles = articles.filter(category=filters["category"])
    if month := filters["month"]:  # a range, not year and month parts: the (unit, event_date) index serves it
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        articles = articles.filter(event_date__gte=first, event_date__lt=following)
    if q := filters["q"].strip():
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return articles


@login_required
def article_new(request):
    """A blank form. Nothing is stored until the first save or autosave (then keyed by client_key)."""
    units = Unit.objects.active().filter(pk__in=permissions.writable_unit_ids(request.user))
    if not units:
        raise Http404
    unit_form = UnitChoiceForm(request.POST or None, units=units, initial={"unit": units[0]})
    if request.method == "POST":
        if not unit_form.is_valid():
            raise Http404
        article = _draft_for(request, unit_form.cleaned_data["unit"])
        return _save(request, article)
    article = Article(unit=units[0], author=request.user, client_key=uuid.uuid4())
    form = ArticleForm(unit=article.unit, initial={"version": article.version})
    return _render_form(request, article, form, unit_form=unit_form if len(units) > 1 else None)


def _draft_for(request, unit):
    try:
        client_key = uuid.UUID(request.POST.get("client_key", ""))
    except ValueError:
        client_key = uuid.uuid4()
    try:
        return actions.create_draft(unit=unit, client_key=client_key, by=request.user)
    except actions.ActionRefused:
        raise Http404 from None


@login_required
def article_edit(request, pk):
    article = permissions.access_article(request.user, pk)
    if not permissions.may_edit(request.user, article):
        messages.info(
            request,
            _("This item cannot be edited now (%(status)s).") % {"status": article.get_status_display()},
        )
        return redirect("submissions:detail", pk=article.pk)
    if request.method == "POST":
        return _save(request, article)
    form = ArticleForm(instance=article, unit=article.unit, initial={"version": article.version})
    return _render_form(request, article, form)


def _save(request, article):
    form = ArticleForm(request.POST, instance=Article.objects.get(pk=article.pk), unit=article.unit)
    if not form.is_valid():
        return _render_form(request, article, form, status=400)
    try:
        article = _save_draft(request, article, form)
    except actions.StaleEdit as conflict:
        return _render_form(request, article, form, conflict=conflict.current, status=409)
    except actions.ActionRefused as refused:
        form.add_error(None, refused.message)
        return _render_form(request, article, form, status=400)
    if request.POST.get("action") == "submit":
        return redirect("reviews:submit", pk=article.pk)
    messages.success(request, _("Draft saved."))
    return redirect("submissions:edit", pk=article.pk)


def _save_draft(request, article, form):
    """The form's fields and its photos' captions, order and cover, saved by one action."""
    return actions.save_draft(
        article,
        fields=form.content(),
        co_units=form.cleaned_data["co_units"],
        photos=photo_changes(request.POST, article.photos.all()),
        cover_id=cover_choice(request.POST),
        base_version=form.cleaned_data["version"],
        by=request.user,
    )


def _render_form(request, article, form, *, unit_form=None, conflict=None, status=200):
    return render(
        request,
        "submissions/article_form.html",
        {
            "article": article,
            "form": form,
            "unit_form": unit_form,
            "conflict": conflict,
            "photos": list(article.photos.all()) if article.pk else [],
            "max_photos": settings.PHOTO_MAX_PER_ARTICLE,
            "max_edge": settings.PHOTO_CLIENT_MAX_EDGE,
            "max_bytes": settings.PHOTO_MAX_BYTES,
        },
        status=status,
    )


@require_POST
@login_required
def autosave(request, pk=None):
    """Background save from the form's script: JSON in, JSON out; 409 on a stale version."""
    if pk is None:
        units = Unit.objects.active().filter(pk__in=permissions.writable_unit_ids(request.user))
        unit_form = UnitChoiceForm(request.POST, units=units)
        if not unit_form.is_valid():
            raise Http404
        article = _draft_for(request, unit_form.cleaned_data["unit"])
    else:
        article = permissions.access_article(request.user, pk)
        if not permissions.may_edit(request.user, article):
            return JsonResponse({"error": _("This item can no longer be edited.")}, status=409)
    form = ArticleForm(request.POST, instance=Article.objects.get(pk=article.pk), unit=article.unit)
    if not form.is_valid():
        return JsonResponse({"error": _("Not saved: check the highlighted fields.")}, status=400)
    try:
        article = _save_draft(request, article, form)
    except actions.StaleEdit as conflict:
        return JsonResponse({"error": conflict.message, "conflict": True}, status=409)
    except actions.ActionRefused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    # The time as the page's language writes it: "已于 22:59 保存", "Saved at 10:59 p.m."
    saved = _("Saved at %(time)s") % {"time": time_format(timezone.localtime(article.updated_at))}
    return JsonResponse(
        _urls(article)
        | {"version": article.version, "saved_at": article.updated_at.isoformat(), "saved_message": saved}
    )


def _urls(article):
    return {
        "edit_url": reverse("submissions:edit", args=[article.pk]),
        "autosave_url": reverse("submissions:autosave", args=[article.pk]),
        "upload_url": reverse("submissions:photo_upload", args=[article.pk]),
    }


@login_required
def article_detail(request, pk):
    article = permissions.access_article(request.user, pk)
    events = list(article.events.select_related("actor"))
    return render(
        request,
        "submissions/article_detail.html",
        {
            "article": article,
            "photos": list(article.photos.all()),
            "events": events,
            "verdict": _verdict(article, events),
            "revisions": _revisions_with_changes(article),
            "co_units": list(article.co_units.all()),
            "may_edit": permissions.may_edit(request.user, article),
            "may_withdraw": permissions.may_withdraw(request.user, article),
            "way_back": permissions.way_back(request.user, article),
        },
    )


def _verdict(article, events):
    """Why the item came back or was refused: the reviewer's comment, shown at the top."""
    kind = {Status.RETURNED: Event.Kind.RETURNED, Status.REJECTED: Event.Kind.REJECTED}.get(article.status)
    return next((e for e in reversed(events) if e.kind == kind), None) if kind else None


def _revisions_with_changes(article):
    """Each revision with what changed from the one before (a reviewer's edit, a resubmission)."""
    revisions = list(article.revisions.select_related("created_by"))
    for earlier, revision in pairwise(revisions):
        if earlier.content_hash != revision.content_hash:
            revision.title_diff = (
                diff_html(earlier.title, revision.title) if earlier.title != revision.title else ""
            )
            revision.body_diff = (
                diff_html(earlier.body, revision.body) if earlier.body != revision.body else ""
            )
    return revisions


# Room for the multipart headers and the form's fields next to a photo of PHOTO_MAX_BYTES.
UPLOAD_FORM_ALLOWANCE = 256 * 1024


@csrf_exempt  # CSRF is checked below, once the size is known and the upload is capped
@require_POST
@login_required
def photo_upload(request, pk):
    """One photo per request, so each has its own progress bar and can be retried alone.

    A body declared larger than a photo may be is refused before a byte of it is read; one that
    turns out larger is cut off at the limit (SizeLimitHandler).
    """
    limit = settings.PHOTO_MAX_BYTES
    if _declared_length(request) > limit + UPLOAD_FORM_ALLOWANCE:
        article = permissions.access_article(request.user, pk)
        message = _("The photo is larger than the %(limit)s limit; nothing was added.") % {
            "limit": filesizeformat(limit)
        }
        return _upload_refused(request, article, message, _wants_json(request))
    cap = SizeLimitHandler(request, limit=limit)
    request.upload_handlers.insert(0, cap)
    return _photo_upload(request, pk, cap)


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@csrf_protect
def _photo_upload(request, pk, cap):
    article = permissions.access_article(request.user, pk)
    wants_json = _wants_json(request)
    if not permissions.may_edit(request.user, article):
        return _upload_refused(request, article, _("Photos can no longer be added to this item."), wants_json)
    uploads = request.FILES.getlist("photo")
    if cap.exceeded:
        # The photos complete before the limit are added; the one cut off is named.
        for upload in uploads:
            _add_photo(request, article, upload)
        message = _("“%(name)s” is larger than the %(limit)s limit.") % {
            "name": plain_text(cap.file_name or "")[-120:],
            "limit": filesizeformat(cap.limit),
        }
        return _upload_refused(request, article, message, wants_json)
    if not uploads:
        return _upload_refused(request, article, _("Choose a photo to upload."), wants_json)
    if wants_json:
        try:
            photo = actions.add_photo(article, upload=uploads[0], by=request.user)
        except actions.ActionRefused as refused:
            return _upload_refused(request, article, refused.message, wants_json)
        html = render_to_string(
            "submissions/includes/photo_row.html", {"photo": photo, "article": article}, request
        )
        return JsonResponse({"id": photo.pk, "html": html}, status=201)
    for upload in uploads:  # the form without script sends several at once
        _add_photo(request, article, upload)
    return redirect("submissions:edit", pk=article.pk)


def _add_photo(request, article, upload):
    try:
        photo = actions.add_photo(article, upload=upload, by=request.user)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Photo “%(name)s” added.") % {"name": photo.original_name})


def _upload_refused(request, article, message, wants_json):
    if wants_json:
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect("submissions:edit", pk=article.pk)


@login_required
def photo_file(request, pk, photo_pk, kind):
    """A photo's original (download) or a rendition, to those who may see the item — never public."""
    article = permissions.access_article(request.user, pk)
    photo = get_object_or_404(Photo, pk=photo_pk, article=article)
    file = getattr(photo, kind)
    if not file:
        raise Http404
    response = FileResponse(
        file.open("rb"),
        as_attachment=kind == "original",
        filename=f"{article.pk}-{photo.pk}-{kind}{file.name[file.name.rfind('.') :]}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo_tile(request, pk, photo_pk):
    """The photo's thumbnail or its placeholder; the page polls this until the rendition exists."""
    article = permissions.access_article(request.user, pk)
    photo = get_object_or_404(Photo, pk=photo_pk, article=article)
    return render(request, "submissions/includes/photo_thumb.html", {"photo": photo, "article": article})
