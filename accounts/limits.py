"""How often a password reset link may be asked for: per address and per network address, counted in
the cache. Over the limit nothing is sent, and the answer is the same as when a link went out."""

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PERIOD = 3600  # seconds


def may_send_reset_link(request, email):
    """Counts this request; False once the address or the client asked too often within the hour."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    client = get_client_ip_address(request)
    try:
        # Both are counted, whichever is over.
        by_address = _count(f"password-reset:address:{address}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS)
        by_client = _count(f"password-reset:client:{client}", settings.PASSWORD_RESET_LIMIT_PER_CLIENT)
    except Exception:  # a cache that is down or hangs must not stop anyone from resetting their password
        logger.warning("Could not count password reset requests.", exc_info=True)
        return True
    return by_address and by_client


def _count(key, limit):
    cache.add(key, 0, PERIOD)
    return cache.incr(key) <= limit
