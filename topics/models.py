"""Commissioned topics (约稿 / 征稿): the office asks units for items on a theme by a deadline. An
item answers a topic through `Article.topic`; what each unit answered is read from the items."""

from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitClass


class TopicQuerySet(models.QuerySet):
    def addressed_to(self, unit_ids):
        """Topics asked of any of the units `unit_ids`: all units (with a class), their class, or
        chosen ones. One query, with the units read in subqueries."""
        classed = Unit.objects.active().filter(pk__in=unit_ids, unit_class__isnull=False)
        asked = (
            Q(Exists(classed), audience=Topic.Audience.ALL)
            | Q(audience=Topic.Audience.CLASS, unit_class_id__in=classed.values("unit_class_id"))
            | Q(audience=Topic.Audience.UNITS, units__in=list(unit_ids))
        )
        return self.filter(pk__in=Topic.objects.filter(asked).values("pk"))

    def open_on(self, day):
        return self.filter(deadline__gte=day)


class Topic(models.Model):
    """What the office wants written about, by whom and by when. It is open until the end of its
    deadline day; answers after that are still taken, and marked late."""

    class Audience(models.TextChoices):
        ALL = "all", _("All units")
        CLASS = "class", _("One unit class")
        UNITS = "units", _("Chosen units")

    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("what is wanted"))
    audience = models.CharField(_("asked of"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    unit_class = models.ForeignKey(
        UnitClass,
        verbose_name=_("unit class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True, related_name="+")
    deadline = models.DateField(_("deadline"), help_text=_("The last day for answers that are on time."))
    bonus_points = models.DecimalField(
        _("bonus points"),
        max_digits=7,
        decimal_places=2,
        default=0,
        help_text=_("Extra points for the unit when an item answering the topic on time is adopted."),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted"), auto_now_add=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("commissioned topic")
        verbose_name_plural = _("commissioned topics")
        indexes = [models.Index(fields=["deadline"], name="topic_deadline")]

    def __str__(self):
        return self.title

    def is_open(self, today=None):
        return (today or timezone.localdate()) <= self.deadline

    def days_left(self, today=None):
        """Whole days until the deadline day (0 on the day itself); negative once it has passed."""
        return (self.deadline - (today or timezone.localdate())).days

    @property
    def closes_at(self):
        """The end of the deadline day, in the office's time zone."""
        return timezone.make_aware(datetime.combine(self.deadline, time.max))

    def is_late(self, submitted_at):
        return submitted_at is not None and submitted_at > self.closes_at

    def asks(self, unit):
        if self.audience == self.Audience.ALL:
            return unit.unit_class_id is not None
        if self.audience == self.Audience.CLASS:
            return unit.unit_class_id == self.unit_class_id
        return any(u.pk == unit.pk for u in self.units.all())

    def asked_units(self):
        """The active units the topic is asked of, in the tree's order."""
        units = Unit.objects.active().select_related("unit_class")
        if self.audience == self.Audience.ALL:
            return units.filter(unit_class__isnull=False)
        if self.audience == self.Audience.CLASS:
            return units.filter(unit_class_id=self.unit_class_id)
        return units.filter(pk__in=self.units.values("pk"))


class TopicReminder(models.Model):
    """The office urged a unit to answer a topic (催稿)."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("commissioned topic"), on_delete=models.CASCADE, related_name="reminders"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("topic reminder")
        verbose_name_plural = _("topic reminders")
        indexes = [models.Index(fields=["topic", "unit"], name="topic_reminder_unit")]

    def __str__(self):
        return f"{self.topic} — {self.unit}"
