"""Beat's scheduler on Redis: celery-redbeat, kept alive through a Redis outage.

RedBeat extends its lock in Redis on every tick; when Redis is stopped or hangs, that raises and the
beat process exits — and with it the sweeper that sends what the outage left behind. Here a tick that
cannot reach Redis waits a few seconds and tries again; a lock that expired meanwhile is taken again
(blocking while another beat holds it, which makes this one the standby).
"""

import logging

from redbeat import RedBeatScheduler
from redis.exceptions import ConnectionError, LockError, TimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5


class ResilientRedBeatScheduler(RedBeatScheduler):
    def tick(self, *args, **kwargs):
        try:
            return super().tick(*args, **kwargs)
        except LockError:
            logger.warning("beat: the lock expired while Redis was away; waiting to take it again")
            return self._take_lock_again()
        except (ConnectionError, TimeoutError):
            logger.warning("beat: Redis does not answer; trying again in %s s", RETRY_SECONDS)
            return RETRY_SECONDS

    def _take_lock_again(self):
        try:
            self.lock.acquire(blocking=True)
        except (ConnectionError, TimeoutError):
            return RETRY_SECONDS
        return 0
