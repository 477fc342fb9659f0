"""Assessment: how adoptions turn into points, what each unit must deliver, and what the office
publishes about it. Reads the other apps; nothing imports `reports`."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitClass
from outlets.models import Adoption, Outlet
from submissions.models import Article, Category, private_storage

POINTS = {"max_digits": 7, "decimal_places": 2}


class InForceQuerySet(models.QuerySet):
    def overlapping(self, first, last):
        """Settings in force on some day of [first, last] (both included; None: open-ended)."""
        found = self
        if last is not None:
            found = found.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        if first is not None:
            found = found.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        return found


class InForce(models.Model):
    """A setting that applies from one day to another, both included: rules, bonuses, minimums and the
    policy. Points and months are judged by the settings in force on their day, so a setting made for
    a new year leaves the years before it as they were."""

    valid_from = models.DateField(
        _("valid from"),
        null=True,
        blank=True,
        help_text=_("The first day it applies. Empty: from the start."),
    )
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day it applies. Empty: until further notice."),
    )

    objects = InForceQuerySet.as_manager()

    class Meta:
        abstract = True

    def applies_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def period_label(self):
        """“2026-01-01 to 2026-12-31”, “from 2026-01-01”; empty when always in force."""
        if self.valid_from and self.valid_to:
            return _("%(first)s to %(last)s") % {
                "first": f"{self.valid_from:%Y-%m-%d}",
                "last": f"{self.valid_to:%Y-%m-%d}",
            }
        if self.valid_from:
            return _("from %(day)s") % {"day": f"{self.valid_from:%Y-%m-%d}"}
        if self.valid_to:
            return _("until %(day)s") % {"day": f"{self.valid_to:%Y-%m-%d}"}
        return ""

    def clean_period(self, twins, message):
        """Refuse a period that ends before it starts, that overlaps one of `twins` (the same kind of
        setting for the same thing), or a change to what a closed year was judged by."""
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(_("The last day it applies comes before the first."))
        if twins.overlapping(self.valid_from, self.valid_to).exclude(pk=self.pk).exists():
            raise ValidationError(message)
        previous = type(self).objects.filter(pk=self.pk).first() if self.pk else None
        if year := self.closed_year_changed(previous, self):
            raise ValidationError(
                _(
                    "%(year)s is closed: this change would alter what it was judged by. Let the change "
                    "apply from a later day, or reopen the year first."
                )
                % {"year": year}
            )

    @staticmethod
    def closed_year_changed(before, after):
        """The first closed year in which `before` and `after` (either may be None) do not do the same."""
        years = sorted(AssessmentYear.closed_years())
        return next((y for y in years if _effect(before, y) != _effect(after, y)), None)

    def _labelled(self, text):
        return f"{text} ({self.period_label})" if self.period_label else text


def _effect(setting, year):
    """What a setting does in `year`: the days of the year it applies on, and its values."""
    if setting is None:
        return None
    first = max(setting.valid_from or date.min, date(year, 1, 1))
    last = min(setting.valid_to or date.max, date(year, 12, 31))
    if first > last:
        return None
    skip = {"id", "valid_from", "valid_to"}
    return (
        first,
        last,
        [getattr(setting, f.attname) for f in setting._meta.concrete_fields if f.attname not in skip],
    )


class ScoringPolicy(InForce):
    """The office-wide scoring settings for a period, edited in the admin; periods do not overlap."""

    class MultiOutlet(models.TextChoices):
        EVERY = "every", _("Count every adoption (government practice)")
        HIGHEST = "highest", _("Count only the highest adoption (school practice)")

    multi_outlet = models.CharField(
        _("item adopted by several outlets"),
        max_length=10,
        choices=MultiOutlet.choices,
        default=MultiOutlet.EVERY,
    )
    missed_submitted_deduction = models.DecimalField(
        _("deduction for a missed submission minimum"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Points taken off a unit for each month it submitted fewer items than its minimum."),
        **POINTS,
    )
    missed_adopted_deduction = models.DecimalField(
        _("deduction for a missed adoption minimum"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Points taken off a unit for each month it had fewer items adopted than its minimum."),
        **POINTS,
    )

    class Meta:
        ordering = [F("valid_from").asc(nulls_first=True)]
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policy")

    def __str__(self):
        return self._labelled(str(_("Scoring policy")))

    def clean(self):
        twins = ScoringPolicy.objects.all()
        self.clean_period(twins, _("Another scoring policy applies in part of this period."))

    @classmethod
    def on(cls, day, policies=None):
        """The policy in force on `day` (of `policies`, when loaded already); the defaults if none is."""
        policies = cls.objects.all() if policies is None else policies
        return next((p for p in policies if p.applies_on(day)), None) or cls()

    @classmethod
    def current(cls):
        """Today's policy; an open-ended one is made when there is no policy at all."""
        policy = cls.on(timezone.localdate())
        if policy.pk is None and not cls.objects.exists():
            policy.save()
        return policy


class ScoreRule(InForce):
    """Points for one adoption published in the rule's period. The most specific rule wins: outlet and
    category, outlet, level and category, level."""

    level = models.CharField(_("outlet level"), max_length=20, choices=Outlet.Level.choices, blank=True)
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only for this outlet (instead of a whole level)."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only for items of this category."),
    )
    main_points = models.DecimalField(_("points for the main unit"), **POINTS)
    co_points = models.DecimalField(_("points for each co-contributing unit"), default=0, **POINTS)

    class Meta:
        ordering = ["level", "outlet", "category"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self):
        target = str(self.outlet) if self.outlet_id else self.get_level_display()
        return self._labelled(f"{target} · {self.category}" if self.category_id else target)

    def clean(self):
        if bool(self.level) == bool(self.outlet_id):
            raise ValidationError(_("Choose either an outlet level or one outlet."))
        twins = ScoreRule.objects.filter(level=self.level, outlet=self.outlet, category=self.category)
        self.clean_period(
            twins, _("There is already a rule for this outlet or level and category in this period.")
        )

    @property
    def specificity(self):
        return (2 if self.outlet_id else 0) + (1 if self.category_id else 0)

    def matches(self, adoption, category_id):
        target = adoption.outlet_id == self.outlet_id if self.outlet_id else adoption.level == self.level
        return target and (self.category_id is None or self.category_id == category_id)


class InstructionBonus(InForce):
    """Extra points for the main unit when a leader of this level writes an instruction on an item
    adopted in the bonus's period."""

    level = models.CharField(_("leader level"), max_length=20, choices=Outlet.Level.choices)
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        ordering = ["level", F("valid_from").asc(nulls_first=True)]
        verbose_name = _("leader instruction bonus")
        verbose_name_plural = _("leader instruction bonuses")

    def __str__(self):
        return self._labelled(f"{self.get_level_display()}: {self.points}")

    def clean(self):
        twins = InstructionBonus.objects.filter(level=self.level)
        self.clean_period(twins, _("There is already a bonus for this level in this period."))


class Quota(InForce):
    """The monthly minimum of a unit class, for every month or one month of the year, in the months
    its period covers (judged by each month's first day)."""

    unit_class = models.ForeignKey(
        UnitClass, verbose_name=_("unit class"), on_delete=models.CASCADE, related_name="quotas"
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Leave empty for every month; a quota for one month overrides it in that month."),
    )
    min_submitted = models.PositiveIntegerField(_("minimum submitted"), default=0)
    min_adopted = models.PositiveIntegerField(_("minimum adopted"), default=0)

    class Meta:
        ordering = ["unit_class", "month", F("valid_from").asc(nulls_first=True)]
        verbose_name = _("monthly minimum")
        verbose_name_plural = _("monthly minimums")

    def __str__(self):
        return self._labelled(f"{self.unit_class}: {self.min_submitted} / {self.min_adopted}")

    def clean(self):
        if self.unit_class_id is None:
            return
        twins = Quota.objects.filter(unit_class=self.unit_class, month=self.month)
        self.clean_period(twins, _("There is already a minimum for this class and month in this period."))


class AnnualTarget(models.Model):
    """A unit's goals for one year."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    submitted = models.PositiveIntegerField(_("items submitted"), default=0)
    adopted = models.PositiveIntegerField(_("items adopted"), default=0)
    points = models.DecimalField(_("points"), default=0, **POINTS)

    class Meta:
        ordering = ["-year", "unit"]
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="annual_target_unique")]

    def __str__(self):
        return f"{self.unit} {self.year}"

    def clean(self):
        if self.year in AssessmentYear.closed_years():
            raise ValidationError(
                _("%(year)s is closed: its targets cannot change until the office reopens it.")
                % {"year": self.year}
            )


class AssessmentYear(models.Model):
    """A calendar year of the assessment. Its row is what a rebuild of the year's months locks, so two
    overlapping runs take turns. A year the office has closed keeps its points and figures as they
    are: nothing is recomputed or counted into it until the office reopens it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")

    def __str__(self):
        return str(self.year)

    @property
    def is_closed(self):
        return self.closed_at is not None

    @classmethod
    def closed_years(cls):
        return set(cls.objects.filter(closed_at__isnull=False).values_list("year", flat=True))


class YearEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The year's log is append-only.")

    def delete(self):
        raise TypeError("The year's log is append-only.")


class YearEvent(models.Model):
    """Append-only log of a year being closed or reopened: who, when and why."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Year closed")
        REOPENED = "reopened", _("Year reopened")

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("year"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason given"))
    at = models.DateTimeField(_("closed or reopened at"), auto_now_add=True)

    objects = YearEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("year closed or reopened")
        verbose_name_plural = _("years closed or reopened")

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"


class Score(models.Model):
    """One line of the points ledger: who earned (or lost) how many points, in which month, and why.

    Derived data: rebuilt by `reports.scoring` from adoptions, rules, quotas and the policy; never
    edited by hand.
    """

    class Kind(models.TextChoices):
        ADOPTION = "adoption", _("Adoption, main unit")
        CO_ADOPTION = "co_adoption", _("Adoption, co-contributing unit")
        NOT_COUNTED = "not_counted", _("Adoption not counted (only the highest counts)")
        INSTRUCTION = "instruction", _("Leader instruction")
        TOPIC_BONUS = "topic_bonus", _("Bonus for answering a commissioned topic")
        MISSED_SUBMITTED = "missed_submitted", _("Missed the submission minimum")
        MISSED_ADOPTED = "missed_adopted", _("Missed the adoption minimum")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))  # the first day of the month
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.DecimalField(_("points"), **POINTS)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    adoption = models.ForeignKey(
        Adoption,
        verbose_name=_("adoption"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    rule = models.ForeignKey(
        ScoreRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bonus = models.ForeignKey(
        InstructionBonus,
        verbose_name=_("leader instruction bonus"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    policy = models.ForeignKey(
        ScoringPolicy,
        verbose_name=_("scoring policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "unit", "id"]
        verbose_name = _("points")
        verbose_name_plural = _("points")
        indexes = [
            models.Index(fields=["month", "unit"], name="score_month_unit"),
            models.Index(fields=["month", "officer"], name="score_month_officer"),
            models.Index(fields=["unit", "-month"], name="score_unit_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "kind", "unit"],
                condition=Q(adoption__isnull=False),
                name="score_one_line_per_adoption",
            ),
            models.UniqueConstraint(
                fields=["unit", "month", "kind"],
                condition=Q(kind__in=["missed_submitted", "missed_adopted"]),
                name="score_one_deduction_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m} {self.get_kind_display()} {self.points}"

    @property
    def source(self):
        """The rule, bonus, policy (with the period it applied in) or commissioned topic that gave
        these points, if any."""
        if self.kind == self.Kind.TOPIC_BONUS:
            return self.article.topic if self.article_id else None
        return self.rule or self.bonus or self.policy


class Reminder(models.Model):
    """A unit behind its minimum was urged (催报): by the month-end job or by a person."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    automatic = models.BooleanField(_("sent by the month-end job"), default=False)
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["month", "unit"], name="reminder_month_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"], condition=Q(automatic=True), name="reminder_job_once_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}"


class Bulletin(models.Model):
    """The monthly or quarterly notice (通报): commended units, units behind, zero submissions."""

    class Period(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("month or quarter"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    figures = models.JSONField(_("figures"), default=dict)  # the table as it stood when generated
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="bulletins/", blank=True)
    docx = models.FileField(_("Word document"), storage=private_storage, upload_to="bulletins/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["period", "year", "number"], name="bulletin_one_per_period"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class BulletinRegeneration(models.Model):
    """Append-only log: the office drew a published bulletin's PDF and Word files again (after a fix
    to how documents are drawn), from the same frozen text and figures."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="regenerations"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("files made again at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("bulletin files made again")
        verbose_name_plural = _("bulletin files made again")

    def __str__(self):
        return f"{self.bulletin} — {self.at:%Y-%m-%d %H:%M}"


class BulletinReceipt(models.Model):
    """A unit has read a published bulletin: the first of its people to open it."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        ordering = ["bulletin", "unit"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "unit"], name="bulletin_receipt_once_per_unit"),
        ]

    def __str__(self):
        return f"{self.bulletin} — {self.unit}"


class UnitOrOfficer(models.Model):
    """Figures of a unit or of a liaison officer: one of the two is set."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True


class Tally(UnitOrOfficer):
    """The figures of one unit or one liaison officer for one month, quarter or year, kept up to date
    as items move (`reports.tallies`): what `reports.figures` reports, read without recounting the
    items. Derived data, recounted from the items whenever a `Recount` names it; never edited by hand.

    Quarters and years have rows of their own because an item adopted (or delivered) in two months
    counts once in the year."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("first day"))
    submitted = models.PositiveIntegerField(_("items submitted"), default=0)
    signed_off = models.PositiveIntegerField(_("items signed off"), default=0)
    signed_off_adopted = models.PositiveIntegerField(_("items signed off and adopted"), default=0)
    delivered = models.PositiveIntegerField(_("items delivered"), default=0)
    adopted = models.PositiveIntegerField(_("items adopted"), default=0)
    adoptions = models.PositiveIntegerField(_("adoptions"), default=0)
    points = models.DecimalField(_("points"), default=0, max_digits=12, decimal_places=2)
    # a unit's counts of its own items only (co-contributing units' left out), and its own items'
    # adoptions by outlet level: the office's totals count each item once from these
    own = models.JSONField(_("own items"), default=dict, blank=True)
    own_by_level = models.JSONField(_("own adoptions by outlet level"), default=dict, blank=True)
    # items adopted per outlet id and submitted per category id, all and own: the year-end figures
    by_outlet = models.JSONField(_("items adopted by outlet"), default=dict, blank=True)
    own_by_outlet = models.JSONField(_("own items adopted by outlet"), default=dict, blank=True)
    by_category = models.JSONField(_("items submitted by category"), default=dict, blank=True)
    own_by_category = models.JSONField(_("own items submitted by category"), default=dict, blank=True)

    class Meta:
        verbose_name = _("figures")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "start", "unit"], condition=Q(officer__isnull=True), name="tally_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["kind", "start", "officer"],
                condition=Q(unit__isnull=True),
                name="tally_one_per_officer",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) ^ Q(officer__isnull=True), name="tally_unit_or_officer"
            ),
        ]

    def __str__(self):
        return f"{self.unit or self.officer} {self.kind} {self.start}"


class Recount(UnitOrOfficer):
    """A unit's or an officer's figures for a month (and its quarter and year) to recount: written in
    the same transaction as the change to the items, removed once the figures are recounted."""

    month = models.DateField(_("month"))  # the first day of the month

    class Meta:
        verbose_name = _("figures to recount")
        verbose_name_plural = _("figures to recount")

    def __str__(self):
        return f"{self.unit or self.officer} {self.month:%Y-%m}"


class DeliveredSweep(models.Model):
    """How far the kept figures have taken in deliveries: the worker marks a delivery delivered with
    a bulk update that nothing else sees, so the scoring sweeper recounts the figures of those
    delivered from `since` on, then moves `since` up (one row)."""

    since = models.DateTimeField(_("delivered since"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliveries counted")
        verbose_name_plural = _("deliveries counted")

    def __str__(self):
        return str(self.since)


class YearMedians(models.Model):
    """How fast a year's items moved — the year-end figures' medians — for one unit, or for the whole
    office (no unit). Kept like the `Tally` rows, but a median is one count over all the year's items,
    too dear to repeat after every change: a recount marks the year `stale`, and the scoring sweeper
    (every minute) counts it again; until then the year-end page shows the last count."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    days_to_submit = models.FloatField(_("median days from event to submission"), null=True, blank=True)
    hours_to_sign_off = models.FloatField(
        _("median hours from submission to sign-off"), null=True, blank=True
    )
    stale = models.BooleanField(_("to count again"), default=False)
    counted_at = models.DateTimeField(_("counted"), auto_now=True)

    class Meta:
        verbose_name = _("year medians")
        verbose_name_plural = _("year medians")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"], condition=Q(unit__isnull=False), name="year_medians_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(unit__isnull=True), name="year_medians_one_for_the_office"
            ),
        ]
        indexes = [models.Index(fields=["stale"], condition=Q(stale=True), name="year_medians_stale")]

    def __str__(self):
        return f"{self.unit or '—'} {self.year}"
