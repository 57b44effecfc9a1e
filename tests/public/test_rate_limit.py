"""How fast one client may ask for the public pages, counted in the real Redis that every web worker shares."""

import logging

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from config.proxy import client_address_settings
from core.shared_cache import SHARED_CACHE
from tests.support.ports import free_port

from .conftest import PublicWorld

pytestmark = pytest.mark.services

# Per hour, not per minute: a test never straddles the end of a counting period (django-ratelimit's fixed windows).
THREE_AN_HOUR = "3/h"


@pytest.fixture
def three_an_hour(settings, redis_url: str) -> str:
    """The limit at three requests an hour, counted in the shared Redis (REDIS_URL's, or CACHE_URL's if set),
    which must answer: the URL of that Redis."""
    settings.PUBLIC_PAGES_RATE_LIMIT = THREE_AN_HOUR
    location: str = settings.CACHES[SHARED_CACHE]["LOCATION"]
    assert location in (redis_url, settings.CACHE_URL)
    assert redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    return location


def _get(client: Client, url: str, address: str, forwarded_for: str = "") -> int:
    """The status of a GET from `address` (through a proxy: the address the proxy says it came from)."""
    return int(client.get(url, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for).status_code)


def test_a_client_over_the_limit_gets_the_too_many_requests_page(
    public_world: PublicWorld, client: Client, three_an_hour: str, _own_shared_cache_keys: str
) -> None:
    home, inspection = reverse("public:home"), reverse("public:inspection", args=[public_world.published.pk])
    # One allowance for the whole section: two pages, three requests.
    assert [_get(client, url, "203.0.113.7") for url in (home, inspection, home)] == [200, 200, 200]
    refused = client.get(inspection, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Sorry, there have been too many requests" in page
    assert "Progress on inspection recommendations" in page  # the public layout, its navigation
    assert "Strengthen the vetting" not in page
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused["Cache-Control"] == "no-store"
    # Another client is counted apart.
    assert _get(client, home, "198.51.100.20") == 200
    # The counts are in Redis, under this test's prefix (tests/conftest.py), where every worker reads them.
    stored = redis.Redis.from_url(three_an_hour).keys(f"{_own_shared_cache_keys}:*:rl:*")
    assert len(stored) == 2


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(
    public_world: PublicWorld, client: Client, three_an_hour: str, settings
) -> None:
    for name, value in client_address_settings(1).items():  # TRUSTED_PROXY_COUNT=1: the README's TLS proxy
        setattr(settings, name, value)
    home = reverse("public:home")
    proxy = "10.0.0.1"
    assert [_get(client, home, proxy, "203.0.113.7") for _ in range(4)] == [200] * 3 + [429]
    # Another reader through the same proxy is not refused with the first.
    assert _get(client, home, proxy, "198.51.100.20") == 200


def test_a_redis_that_does_not_answer_limits_no_one(
    public_world: PublicWorld, client: Client, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PUBLIC_PAGES_RATE_LIMIT = "1/h"
    settings.CACHES = {
        **settings.CACHES,
        SHARED_CACHE: {**settings.CACHES[SHARED_CACHE], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
    }
    with caplog.at_level(logging.WARNING):
        statuses = [_get(client, reverse("public:home"), "203.0.113.9") for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "Kent, Surrey and Sussex" in client.get(reverse("public:home")).content.decode()  # read afresh
    assert "Rate limit: the shared cache did not answer; not limiting" in caplog.text


def test_the_shared_cache_is_redis_for_every_worker() -> None:
    shared = django_settings.CACHES[SHARED_CACHE]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert django_settings.RATELIMIT_USE_CACHE == SHARED_CACHE
