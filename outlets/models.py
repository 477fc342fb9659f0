import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from submissions.models import Article, Category, Revision


class OutletQuerySet(models.QuerySet):
    def deliverable(self):
        """Outlets items can be sent to (a briefing outlet only counts what the office uses)."""
        return self.exclude(kind=Outlet.Kind.BRIEFING)


class Outlet(models.Model):
    """A site or publication items are reported to (报送渠道)."""

    class Kind(models.TextChoices):
        WORDPRESS = "wordpress", _("WordPress site")
        WEBHOOK = "webhook", _("Webhook")
        EMAIL = "email", _("E-mail desk")
        ATOM = "atom", _("Atom feed")
        # The office's own briefing (简报): nothing is sent; items used in an issue count as adopted.
        BRIEFING = "briefing", _("Briefing")

    class Level(models.TextChoices):
        SCHOOL = "school", _("School")
        COUNTY = "county", _("County / district")
        CITY = "city", _("City")
        PROVINCE = "province", _("Province")
        NATIONAL = "national", _("National")

    class PostStatus(models.TextChoices):
        PENDING = "pending", _("Pending review")
        DRAFT = "draft", _("Draft")
        PUBLISH = "publish", _("Published at once")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.COUNTY)
    endpoint = models.CharField(
        _("endpoint"),
        max_length=500,
        blank=True,
        help_text=_("WordPress site address, webhook URL or e-mail address. Not used by feeds."),
    )
    username = models.CharField(_("user name"), max_length=100, blank=True, help_text=_("WordPress user."))
    # Encrypted with OUTLET_CREDENTIAL_KEYS (never SECRET_KEY); see outlets/credentials.py.
    secret_encrypted = models.TextField(_("encrypted credential"), blank=True, editable=False)
    post_status = models.CharField(
        _("post status"),
        max_length=10,
        choices=PostStatus.choices,
        default=PostStatus.PENDING,
        help_text=_("WordPress: the status new posts get. “Pending review” lets the outlet decide."),
    )
    category_map = models.JSONField(
        _("category mapping"),
        default=dict,
        blank=True,
        help_text=_('WordPress: our category name → the site\'s category id, e.g. {"News": 3}.'),
    )
    accepted_categories = models.ManyToManyField(
        Category,
        verbose_name=_("accepted categories"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty to accept every category."),
    )
    preselected = models.BooleanField(_("preselected at sign-off"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    paused_reason = models.CharField(_("paused because"), max_length=500, blank=True)
    max_concurrency = models.PositiveIntegerField(_("parallel deliveries"), default=2)
    feed_token = models.CharField(max_length=64, default=secrets.token_urlsafe, unique=True, editable=False)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self):
        return self.name

    def accepts(self, article):
        categories = {c.pk for c in self.accepted_categories.all()}
        return not categories or article.category_id in categories


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Deliveries a sender should pick up: waiting and due, or sending with an expired lease."""
        now = now or timezone.now()
        waiting = Q(state__in=[Delivery.State.QUEUED, Delivery.State.RETRYING], next_attempt_at__lte=now)
        abandoned = Q(state=Delivery.State.SENDING, lease_until__lt=now)
        return self.filter(waiting | abandoned, outlet__is_active=True)


class Delivery(models.Model):
    """One signed-off item sent to one outlet. The table is the outbox (DESIGN.md §6)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        CANCELLED = "cancelled", _("Cancelled")

    class Adoption(models.TextChoices):
        UNKNOWN = "unknown", _("Not yet known")
        ADOPTED = "adopted", _("Adopted")
        DECLINED = "declined", _("Declined")

    uuid = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="deliveries"
    )
    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    # A request went out and no answer came back: the outlet may have it. Ask before sending again.
    maybe_sent = models.BooleanField(_("may have arrived"), default=False)
    remote_id = models.CharField(_("remote id"), max_length=200, blank=True)
    remote_url = models.URLField(_("remote address"), max_length=500, blank=True)
    remote_media = models.JSONField(_("remote media"), default=dict, blank=True)  # photo sha256 → remote id
    last_error = models.TextField(_("last error"), blank=True)
    adoption = models.CharField(
        _("adoption"), max_length=20, choices=Adoption.choices, default=Adoption.UNKNOWN
    )
    adopted_url = models.URLField(_("published at"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["outlet", "state"], name="delivery_outlet_state"),
            models.Index(fields=["-created_at", "-id"], name="delivery_recent"),
            # the Deliveries page: its filters in its order, and each outlet's last success
            models.Index(fields=["outlet", "-created_at", "-id"], name="delivery_outlet_recent"),
            models.Index(fields=["state", "-created_at", "-id"], name="delivery_state_recent"),
            models.Index(fields=["outlet", "-delivered_at"], name="delivery_outlet_delivered"),
            # the assessment figures count the items delivered in a period
            models.Index(fields=["delivered_at"], condition=Q(state="delivered"), name="delivery_delivered"),
            # Sends under way, counted against the outlet's cap at every claim and settle.
            models.Index(
                fields=["outlet", "lease_until"], condition=Q(state="sending"), name="delivery_sending"
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.outlet}"

    def is_due(self, now):
        """What `Delivery.objects.due(now)` says of this row, apart from its outlet being active."""
        if self.state in (Delivery.State.QUEUED, Delivery.State.RETRYING):
            return self.next_attempt_at <= now
        return (
            self.state == Delivery.State.SENDING and self.lease_until is not None and self.lease_until < now
        )

    @property
    def waits_for_outlet(self):
        """Due or soon due, but its outlet is paused: it goes out when the outlet is resumed."""
        return self.state in (self.State.QUEUED, self.State.RETRYING) and not self.outlet.is_active

    @property
    def marker(self):
        """The delivery's key as the outlet sees it (WordPress slug, e-mail Message-ID, feed id)."""
        return f"pd-{self.uuid}"


class DeliveryAttempt(models.Model):
    """One try at a delivery: what was sent (secrets redacted), what came back, how long it took."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")
        PAUSED = "paused", _("Outlet paused")
        FOUND = "found", _("Found at the outlet")
        INTERRUPTED = "interrupted", _("Interrupted")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    requests = models.JSONField(_("requests"), default=list)  # [{method, url, status, ms, sent}]
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [models.Index(fields=["started_at"], name="attempt_started")]  # failures in the last 24 h

    def __str__(self):
        return f"{self.delivery} #{self.number}"


class AdoptionQuerySet(models.QuerySet):
    def between(self, start, end):
        """Adoptions published on days start ≤ day < end."""
        return self.filter(adopted_on__gte=start, adopted_on__lt=end)


class Adoption(models.Model):
    """An outlet published (采用) an item: observed from a delivery or entered by the office.

    At most one per item and outlet. `level` is the outlet's level when it was recorded, so a later
    change to the outlet does not move old points. Scores are derived from these rows in `reports`;
    `needs_scoring` marks rows whose points have not been (re)computed yet.
    """

    class Source(models.TextChoices):
        OUTLET = "outlet", _("Reported by the outlet")
        OFFICE = "office", _("Recorded by the office")
        IMPORT = "import", _("Imported from a sheet")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="adoptions"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="adoptions"
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoption_record",
    )
    level = models.CharField(_("level"), max_length=20, choices=Outlet.Level.choices)
    adopted_on = models.DateField(_("published on"))
    url = models.URLField(_("address"), max_length=500, blank=True)
    issue = models.CharField(_("issue and page"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    instruction_level = models.CharField(
        _("leader instruction level"), max_length=20, choices=Outlet.Level.choices, blank=True
    )
    instruction_leader = models.CharField(_("instructing leader"), max_length=100, blank=True)
    instruction_text = models.TextField(_("leader instruction"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    needs_scoring = models.BooleanField(default=True, editable=False)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.UniqueConstraint(fields=["article", "outlet"], name="adoption_once_per_outlet"),
        ]
        indexes = [
            models.Index(fields=["adopted_on", "outlet"], name="adoption_day"),
            models.Index(fields=["-adopted_on", "-id"], name="adoption_recent"),
            models.Index(fields=["outlet", "-adopted_on", "-id"], name="adoption_outlet_recent"),
            models.Index(fields=["id"], condition=Q(needs_scoring=True), name="adoption_needs_scoring"),
        ]

    def __str__(self):
        return f"{self.article} — {self.outlet} ({self.adopted_on})"

    @property
    def has_instruction(self):
        return bool(self.instruction_level)
