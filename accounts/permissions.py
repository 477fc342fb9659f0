"""What a user may see and do — the one place later apps ask.

`access_for(user)` reads the user's role assignments and the unit tree once per request (one query)
and answers from memory afterwards. An office-wide role held at a unit covers that unit's whole subtree.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import FilteredRelation, Q
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
    held, children = {}, {}
    for unit_id, parent_id, role in _tree_with_roles(user):
        children.setdefault(parent_id, set()).add(unit_id)  # a unit comes once per role held there
        if role is not None:
            held.setdefault(role, set()).add(unit_id)
    held = {role: frozenset(_with_descendants(ids, children)) for role, ids in held.items()}
    return Access(is_authenticated=True, is_admin=user.is_staff, units_by_role=held)


def _tree_with_roles(user):
    """(unit id, parent id, role or None) for each active unit, once for each role the user holds
    there (once with None where they hold none): the tree and the roles in one query."""
    mine = FilteredRelation("role_assignments", condition=Q(role_assignments__user=user))
    return Unit.objects.active().alias(mine=mine).order_by().values_list("id", "parent_id", "mine__role")


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
    return may_manage_person(user, person)


def may_manage_person(user, person):
    """May reset the person's password, give and take their roles, deactivate them: the rule of
    `may_reset_password`."""
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


# --- Units and people, by the office ------------------------------------------------------------

# The roles an office director gives and takes; office-wide roles are an admin's to give.
UNIT_ROLES = (Role.LIAISON_OFFICER, Role.LEADER_IN_CHARGE)


def require_people_manager(user):
    """403 unless the user has the Units and people pages (the office director, admins)."""
    if not may_manage_people(user):
        raise PermissionDenied


def managed_unit_ids(user):
    """Ids of the units the user manages: every unit for an admin; for an office director the units
    of their office, the deactivated ones included (so that they can be seen and brought back)."""
    access = access_for(user)
    all_units = Unit.objects.values_list("id", "parent_id")
    if access.is_admin:
        return frozenset(unit_id for unit_id, _parent in all_units)
    roots = RoleAssignment.objects.filter(user=user, role=Role.OFFICE_DIRECTOR, unit__is_active=True)
    roots = list(roots.values_list("unit_id", flat=True))
    if not roots:
        return frozenset()
    children = {}
    for unit_id, parent_id in all_units:
        children.setdefault(parent_id, set()).add(unit_id)
    return frozenset(_with_descendants(roots, children))


def access_unit(user, pk):
    """The unit `pk` for the Units pages: 403 without such pages, 404 if not one the user manages."""
    require_people_manager(user)
    if pk not in managed_unit_ids(user):
        raise Http404
    return Unit.objects.get(pk=pk)


def roles_given_by(user):
    """The roles the user may give and take on the office's pages."""
    return tuple(Role) if access_for(user).is_admin else UNIT_ROLES


def may_give_role(user, person, role, unit):
    """An admin gives any role; a director the unit-level ones, at an active unit of their office,
    to a person they manage (or one who holds no role yet)."""
    if not (may_manage_people(user) and role in roles_given_by(user)) or person.pk == user.pk:
        return False
    if not unit.is_active or unit.pk not in managed_unit_ids(user):
        return False
    return person.pk is None or not person.role_assignments.exists() or may_manage_person(user, person)


def gaps_in_units(units, assignments, parents):
    """(unit, role) for each active unit with a class (a unit that writes) that no active person
    serves in that role: no liaison officer, or no leader in charge (its items cannot be reviewed).
    A role held at a unit above counts, as in `holders_of`. `assignments`: (role, unit id) of active
    people; `parents`: unit id → parent id, for every unit. No query."""
    held = {}
    for role, unit_id in assignments:
        held.setdefault(role, set()).add(unit_id)
    gaps = []
    for unit in units:
        if not (unit.is_active and unit.unit_class_id):
            continue
        chain = _chain_up(unit.pk, parents)
        gaps += [(unit, role) for role in UNIT_ROLES if not held.get(role, set()) & chain]
    return gaps


def _chain_up(unit_id, parents):
    chain, current = set(), unit_id
    while current is not None and current not in chain:
        chain.add(current)
        current = parents.get(current)
    return chain
