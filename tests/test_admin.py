import pytest

pytestmark = pytest.mark.django_db


def test_admin_pages(client, demo):
    from accounts.models import User
    from reviews.models import ReviewChain

    chain = ReviewChain.objects.get(name="Standard review")

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
