"""MEDIA_STORAGE_URL: what it may set, and what it may not (publicity/storage.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from publicity.storage import s3_options


def test_media_storage_url_cannot_make_objects_public():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL"):
        s3_options("s3://publicity-media?default_acl=public-read")


def test_media_storage_url_names_the_bucket_server_and_key():
    options = s3_options("s3://key:se%2Fcret@publicity-media?endpoint_url=http://127.0.0.1:9000")
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert (options["bucket_name"], options["secret_key"], options["addressing_style"]) == (
        "publicity-media",
        "se/cret",
        "path",
    )
