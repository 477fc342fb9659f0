"""Who may see and act on deliveries: the office (director, leadership) and admins."""

from django.http import Http404

from accounts.permissions import access_for


def may_manage_deliveries(user):
    access = access_for(user)
    return access.is_admin or access.is_office_staff


def require_office(user):
    if not may_manage_deliveries(user):
        raise Http404
