"""Parts of pages that cost much to render and change only with the records: kept, as HTML, in each web worker's
own memory (settings.CACHES["fragments"]) until the records change (core/shared_cache.py's generation, one Redis
round trip to read) or KEPT_SECONDS pass.

The filter panels are the case: the list's fifteen fields through the GOV.UK macros cost about 6 ms of CPU on every
view (bench/), and they show the same for everyone with the same scope and the same query. A key names everything
the HTML depends on; render() is called only when nothing is kept under it.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.http import QueryDict
from django.utils import timezone
from markupsafe import Markup
from redis.exceptions import RedisError

from core.shared_cache import KEPT_SECONDS, records_generation

logger = logging.getLogger(__name__)

FRAGMENTS_CACHE = "fragments"  # the alias in settings.CACHES


def query_key(query: QueryDict, ignore: Iterable[str] = ("page",)) -> str:
    """A short name for a query string's parameters in any order (but `ignore`'s), for a fragment's key."""
    ignored = set(ignore)
    pairs = sorted((name, value) for name, values in query.lists() if name not in ignored for value in values)
    return hashlib.sha256(repr(pairs).encode()).hexdigest()[:32]


def kept_fragment(name: str, render: Callable[[], str]) -> Markup:
    """The HTML render() makes, kept under `name` (with today's date: a form may check a date against it) until the
    records change. A shared Redis that does not answer costs a render, never the page."""
    try:
        generation = records_generation()
    except RedisError:
        logger.warning("Fragments: the shared cache did not answer; rendering afresh", exc_info=True)
        return Markup(render())
    key = f"{name}:{timezone.localdate().isoformat()}"
    cache = caches[FRAGMENTS_CACHE]
    kept: tuple[int, str] | None = cache.get(key)
    if kept is not None and kept[0] == generation:
        return Markup(kept[1])
    html = render()
    cache.set(key, (generation, html), KEPT_SECONDS)
    return Markup(html)


def kept_by_name(name: str, render: Callable[[], str]) -> Markup:
    """The HTML render() makes, kept under `name` for KEPT_SECONDS: for a part made only from what never changes
    once made, whose name says which (figures kept in the shared cache: whose, and when they were made)."""
    return Markup(caches[FRAGMENTS_CACHE].get_or_set(name, render, KEPT_SECONDS))
