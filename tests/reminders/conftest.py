"""Fixtures for the reminder tests (service fixtures such as private_redis come from tests/conftest.py)."""

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from accounts.models import User
from inspections.models import Region
from reminders.models import ReminderPolicy
from tests.reminders.support import (
    FAST,
    SITE_URL,
    Outbox,
    RecordingHandler,
    SMTPServer,
    Worker,
    make_lead,
    make_person,
    make_region,
    outbox_beat,
    prefer,
    worker_env,
)
from tests.support.services import services_required

NEEDS_POSTGRES = (
    "needs PostgreSQL: the worker process and the concurrent sweeps must share the test's database (SQLite's "
    "test database lives in memory, and row locks are no-ops there). "
    "Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_reminders"
)


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> str:
    settings.SITE_URL = SITE_URL
    return SITE_URL


@pytest.fixture
def policy() -> ReminderPolicy:
    """The seeded policy (created again if a transactional test flushed it)."""
    return ReminderPolicy.objects.get_or_create(singleton=True)[0]


@pytest.fixture
def region() -> Region:
    return make_region()


@pytest.fixture
def lead(region: Region) -> User:
    """The region's Inspectorate lead (default preferences: Monday to Friday)."""
    return make_lead(region, first_name="Lena", email="lead@example.test")


@pytest.fixture
def owner(region: Region) -> User:
    """A regional lead who owns recommendations and takes a digest every day."""
    person = make_person(region=region, first_name="Olu", email="owner@example.test")
    prefer(person)
    return person


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor == "postgresql":
        return
    if services_required():
        pytest.fail(NEEDS_POSTGRES)
    pytest.skip(NEEDS_POSTGRES)


@pytest.fixture
def smtp_handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp_server(smtp_handler: RecordingHandler) -> Iterator[SMTPServer]:
    with SMTPServer(smtp_handler) as server:
        yield server


@pytest.fixture
def worker_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "worker"
    directory.mkdir()
    return directory


@pytest.fixture
def queue() -> str:
    return f"reminders-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(
    worker_dir: Path, queue: str, private_redis: str, transactional_db: None
) -> Iterator[Callable[..., Worker]]:
    """Make workers on our queue and private Redis; all stopped before the test database is flushed."""
    made: list[Worker] = []

    def make(smtp_port: int, pool: str = "solo", **env: str) -> Worker:
        worker = Worker(worker_dir, worker_env(redis_url=private_redis, queue=queue, smtp_port=smtp_port, **env), queue)
        worker.pool = pool
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()


@pytest.fixture
def fast_worker(workers: Callable[..., Worker]) -> Callable[..., Worker]:
    """fast_worker(smtp_port, **env): a worker with FAST's short waits (support.py) and `env` on top, started.
    The fault tests' first step: then `with outbox():`, and worker.wait_then_settle(...) for what must arrive once."""

    def start(smtp_port: int, **env: str) -> Worker:
        worker = workers(smtp_port, **{**FAST, **env})
        worker.start()
        return worker

    return start


@pytest.fixture
def outbox(private_redis: str, queue: str) -> Outbox:
    """`with outbox():` beat publishes the outbox task on the test's queue and Redis every half second meanwhile.
    (A test that restarts its Redis restarts this one: private_redis is private_redis_process's.)"""
    return lambda: outbox_beat(private_redis, queue)
