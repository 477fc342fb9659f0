"""What a user may see and do — the one place later apps ask.

`access_for(user)` reads the user's role assignments once per request (two queries at most) and
answers from memory afterwards. An office-wide role held at a unit covers that unit's whole subtree.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Role, RoleAssignment, Unit


@dataclass(frozen=True)
class Access:
    is_authenticated: bool = False
    is_admin: bool = False
    # role -> ids of the units where the user holds it (subtrees expanded)
    units_by_role: dict = field(default_factory=dict)

    def unit_ids(self, *roles):
        found = set()
        for role in roles or Role.values:
            found |= self.units_by_role.get(role, frozenset())
        return frozenset(found)

    def holds(self, role, unit_id=None):
        units = self.units_by_role.get(role, frozenset())
        return bool(units) if unit_id is None else unit_id in units

    @property
    def is_liaison_officer(self):
        return self.holds(Role.LIAISON_OFFICER)

    @property
    def is_reviewer(self):
        return any(self.holds(role) for role in REVIEWER_ROLES)

    @property
    def is_office_staff(self):
        return any(self.holds(role) for role in RoleAssignment.OFFICE_WIDE)

    @property
    def manages_people(self):
        """Sees the People page and resets passwords there (see may_reset_password)."""
        return self.is_admin or self.holds(Role.OFFICE_DIRECTOR)

    def may_write_for(self, unit_id):
        """May draft and submit items on behalf of this unit."""
        return self.holds(Role.LIAISON_OFFICER, unit_id)

    def may_see_unit(self, unit_id):
        """May see this unit's items (as its officer, or as one who reviews them)."""
        return unit_id in self.unit_ids()


REVIEWER_ROLES = (Role.LEADER_IN_CHARGE, Role.OFFICE_DIRECTOR, Role.LEADERSHIP)
ANONYMOUS = Access()


def access_for(user):
    """The user's Access, computed once and kept on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_publicity_access", None)
    if cached is None:
        cached = _compute_access(user)
        user._publicity_access = cached
    return cached


def _compute_access(user):
    held = {}
    for role, unit_id in RoleAssignment.objects.filter(user=user, unit__is_active=True).values_list(
        "role", "unit_id"
    ):
        held.setdefault(role, set()).add(unit_id)
    if held:
        children = _children_by_parent()
        held = {role: frozenset(_with_descendants(ids, children)) for role, ids in held.items()}
    return Access(is_authenticated=True, is_admin=user.is_staff, units_by_role=held)


def _children_by_parent():
    children = {}
    for unit_id, parent_id in Unit.objects.active().values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    return children


def _with_descendants(unit_ids, children):
    found, stack = set(), list(unit_ids)
    while stack:
        unit_id = stack.pop()
        if unit_id not in found:
            found.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return found


def holders_of(role, unit_id):
    """Active users who hold `role` at this unit or at a unit above it (office-wide roles)."""
    from .models import User

    parents = dict(Unit.objects.values_list("id", "parent_id"))
    chain, current = [], unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return User.objects.filter(
        is_active=True, role_assignments__role=role, role_assignments__unit_id__in=chain
    ).distinct()


# --- People and their passwords ------------------------------------------------------------


def may_manage_people(user):
    """The office director and admins see the People page and reset passwords there."""
    return access_for(user).manages_people


def people_visible_to(user):
    """Everyone for an admin; for an office director, the people who hold a role in the office's units."""
    from .models import User

    access = access_for(user)
    if access.is_admin:
        return User.objects.all()
    units = access.unit_ids(Role.OFFICE_DIRECTOR)
    return User.objects.filter(pk__in=RoleAssignment.objects.filter(unit_id__in=units).values("user_id"))


def access_person(user, pk):
    """The person `pk` for the People page: 403 if the user has no such page, 404 if not theirs to see."""
    from .models import User

    if not may_manage_people(user):
        raise PermissionDenied
    try:
        return people_visible_to(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def may_reset_password(user, person):
    """Admins may reset anyone's but a superuser's (only a superuser may); an office director, those
    of people whose every role is a unit-level one in the office's units — not admins, not a fellow
    director or the leadership group, whose accounts weigh as much as their own. Never one's own:
    that is a password change."""
    access = access_for(user)
    if person.pk == user.pk or not access.is_authenticated:
        return False
    if person.is_superuser:
        return user.is_superuser
    if access.is_admin:
        return True
    directed = access.unit_ids(Role.OFFICE_DIRECTOR)
    if person.is_staff or not directed:
        return False
    held = [(a.role, a.unit_id) for a in person.role_assignments.all()]
    return bool(held) and all(
        role not in RoleAssignment.OFFICE_WIDE and unit_id in directed for role, unit_id in held
    )
