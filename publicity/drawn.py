"""Pieces of pages drawn once for what they show: a hundred units' table rows or a chart cost more to
draw than their figures cost to read, so they are kept in Django's cache under a key made of
everything they show, in the page's language. A changed figure, name or reminder makes a new key:
there is nothing to invalidate, and nothing can go stale. Whatever differs per request (a CSRF token,
the time) stays out of them. A cache that is down or slow only means drawing again.

The keys also hold when this process started, so that a piece drawn by an earlier version of the
templates or of the code drawing it is never shown by a new one (each process draws its own)."""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

KEEP_SECONDS = 3600  # a key names what it shows: this only frees the room of pieces not shown again
STARTED = uuid.uuid4().hex  # this process's code and templates


def shown_key(shown):
    """A key for a piece made of everything it shows (`shown`, anything with a stable repr) and the
    language it shows it in."""
    return hashlib.sha256(repr((get_language(), shown)).encode()).hexdigest()


def drawn_once(name, key, draw):
    """The piece `name` as drawn for `key` (a `shown_key`): from the cache, or drawn by `draw()` and
    kept there."""
    key = f"drawn:{STARTED}:{name}:{key}"
    try:
        piece = cache.get(key)
    except Exception:  # a cache that is down must not take the page with it
        logger.warning("Could not read %s from the cache; drawn again.", name, exc_info=True)
        return draw()
    if piece is None:
        piece = draw()
        try:
            cache.set(key, piece, KEEP_SECONDS)
        except Exception:
            logger.warning("Could not keep %s in the cache.", name, exc_info=True)
    return piece
