"""Django's Redis cache, with one redis-py client per connection pool instead of one per command.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache read or write
(~60 µs of CPU: redis-py copies its table of reply parsers); a page that reads the cache five times
paid ~0.3 ms for it. A client holds no connection of its own (the pool does) and is safe to share,
and Django keeps a cache object per thread, so one client per pool serves that thread's commands.
Used when REDIS_URL is set (settings.CACHES). The broker's sibling is publicity/broker.py."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # pool index -> redis.Redis

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class Cache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
