"""Shared fixtures: the services, and the Inspectorate colleague signed in to the admin that several test modules
use. Helpers live in tests/support/."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.test import Client

from accounts.models import User
from core.shared_cache import SHARED_CACHE
from tests.factories import make_staff
from tests.support import templates
from tests.support.redis_server import RedisServer, private_redis_instance
from tests.support.services import missing_services, redis_problem, services_required
from tests.support.services import redis_url as configured_redis_url

# Before any template is loaded (Django builds its engines on first use): the Jinja2 pages tell the test client
# what they rendered, as Django's own templates do.
settings.TEMPLATES[0]["BACKEND"] = f"{templates.__name__}.RecordingJinja2"


def pytest_sessionstart(session: pytest.Session) -> None:
    """With CI or REQUIRE_SERVICES set, a missing service stops the whole run (non-zero), never a skip."""
    if services_required() and (problems := missing_services()):
        pytest.exit("Services required by CI/REQUIRE_SERVICES are down:\n  " + "\n  ".join(problems), returncode=3)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """REDIS_URL, verified with PING. The product needs Redis, so a dead Redis fails the test instead of skipping."""
    url = configured_redis_url()
    if problem := redis_problem(url):
        pytest.fail(f"{problem}. Start Redis (make run/make test start a private one) or set REDIS_URL.")
    return url


@pytest.fixture
def private_redis_process(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server on a free loopback port (nothing saved), which a test may restart. Killed at teardown."""
    with private_redis_instance(tmp_path) as server:
        yield server


@pytest.fixture
def private_redis(private_redis_process: RedisServer) -> str:
    """The URL of a private redis-server (see private_redis_process)."""
    return private_redis_process.url


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with empty caches of its process (the dashboard's counts, the kept filter panels), whatever
    ran before it."""
    from django.core.cache import cache, caches

    from core.fragments import FRAGMENTS_CACHE

    for each in (cache, caches[FRAGMENTS_CACHE]):
        each.clear()
    yield
    for each in (cache, caches[FRAGMENTS_CACHE]):
        each.clear()


@pytest.fixture(autouse=True)
def _own_shared_cache_keys() -> Iterator[str]:
    """Each test has keys of its own in the shared Redis (the public pages' data, the rate limit's counts), deleted
    afterwards: Redis keeps keys between tests and runs, and emptying its database would empty Celery's queues.

    The prefix is set in place and the cache connections of every thread (the live server's too) are dropped as
    override_settings drops them, at set-up only: dropped again at teardown, they would take with them what a test's
    monkeypatch set on the default cache, before monkeypatch (set up earlier by pytest-django) puts it back."""
    prefix = f"test-{uuid.uuid4().hex}"
    shared = settings.CACHES[SHARED_CACHE]
    shared["KEY_PREFIX"] = prefix
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    yield prefix
    try:
        client = redis.Redis.from_url(str(shared["LOCATION"]), socket_connect_timeout=1, socket_timeout=1)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # no Redis, no keys (the tests that need it ask for the redis_url fixture and fail)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The production hasher takes seconds per password on a 2-core machine; tests only need it to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff() -> User:
    """An Inspectorate colleague with the admin (a module or folder may define its own `staff`)."""
    return make_staff(first_name="Isla", last_name="Inspector")


@pytest.fixture
def staff_client(client: Client, staff: User) -> Client:
    client.force_login(staff)
    return client
