from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, RoleAssignment, Unit, UnitClass, User
from submissions.models import Article

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


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = "submissions.Category"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Category {n}")


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = "submissions.Article"

    unit = factory.SubFactory(UnitFactory)
    author = factory.LazyAttribute(lambda a: officer_of(a.unit))
    last_editor = factory.SelfAttribute("author")
    title = factory.Sequence(lambda n: f"Sports day at school {n}")
    body = "<p>Pupils ran, jumped and threw on a sunny morning.</p>"
    body_length = 40
    category = factory.SubFactory(CategoryFactory, name="News")
    event_date = factory.Faker("date_between", start_date="-60d", end_date="today")


class PhotoFactory(DjangoModelFactory):
    class Meta:
        model = "submissions.Photo"

    article = factory.SubFactory(ArticleFactory)
    original = factory.django.FileField(filename="original.jpg", data=b"not used by these tests")
    original_name = "IMG_0001.jpg"
    caption = "Pupils at the start line"
    width = 1600
    height = 1200
    size = 1000
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    uploaded_by = factory.SelfAttribute("article.author")


def newest_activity_first(articles):
    """Give `articles` activity times that disagree with their insertion order, with ties; return them
    as a list should show them: latest activity first, the higher number first on a tie."""
    now = timezone.now()
    for n, article in enumerate(articles):
        # the first created is the latest touched; every pair shares one time
        Article.objects.filter(pk=article.pk).update(updated_at=now - timedelta(minutes=n // 2))
    return sorted(
        Article.objects.filter(pk__in=[a.pk for a in articles]),
        key=lambda a: (-a.updated_at.timestamp(), -a.pk),
    )
