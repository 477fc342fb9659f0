"""Who sees the assessment: the office (director, leadership) and admins see every unit; a unit's
liaison officers and leaders in charge see their own unit; the office director records adoptions,
urges units and publishes bulletins."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from accounts.permissions import access_for


def may_see_office_figures(user):
    access = access_for(user)
    return access.is_admin or access.is_office_staff


def may_manage_assessment(user):
    """Record adoptions, urge units, write and publish bulletins."""
    access = access_for(user)
    return access.is_admin or access.holds(Role.OFFICE_DIRECTOR)


def may_close_years(user):
    """Close a year that is over, or reopen it: the office director (and admins)."""
    return may_manage_assessment(user)


def require_office(user):
    if not may_see_office_figures(user):
        raise Http404


def require_manager(user):
    if not may_manage_assessment(user):
        raise PermissionDenied


def may_see_unit_figures(user, unit_id):
    access = access_for(user)
    return may_see_office_figures(user) or access.may_see_unit(unit_id)


def own_units(user):
    """Units whose figures a unit's own people see (as officer or leader in charge)."""
    access = access_for(user)
    return access.unit_ids(Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)


def may_read_bulletins(user):
    """Published bulletins go to everyone with a role (and admins)."""
    access = access_for(user)
    return access.is_admin or bool(access.unit_ids())


def may_read_bulletin(user, bulletin):
    """Drafts stay with the office."""
    return may_read_bulletins(user) if bulletin.is_published else may_see_office_figures(user)


def may_see_item_ledger(user):
    """The item ledger (every unit's items, exportable): the office (director, leadership) and admins,
    who see every unit's items and figures already."""
    return may_see_office_figures(user)


def require_item_ledger(user):
    if not may_see_item_ledger(user):
        raise Http404
