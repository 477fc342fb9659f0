"""Who may decide a review step, and who reviews a stage for an item."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from accounts.permissions import REVIEWER_ROLES, access_for, holders_of
from submissions.permissions import may_see

from .models import ReviewStage, ReviewStep


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


@dataclass(frozen=True)
class UnheldStage:
    stage: ReviewStage
    author_only: bool  # the author holds the role, and nobody else does


def unheld_stage(article, stage_ids):
    """The first of these stages (ids, in route order) that nobody but the article's author may
    decide, or None when every one has a reviewer."""
    stages = {stage.pk: stage for stage in ReviewStage.objects.filter(pk__in=stage_ids)}
    for stage_id in stage_ids:
        holders = holders_of(stages[stage_id].reviewer_role, article.unit_id)
        if not holders.exclude(pk=article.author_id).exists():
            return UnheldStage(stages[stage_id], holders.filter(pk=article.author_id).exists())
    return None


def has_queue(user):
    """Holds a reviewing role somewhere: has a review queue."""
    return access_for(user).is_reviewer


def reviewed_unit_ids(user):
    """The units whose items this user reviews (in any reviewing role)."""
    return access_for(user).unit_ids(*REVIEWER_ROLES)


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
        step = ReviewStep.objects.select_related(
            "stage", "article", "article__unit", "article__topic", "revision"
        ).get(pk=pk)
    except (ReviewStep.DoesNotExist, ValueError):
        raise Http404 from None
    if not may_see(user, step.article):
        raise Http404
    return step
