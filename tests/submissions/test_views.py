import io
import json
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Unit
from submissions.models import Article, Photo, Status
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PhotoFactory,
    RoleAssignmentFactory,
    UnitFactory,
    newest_activity_first,
    officer_of,
)
from tests.submissions import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(school):
    return officer_of(school)


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


@contextmanager
def freeze_local_time(hh_mm):
    """Every save stamps today at this local time (auto_now reads django.utils.timezone.now)."""
    from unittest import mock

    from django.utils import timezone

    hour, minute = map(int, hh_mm.split(":"))
    at = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())).replace(
        hour=hour, minute=minute
    )
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def form_data(article=None, **changes):
    data = {
        "title": article.title if article else "",
        "body": article.body if article else "",
        "category": article.category_id if article and article.category_id else "",
        "event_date": article.event_date.isoformat() if article and article.event_date else "",
        "suggested_outlets": "",
        "version": article.version if article else 1,
    }
    return data | changes


# --- My submissions ------------------------------------------------------------------------


def test_list_shows_only_my_units_items_with_status_badges(signed_in, school):
    mine = ArticleFactory(unit=school, title="Ours", status=Status.RETURNED)
    ArticleFactory(title="Someone else's")

    page = signed_in.get(reverse("submissions:list")).content.decode()

    assert "Ours" in page and "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert 'class="badge status-badge status-returned"' in page
    assert f'href="/submissions/{mine.pk}/"' in page


@pytest.mark.parametrize("rows", [1, 25])
def test_list_uses_a_fixed_number_of_queries_and_never_counts(signed_in, school, rows):
    for article in ArticleFactory.create_batch(rows, unit=school):
        PhotoFactory(article=article)
    signed_in.get(reverse("submissions:list"))  # warm the session and the user

    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse("submissions:list"))

    assert response.status_code == 200
    assert len(response.context["articles"]) == rows
    # the page is one query for the officer's unit and one for the items crediting it
    assert len(queries) == 7, [q["sql"] for q in queries]
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries)


def test_the_list_shows_what_changed_since_its_rows_were_drawn(signed_in, school):
    """The rows are kept in the cache under a key made of what they show (publicity.drawn): a list
    drawn again after any one change shows it, never the rows drawn before it."""
    article = ArticleFactory(
        unit=school, title="Before", status=Status.DRAFT, category=CategoryFactory(name="News")
    )
    items = Article.objects.filter(pk=article.pk)
    changes = [
        (lambda: items.update(title="After"), "After"),
        (lambda: items.update(status=Status.RETURNED), "status-returned"),
        (lambda: items.update(event_date="2026-03-04"), "03/04/2026"),
        (lambda: article.category.__class__.objects.update(name="Notices"), "Notices"),
        (lambda: (PhotoFactory(article=article), items.update(updated_at=article.updated_at)), "1 photo"),
        (lambda: Unit.objects.filter(pk=school.pk).update(name="Renamed School"), "Renamed School"),
        (lambda: items.update(updated_at=article.updated_at - timedelta(days=3)), "updated 3\xa0days ago"),
    ]
    signed_in.get(reverse("submissions:list"))

    for change, shown in changes:
        change()
        assert shown in signed_in.get(reverse("submissions:list")).content.decode(), shown

    chinese = signed_in.get(reverse("submissions:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "1 photo" not in chinese and "1 张照片" in chinese


def test_list_pages_forward_without_a_total(signed_in, school):
    ArticleFactory.create_batch(27, unit=school)

    first = signed_in.get(reverse("submissions:list"))
    second = signed_in.get(reverse("submissions:list"), {"page": 2})

    assert first.context["has_next"] and len(first.context["articles"]) == 25
    assert not second.context["has_next"] and len(second.context["articles"]) == 2


def test_list_shows_the_latest_activity_first_and_pages_do_not_overlap(signed_in, school):
    articles = ArticleFactory.create_batch(30, unit=school)
    for article in articles[::3]:
        PhotoFactory(article=article)
    expected = [a.pk for a in newest_activity_first(articles)]

    first = signed_in.get(reverse("submissions:list")).context["articles"]
    second = signed_in.get(reverse("submissions:list"), {"page": 2}).context["articles"]

    assert [a.pk for a in first] == expected[:25]
    assert [a.pk for a in second] == expected[25:]


def test_an_officer_of_two_units_pages_through_both_and_the_items_crediting_them(client, school, office):
    other = UnitFactory(parent=office)
    officer = officer_of(school)
    RoleAssignmentFactory(user=officer, unit=other)
    elsewhere = UnitFactory(parent=office)
    articles = [*ArticleFactory.create_batch(15, unit=school), *ArticleFactory.create_batch(14, unit=other)]
    credited = ArticleFactory.create_batch(4, unit=elsewhere, status=Status.IN_REVIEW)
    ArticleFactory(unit=elsewhere, status=Status.IN_REVIEW)  # not crediting either unit
    articles[0].co_units.add(other)  # in both parts: shown once
    for article in credited:
        article.co_units.add(school)
    expected = [a.pk for a in newest_activity_first([*articles, *credited])]
    client.force_login(officer)

    shown, query = [], ""
    while True:
        context = client.get(f"{reverse('submissions:list')}?{query}").context
        shown += [a.pk for a in context["articles"]]
        if not (query := context["next_query"]):
            break

    assert shown == expected and len(shown) == 33


def test_list_filters_by_status_category_month_and_text(signed_in, school):
    news, notice = CategoryFactory(name="News"), CategoryFactory(name="Notice")
    ArticleFactory(unit=school, title="Choir wins", body="<p>Gold medal</p>", category=news,
                   event_date="2026-03-05", status=Status.IN_REVIEW)  # fmt: skip
    ArticleFactory(unit=school, title="Holiday notice", category=notice, event_date="2026-04-01")
    ArticleFactory(unit=school, title="Maths week", category=news, event_date="2026-03-20")

    def titles(**query):
        response = signed_in.get(reverse("submissions:list"), query)
        return sorted(a.title for a in response.context["articles"])

    assert titles(status="in_review") == ["Choir wins"]
    assert titles(category=notice.pk) == ["Holiday notice"]
    assert titles(month="2026-03") == ["Choir wins", "Maths week"]
    assert titles(q="gold") == ["Choir wins"]
    assert titles(q="maths", month="2026-03", category=news.pk) == ["Maths week"]
    assert titles(month="not-a-month") == ["Choir wins", "Holiday notice", "Maths week"]


# --- Drafting ------------------------------------------------------------------------------


def test_new_form_saves_a_draft_once_however_often_it_is_posted(signed_in, school):
    key = str(uuid.uuid4())
    data = form_data(title="Sports day", client_key=key, unit=school.pk, action="save")

    first = signed_in.post(reverse("submissions:new"), data)
    second = signed_in.post(reverse("submissions:new"), data)  # double click

    article = Article.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/submissions/{article.pk}/edit/"
    assert article.title == "Sports day" and article.version == 2


def test_a_stale_save_shows_both_versions_and_keeps_the_stored_one(signed_in, school):
    article = ArticleFactory(unit=school, title="Stored title", body="<p>Stored body</p>", version=3)

    response = signed_in.post(
        reverse("submissions:edit", args=[article.pk]),
        form_data(article, title="My title", body="<p>My body</p>", version=2, action="save"),
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this item" in page
    assert "Stored body" in page and "My body" in page and 'value="My title"' in page
    article.refresh_from_db()
    assert article.title == "Stored title"
    # The page now carries the stored version: saving again keeps mine, knowingly.
    assert 'name="version" value="3"' in page


def test_autosave_creates_the_draft_then_updates_it(signed_in, school):
    key = str(uuid.uuid4())
    response = signed_in.post(
        reverse("submissions:autosave_new"), form_data(title="Typing…", client_key=key, unit=school.pk)
    )
    body = response.json()
    article = Article.objects.get()
    assert body["edit_url"] == f"/submissions/{article.pk}/edit/" and body["version"] == 2

    again = signed_in.post(body["autosave_url"], form_data(article, title="Typing more", version=2))

    assert again.json()["version"] == 3
    article.refresh_from_db()
    assert article.title == "Typing more"


def test_autosave_says_when_it_saved_in_the_pages_language(signed_in, school):
    data = form_data(title="Typing…", client_key=str(uuid.uuid4()), unit=school.pk)
    url = reverse("submissions:autosave_new")
    with freeze_local_time("22:59"):
        chinese = signed_in.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        english = signed_in.post(chinese["autosave_url"], data | {"version": 2}).json()

    assert chinese["saved_message"] == "已于 22:59 保存"
    assert english["saved_message"] == "Saved at 10:59 p.m."


def test_the_editor_toolbar_speaks_the_pages_language(signed_in):
    page = signed_in.get(reverse("submissions:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = json.loads(
        re.search(r'<script id="editor-labels" type="application/json">(.*?)</script>', page)[1]
    )
    assert labels["bold"] == "加粗" and labels["Insert Table"] == "插入表格"
    assert "js/editor-labels.js" in page


def test_autosave_reports_a_conflict_as_409(signed_in, school):
    article = ArticleFactory(unit=school, version=5)
    response = signed_in.post(
        reverse("submissions:autosave", args=[article.pk]), form_data(article, title="Old", version=4)
    )
    assert response.status_code == 409 and response.json()["conflict"] is True


def test_autosave_into_another_units_unit_is_refused(signed_in, office):
    from tests.factories import UnitFactory

    other = UnitFactory(parent=office)
    response = signed_in.post(
        reverse("submissions:autosave_new"), form_data(title="x", client_key=str(uuid.uuid4()), unit=other.pk)
    )
    assert response.status_code == 404
    assert not Article.objects.exists()


def test_bad_input_in_the_form_is_reported_not_500(signed_in, school):
    article = ArticleFactory(unit=school)
    response = signed_in.post(
        reverse("submissions:edit", args=[article.pk]),
        form_data(article, event_date="31/02/2026", category="999999", title="x" * 500),
    )
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


# --- Photos ------------------------------------------------------------------------------


def upload(client, article, data, name, json_reply=True):
    headers = {"Accept": "application/json"} if json_reply else {}
    return client.post(
        reverse("submissions:photo_upload", args=[article.pk]),
        {"photo": SimpleUploadedFile(name, data, content_type="image/jpeg")},
        headers=headers,
    )


def test_upload_returns_the_new_photo_row(signed_in, school, django_capture_on_commit_callbacks):
    article = ArticleFactory(unit=school)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in, article, corpus.jpeg(), "IMG_1.jpg")

    assert response.status_code == 201
    photo = Photo.objects.get()
    assert f'data-photo-id="{photo.pk}"' in response.json()["html"]
    assert photo.has_renditions


@pytest.mark.parametrize(("name", "data"), corpus.disguised_files())
def test_disguised_files_are_refused_by_name(signed_in, school, name, data):
    article = ArticleFactory(unit=school)
    response = upload(signed_in, article, data, name)
    assert response.status_code == 400
    assert name in response.json()["error"]
    assert not Photo.objects.exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: corpus.png_bomb(10_000, 10_000), "megapixels"),
        (corpus.truncated_jpeg, "damaged"),
    ],
)
def test_bombs_and_broken_files_are_refused_with_a_clear_message(signed_in, school, make, words):
    article = ArticleFactory(unit=school)
    response = upload(signed_in, article, make(), "holiday.jpg")
    assert response.status_code == 400
    assert "holiday.jpg" in response.json()["error"] and words in response.json()["error"]


def test_oversized_file_is_refused(signed_in, school, settings):
    settings.PHOTO_MAX_BYTES = 100_000
    article = ArticleFactory(unit=school)
    response = upload(signed_in, article, corpus.large_jpeg(), "big.jpg")
    assert response.status_code == 400
    assert response.json()["error"] == "The photo is larger than the 97.7\xa0KB limit; nothing was added."


class CountingBody(io.RawIOBase):
    """A multipart body with one photo part of `size` bytes, made as it is read (never held whole),
    that counts the bytes the server reads."""

    BOUNDARY = "----PhotoBoundary7MA4YWxk"

    def __init__(self, size, name="huge.jpg", field="photo", first=None):
        self.head = (self._part(field, *first) if first else b"") + (
            f"--{self.BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.read_bytes = 0

    def _part(self, field, name, data):
        return (
            (
                f"--{self.BOUNDARY}\r\n"
                f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )

    def read(self, size=-1):
        size = self.length - self.read_bytes if size is None or size < 0 else size
        start, end = self.read_bytes, min(self.length, self.read_bytes + size)
        chunk = bytearray(b"\xa5" * (end - start))
        for offset, part in ((0, self.head), (self.length - len(self.tail), self.tail)):
            low, high = max(start, offset), min(end, offset + len(part))
            if low < high:
                chunk[low - start : high - start] = part[low - offset : high - offset]
        self.read_bytes = end
        return bytes(chunk)


def post_streamed(client, article, body, *, json_reply=True, url=None):
    headers = {"HTTP_ACCEPT": "application/json"} if json_reply else {}
    # Client.generic() sets the content type only with data of its own; this body streams instead.
    environ = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={CountingBody.BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "wsgi.input": body,
    }
    url = url if article is None else reverse("submissions:photo_upload", args=[article.pk])
    return client.generic("POST", url, **environ, **headers)


def test_a_100_mb_upload_is_refused_without_reading_it(signed_in, school, settings):
    settings.PHOTO_MAX_BYTES = 1_000_000
    article = ArticleFactory(unit=school, title="Kept title")
    kept = PhotoFactory(article=article)
    body = CountingBody(100 * 1024 * 1024)

    response = post_streamed(signed_in, article, body)

    assert response.status_code == 400
    assert response.json()["error"] == "The photo is larger than the 976.6\xa0KB limit; nothing was added."
    assert body.read_bytes == 0
    assert list(Photo.objects.all()) == [kept]
    assert Article.objects.get(pk=article.pk).title == "Kept title"


def test_without_script_a_too_large_upload_comes_back_with_the_message(signed_in, school, settings):
    settings.PHOTO_MAX_BYTES = 1_000_000
    article = ArticleFactory(unit=school)
    body = CountingBody(100 * 1024 * 1024)

    response = post_streamed(signed_in, article, body, json_reply=False)

    assert response.status_code == 302 and body.read_bytes == 0
    assert "larger than the 976.6\xa0KB limit" in signed_in.get(response["Location"]).content.decode()


def test_without_script_the_photos_before_the_one_cut_off_are_added(signed_in, school, settings):
    settings.PHOTO_MAX_BYTES = 1_000_000
    article = ArticleFactory(unit=school)
    body = CountingBody(1_150_000, name="second.jpg", first=("first.jpg", corpus.jpeg()))

    response = post_streamed(signed_in, article, body, json_reply=False)

    assert body.read_bytes < body.length
    assert [p.original_name for p in Photo.objects.all()] == ["first.jpg"]
    page = signed_in.get(response["Location"]).content.decode()
    assert "“second.jpg” is larger than the 976.6\xa0KB limit." in page


def test_the_upload_stops_once_the_photo_passes_the_limit_whatever_was_declared(signed_in, school, settings):
    settings.PHOTO_MAX_BYTES = 1_000_000
    article = ArticleFactory(unit=school)
    # Within what the view allows for the form around a photo, so the declared length passes the
    # first check: only the running count stops it.
    body = CountingBody(settings.PHOTO_MAX_BYTES + 200_000, name="huge.jpg")

    response = post_streamed(signed_in, article, body)

    assert response.status_code == 400
    assert response.json()["error"] == "“huge.jpg” is larger than the 976.6\xa0KB limit."
    assert body.read_bytes < body.length
    assert body.read_bytes <= settings.PHOTO_MAX_BYTES + 2 * 64 * 1024 + 1024  # the limit, and a chunk or two
    assert not Photo.objects.exists()


def test_the_upload_still_needs_the_csrf_token(officer, school):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    article = ArticleFactory(unit=school)

    assert upload(client, article, corpus.jpeg(), "IMG_1.jpg").status_code == 403
    assert not Photo.objects.exists()

    client.get(reverse("submissions:edit", args=[article.pk]))  # sets the CSRF cookie, as the page does
    response = client.post(
        reverse("submissions:photo_upload", args=[article.pk]),
        {"photo": SimpleUploadedFile("IMG_1.jpg", corpus.jpeg(), content_type="image/jpeg")},
        headers={"Accept": "application/json", "X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 201 and Photo.objects.count() == 1


def test_any_other_upload_is_cut_off_at_the_request_cap(client, settings, office):
    from accounts.models import Role
    from tests.factories import RoleAssignmentFactory

    settings.REQUEST_MAX_BYTES = 1_000_000
    client.force_login(RoleAssignmentFactory(role=Role.OFFICE_DIRECTOR, unit=office).user)
    body = CountingBody(100 * 1024 * 1024, name="adoptions.xlsx", field="sheet")

    response = post_streamed(client, None, body, url=reverse("reports:import_adoptions"), json_reply=False)

    assert response.status_code == 200
    assert body.read_bytes <= settings.REQUEST_MAX_BYTES + 2 * 64 * 1024 + 1024


def test_upload_without_script_redirects_back_with_a_message(signed_in, school):
    article = ArticleFactory(unit=school, title="Kept title")
    response = upload(signed_in, article, b"<html>not a photo</html>", "x.jpg", json_reply=False)
    assert response.status_code == 302
    page = signed_in.get(response["Location"]).content.decode()
    assert "is not a JPEG, PNG, WebP or HEIC photo" in page and "Kept title" in page


def test_the_page_shows_a_placeholder_until_the_rendition_exists(signed_in, school):
    article = ArticleFactory(unit=school)
    photo = PhotoFactory(article=article)
    tile = reverse("submissions:photo_tile", args=[article.pk, photo.pk])

    assert 'data-testid="photo-placeholder"' in signed_in.get(tile).content.decode()

    photo.thumbnail.save("t.jpg", ContentFile(corpus.jpeg()), save=False)
    photo.display.save("d.jpg", ContentFile(corpus.jpeg()), save=True)
    assert 'data-testid="photo-thumb"' in signed_in.get(tile).content.decode()


def test_uploads_stop_once_the_item_is_submitted(signed_in, school):
    article = ArticleFactory(unit=school, status=Status.IN_REVIEW)
    response = upload(signed_in, article, corpus.jpeg(), "late.jpg")
    assert response.status_code == 400 and not Photo.objects.exists()


def test_autosave_json_is_valid_for_the_script(signed_in, school):
    article = ArticleFactory(unit=school)
    response = signed_in.post(reverse("submissions:autosave", args=[article.pk]), form_data(article))
    assert json.loads(response.content)["upload_url"] == f"/submissions/{article.pk}/photos/"
