"""Who may decide a review step, and who reviews a stage for an item."""

from django.db.models import Q
from django.http import Http404

from accounts.permissions import REVIEWER_ROLES, access_for, holders_of
from submissions.permissions import may_see

from .models import ReviewStep


def may_decide(user, step):
    """The step waits, the user holds the stage's role for the item's unit, and did not write it."""
    return (
        step.is_pending
        and user.pk != step.article.author_id
        and access_for(user).holds(step.stage.reviewer_role, step.article.unit_id)
    )


def reviewers_of(step):
    """Everyone who may decide this step: notified when it starts waiting."""
    return holders_of(step.stage.reviewer_role, step.article.unit_id).exclude(pk=step.article.author_id)


def has_queue(user):
    """Holds a reviewing role somewhere: has a review queue."""
    return access_for(user).is_reviewer


def queue_filter(user):
    """The pending steps this user may decide, as a filter on ReviewStep."""
    access = access_for(user)
    condition = Q(pk__in=[])
    for role in REVIEWER_ROLES:
        if units := access.unit_ids(role):
            condition |= Q(stage__reviewer_role=role, article__unit_id__in=units)
    return condition & ~Q(article__author=user)


def access_step(user, pk):
    """A step the user may see: one of an item they may see (submissions' rule). 404 otherwise."""
    try:
        step = ReviewStep.objects.select_related("stage", "article", "article__unit", "revision").get(pk=pk)
    except (ReviewStep.DoesNotExist, ValueError):
        raise Http404 from None
    if not may_see(user, step.article):
        raise Http404
    return step
