"""Who may see and act on deliveries: the office (director, leadership) and admins."""

from django.http import Http404

from accounts.models import Role
from accounts.permissions import access_for


def may_manage_deliveries(user):
    access = access_for(user)
    return access.is_admin or access.is_office_staff


def require_office(user):
    if not may_manage_deliveries(user):
        raise Http404


def may_see_feed_address(user):
    """A feed's secret address reads every unit's signed-off items: the office director and admins."""
    access = access_for(user)
    return access.is_admin or access.holds(Role.OFFICE_DIRECTOR)
