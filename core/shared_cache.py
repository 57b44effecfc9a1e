"""What the web workers keep in the Redis they all share (settings.CACHES["shared"]): what is read from the recorded
inspections and recommendations (the public pages' data, the filters' options, the region pages' outcomes), and the
figures of the dashboard and the region pages.

What is read from the records: each entry holds the generation number it was made in, a number kept in the same
Redis. Any write to an inspection, its scores, a recommendation, a region or a theme calls `records_changed()`
(recommendations/kept_records.py catches them), which moves the generation on once the write commits: from then on
every worker makes each entry afresh when it next reads it. KEPT_SECONDS bounds the life of an entry that a write no
one told us about (a queryset's update() in a shell) left behind.
"""

import datetime
import logging
import time
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

SHARED_CACHE = "shared"  # the alias in settings.CACHES
KEPT_SECONDS = 10 * 60
GENERATION_KEY = "records:generation"
# The generation lives a day (then a new one starts: the entries it kept are read afresh); no key lives for ever.
GENERATION_SECONDS = 24 * 60 * 60


def records_changed() -> None:
    """What is kept from the records has changed (or will, when the current transaction commits). Each call moves
    the generation on after the commit: a report's hundreds of saves cost as many increments of one Redis key, which
    is cheaper than knowing, without Django's private transaction state, that one is already due."""
    transaction.on_commit(forget_kept_records)


def forget_kept_records() -> None:
    """Move the generation on now: every worker reads the records afresh."""
    cache = caches[SHARED_CACHE]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or Redis lost it): any new one leaves the old entries unread
        cache.set(GENERATION_KEY, time.time_ns(), GENERATION_SECONDS)
    except RedisError:
        logger.warning("Kept records: the shared cache did not answer; entries live out their time", exc_info=True)


def records_generation() -> int:
    """The generation of the records now (one round trip): what an entry kept elsewhere (core/fragments.py) was
    made in is compared with it."""
    generation: int | None = caches[SHARED_CACHE].get(GENERATION_KEY)
    return generation or _start_generation()


def _start_generation() -> int:
    """The generation when Redis has none (first use, or it lost it): a clock reading, not 0, so a generation Redis
    lost never comes back as one that an old entry was kept under."""
    cache = caches[SHARED_CACHE]
    cache.add(GENERATION_KEY, time.time_ns(), GENERATION_SECONDS)
    generation: int = cache.get(GENERATION_KEY, 0)
    return generation


def kept_from_records[T](name: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the shared cache under `name` until the records change (or KEPT_SECONDS). Each entry
    holds the generation it was made in, read with it in one round trip: an entry of an older generation is made
    afresh. A Redis that does not answer costs a fresh read and a logged warning, never the page."""
    key = f"records:{name}"
    cache = caches[SHARED_CACHE]
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or _start_generation()
    except RedisError:
        logger.warning("Kept records: the shared cache did not answer; reading afresh", exc_info=True)
        return compute()
    kept: tuple[int, T] | None = found.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = compute()
    try:
        cache.set(key, (generation, value), KEPT_SECONDS)
    except RedisError:
        logger.warning("Kept records: the shared cache did not answer; not kept", exc_info=True)
    return value


def cached_public[T](name: str, compute: Callable[[], T]) -> T:
    """The public pages' `compute()`, kept until the records change (kept_from_records)."""
    return kept_from_records(f"public:{name}", compute)


# --- the figures of the dashboard and the region pages ---
# They take seconds to make on a busy server (recommendations/rates.py). Beat makes them afresh every
# FIGURES_REFRESH_SECONDS (recommendations/figures_refresh.py) and every web worker reads them from here, so a page
# normally only reads them. A page that finds none, or only some too old (first start, Redis emptied, a new day,
# beat stopped), makes them itself and keeps them for the others.


class Made(Protocol):
    """Figures that say when they were made (the pages say how old they are)."""

    @property
    def as_at(self) -> datetime.datetime: ...


def figures_max_age() -> datetime.timedelta:
    """How long figures may be read: two of beat's periods, so a late or slow run sends no reader to make them."""
    return datetime.timedelta(seconds=2 * settings.FIGURES_REFRESH_SECONDS)


def figures_refresh_minutes() -> int:
    """Beat's period in whole minutes, for the pages' "made again every N minutes"."""
    return max(1, round(settings.FIGURES_REFRESH_SECONDS / 60))


def kept_figures[T: Made](key: str, make: Callable[[], T]) -> T:
    """The figures kept under `key` if made within figures_max_age(), else make() kept now (keep_figures). Their own
    time is checked too, not only Redis's expiry: what the page says ("4 minutes ago") is what decides. A Redis
    that does not answer costs a fresh count and a logged warning, never the page."""
    try:
        found: T | None = caches[SHARED_CACHE].get(key)
    except RedisError:
        logger.warning("Figures: the shared cache did not answer; counting afresh", exc_info=True)
        return make()
    if found is not None and timezone.now() - found.as_at <= figures_max_age():
        return found
    return keep_figures(key, make)


def keep_figures[T: Made](key: str, make: Callable[[], T]) -> T:
    """make() now, kept under `key` for figures_max_age(): beat's refresh, and a page that found none."""
    value = make()
    try:
        caches[SHARED_CACHE].set(key, value, int(figures_max_age().total_seconds()))
    except RedisError:
        logger.warning("Figures: the shared cache did not answer; not kept", exc_info=True)
    return value
