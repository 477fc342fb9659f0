"""Who may see and change an article. Views call these first; templates ask `may_*`."""

from django.http import Http404

from accounts.models import Role
from accounts.permissions import REVIEWER_ROLES, access_for

from .models import Article, Status


def writable_unit_ids(user):
    """Units the user may draft items for (as their liaison officer)."""
    return access_for(user).unit_ids(Role.LIAISON_OFFICER)


def credited_unit_ids(user):
    """Units whose officers and leaders see the submitted items that credit the unit (read-only)."""
    return access_for(user).unit_ids(Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)


def may_see(user, article):
    """A unit's officers see all its items; reviewers covering the unit see what was submitted, and
    so do the officers and leaders of a co-contributing unit."""
    access = access_for(user)
    if access.may_write_for(article.unit_id):
        return True
    if article.status == Status.DRAFT:
        return False
    if article.unit_id in access.unit_ids(*REVIEWER_ROLES):
        return True
    credited = credited_unit_ids(user)
    return bool(credited) and article.co_units.filter(pk__in=credited).exists()


def is_unit_officer(user, article):
    """Writes for the article's unit: may submit and withdraw it (the actions check its status)."""
    return access_for(user).may_write_for(article.unit_id)


def may_edit(user, article):
    return article.is_editable and is_unit_officer(user, article)


def may_withdraw(user, article):
    return article.is_withdrawable and is_unit_officer(user, article)


def way_back(user, article):
    """The list the item page leads back to, by role: the unit's officers' own list, the office's
    item ledger, a reviewer's queue, or home (a co-contributing unit's people)."""
    access = access_for(user)
    if access.may_write_for(article.unit_id):
        return "mine"
    if access.is_office_staff or access.is_admin:
        return "ledger"
    if article.unit_id in access.unit_ids(*REVIEWER_ROLES):
        return "queue"
    return "home"


def access_article(user, pk, *, queryset=None):
    """The article if the user may see it; 404 otherwise — never a hint that it exists."""
    queryset = (
        queryset
        if queryset is not None
        else Article.objects.select_related("unit", "category", "author", "topic")
    )
    try:
        article = queryset.get(pk=pk)
    except (Article.DoesNotExist, ValueError):
        raise Http404 from None
    if not may_see(user, article):
        raise Http404
    return article
