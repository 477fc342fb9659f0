import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_admin_pages(client, demo):
    from accounts.models import User
    from reviews.models import ReviewChain

    chain = ReviewChain.objects.get(name_en="Standard review")

    client.force_login(User.objects.get(username="admin"))
    for url in [
        "/admin/submissions/article/",
        "/admin/reviews/reviewrun/",
        "/admin/outlets/delivery/",
        "/admin/outlets/outlet/add/",
        f"/admin/reviews/reviewchain/{chain.pk}/change/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
    assert client.get("/admin/submissions/article/add/").status_code == 403


def test_names_of_configuration_are_edited_in_both_languages(client, demo):
    from accounts.models import Unit, User

    school = Unit.objects.get(name_en="Shawan No. 1 Middle School")
    client.force_login(User.objects.get(username="admin"))
    url = f"/admin/accounts/unit/{school.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="name_en"' in page and 'name="name_zh_hans"' in page
    assert "沙湾区第一中学" in page

    form = {
        "name_en": "Shawan First Middle School",
        "name_zh_hans": "沙湾一中",
        "parent": school.parent_id,
        "order": 1,
        "is_active": "on",
        "children-TOTAL_FORMS": 0,
        "children-INITIAL_FORMS": 0,
    }
    assert client.post(url, form).status_code == 302
    school.refresh_from_db()
    assert (school.name_en, school.name_zh_hans) == ("Shawan First Middle School", "沙湾一中")
    with translation.override("zh-hans"):
        assert str(school) == "沙湾一中"
