"""The Redis broker transport, with one Redis client per channel for its short commands.

kombu's Redis channel builds a new redis-py client for each command it sends outside its consuming
connection: the bookkeeping of every message a worker takes and acknowledges (task_acks_late), and
every message published. Building one copies redis-py's table of reply parsers (about 0.2 ms of
CPU), twice per task in a worker, more than the rest of kombu's work on a message. The clients
share the channel's connection pool either way, and a client is safe to share between threads.
Used for redis:// brokers (settings.CELERY_BROKER_TRANSPORT)."""

from kombu.transport import redis


class Channel(redis.Channel):
    _shared_client = None  # (pool, client)

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool  # a new pool (after the connection was lost) gets a new client
        if self._shared_client is None or self._shared_client[0] is not pool:
            self._shared_client = (pool, super()._create_client())
        return self._shared_client[1]


class Transport(redis.Transport):
    Channel = Channel
