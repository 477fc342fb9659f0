"""Keeping an attempt's lease while its worker lives (DESIGN.md §6, promise 3).

The lease is renewed before each request; one request that runs longer than the lease (a large photo
sent over a slow line, each read within the timeout) would still let another attempt take the
delivery over. A keeper thread renews it at a fixed pace for as long as the attempt runs, so only a
dead (or frozen past the task time limit) worker loses its deliveries. A quick attempt ends before the
keeper's first turn and costs no statement.

One keeper thread per process serves every attempt: starting and joining a thread for each attempt
cost more than the rest of a quick delivery's own work in Python.
"""

import logging
import os
import threading
import time

from django.db import connections

from .adapters import LeaseLost

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """While open, the process's keeper thread calls `renew` every `every` seconds; after it closes,
    `renew` is not called (a renewal under way is waited for)."""

    def __init__(self, renew, every):
        self.renew = renew  # renews the lease; raises LeaseLost once another attempt holds it
        self.every = every  # seconds
        self.lost = False

    def __enter__(self):
        _keeper().add(self)
        return self

    def __exit__(self, *exc_info):
        _keeper().remove(self)


class Keeper:
    def __init__(self):
        self.pid = os.getpid()
        self._changed = threading.Condition()
        self._due = {}  # LeaseKeeper -> time.monotonic() of its next renewal
        self._renewing = None
        self._wakes_at = None  # when the thread wakes up by itself; None: only when told
        threading.Thread(target=self._run, name="lease-keeper", daemon=True).start()

    def add(self, lease):
        with self._changed:
            at = self._due[lease] = time.monotonic() + lease.every
            if self._wakes_at is None or at < self._wakes_at:
                self._changed.notify()

    def remove(self, lease):
        with self._changed:
            self._due.pop(lease, None)
            while self._renewing is lease:
                self._changed.wait()

    def _run(self):
        while True:
            lease = self._next()
            try:
                lease.renew()
            except LeaseLost:
                lease.lost = True  # the attempt's next step finds out too (fencing)
                with self._changed:
                    self._due.pop(lease, None)
            except Exception:  # the database blinked: try again at the next turn
                logger.warning("Could not renew a delivery's lease.", exc_info=True)
            finally:
                connections.close_all()  # this thread's own: renewals are rare, and far apart
                with self._changed:
                    self._renewing = None
                    self._changed.notify_all()

    def _next(self):
        """Wait for the lease whose renewal is due first; mark it as being renewed."""
        with self._changed:
            while True:
                now = time.monotonic()
                lease, at = min(self._due.items(), key=lambda item: item[1], default=(None, None))
                if lease is not None and at <= now:
                    self._due[lease] = now + lease.every
                    self._renewing, self._wakes_at = lease, None
                    return lease
                self._wakes_at = at
                self._changed.wait(None if at is None else at - now)


_lock = threading.Lock()
_current = None


def _keeper():
    """The keeper of this process (a forked worker starts its own: threads do not survive a fork)."""
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = Keeper()
        return _current
