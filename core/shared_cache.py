"""What the public pages keep in the Redis every web worker shares (settings.CACHES["shared"]), and how it is let go.

Each entry's key carries a generation number kept in the same Redis. Any write that changes what the public pages
show calls `public_pages_changed()`, which moves the generation on once the write commits: from then on every worker
reads afresh, and the old entries expire. PUBLIC_PAGES_SECONDS bounds the life of an entry that a write no one told
us about (a queryset's update() in a shell) left behind.
"""

import logging
import time
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

SHARED_CACHE = "shared"  # the alias in settings.CACHES
PUBLIC_PAGES_SECONDS = 10 * 60
GENERATION_KEY = "public-pages:generation"
# The generation lives a day (then a new one starts: the entries it kept are read afresh); no key lives for ever.
GENERATION_SECONDS = 24 * 60 * 60


def public_pages_changed() -> None:
    """What the public pages show has changed (or will, when the current transaction commits). Each call moves the
    generation on after the commit: a report's hundreds of saves cost as many increments of one Redis key, which is
    cheaper than knowing, without Django's private transaction state, that one is already due."""
    transaction.on_commit(forget_public_pages)


def forget_public_pages() -> None:
    """Move the generation on now: every worker reads the public pages afresh."""
    cache = caches[SHARED_CACHE]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or Redis lost it): any new one leaves the old entries unread
        cache.set(GENERATION_KEY, time.time_ns(), GENERATION_SECONDS)
    except RedisError:
        logger.warning("Public pages: the shared cache did not answer; entries live out their time", exc_info=True)


def _generation() -> int:
    cache = caches[SHARED_CACHE]
    generation: int | None = cache.get(GENERATION_KEY)
    if generation is None:
        # A clock reading, not 0: a generation Redis lost never comes back as one that old entries were kept under.
        cache.add(GENERATION_KEY, time.time_ns(), GENERATION_SECONDS)
        generation = cache.get(GENERATION_KEY, 0)
    return generation or 0


def cached_public[T](name: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the shared cache under `name` until the public pages change (or PUBLIC_PAGES_SECONDS)."""
    try:
        key = f"public-pages:{_generation()}:{name}"
        found: T | None = caches[SHARED_CACHE].get(key)
    except RedisError:
        logger.warning("Public pages: the shared cache did not answer; reading afresh", exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    if value is None:  # nothing to keep (Redis would hand back None, which reads as "not kept" anyway)
        return value
    try:
        caches[SHARED_CACHE].set(key, value, PUBLIC_PAGES_SECONDS)
    except RedisError:
        logger.warning("Public pages: the shared cache did not answer; not kept", exc_info=True)
    return value
