"""Every change to an article, its photos and its status. Views and tasks call these.

Each action locks the article row, checks the rule, saves, records the Event, and schedules side
effects after commit.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .content import plain_text, sanitize_body, text_length
from .images import PhotoRejected, ingest, make_rendition
from .models import Article, Event, Photo, Revision

logger = logging.getLogger(__name__)

CONTENT_FIELDS = ("title", "body", "category", "event_date", "important", "suggested_outlets")


class ActionRefused(Exception):
    """The action is not allowed now; .message says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StaleEdit(ActionRefused):
    """Someone saved the article after the version this edit started from."""

    def __init__(self, current):
        super().__init__(
            _("This item was changed by %(name)s while you were editing. Nothing was overwritten.")
            % {"name": current.last_editor}
        )
        self.current = current


class ChecksFailed(ActionRefused):
    def __init__(self, checks):
        super().__init__(_("The item cannot be submitted yet: fix the problems listed."))
        self.checks = checks


@dataclass
class PhotoChange:
    photo_id: int
    caption: str
    credit: str
    order: int
    delete: bool = False


def locked(article):
    """The article's row, locked until the transaction ends."""
    return Article.objects.select_for_update().get(pk=article.pk)


def create_draft(*, unit, client_key, by, topic=None):
    """A new, empty draft for `unit`, answering `topic` if one is given (the topics app checks that
    the topic asks it of the unit). The same client_key (one opened form) gives the same draft."""
    article, created = Article.objects.get_or_create(
        client_key=client_key, defaults={"unit": unit, "author": by, "last_editor": by, "topic": topic}
    )
    if created:
        note = str(topic) if topic is not None else ""
        Event.objects.create(article=article, kind=Event.Kind.CREATED, actor=by, note=note)
    elif article.author_id != by.id or article.unit_id != unit.id:
        raise ActionRefused(_("This form belongs to another draft. Reload the page."))
    return article


@transaction.atomic
def save_draft(article, *, fields, co_units, photos=(), cover_id=None, base_version, by):
    """Save the author's edits if they start from the current version.

    A stale save with the very same content (a double click, a retried autosave) is a no-op;
    any other stale save is refused with StaleEdit, never silently merged or overwritten.
    """
    current = locked(article)
    if not current.is_editable:
        raise ActionRefused(
            _("This item can no longer be edited (%(status)s).") % {"status": current.get_status_display()}
        )
    fields = _clean_fields(fields)
    if current.version != base_version:
        if _content_differs(current, fields, co_units) or _photos_differ(current, photos, cover_id):
            raise StaleEdit(current)
        return current
    for name in CONTENT_FIELDS:
        setattr(current, name, fields[name])
    current.body_length = text_length(current.body)
    _check_hard_limit(current)
    current.version += 1
    current.last_editor = by
    current.save()
    current.co_units.set(co_units)
    _apply_photo_changes(current, photos, cover_id)
    return current


def _clean_fields(fields):
    cleaned = dict(fields)
    cleaned["title"] = plain_text(fields.get("title", ""))
    cleaned["body"] = sanitize_body(fields.get("body", ""))
    cleaned["suggested_outlets"] = plain_text(fields.get("suggested_outlets", ""))
    return cleaned


def _content_differs(article, fields, co_units):
    if any(getattr(article, name) != fields[name] for name in CONTENT_FIELDS):
        return True
    return {u.pk for u in co_units} != set(article.co_units.values_list("pk", flat=True))


def _check_hard_limit(article):
    limit = article.category.hard_limit if article.category else None
    if limit and article.body_length > limit:
        raise ActionRefused(
            _("The body has %(length)s characters; %(category)s allows at most %(limit)s.")
            % {"length": article.body_length, "category": article.category, "limit": limit}
        )


def _photos_differ(article, photos, cover_id):
    stored = {p.id: p for p in article.photos.all()}
    for change in photos:
        photo = stored.get(change.photo_id)
        if photo is None:
            continue
        if change.delete or (plain_text(change.caption), plain_text(change.credit), change.order) != (
            photo.caption,
            photo.credit,
            photo.order,
        ):
            return True
    return cover_id is not None and not (stored.get(cover_id) and stored[cover_id].is_cover)


def _apply_photo_changes(article, photos, cover_id):
    stored = {p.id: p for p in article.photos.all()}
    for change in photos:
        photo = stored.get(change.photo_id)
        if photo is None:
            continue
        if change.delete:
            _delete_photo_files(photo)
            photo.delete()
            del stored[change.photo_id]
            continue
        photo.caption, photo.credit, photo.order = (
            plain_text(change.caption),
            plain_text(change.credit),
            change.order,
        )
        photo.save(update_fields=["caption", "credit", "order"])
    if cover_id not in stored:  # none chosen, or the cover was removed: keep the current or the first
        first = min(stored.values(), key=lambda p: (p.order, p.id), default=None)
        cover_id = next((p.id for p in stored.values() if p.is_cover), first and first.id)
    if cover_id is not None:
        article.photos.exclude(pk=cover_id).update(is_cover=False)
        article.photos.filter(pk=cover_id).update(is_cover=True)


def _delete_photo_files(photo):
    files = [f for f in (photo.original, photo.thumbnail, photo.display) if f]
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


def add_photo(article, *, upload, by):
    """Validate, strip and store one uploaded photo; renditions follow in a task.

    Raises ActionRefused (with a message naming the file) for anything we will not keep.
    """
    name = plain_text(getattr(upload, "name", "") or _("photo"))[-120:]
    try:
        ingested = ingest(
            upload, name=name, max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS
        )
    except PhotoRejected as exc:
        raise ActionRefused(str(exc.message)) from None
    with transaction.atomic():
        current = locked(article)
        if not current.is_editable:
            raise ActionRefused(_("Photos can no longer be added to this item."))
        existing = list(current.photos.all())
        if len(existing) >= settings.PHOTO_MAX_PER_ARTICLE:
            raise ActionRefused(
                _("“%(name)s” was not added: an item may have at most %(limit)s photos.")
                % {"name": name, "limit": settings.PHOTO_MAX_PER_ARTICLE}
            )
        photo = Photo(
            article=current,
            original_name=name,
            order=max((p.order for p in existing), default=0) + 1,
            is_cover=not existing,
            width=ingested.width,
            height=ingested.height,
            size=len(ingested.content),
            sha256=ingested.sha256,
            uploaded_by=by,
        )
        photo.original.save(f"original.{ingested.extension}", ContentFile(ingested.content), save=False)
        photo.save()
        transaction.on_commit(lambda: _queue_renditions(photo.id))
    return photo


def _queue_renditions(photo_id):
    from .tasks import make_photo_renditions

    try:
        make_photo_renditions.delay(photo_id)
    except Exception:  # the broker is down: the photo is stored; the beat sweeper makes them later
        logger.warning("Could not queue renditions for photo %s; the sweeper will.", photo_id, exc_info=True)


def photos_missing_renditions(*, older_than):
    """Photos whose rendition task was lost (broker down, worker killed): for the sweeper."""
    return Photo.objects.filter(Q(thumbnail="") | Q(display=""), created_at__lt=timezone.now() - older_than)


def make_renditions(photo):
    """Write the thumbnail and display renditions of a stored photo (run by a task)."""
    with photo.original.open("rb") as original:
        content = original.read()
    for field, edge in settings.PHOTO_RENDITIONS.items():
        if not getattr(photo, field):
            getattr(photo, field).save(
                f"{field}.jpg", ContentFile(make_rendition(content, edge=edge)), save=False
            )
    Photo.objects.filter(pk=photo.pk).update(thumbnail=photo.thumbnail.name, display=photo.display.name)


def snapshot_revision(article, *, by):
    """An immutable copy of the article's content now: taken at each submission and reviewer edit."""
    photos = [
        {"sha256": p.sha256, "caption": p.caption, "credit": p.credit, "is_cover": p.is_cover}
        for p in article.photos.all()
    ]
    content = json.dumps([article.title, article.body, photos], ensure_ascii=False, sort_keys=True)
    number = (article.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return Revision.objects.create(
        article=article,
        number=number,
        title=article.title,
        body=article.body,
        photos=photos,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        created_by=by,
    )
