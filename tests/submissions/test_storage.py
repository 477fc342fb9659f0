"""Photos on S3-compatible storage (MEDIA_STORAGE_URL), against a real S3 server on loopback."""

import httpx
import pytest
from django.urls import reverse

from submissions.models import Photo
from tests.factories import ArticleFactory, UnitFactory, officer_of
from tests.submissions import corpus
from tests.submissions.test_views import upload

pytestmark = pytest.mark.django_db


def test_photos_and_renditions_are_private_objects_served_after_the_access_check(
    s3_media, client, office, school, settings, django_capture_on_commit_callbacks
):
    s3, bucket, endpoint = s3_media
    article = ArticleFactory(unit=school)
    client.force_login(officer_of(school))
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, article, corpus.jpeg(), "IMG_1.jpg").status_code == 201

    photo = Photo.objects.get()
    stored = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {photo.original.name, photo.thumbnail.name, photo.display.name} == stored
    assert not (settings.MEDIA_ROOT / "private").exists()

    address = reverse("submissions:photo_file", args=[article.pk, photo.pk, "display"])
    response = client.get(address)
    assert response.status_code == 200
    display = s3.get_object(Bucket=bucket, Key=photo.display.name)["Body"].read()
    assert b"".join(response.streaming_content) == display and display[:2] == b"\xff\xd8"

    client.force_login(officer_of(UnitFactory(name="Another School", parent=office)))
    assert client.get(address).status_code == 404
    for key in stored:
        assert httpx.get(f"{endpoint}/{bucket}/{key}").status_code == 403
