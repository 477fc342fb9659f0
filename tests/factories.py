import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User

PASSWORD = "correct-horse-battery"


class UnitClassFactory(DjangoModelFactory):
    class Meta:
        model = UnitClass
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Class {n}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Unit {n}")
    unit_class = factory.SubFactory(UnitClassFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.LIAISON_OFFICER


def officer_of(unit, **kwargs):
    return RoleAssignmentFactory(role=Role.LIAISON_OFFICER, unit=unit, **kwargs).user


def leader_of(unit, **kwargs):
    return RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=unit, **kwargs).user
