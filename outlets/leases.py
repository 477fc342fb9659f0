"""Keeping an attempt's lease while its worker lives (DESIGN.md §6, promise 3).

The lease is renewed before each request; one request that runs longer than the lease (a large photo
sent over a slow line, each read within the timeout) would still let another attempt take the
delivery over. A keeper thread renews it at a fixed pace for as long as the attempt runs, so only a
dead (or frozen past the task time limit) worker loses its deliveries. A quick attempt ends before the
keeper's first turn and costs no statement.
"""

import logging
import threading

from django.db import connections

from .adapters import LeaseLost

logger = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, renew, every):
        self._renew = renew  # renews the lease; raises LeaseLost once another attempt holds it
        self._every = every  # seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self.lost = False

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopped.set()
        self._thread.join()

    def _run(self):
        renewed = False
        try:
            while not self._stopped.wait(self._every):
                renewed = True
                try:
                    self._renew()
                except LeaseLost:
                    self.lost = True  # the attempt's next step finds out too (fencing)
                    return
                except Exception:  # the database blinked: try again at the next turn
                    logger.warning("Could not renew a delivery's lease.", exc_info=True)
        finally:
            if renewed:
                connections.close_all()  # this thread's own connection
