"""The WordPress peer is real: our author posts for review with a photo, the outlet's editor publishes."""

import io
import uuid

import httpx
from PIL import Image


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_author_posts_for_review_with_a_photo_and_the_editor_publishes(wordpress):
    slug = f"peer-test-{uuid.uuid4().hex[:12]}"
    upload = wordpress.request(
        "POST",
        "/wp/v2/media",
        account="author",
        content=_jpeg(),
        headers={"Content-Type": "image/jpeg", "Content-Disposition": 'attachment; filename="photo.jpg"'},
    )
    assert upload.status_code == 201, upload.text
    photo = upload.json()
    assert photo["mime_type"] == "image/jpeg"
    assert httpx.get(photo["source_url"]).headers["content-type"] == "image/jpeg"

    created = wordpress.request(
        "POST",
        "/wp/v2/posts",
        account="author",
        json={
            "title": "校园开放日",
            "content": f'<p>欢迎参观。</p><img src="{photo["source_url"]}" alt="校门">',
            "status": "pending",
            "slug": slug,
            "featured_media": photo["id"],
        },
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert (post["status"], post["slug"], post["featured_media"]) == ("pending", slug, photo["id"])
    # Not public yet: anonymous readers cannot see it.
    assert wordpress.request("GET", f"/wp/v2/posts/{post['id']}", account=None).status_code == 401
    assert [p["id"] for p in wordpress.posts(slug=slug)] == [post["id"]]

    published = wordpress.publish(post["id"])

    assert published["status"] == "publish"
    assert wordpress.post(post["id"])["title"]["raw"] == "校园开放日"
    assert published["link"].startswith(wordpress.url)
    page = httpx.get(published["link"], follow_redirects=True)
    assert page.status_code == 200
    assert "校园开放日" in page.text


def test_a_wrong_application_password_is_refused(wordpress_peer):
    response = httpx.get(
        f"{wordpress_peer.url}/",
        params={"rest_route": "/wp/v2/users/me"},
        auth=(wordpress_peer.author.username, "abcd efgh ijkl mnop qrst uvwx"),
    )

    assert response.status_code == 401
    # WordPress 6.1 checks Application Passwords only after its REST auth-error filter has run, so a
    # wrong one reads as no credentials at all ("rest_not_logged_in"; "rest_cannot_create" on a POST).
    assert response.json()["code"] in {"rest_not_logged_in", "incorrect_password"}
    right = wordpress_peer.request("GET", "/wp/v2/users/me", account="author", params={"context": "edit"})
    assert right.json()["roles"] == ["author"]


def test_the_editor_can_trash_a_post_and_clean_up_by_slug(wordpress):
    prefix = f"peer-test-{uuid.uuid4().hex[:12]}-"
    post = wordpress.request(
        "POST",
        "/wp/v2/posts",
        account="author",
        json={"title": "Declined", "status": "pending", "slug": prefix + "a"},
    ).json()

    assert wordpress.trash(post["id"])["status"] == "trash"
    assert (
        wordpress.request("GET", f"/wp/v2/posts/{post['id']}", account="author").json()["status"] == "trash"
    )
    assert wordpress.delete_posts_by_slug_prefix(prefix) == 1
    assert wordpress.request("GET", f"/wp/v2/posts/{post['id']}").status_code == 404
