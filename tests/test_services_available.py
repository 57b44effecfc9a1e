"""The real services answer, and scripts/ensure_redis.py finds, starts and stops Redis as `make run` needs."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.support.ports import free_port
from tests.support.services import redis_problem, uses_postgres

ROOT = Path(__file__).resolve().parent.parent
ENSURE_REDIS = ROOT / "scripts" / "ensure_redis.py"
pytestmark = pytest.mark.services


def test_redis_answers_ping_set_and_get(redis_url: str) -> None:
    key = f"tests:services:{uuid.uuid4().hex}"
    with redis.Redis.from_url(redis_url) as client:
        assert client.ping()
        client.set(key, "here", ex=60)
        assert client.get(key) == b"here"
        client.delete(key)


@pytest.mark.django_db
def test_database_is_the_one_database_url_names() -> None:
    assert connection.vendor == ("postgresql" if uses_postgres() else "sqlite")


def ensure_redis(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": os.environ["PATH"] if path is None else path}
    command = [sys.executable, str(ENSURE_REDIS), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def dead_url(db: int = 0) -> str:
    return f"redis://127.0.0.1:{free_port()}/{db}"


@pytest.mark.parametrize("fixture", ["redis_url", "private_redis"])
def test_ensure_redis_keeps_a_redis_that_answers(request: pytest.FixtureRequest, tmp_path: Path, fixture: str) -> None:
    url = request.getfixturevalue(fixture)
    result = ensure_redis("--url", url, "--var-dir", str(tmp_path))
    assert (result.returncode, result.stdout.strip()) == (0, url)
    assert not (tmp_path / "redis" / "url").exists()


def test_ensure_redis_explains_when_redis_is_down_and_not_installed(tmp_path: Path) -> None:
    url = dead_url()
    result = ensure_redis("--url", url, "--var-dir", str(tmp_path), path=str(tmp_path))  # no redis-server on PATH
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"Redis is not running at {url} and redis-server is not installed. Install it with: sudo apt-get install "
        "redis-server (Debian/Ubuntu) or brew install redis (macOS), or set REDIS_URL."
    )


def test_ensure_redis_starts_reuses_and_stops_a_private_server(tmp_path: Path) -> None:
    url = dead_url(db=5)
    try:
        started = ensure_redis("--url", url, "--var-dir", str(tmp_path))
        private = started.stdout.strip()
        assert started.returncode == 0, started.stderr
        assert private != url and private.startswith("redis://127.0.0.1:") and private.endswith("/5")
        assert redis_problem(private) is None
        assert ensure_redis("--url", url, "--var-dir", str(tmp_path)).stdout.strip() == private
    finally:
        stopped = ensure_redis("--stop", "--var-dir", str(tmp_path))
    assert stopped.returncode == 0
    assert redis_problem(private) is not None
    assert not (tmp_path / "redis" / "url").exists()


def run_child_pytest(test_id: str, **env: str) -> subprocess.CompletedProcess[str]:
    child_env = {k: v for k, v in os.environ.items() if k not in {"CI", "REQUIRE_SERVICES"}}
    command = [sys.executable, "-m", "pytest", test_id, "-p", "no:cacheprovider", "-q"]
    return subprocess.run(command, cwd=ROOT, env={**child_env, **env}, capture_output=True, text=True, timeout=120)


def test_required_services_down_stops_the_run_instead_of_skipping() -> None:
    result = run_child_pytest("tests/test_settings.py::test_debug_defaults_off", REDIS_URL=dead_url(), CI="true")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Services required by CI/REQUIRE_SERVICES are down" in result.stdout + result.stderr


def test_redis_down_fails_the_tests_that_need_it_even_outside_ci() -> None:
    test_id = "tests/test_services_available.py::test_redis_answers_ping_set_and_get"
    result = run_child_pytest(test_id, REDIS_URL=dead_url())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout and "skipped" not in result.stdout
