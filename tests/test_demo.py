import re

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import RoleAssignment, Unit, UnitClass, User
from outlets.models import Outlet
from reviews.models import ReviewChain, ReviewStage
from submissions.models import Article, Category, Photo, Status

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Unit, User, RoleAssignment, Article, Photo)]


def test_seed_demo_is_idempotent_and_keeps_changes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    first = counts()
    officer = User.objects.get(username="officer")
    officer.set_password("changed-by-the-user")
    officer.save()

    call_command("seed_demo", verbosity=0)

    assert counts() == first
    assert User.objects.get(username="officer").check_password("changed-by-the-user")
    # the review demo's item with photos (the year of history has items in review too, without photos)
    submitted = Article.objects.filter(status=Status.IN_REVIEW, photos__isnull=False).distinct().get()
    assert submitted.unit.name_en == "Shawan No. 1 Middle School"
    assert submitted.unit.name_zh_hans == "沙湾区第一中学"
    assert submitted.photos.get().caption == submitted.title
    assert Photo.objects.filter(thumbnail="").count() == 0


def test_the_demo_is_chinese_first_with_english_names_for_english_users():
    call_command("seed_demo", verbosity=0)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for model in (Unit, UnitClass, Category, ReviewChain, ReviewStage, Outlet):
        for obj in model.objects.all():
            assert chinese.search(obj.name_zh_hans), obj.name_zh_hans
            assert obj.name_en and not chinese.search(obj.name_en), obj.name_en
    assert all(chinese.search(user.display_name) for user in User.objects.all())
    assert all(chinese.search(article.title) for article in Article.objects.all())
    school = Unit.objects.get(name_en="Shawan No. 1 Middle School")
    with translation.override("zh-hans"):
        assert str(school) == "沙湾区第一中学"
    assert str(school) == "Shawan No. 1 Middle School"
