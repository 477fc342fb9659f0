from accounts.models import Role
from accounts.permissions import access_for
from tests.factories import RoleAssignmentFactory, UnitFactory, UserFactory, leader_of, officer_of


def test_officer_writes_only_for_their_own_unit(school, office):
    other = UnitFactory(parent=office)
    access = access_for(officer_of(school))

    assert access.may_write_for(school.id)
    assert not access.may_write_for(other.id)
    assert not access.may_see_unit(other.id)
    assert access.is_liaison_officer and not access.is_reviewer


def test_office_wide_role_covers_every_unit_below_the_office(office, school):
    deep = UnitFactory(parent=school)
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    access = access_for(director)

    assert {office.id, school.id, deep.id} <= access.unit_ids(Role.OFFICE_DIRECTOR)
    assert access.is_reviewer and access.is_office_staff
    assert not access.may_write_for(school.id)


def test_leader_in_charge_of_several_units(office, school):
    second, third = UnitFactory(parent=office), UnitFactory(parent=office)
    leader = leader_of(school)
    RoleAssignmentFactory(user=leader, role=Role.LEADER_IN_CHARGE, unit=second)

    access = access_for(leader)

    assert access.unit_ids(Role.LEADER_IN_CHARGE) == {school.id, second.id}
    assert not access.may_see_unit(third.id)
    assert not access.is_office_staff


def test_a_person_may_hold_several_roles(school):
    person = officer_of(school)
    RoleAssignmentFactory(user=person, role=Role.LEADER_IN_CHARGE, unit=school)

    access = access_for(person)

    assert access.is_liaison_officer and access.is_reviewer


def test_roles_at_an_inactive_unit_grant_nothing(school):
    officer = officer_of(school)
    school.is_active = False
    school.save()

    assert not access_for(officer).may_write_for(school.id)


def test_user_without_roles_and_anonymous_users_may_do_nothing(db, school):
    from django.contrib.auth.models import AnonymousUser

    for user in (UserFactory(), AnonymousUser()):
        access = access_for(user)
        assert not access.unit_ids()
        assert not (access.is_liaison_officer or access.is_reviewer or access.is_admin)


def test_access_is_read_once_per_user_object(school, django_assert_num_queries):
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=school).user

    with django_assert_num_queries(1):  # the roles and the unit tree, together
        access_for(director)
        access_for(director)
