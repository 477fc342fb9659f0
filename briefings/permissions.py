"""Who may see, edit, review, issue and sign for briefings. Views call these first."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from accounts.permissions import access_for

from .models import OFFICE_ROLE_CHOICES, Briefing, BriefingReceipt, BriefingStep, Decision

UNIT_ROLES = (Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)


def may_edit_briefings(user):
    """The office (its director and leadership group) composes, issues and follows up briefings."""
    return access_for(user).is_office_staff


def require_office(user):
    if not may_edit_briefings(user):
        raise PermissionDenied


def unit_ids_signing(user):
    """Units the user may sign for (as their officer or leader in charge)."""
    return access_for(user).unit_ids(*UNIT_ROLES)


def briefings_visible_to(user):
    """Every issue for the office; for a unit's people, the issued ones sent to their units."""
    if may_edit_briefings(user):
        return Briefing.objects.all()
    units = unit_ids_signing(user)
    if not units:
        return Briefing.objects.none()
    return Briefing.objects.issued().filter(receipts__unit_id__in=units).distinct()


def access_briefing(user, pk):
    """The briefing if the user may see it; 404 otherwise."""
    try:
        return briefings_visible_to(user).select_related("series", "created_by", "last_editor").get(pk=pk)
    except (Briefing.DoesNotExist, ValueError):
        raise Http404 from None


def may_decide(user, step, briefing):
    """The holder of the stage's role, never the person who composed the issue (four eyes)."""
    return (
        step.decision == Decision.PENDING
        and briefing.created_by_id != user.pk
        and access_for(user).holds(step.stage.reviewer_role)
    )


def briefing_ids_to_decide(user):
    """The issues whose pending stage this user may decide (one query)."""
    access = access_for(user)
    roles = [role for role, _label in OFFICE_ROLE_CHOICES if access.holds(role)]
    if not roles:
        return set()
    steps = BriefingStep.objects.filter(decision=Decision.PENDING, stage__reviewer_role__in=roles)
    return set(steps.exclude(briefing__created_by=user).values_list("briefing_id", flat=True))


def may_sign(user, receipt):
    """An officer or leader in charge of the receipt's unit (whether or not it is signed yet)."""
    return receipt.unit_id in unit_ids_signing(user)


def receipts_to_sign(user, briefing):
    """The receipts of this issue the user can sign now, one per unit of theirs."""
    units = unit_ids_signing(user)
    return [
        r
        for r in BriefingReceipt.objects.filter(briefing=briefing, unit_id__in=units).select_related("unit")
        if not r.is_signed
    ]
