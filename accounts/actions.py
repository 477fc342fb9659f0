"""Changes to people's accounts and to the organisation: a temporary password from the office, a
password the person chose themselves (after an e-mailed reset link or at the forced change), units
added, renamed, moved and deactivated, people added, given and relieved of roles, deactivated. Each
is logged in the admin's history of the user or unit (who, whom or what, when)."""

import secrets

from axes.utils import reset as clear_sign_in_failures
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import RoleAssignment, Unit, User
from .permissions import (
    access_for,
    managed_unit_ids,
    may_give_role,
    may_manage_people,
    may_manage_person,
    may_reset_password,
)


class ChangeRefused(Exception):
    """The change breaks a rule of the organisation; `message` says which, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# No 0/O, 1/l/I: a temporary password is read out or copied by hand.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


@transaction.atomic
def reset_password(person, *, by):
    """Give `person` a new temporary password and return it (shown once, to `by` only).

    Their other sessions end (the password hash changed), a sign-in lockout is lifted, and the next
    sign-in sends them to the password change form until they choose their own."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_reset_password(by, person):
        raise PermissionDenied
    password = _temporary_password()
    person.set_password(password)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    clear_sign_in_failures(username=person.get_username())
    _log(person, by=by, message="Temporary password set; it must be changed at the next sign-in.")
    return password


@transaction.atomic
def set_own_password(password, *, by, how):
    """`by` chose their own new password (`how`: "changed" in the app, or "reset by e-mail"); it
    also lifts a sign-in lockout, so that a person locked out can get back in through the e-mail."""
    person = User.objects.select_for_update().get(pk=by.pk)
    person.set_password(password)
    person.must_change_password = False
    person.save(update_fields=["password", "must_change_password"])
    clear_sign_in_failures(username=person.get_username())
    _log(person, by=person, message=f"Password {how} by the user.")
    return person


def _temporary_password():
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _i in range(TEMPORARY_LENGTH))


def _log(obj, *, by, message, flag=CHANGE):
    # The admin's history of the user or unit; the message is in English, as the admin's own are.
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=type(obj).objects.filter(pk=obj.pk),
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


# --- Units ---------------------------------------------------------------------------------------


@transaction.atomic
def add_unit(*, name, parent, unit_class=None, active_from=None, by):
    """A new unit below `parent` (a unit the office manages)."""
    if not may_manage_people(by) or (parent is None and not access_for(by).is_admin):
        raise PermissionDenied
    if parent is not None:
        parent = _locked_unit(parent, by=by)
        if not parent.is_active:
            raise ChangeRefused(
                _("%(unit)s is deactivated: a unit cannot be added below it.") % {"unit": parent}
            )
    _check_name_free(name, parent)
    unit = Unit.objects.create(name=name, parent=parent, unit_class=unit_class, active_from=active_from)
    _log(unit, by=by, message=f"Unit added below {parent or 'the top'}.", flag=ADDITION)
    return unit


@transaction.atomic
def change_unit(unit, *, name, parent, unit_class, active_from, by):
    """Rename a unit, move it below another (never below itself or one of its own units), change its
    class or the day it started."""
    unit = _locked_unit(unit, by=by)
    if parent != unit.parent:
        if parent is None and not access_for(by).is_admin:
            raise PermissionDenied
        if parent is not None:
            parent = _locked_unit(parent, by=by)
            _check_not_below_itself(unit, parent)
    if (name, parent) != (unit.name, unit.parent):
        _check_name_free(name, parent, exclude=unit)
    changes = [
        f"{label} {before or '—'} → {after or '—'}"
        for label, before, after in [
            ("name", unit.name, name),
            ("parent", unit.parent, parent),
            ("class", unit.unit_class, unit_class),
            ("active from", unit.active_from, active_from),
        ]
        if before != after
    ]
    if not changes:
        return unit
    unit.name, unit.parent, unit.unit_class, unit.active_from = name, parent, unit_class, active_from
    unit.save(update_fields=["name", "parent", "unit_class", "active_from"])
    _log(unit, by=by, message="Changed: " + "; ".join(changes) + ".")
    return unit


@transaction.atomic
def set_unit_active(unit, active, *, by):
    """Deactivate a unit (its items, people and history stay; its roles grant nothing while it is
    deactivated), or bring it back. A unit with active units below it stays active."""
    unit = _locked_unit(unit, by=by)
    if unit.is_active == active:
        return unit
    if not active and unit.children.filter(is_active=True).exists():
        raise ChangeRefused(
            _("%(unit)s still has active units below it: deactivate or move them first.") % {"unit": unit}
        )
    if active and unit.parent_id and not unit.parent.is_active:
        raise ChangeRefused(
            _("%(unit)s is below %(parent)s, which is deactivated: bring that back first.")
            % {"unit": unit, "parent": unit.parent}
        )
    unit.is_active = active
    unit.save(update_fields=["is_active"])
    _log(unit, by=by, message="Unit reactivated." if active else "Unit deactivated.")
    return unit


def _locked_unit(unit, *, by):
    if unit.pk not in managed_unit_ids(by) or not may_manage_people(by):
        raise PermissionDenied
    return Unit.objects.select_for_update().get(pk=unit.pk)


def _check_name_free(name, parent, exclude=None):
    twins = Unit.objects.filter(parent=parent, name=name).exclude(pk=getattr(exclude, "pk", None))
    if twins.exists():
        raise ChangeRefused(
            _("There is already a unit named “%(name)s” below %(parent)s.")
            % {"name": name, "parent": parent or _("the top")}
        )


def _check_not_below_itself(unit, parent):
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    current = parent.pk
    while current is not None:
        if current == unit.pk:
            raise ChangeRefused(
                _("%(unit)s cannot be moved below %(parent)s: that is one of its own units.")
                % {"unit": unit, "parent": parent}
            )
        current = parents.get(current)


# --- People --------------------------------------------------------------------------------------


@transaction.atomic
def add_person(*, username, display_name, email, role, unit, by):
    """A new person with a first role and a temporary password, returned (shown once, to `by`);
    they must choose their own at the first sign-in. Returns (person, password)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ChangeRefused(_("The username “%(username)s” is taken.") % {"username": username})
    person = User(username=username, display_name=display_name, email=email, must_change_password=True)
    password = _temporary_password()
    person.set_password(password)
    if not may_give_role(by, person, role, unit):
        raise PermissionDenied
    person.save()
    RoleAssignment.objects.create(user=person, role=role, unit=unit)
    _log(
        person, by=by, message=f"Person added as {role} of {unit}, with a temporary password.", flag=ADDITION
    )
    return person, password


@transaction.atomic
def give_role(person, role, unit, *, by):
    """`person` takes on `role` at `unit`. Giving a role they hold already changes nothing."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_give_role(by, person, role, unit):
        raise PermissionDenied
    assignment, created = RoleAssignment.objects.get_or_create(user=person, role=role, unit=unit)
    if created:
        _log(person, by=by, message=f"Role given: {role} of {unit}.")
    return assignment


@transaction.atomic
def take_role(assignment, *, by):
    """Relieve a person of one role. An office director cannot take a person's last role (the person
    would leave the office's pages): deactivate them instead."""
    person = User.objects.select_for_update().get(pk=assignment.user_id)
    if not may_give_role(by, person, assignment.role, assignment.unit):
        raise PermissionDenied
    if not access_for(by).is_admin and person.role_assignments.count() == 1:
        raise ChangeRefused(
            _("This is the last role of %(name)s. To end their work for the office, deactivate them.")
            % {"name": person}
        )
    RoleAssignment.objects.filter(pk=assignment.pk).delete()
    _log(person, by=by, message=f"Role taken: {assignment.role} of {assignment.unit}.")


@transaction.atomic
def set_person_active(person, active, *, by):
    """Deactivate a person (they can no longer sign in; their items, roles and history stay), or
    bring them back."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_manage_person(by, person):
        raise PermissionDenied
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
        _log(person, by=by, message="Person reactivated." if active else "Person deactivated.")
    return person


# --- The units-and-people sheet -------------------------------------------------------------------


class ImportFailed(Exception):
    """Something changed between the check and the save; nothing was saved. `errors`: (row, message)."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@transaction.atomic
def import_people(rows, *, by):
    """Save the rows of a checked units-and-people sheet (`accounts.sheets.read_people_sheet`): new
    units, new people with temporary passwords, roles. All or nothing. Returns (units added, new
    people as (person, password) in row order, roles given)."""
    if not may_manage_people(by):
        raise PermissionDenied
    made, new_people, roles = {}, {}, 0
    for row in rows:
        unit = _imported_unit(row["unit"], made, by=by)
        if row["person"] is None and not row.get("username"):
            continue
        person = row["person"] or new_people.get(row["username"].casefold(), (None,))[0]
        if person is None:
            person, password = _imported_person(row, by=by)
            new_people[row["username"].casefold()] = (person, password)
        if not may_give_role(by, person, row["role"], unit):
            raise ImportFailed(
                [(row["row"], _("You may not give this role to %(name)s.") % {"name": person})]
            )
        _assignment, created = RoleAssignment.objects.get_or_create(user=person, role=row["role"], unit=unit)
        if created:
            roles += 1
            _log(person, by=by, message=f"Role given by the sheet import: {row['role']} of {unit}.")
    return len(made), list(new_people.values()), roles


def _imported_unit(planned, made, *, by):
    """The Unit for a row: an existing one, or the new one (made once, its parent first)."""
    if isinstance(planned, Unit):
        return planned
    if id(planned) not in made:
        parent = _imported_unit(planned.parent, made, by=by)
        made[id(planned)] = add_unit(name=planned.name, parent=parent, unit_class=planned.unit_class, by=by)
    return made[id(planned)]


def _imported_person(row, *, by):
    if User.objects.filter(username__iexact=row["username"]).exists():
        message = _("The username “%(username)s” is taken.") % {"username": row["username"]}
        raise ImportFailed([(row["row"], message)])
    person = User(
        username=row["username"],
        display_name=row["display_name"],
        email=row["email"],
        must_change_password=True,
    )
    password = _temporary_password()
    person.set_password(password)
    person.save()
    _log(person, by=by, message="Person added by the sheet import, with a temporary password.", flag=ADDITION)
    return person, password
