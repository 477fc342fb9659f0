"""Photos on S3-compatible storage (MEDIA_STORAGE_URL), against a real S3 server on loopback."""

import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from submissions.models import Photo
from submissions.tasks import make_photo_renditions
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


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_another_machine_makes_the_renditions_in_the_bucket(s3_media, client, school, tmp_path):
    from tests.outlets.test_promises import Broker, start_worker, stop, wait_until

    s3, bucket, _ = s3_media
    article = ArticleFactory(unit=school)
    client.force_login(officer_of(school))
    broker_url = settings.CELERY_BROKER_URL if "redis" in settings.CELERY_BROKER_URL else "filesystem://"
    with Broker(broker_url, tmp_path) as broker:
        # The worker shares the database, the broker and the bucket — not this process's disk.
        disk = str(tmp_path / "worker-disk")
        worker = start_worker(broker, MEDIA_ROOT=disk, MEDIA_STORAGE_URL=settings.MEDIA_STORAGE_URL)
        try:
            assert upload(client, article, corpus.jpeg(), "IMG_1.jpg").status_code == 201
            # The upload made its renditions in the bucket; take them away, as if the web process had
            # died before writing them, so that the worker must make them from the original.
            made = Photo.objects.get()
            for rendition in (made.thumbnail, made.display):
                rendition.delete(save=False)
            made.save()
            assert not Photo.objects.get().has_renditions
            make_photo_renditions.delay(made.pk)
            wait_until(lambda: Photo.objects.get().has_renditions, timeout=60, what="renditions")
        finally:
            output = stop(worker)
    photo = Photo.objects.get()
    assert "make_photo_renditions" in output
    assert s3.head_object(Bucket=bucket, Key=photo.thumbnail.name)["ContentLength"] > 0
    response = client.get(reverse("submissions:photo_file", args=[article.pk, photo.pk, "thumbnail"]))
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert not (tmp_path / "worker-disk").exists() and not (settings.MEDIA_ROOT / "private").exists()
