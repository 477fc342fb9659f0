"""Who may decide a review step, and who reviews a stage for an item; a deputy (代审) decides the
steps of the absent reviewer who named them, on that reviewer's behalf."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from accounts.models import User
from accounts.permissions import REVIEWER_ROLES, access_for, holders_of
from submissions.permissions import may_see

from .models import Delegation, ReviewStage, ReviewStep


def may_decide(user, step):
    """The step waits, the user did not write the item, and holds the stage's role for the item's
    unit — or stands in for an absent reviewer who does (and did not write it either)."""
    return step.is_pending and deciding_for(user, step) is not None


def deciding_for(user, step):
    """Whose decision the user's would be: the user's own when they hold the stage's role, else the
    absent reviewer's who named them deputy; None when they may not decide this step."""
    if user.pk == step.article.author_id:
        return None
    role, unit_id = step.stage.reviewer_role, step.article.unit_id
    if access_for(user).holds(role, unit_id):
        return user
    return next(
        (
            r
            for r in absent_reviewers(user)
            if r.pk != step.article.author_id and access_for(r).holds(role, unit_id)
        ),
        None,
    )


def on_behalf_of(user, step):
    """The absent reviewer the user decides this step for, or None (their own decision, or none)."""
    reviewer = deciding_for(user, step)
    return None if reviewer is None or reviewer.pk == user.pk else reviewer


def absent_reviewers(user):
    """The active people who named `user` their deputy for today; read once per user object."""
    cached = getattr(user, "_publicity_absent_reviewers", None)
    if cached is None:
        named = Delegation.objects.in_force().filter(deputy=user, reviewer__is_active=True)
        cached = [delegation.reviewer for delegation in named.select_related("reviewer")]
        if getattr(user, "is_active", False):
            user._publicity_absent_reviewers = cached
        else:
            cached = []
    return cached


def reviewers_of(step):
    """Everyone who may decide this step: notified when it starts waiting. Deputies are told too."""
    holders = holders_of(step.stage.reviewer_role, step.article.unit_id).exclude(pk=step.article.author_id)
    deputies = Delegation.objects.in_force().filter(reviewer__in=holders).values("deputy")
    return User.objects.filter(Q(pk__in=holders.values("pk")) | Q(pk__in=deputies, is_active=True)).exclude(
        pk=step.article.author_id
    )


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
    """Holds a reviewing role somewhere, or stands in for someone who does: has a review queue."""
    return access_for(user).is_reviewer or bool(absent_reviewers(user))


def reviewed_unit_ids(user):
    """The units whose items this user reviews (in any reviewing role)."""
    return access_for(user).unit_ids(*REVIEWER_ROLES)


def queue_filter(user):
    """The pending steps this user may decide, as a filter on ReviewStep: their own, and those of
    the absent reviewers they stand in for."""
    condition = _decided_by(user)
    for reviewer in absent_reviewers(user):
        condition |= _decided_by(reviewer)
    return condition & ~Q(article__author=user)


def _decided_by(user):
    access = access_for(user)
    condition = Q(pk__in=[])
    for role in REVIEWER_ROLES:
        if units := access.unit_ids(role):
            condition |= Q(stage__reviewer_role=role, unit_id__in=units)
    return condition & ~Q(article__author=user)


def access_step(user, pk):
    """A step the user may see: one of an item they may see (submissions' rule). 404 otherwise."""
    try:
        step = ReviewStep.objects.select_related(
            "stage", "article", "article__unit", "article__topic", "revision"
        ).get(pk=pk)
    except (ReviewStep.DoesNotExist, ValueError):
        raise Http404 from None
    if not (may_see(user, step.article) or may_decide(user, step)):  # a deputy sees what they decide
        raise Http404
    return step


def may_name_deputy(user):
    """Anyone who reviews may name a deputy for the days they are away."""
    return access_for(user).is_reviewer


def deputy_choices(user):
    """Whom the user may name: active people who hold a role somewhere, not the user."""
    return (
        User.objects.filter(is_active=True, role_assignments__isnull=False)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name", "username")
    )
