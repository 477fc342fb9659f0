"""The Redis cache (publicity/cache.py): one redis-py client per connection pool, not one per command."""

import pytest
import redis
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache: set REDIS_URL=redis://…")


def test_cache_commands_reuse_one_redis_client(monkeypatch):
    built = []
    init = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or init(self, *a, **k))
    cache = caches.create_connection("default")
    try:
        for n in range(10):
            cache.set(f"test-cache-client-{n}", n, timeout=30)
        got = [cache.get(f"test-cache-client-{n}") for n in range(10)]
        cache.delete_many([f"test-cache-client-{n}" for n in range(10)])
    finally:
        cache.close()

    assert got == list(range(10))
    assert len(built) == 1  # Django's own client made 21
