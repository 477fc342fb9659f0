import pytest
from django.core.management import call_command

from accounts.models import RoleAssignment, Unit, User
from submissions.models import Article, Photo, Status

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
