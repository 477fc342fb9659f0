"""The Redis broker transport (publicity/broker.py): what a worker takes and acknowledges, and what is
published, goes through the channel's one client, not a client built per command."""

import uuid

import pytest
import redis
from django.conf import settings

from publicity.celery import app

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="the Redis broker's transport"
)


def test_messages_taken_and_acknowledged_reuse_one_redis_client(monkeypatch):
    built = []
    init = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or init(self, *a, **k))
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue(f"test-{uuid.uuid4().hex[:8]}")
        channel = connection.default_channel
        unacked_before = channel.client.hlen(channel.unacked_key)  # other runs' may be there
        try:
            for n in range(20):
                queue.put({"n": n})
            taken = []
            for _ in range(20):
                message = queue.get(timeout=5)
                taken.append(message.payload["n"])
                message.ack()
            unacked = channel.client.hlen(channel.unacked_key) - unacked_before
        finally:
            queue.clear()
            queue.close()

    assert taken == list(range(20))
    assert unacked == 0
    assert len(built) <= 3  # the channel's, its consuming connection's, and at most one more
