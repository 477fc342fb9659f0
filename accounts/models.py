from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def languages():
    return settings.LANGUAGES


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # The language of their e-mails, remembered from the header's switch; blank: the site's default.
    language = models.CharField(_("language"), max_length=10, choices=languages, blank=True)
    # Set when the office gives them a temporary password: until they choose their own, every page
    # sends them to the password change form.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Set when someone names them their deputy (代审): only then does the header look for steps they
    # decide in another's place, so nobody else pays a query for it on every page.
    named_deputy = models.BooleanField(_("named a deputy"), default=False, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username


class UnitClass(models.Model):
    """A grouping of units that shares a quota (e.g. class 1: at least 2 items a month)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("unit class")
        verbose_name_plural = _("unit classes")

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    """A node of the organisation tree: the office at the root, the units that report below it."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit_class = models.ForeignKey(
        UnitClass,
        verbose_name=_("unit class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Before this day the unit did not exist: no minimum is owed for the months before it.
    active_from = models.DateField(
        _("active from"),
        null=True,
        blank=True,
        help_text=_("The day the unit started. Leave empty if always."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_per_parent"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    LEADERSHIP = "leadership", _("Leadership group")


class RoleAssignment(models.Model):
    """One role a person holds at one unit.

    A liaison officer or leader in charge holds the role at a school; the office director and the
    leadership group hold theirs at the office (the root unit), which covers every unit below it.
    A person may hold several roles, and a leader may be in charge of several units.
    """

    OFFICE_WIDE = frozenset({Role.OFFICE_DIRECTOR, Role.LEADERSHIP})

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments"
    )

    class Meta:
        ordering = ["user", "role", "unit"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
