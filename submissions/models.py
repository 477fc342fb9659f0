import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.core.signals import setting_changed
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Unit
from publicity.storage import private_backend


@deconstructible(path="submissions.models.PrivateStorage")
class PrivateStorage(Storage):
    """Photos, renditions and bulletin files: never under a public URL, only served by views that check
    access. Under MEDIA_ROOT/private, or in a private bucket when MEDIA_STORAGE_URL is set (any web
    process or worker then reads and writes the same files). Which one is read from the settings on
    first use, and again when a test changes them."""

    def __init__(self):
        setting_changed.connect(self._settings_changed)

    @cached_property
    def backend(self):
        return private_backend()

    def _settings_changed(self, setting, **kwargs):
        if setting in {"MEDIA_ROOT", "MEDIA_STORAGE_URL"}:
            self.__dict__.pop("backend", None)

    def _open(self, name, mode="rb"):
        return self.backend.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend.save(name, content, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def delete(self, name):
        self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def size(self, name):
        return self.backend.size(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def path(self, name):
        return self.backend.path(name)  # only on this machine's disk; code reads files with open()

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the view that serves them.")


private_storage = PrivateStorage()


class Category(models.Model):
    """Admin-configured kind of item, with length limits counted in characters."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    soft_limit = models.PositiveIntegerField(
        _("recommended length"),
        null=True,
        blank=True,
        help_text=_("Characters; longer bodies get a warning."),
    )
    hard_limit = models.PositiveIntegerField(
        _("maximum length"), null=True, blank=True, help_text=_("Characters; longer bodies cannot be saved.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Phrase(models.Model):
    """A forbidden or sensitive phrase, checked before an item is submitted."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Block submission")
        WARN = "warn", _("Warn")

    text = models.CharField(_("phrase"), max_length=200, unique=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.WARN)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("sensitive phrase")
        verbose_name_plural = _("sensitive phrases")

    def __str__(self):
        return self.text


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned")
    # Signed off by the last stage; an Event "approved" is one stage's approval.
    APPROVED = "approved", pgettext_lazy("article status", "Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


MONTH_SUMMARY = ("submitted", "drafts", "returned", "in_review")


MAX_UNIT_PARTS = 4


class ArticleQuerySet(models.QuerySet):
    def for_list(self):
        """Rows for a list, latest activity first. Photos are counted per row in a subquery rather than
        by joining and grouping: a grouped query cannot stop after the first rows of an index walk, so
        it would read every item of the unit to show 25. A row shows no body: it is not read."""
        photos = Photo.objects.filter(article=models.OuterRef("pk")).order_by().values("article")
        counted = photos.annotate(n=models.Count("pk")).values("n")
        return (
            self.select_related("category", "author", "unit")
            .defer("body")
            .annotate(photo_count=Coalesce(models.Subquery(counted), 0))
            .order_by("-updated_at", "-id")
        )

    def per_unit(self, unit_ids):
        """These rows as one queryset per unit, for publicity.paging: a filter on several units cannot
        walk the (unit, order) index in order, one unit can. Many units stay one queryset."""
        if len(unit_ids) > MAX_UNIT_PARTS:
            return [self.filter(unit_id__in=unit_ids)]
        return [self.filter(unit_id=unit_id) for unit_id in unit_ids]

    def crediting(self, unit_ids):
        """Submitted items that name one of these units as a co-contributing unit."""
        credits = Article.co_units.through.objects.filter(article=models.OuterRef("pk"), unit_id__in=unit_ids)
        return self.filter(models.Exists(credits)).exclude(status=Status.DRAFT)

    def month_summary(self, unit_ids, month_start, next_month_start):
        """Per unit: items submitted this month — its own and those crediting it (co_units) — and
        its items waiting on it (drafts, returned). One query."""
        submitted = models.Q(submitted_at__gte=month_start, submitted_at__lt=next_month_start)
        waiting = models.Q(status__in=[Status.DRAFT, Status.RETURNED, Status.IN_REVIEW])
        own = (
            # only the rows counted: a unit's items of other months and done with are most of them
            self.filter(submitted | waiting, unit_id__in=unit_ids)
            .annotate(subject=models.F("unit_id"))
            .values_list("subject")
            .annotate(
                submitted=models.Count("pk", filter=submitted),
                drafts=models.Count("pk", filter=models.Q(status=Status.DRAFT)),
                returned=models.Count("pk", filter=models.Q(status=Status.RETURNED)),
                in_review=models.Count("pk", filter=models.Q(status=Status.IN_REVIEW)),
            )
            .order_by()
        )
        none = models.Value(0, models.IntegerField())
        shared = (
            self.filter(submitted)
            .annotate(subject=models.F("co_units"))
            .filter(subject__in=unit_ids)
            .exclude(subject=models.F("unit_id"))
            .values_list("subject")
            .annotate(submitted=models.Count("pk"), drafts=none, returned=none, in_review=none)
            .order_by()
        )
        summary = {}
        for unit_id, *counts in own.union(shared, all=True):
            found = summary.setdefault(unit_id, dict.fromkeys(MONTH_SUMMARY, 0))
            for name, value in zip(MONTH_SUMMARY, counts, strict=True):
                found[name] += value
        return summary


class Article(models.Model):
    """One item a liaison officer writes for their unit."""

    # status -> statuses it may move to (DESIGN.md §5)
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW, Status.WITHDRAWN},
        Status.IN_REVIEW: {Status.APPROVED, Status.RETURNED, Status.REJECTED, Status.WITHDRAWN},
        Status.RETURNED: {Status.IN_REVIEW, Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }
    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="articles")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles"
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last edited by"), on_delete=models.PROTECT, related_name="+"
    )
    # Set by the browser when a new form opens: two saves of the same new form make one draft.
    client_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_length = models.PositiveIntegerField(_("length"), default=0)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_date = models.DateField(_("event date"), null=True, blank=True)
    important = models.BooleanField(
        _("important"), default=False, help_text=_("Policy-sensitive: needs a leadership review.")
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("co-contributing units"), blank=True, related_name="co_articles"
    )
    suggested_outlets = models.CharField(_("suggested outlets"), max_length=500, blank=True)
    # The commissioned topic the item answers, if any (a string reference: topics reads submissions).
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name=_("commissioned topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["unit", "-updated_at", "-id"], name="article_unit_recent"),
            models.Index(fields=["unit", "status", "-updated_at", "-id"], name="article_unit_status"),
            models.Index(fields=["unit", "category", "-updated_at", "-id"], name="article_unit_category"),
            models.Index(fields=["unit", "event_date"], name="article_unit_event_date"),
            # the assessment figures count by period across all units
            models.Index(fields=["submitted_at", "unit"], name="article_submitted"),
            models.Index(fields=["signed_off_at", "unit"], name="article_signed_off"),
            # the office's item ledger: newest submissions first, by each filter it offers
            models.Index(fields=["-submitted_at", "-id"], name="article_ledger_recent"),
            models.Index(fields=["unit", "-submitted_at", "-id"], name="article_ledger_unit"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="article_ledger_status"),
            models.Index(fields=["category", "-submitted_at", "-id"], name="article_ledger_category"),
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=models.Q(important=True),
                name="article_ledger_important",
            ),
        ]

    def __str__(self):
        return self.title or str(_("(untitled)"))

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_withdrawable(self):
        return Status.WITHDRAWN in self.TRANSITIONS[self.status]

    def may_move_to(self, status):
        return status in self.TRANSITIONS[self.status]


def photo_path(photo, filename):
    return f"photos/{photo.article_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class Photo(models.Model):
    """A photo of an article: the stripped original and its renditions, all private."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="photos"
    )
    original = models.FileField(_("original"), storage=private_storage, upload_to=photo_path)
    thumbnail = models.FileField(_("thumbnail"), storage=private_storage, upload_to=photo_path, blank=True)
    display = models.FileField(_("display"), storage=private_storage, upload_to=photo_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("photographer"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_cover = models.BooleanField(_("cover"), default=False)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=models.Q(is_cover=True), name="photo_one_cover_per_article"
            ),
        ]

    def __str__(self):
        return self.caption or self.original_name

    @property
    def has_renditions(self):
        return bool(self.thumbnail and self.display)


class Revision(models.Model):
    """An immutable snapshot of an article's content, taken at each submit (and, later, each
    reviewer edit). Decisions point at the revision they judged."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    photos = models.JSONField(_("photos"), default=list)  # [{"sha256", "caption", "credit", "is_cover"}]
    content_hash = models.CharField(_("content hash"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
        ]

    def __str__(self):
        return f"{self.article} #{self.number}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The timeline is append-only.")

    def delete(self):
        raise TypeError("The timeline is append-only.")


class Event(models.Model):
    """Append-only timeline of what happened to an article: rows are added, never changed or removed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted for review")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        APPROVED = "approved", _("Approved")
        SIGNED_OFF = "signed_off", _("Signed off")
        RETURNED = "returned", _("Returned for revision")
        REJECTED = "rejected", _("Rejected")
        EDITED = "edited", _("Edited")
        DELIVERED = "delivered", _("Delivered")
        ADOPTED = "adopted", _("Adopted")
        ADOPTION_REMOVED = "adoption_removed", _("Adoption removed")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.ForeignKey(
        Revision,
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.article}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The timeline is append-only.")
