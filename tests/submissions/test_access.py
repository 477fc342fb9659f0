"""Every URL the submissions app defines for an item, walked as each role (issue: Access)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from outlets import urls as outlet_urls
from reviews import urls as review_urls
from submissions import urls as submission_urls
from submissions.models import Status
from tests.factories import (
    ArticleFactory,
    PhotoFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    officer_of,
)

pytestmark = pytest.mark.django_db

KINDS = ("original", "thumbnail", "display")


def item_urls(article, photo):
    """Every (name, url) of the app that takes an article — found from the URLconf itself."""
    found = []
    patterns = [("submissions", p) for p in submission_urls.urlpatterns]
    patterns += [("reviews", p) for p in review_urls.urlpatterns if str(p.pattern).startswith("items/")]
    patterns += [("outlets", p) for p in outlet_urls.urlpatterns if str(p.pattern).startswith("items/")]
    for app, pattern in patterns:
        groups = set(pattern.pattern.regex.groupindex)
        if "pk" not in groups:
            continue
        name = f"{app}:{pattern.name}"
        kwargs = {"pk": article.pk} | ({"photo_pk": photo.pk} if "photo_pk" in groups else {})
        for kind in KINDS if "kind" in groups else (None,):
            found.append((name, reverse(name, kwargs=kwargs | ({"kind": kind} if kind else {}))))
    return found


def _photo(article):
    from django.core.files.base import ContentFile

    photo = PhotoFactory(article=article)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(b"thumb"), save=False)
    photo.display.save("display.jpg", ContentFile(b"display"), save=False)
    photo.save()
    return photo


@pytest.fixture
def draft(school):
    article = ArticleFactory(unit=school)
    return article, _photo(article)


def test_the_walk_covers_every_item_url(draft):
    names = {name for name, _ in item_urls(*draft)}
    assert names == {
        *(
            f"submissions:{name}"
            for name in ("detail", "edit", "autosave", "photo_upload", "photo_tile", "photo_file")
        ),
        *(f"reviews:{name}" for name in ("submit", "withdraw", "approval_sheet")),
        "outlets:article_deliveries",
    }


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_units_officer_gets_404_everywhere(client, office, draft, status, method):
    article, photo = draft
    article.status = status
    article.save()
    client.force_login(officer_of(UnitFactory(parent=office)))

    for name, url in item_urls(article, photo):
        response = getattr(client, method)(url)
        assert response.status_code in (404, 405), (name, method, response.status_code)
        assert response.status_code == 404 or (
            method == "get" and name.endswith(("withdraw", "upload", "autosave"))
        )


@pytest.mark.parametrize(
    "who", ["unrelated user", "leader of another unit", "leader of the unit (draft)", "admin without a role"]
)
def test_people_without_access_get_404_on_every_get(client, office, school, draft, who):
    article, photo = draft
    user = {
        "unrelated user": lambda: UserFactory(),
        "leader of another unit": lambda: (
            RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=UnitFactory(parent=office)).user
        ),
        "leader of the unit (draft)": lambda: (
            RoleAssignmentFactory(role=Role.LEADER_IN_CHARGE, unit=school).user
        ),
        "admin without a role": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[who]()
    client.force_login(user)

    for name, url in item_urls(article, photo):
        if name.endswith(("withdraw", "upload", "autosave")):
            assert client.post(url).status_code == 404, name
        else:
            assert client.get(url).status_code == 404, name


def test_anonymous_users_are_sent_to_sign_in(client, draft):
    for name, url in item_urls(*draft):
        response = client.get(url)
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name


def test_the_units_officer_reaches_every_url(client, school, draft):
    article, photo = draft
    client.force_login(officer_of(school))

    for name, url in item_urls(article, photo):
        if name.endswith(("withdraw", "upload", "autosave")):
            continue  # POST-only; exercised by their own tests
        assert client.get(url).status_code in (200, 302), name
    original = client.get(reverse("submissions:photo_file", args=[article.pk, photo.pk, "original"]))
    assert original["Content-Disposition"].startswith("attachment")
    assert "private" in original["Cache-Control"]


def test_reviewers_see_submitted_items_and_their_photos_but_cannot_edit(client, office, school, draft):
    article, photo = draft
    article.status = Status.IN_REVIEW
    article.save()
    director = RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user
    client.force_login(director)

    assert client.get(reverse("submissions:detail", args=[article.pk])).status_code == 200
    for kind in KINDS:
        assert (
            client.get(reverse("submissions:photo_file", args=[article.pk, photo.pk, kind])).status_code
            == 200
        )
    assert client.post(reverse("reviews:withdraw", args=[article.pk])).status_code == 403
    assert client.get(reverse("submissions:edit", args=[article.pk])).status_code == 302


def test_a_photo_of_another_article_is_not_reachable_through_mine(client, school, draft):
    mine, _ = draft
    theirs = _photo(ArticleFactory())
    client.force_login(officer_of(school))

    for kind in KINDS:
        assert (
            client.get(reverse("submissions:photo_file", args=[mine.pk, theirs.pk, kind])).status_code == 404
        )
    assert client.get(reverse("submissions:photo_tile", args=[mine.pk, theirs.pk])).status_code == 404


def test_non_officers_cannot_open_the_list_or_the_new_form(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("submissions:list")).status_code == 404
    assert client.get(reverse("submissions:new")).status_code == 404
    assert client.post(reverse("submissions:autosave_new")).status_code == 404
