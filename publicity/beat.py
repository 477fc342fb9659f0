"""Beat's scheduler on Redis: celery-redbeat, kept alive and sending through a Redis outage.

RedBeat renews its lock in Redis at every tick. When Redis is stopped or hangs, the renewal raises and
the beat process exits — and with it the sweeper that sends what the outage left behind. When Redis
comes back empty (a restart of a Redis that keeps nothing on disk), the lock and the schedule are both
gone: plain redbeat then ticks on an empty schedule and sends nothing, silently.

Here a tick that cannot reach Redis waits a few seconds and tries again; a lock that was lost is taken
again at a later tick without blocking (while another beat holds it, this one is the standby); and
whoever takes the lock installs the configured schedule again, keeping the last run of every entry
that survived.
"""

import logging

from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import ConnectionError, LockError, TimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
REDIS_AWAY = (ConnectionError, TimeoutError)


class ResilientRedBeatScheduler(RedBeatScheduler):
    def tick(self, *args, **kwargs):
        if self.lock_key and self.lock is None and not self.take_lock():
            return RETRY_SECONDS  # the standby, or Redis is away
        try:
            return super().tick(*args, **kwargs)
        except LockError:
            logger.warning("beat: the lock was lost while Redis was away; taking it again")
            self.lock = None
            return 0
        except REDIS_AWAY:
            logger.warning("beat: Redis does not answer; trying again in %s s", RETRY_SECONDS)
            return RETRY_SECONDS

    def take_lock(self):
        """Take the lock if nobody holds it, without waiting; then install the schedule again (Redis
        may have lost it with the lock). True when this beat holds the lock."""
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)  # as redbeat's own lock
        try:
            if not lock.acquire(blocking=False):
                return False
            self.lock = lock
            self.setup_schedule()
        except REDIS_AWAY:
            return False
        logger.info("beat: took the lock; the schedule is installed")
        return True
