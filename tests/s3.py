"""A real S3 API server on loopback (moto's standalone server), and a private bucket on it for the
test's media: MEDIA_STORAGE_URL points there while the test runs."""

import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"The S3 server did not open port {port}")


@pytest.fixture(scope="session")
def s3_server():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch):
    """A bucket of the test's own; returns (boto3 client, bucket name, server address)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    settings.MEDIA_STORAGE_URL = f"s3://{bucket}?endpoint_url={s3_server}&region_name=us-east-1"
    return s3, bucket, s3_server
