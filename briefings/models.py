"""Briefings (简报): numbered issues of a series the office edits from signed-off items, reviews,
issues to the units and has them sign for."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit
from outlets.models import Adoption, Outlet
from submissions.models import Article

OFFICE_ROLE_CHOICES = [(role.value, role.label) for role in (Role.OFFICE_DIRECTOR, Role.LEADERSHIP)]


class BriefingSeries(models.Model):
    """A briefing the office publishes in numbered issues, e.g. 沙湾区教育信息."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    issuing_office = models.CharField(_("issuing office"), max_length=200)
    signer = models.CharField(_("signed by"), max_length=100, blank=True, help_text=_("签发人"))
    restarts_yearly = models.BooleanField(_("numbering restarts each year"), default=True)
    total_before = models.PositiveIntegerField(
        _("issues before this system"),
        default=0,
        help_text=_("The running total continues from this number (总第…期)."),
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("counts as adopted by"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Outlet.Kind.BRIEFING},
        help_text=_("An outlet of kind “Briefing”: items used in an issue count as adopted by it."),
    )
    report_to = models.CharField(_("reported to (报)"), max_length=500, blank=True)
    copy_to = models.CharField(_("copied to (送)"), max_length=500, blank=True)
    issue_to = models.CharField(_("issued to (发)"), max_length=500, blank=True)
    copies = models.PositiveIntegerField(_("copies printed"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("briefing series")
        verbose_name_plural = _("briefing series")

    def __str__(self):
        return self.name


class BriefingColumn(models.Model):
    """A heading the pieces of an issue are arranged under (工作动态, 经验交流, 基层信息)."""

    series = models.ForeignKey(
        BriefingSeries, verbose_name=_("series"), on_delete=models.CASCADE, related_name="columns"
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["series", "order", "id"]
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        constraints = [models.UniqueConstraint(fields=["series", "name"], name="briefing_column_unique")]

    def __str__(self):
        return self.name


class BriefingStage(models.Model):
    """One step of the review an issue goes through before it is issued, in order."""

    series = models.ForeignKey(
        BriefingSeries, verbose_name=_("series"), on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    reviewer_role = models.CharField(_("reviewed by"), max_length=32, choices=OFFICE_ROLE_CHOICES)

    class Meta:
        ordering = ["series", "order", "id"]
        verbose_name = _("review stage")
        verbose_name_plural = _("review stages")

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", _("Being edited")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved, not yet issued")
    ISSUED = "issued", _("Issued")


class BriefingQuerySet(models.QuerySet):
    def for_list(self, unit_ids=()):
        """With the counts the archive shows; `to_sign`: how many of `unit_ids` have not signed yet."""
        waiting = Q(receipts__unit_id__in=unit_ids, receipts__signed_at__isnull=True)
        return self.select_related("series").annotate(
            to_sign=models.Count("receipts", filter=waiting, distinct=True),
            piece_count=models.Count("pieces", filter=Q(pieces__removed_at__isnull=True), distinct=True),
            receipt_count=models.Count("receipts", distinct=True),
            signed_count=models.Count("receipts", filter=Q(receipts__signed_at__isnull=False), distinct=True),
        )

    def issued(self):
        return self.filter(status=Status.ISSUED)


class Briefing(models.Model):
    """One issue of a series. Its numbers are given when it is issued, under a lock on the series."""

    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW},
        Status.RETURNED: {Status.IN_REVIEW},
        Status.IN_REVIEW: {Status.RETURNED, Status.APPROVED},
        Status.APPROVED: {Status.ISSUED},
        Status.ISSUED: set(),
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    series = models.ForeignKey(
        BriefingSeries, verbose_name=_("series"), on_delete=models.PROTECT, related_name="briefings"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    total_number = models.PositiveIntegerField(_("running number"), null=True, blank=True)
    editor_note = models.TextField(_("editor's note"), blank=True)
    report_to = models.CharField(_("reported to (报)"), max_length=500, blank=True)
    copy_to = models.CharField(_("copied to (送)"), max_length=500, blank=True)
    issue_to = models.CharField(_("issued to (发)"), max_length=500, blank=True)
    copies = models.PositiveIntegerField(_("copies printed"), default=30)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("edited by"), on_delete=models.PROTECT, related_name="+"
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last edited by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-created_at", "-id"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="briefing_number_unique"),
            models.UniqueConstraint(fields=["series", "total_number"], name="briefing_total_unique"),
        ]

    def __str__(self):
        return self.heading()

    def heading(self):
        if self.number is None:
            return _("%(series)s (not yet numbered)") % {"series": self.series}
        return _("%(series)s %(year)s, No. %(number)s (total No. %(total)s)") % {
            "series": self.series,
            "year": self.year,
            "number": self.number,
            "total": self.total_number,
        }

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_issued(self):
        return self.status == Status.ISSUED

    def may_move_to(self, status):
        return status in self.TRANSITIONS[self.status]


class BriefingPiece(models.Model):
    """A signed-off item as edited for the briefing. The item itself keeps its signed-off text."""

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), on_delete=models.CASCADE, related_name="pieces"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("item"), on_delete=models.PROTECT, related_name="briefing_pieces"
    )
    column = models.ForeignKey(
        BriefingColumn,
        verbose_name=_("column"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=200, blank=True)  # the unit, as printed
    # The adoption this piece gave its item when the issue was issued; none if an earlier issue of
    # the series had given it already (an item counts once per outlet).
    adoption = models.OneToOneField(
        Adoption,
        verbose_name=_("adoption"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefing_piece",
    )
    # After issue a piece is not deleted: its adoption is taken back with a reason (a correction).
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_reason = models.CharField(_("why removed"), max_length=500, blank=True)

    class Meta:
        ordering = ["briefing", "column__order", "order", "id"]
        verbose_name = _("piece")
        verbose_name_plural = _("pieces")
        constraints = [models.UniqueConstraint(fields=["briefing", "article"], name="briefing_piece_once")]

    def __str__(self):
        return self.title


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class BriefingStep(models.Model):
    """One stage's review of one version of an issue. At most one is pending per issue."""

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.ForeignKey(
        BriefingStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="steps"
    )
    version = models.PositiveIntegerField(_("version judged"))
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("waiting since"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["briefing", "created_at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(
                fields=["briefing"], condition=Q(decision="pending"), name="briefing_one_pending_step"
            )
        ]

    def __str__(self):
        return f"{self.briefing} — {self.stage}"


class BriefingReceipt(models.Model):
    """An issue sent to a unit, and the unit's signature for it (签收): an explicit click."""

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    urged_at = models.DateTimeField(_("last urged"), null=True, blank=True)

    class Meta:
        ordering = ["briefing", "unit__order", "unit__name"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [models.UniqueConstraint(fields=["briefing", "unit"], name="briefing_receipt_once")]

    def __str__(self):
        return f"{self.briefing} — {self.unit}"

    @property
    def is_signed(self):
        return self.signed_at is not None


class BriefingEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The timeline is append-only.")

    def delete(self):
        raise TypeError("The timeline is append-only.")


class BriefingEvent(models.Model):
    """Append-only timeline of an issue, for its page and its approval sheet."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        PIECE_ADDED = "piece_added", _("Item added")
        PIECE_REMOVED = "piece_removed", _("Item removed")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for revision")
        ISSUED = "issued", _("Issued")
        SIGNED = "signed", _("Signed for")
        URGED = "urged", _("Units urged to sign")
        CORRECTED = "corrected", _("Correction after issue")

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), on_delete=models.CASCADE, related_name="events"
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
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = BriefingEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.briefing}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The timeline is append-only.")
        super().save(*args, **kwargs)
