"""Which real services the tests need, and whether they answer."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

from config.env import env_bool

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def services_required() -> bool:
    """CI and REQUIRE_SERVICES=1 turn a missing service into a failed run, never a skip."""
    return env_bool("CI") or env_bool("REQUIRE_SERVICES")


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def uses_postgres(url: str | None = None) -> bool:
    return urlsplit(database_url() if url is None else url).scheme in POSTGRES_SCHEMES


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_problem(url: str) -> str | None:
    """None when Redis answers PING at `url`, else what went wrong."""
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError) as error:
        return f"Redis does not answer PING at {url}: {error}"
    return None


def postgres_problem(url: str) -> str | None:
    """None when the PostgreSQL server of `url` accepts a connection, else what went wrong.

    It connects to the `postgres` maintenance database: the test database does not exist yet, and pytest-django
    creates it from there, as Django does."""
    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL does not accept connections at {parts.hostname}:{parts.port or 5432}: {error}"


def missing_services() -> list[str]:
    """What is wrong with the services this run needs (PostgreSQL only when DATABASE_URL names it)."""
    problems = [redis_problem(redis_url())]
    if uses_postgres():
        problems.append(postgres_problem(database_url()))
    return [problem for problem in problems if problem]
