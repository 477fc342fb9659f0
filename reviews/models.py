from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit
from submissions.models import Article, Category, Revision, Status

REVIEWER_ROLE_CHOICES = [
    (Role.LEADER_IN_CHARGE, _("Leader in charge of the item's unit")),
    (Role.OFFICE_DIRECTOR, _("Office director")),
    (Role.LEADERSHIP, _("Leadership group")),
]


class ReviewChain(models.Model):
    """The ordered stages an item passes. A unit uses the chain that names it, else the default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("units"), blank=True, related_name="review_chains",
        help_text=_("Units that use this chain. Leave empty for the default chain."),
    )  # fmt: skip
    is_default = models.BooleanField(_("default chain"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("review chain")
        verbose_name_plural = _("review chains")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_chain"
            ),
        ]

    def __str__(self):
        return self.name


class ReviewStage(models.Model):
    class Applies(models.TextChoices):
        ALWAYS = "always", _("Always")
        IMPORTANT = "important", _("Only important items")
        CATEGORIES = "categories", _("Only items of the chosen categories")

    chain = models.ForeignKey(
        ReviewChain, verbose_name=_("chain"), on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    reviewer_role = models.CharField(_("reviewed by"), max_length=32, choices=REVIEWER_ROLE_CHOICES)
    applies = models.CharField(_("applies"), max_length=20, choices=Applies.choices, default=Applies.ALWAYS)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True, related_name="+")
    time_limit_hours = models.PositiveIntegerField(_("time limit (hours)"), default=24)

    class Meta:
        ordering = ["chain", "order", "id"]
        verbose_name = _("review stage")
        verbose_name_plural = _("review stages")

    def __str__(self):
        return self.name

    def applies_to(self, article, category_ids):
        if self.applies == self.Applies.IMPORTANT:
            return article.important
        if self.applies == self.Applies.CATEGORIES:
            return article.category_id in category_ids
        return True


class ReviewRun(models.Model):
    """One item's way through its chain. The route (which stages, in which order) is set at the
    first submission; a return and resubmission continue the same run, and a stage that applies by
    then (the item was marked important) joins the route. No stage ever leaves it."""

    class State(models.TextChoices):
        ACTIVE = "active", _("In progress")
        SIGNED_OFF = "signed_off", _("Signed off")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="review_runs"
    )
    chain = models.ForeignKey(
        ReviewChain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="+"
    )
    route = models.JSONField(_("route"), default=list)  # stage ids in order
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("review run")
        verbose_name_plural = _("review runs")
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=Q(state="active"), name="one_active_run_per_article"
            ),
        ]

    def __str__(self):
        return f"{self.article} — {self.get_state_display()}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewStepQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(decision=Decision.PENDING)

    def for_queue(self):
        # A pending step's item is always in review (the actions keep it so). Saying it lets the
        # database start from the reviewed units' items in review, through the (unit, status) index,
        # instead of joining every pending step of every unit to its item. The items' units come in a
        # query of their own: joined, PostgreSQL expected five rows where a unit has hundreds and
        # matched each against every unit (a leader's queue at 1M items: 14 ms, 4 ms without). A queue
        # shows no item's body: it is not read.
        return (
            self.pending()
            .filter(article__status=Status.IN_REVIEW)
            .select_related("stage", "article", "article__author", "article__category")
            .prefetch_related("article__unit")
            .defer("article__body")
            .order_by("created_at", "id")
        )

    def overdue_first(self, now=None):
        """Overdue steps first, then the others; the longest waiting first within each."""
        late = models.Case(
            models.When(due_at__lt=now or timezone.now(), then=models.Value(0)), default=models.Value(1)
        )
        return self.annotate(late_first=late).order_by("late_first", "created_at", "id")

    def with_latest_revision(self):
        """Each step's item's latest revision id, the one a decision from the queue judges."""
        latest = Revision.objects.filter(article=OuterRef("article")).order_by("-number").values("pk")[:1]
        return self.select_related("run").annotate(latest_revision_id=Subquery(latest))


class ReviewStep(models.Model):
    """One attempt at one stage: waits for a decision, then records who decided what, on which revision."""

    run = models.ForeignKey(ReviewRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="steps")
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="review_steps"
    )
    # The item's unit (which never changes), kept here so that a reviewer's queue walks the
    # (unit, waiting since) index of its units' waiting steps instead of joining every waiting step.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", editable=False
    )
    stage = models.ForeignKey(
        ReviewStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="steps"
    )
    position = models.PositiveIntegerField(_("position in the route"))
    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="review_decisions",
    )  # fmt: skip
    # Set when a deputy decided the step for an absent reviewer (代审): `reviewer` is the deputy.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on behalf of"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    objects = ReviewStepQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=Q(decision="pending"), name="one_pending_step_per_article"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=Q(decision="pending"), name="review_step_queue"
            ),
            models.Index(fields=["due_at"], condition=Q(decision="pending"), name="review_step_due"),
            models.Index(
                fields=["unit", "created_at", "id"],
                condition=Q(decision="pending"),
                name="review_step_unit_queue",
            ),
        ]

    def __str__(self):
        return f"{self.stage} — {self.article}"

    @property
    def is_pending(self):
        return self.decision == Decision.PENDING

    @property
    def is_overdue(self):
        return self.is_pending and self.due_at < timezone.now()


class DelegationQuerySet(models.QuerySet):
    def in_force(self, day=None):
        """Delegations that hold on `day` (default: today)."""
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, ended_at__isnull=True)


class Delegation(models.Model):
    """代审: a reviewer who is away names a deputy, who decides the reviewer's steps from one day to
    another (both included). The deputy's decisions record both names; nobody decides their own item."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("absent reviewer"), on_delete=models.CASCADE,
        related_name="delegations_given",
    )  # fmt: skip
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.CASCADE,
        related_name="delegations_received",
    )  # fmt: skip
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    created_at = models.DateTimeField(_("named"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(deputy=models.F("reviewer")), name="delegation_not_to_oneself"
            ),
        ]
        indexes = [models.Index(fields=["deputy", "ends_on"])]

    def __str__(self):
        return f"{self.reviewer} → {self.deputy} ({self.starts_on} - {self.ends_on})"
