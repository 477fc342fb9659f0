"""Where private files (photos, renditions, bulletin files) are kept: this machine's MEDIA_ROOT, or an
S3-compatible bucket named by MEDIA_STORAGE_URL when several machines share them (README)."""

from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage

# What MEDIA_STORAGE_URL's query may set, as S3Storage names it.
S3_OPTIONS = {"endpoint_url", "region_name", "addressing_style", "location", "signature_version"}


def s3_options(url):
    """S3Storage's options from `s3://[KEY:SECRET@]bucket?endpoint_url=…&region_name=…`. Without a
    key in the address, boto3 finds its own (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a role)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    unknown = set(query) - S3_OPTIONS
    if parts.scheme != "s3" or not parts.hostname or unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must be s3://bucket?option=value with options among {sorted(S3_OPTIONS)}"
        )
    options = {
        "bucket_name": parts.hostname,
        # Never public: objects are private, and links to them are signed (the views stream them).
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        **query,
    }
    if "endpoint_url" in query:  # a server of one's own (MinIO, Ceph): buckets as paths, not hosts
        options.setdefault("addressing_style", "path")
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options


def private_backend():
    """The storage that PrivateStorage hands its work to, from the settings in force."""
    if not settings.MEDIA_STORAGE_URL:
        return FileSystemStorage(location=settings.MEDIA_ROOT / "private")
    from botocore.config import Config
    from storages.backends.s3 import S3Storage

    timeouts = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})
    return S3Storage(client_config=timeouts, **s3_options(settings.MEDIA_STORAGE_URL))
