"""Assessment: how adoptions turn into points, what each unit must deliver, and what the office
publishes about it. Reads the other apps; nothing imports `reports`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitClass
from outlets.models import Adoption, Outlet
from submissions.models import Article, Category, private_storage

POINTS = {"max_digits": 7, "decimal_places": 2}


class ScoringPolicy(models.Model):
    """The office-wide scoring settings: one row (pk=1), edited in the admin."""

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
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policy")

    def __str__(self):
        return str(_("Scoring policy"))

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]


class ScoreRule(models.Model):
    """Points for one adoption. The most specific rule wins: outlet and category, outlet, level and
    category, level."""

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
        return f"{target} · {self.category}" if self.category_id else target

    def clean(self):
        if bool(self.level) == bool(self.outlet_id):
            raise ValidationError(_("Choose either an outlet level or one outlet."))
        twins = ScoreRule.objects.filter(level=self.level, outlet=self.outlet, category=self.category)
        if twins.exclude(pk=self.pk).exists():
            raise ValidationError(_("There is already a rule for this outlet or level and category."))

    @property
    def specificity(self):
        return (2 if self.outlet_id else 0) + (1 if self.category_id else 0)

    def matches(self, adoption, category_id):
        target = adoption.outlet_id == self.outlet_id if self.outlet_id else adoption.level == self.level
        return target and (self.category_id is None or self.category_id == category_id)


class InstructionBonus(models.Model):
    """Extra points for the main unit when a leader of this level writes an instruction on an item."""

    level = models.CharField(_("leader level"), max_length=20, choices=Outlet.Level.choices, unique=True)
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        ordering = ["level"]
        verbose_name = _("leader instruction bonus")
        verbose_name_plural = _("leader instruction bonuses")

    def __str__(self):
        return f"{self.get_level_display()}: {self.points}"


class Quota(models.Model):
    """The monthly minimum of a unit class, for every month or one month of the year."""

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
        ordering = ["unit_class", "month"]
        verbose_name = _("monthly minimum")
        verbose_name_plural = _("monthly minimums")
        constraints = [
            models.UniqueConstraint(fields=["unit_class", "month"], name="quota_unique_month"),
            models.UniqueConstraint(
                fields=["unit_class"], condition=Q(month__isnull=True), name="quota_unique_default"
            ),
        ]

    def __str__(self):
        return f"{self.unit_class}: {self.min_submitted} / {self.min_adopted}"


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


class AssessmentYear(models.Model):
    """A calendar year of the assessment. Its row is what a rebuild of the year's months locks, so two
    overlapping runs take turns."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")

    def __str__(self):
        return str(self.year)


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
