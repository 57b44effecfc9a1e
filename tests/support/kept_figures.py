"""Forget the figures kept in the shared Redis, as an emptied Redis would (core/shared_cache.py: kept_figures)."""

import redis
from django.conf import settings

from core.shared_cache import SHARED_CACHE


def forget_kept_figures() -> int:
    """Delete this test's kept figures (its own key prefix: tests/conftest.py); how many were deleted. Only they go:
    emptying the Redis database would take the public pages' entries and Celery's queues with them."""
    shared = settings.CACHES[SHARED_CACHE]
    client = redis.Redis.from_url(str(shared["LOCATION"]), socket_connect_timeout=1, socket_timeout=1)
    keys = list(client.scan_iter(match=f"{shared['KEY_PREFIX']}:*figures:*"))
    return client.delete(*keys) if keys else 0
