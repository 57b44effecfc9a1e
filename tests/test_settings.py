"""Settings come from the environment: safe defaults, loud failures; and the system checks of config/checks.py."""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from pytest_django import Settings

from config import checks

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
SNIPPET = """
import json
import config.settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG, "SECRET_KEY": s.SECRET_KEY, "REDIS_URL": s.REDIS_URL, "BROKER": s.CELERY_BROKER_URL,
    "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "HOST": db.get("HOST"), "PORT": db.get("PORT"),
    "USER": db.get("USER"), "SITE_URL": s.SITE_URL, "CACHE": s.CACHES["default"],
    "CLIENT_ADDRESS": [s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT],
    "SSL_HEADER": s.SECURE_PROXY_SSL_HEADER, "SHARED": s.CACHES["shared"], "RATE": s.PUBLIC_PAGES_RATE_LIMIT,
}))
"""


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import config.settings in a fresh interpreter with only `env` (no .env file, nothing inherited)."""
    clean = {"PATH": os.environ["PATH"], "ENV_FILE": str(tmp_path / "absent.env"), **env}
    command = [sys.executable, "-c", SNIPPET]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def settings_values(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = load_settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout)  # the settings the child printed, as JSON
    return values


def test_debug_defaults_off(tmp_path: Path) -> None:
    assert settings_values(tmp_path, SECRET_KEY=STRONG_KEY)["DEBUG"] is False


def test_secret_key_required_when_debug_off(tmp_path: Path) -> None:
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("key", ["short-but-random-Qw3rTy", "ab" * 30, "django-insecure-" + secrets.token_urlsafe(50)])
def test_a_weak_secret_key_stops_start_up_when_debug_is_off(tmp_path: Path, key: str) -> None:
    result = load_settings(tmp_path, SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak: it needs 50 characters or more" in result.stderr
    assert key not in result.stderr  # the message names the variable, never its value
    assert settings_values(tmp_path, DEBUG="1", SECRET_KEY=key)["SECRET_KEY"] == key  # development: anything goes


def test_debug_on_runs_without_secret_key(tmp_path: Path) -> None:
    values = settings_values(tmp_path, DEBUG="1")
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"]


@pytest.mark.parametrize("name", ["DEBUG", "EMAIL_USE_TLS", "CELERY_TASK_ALWAYS_EAGER", "SECURE_COOKIES"])
def test_bad_boolean_fails_loudly(tmp_path: Path, name: str) -> None:
    result = load_settings(tmp_path, SECRET_KEY=STRONG_KEY, **{name: "maybe"})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must be true or false, not 'maybe'" in result.stderr


def test_bad_number_fails_loudly(tmp_path: Path) -> None:
    result = load_settings(tmp_path, SECRET_KEY=STRONG_KEY, EMAIL_PORT="twenty-five")
    assert "ImproperlyConfigured: EMAIL_PORT must be a whole number, not 'twenty-five'" in result.stderr


def test_the_client_address_comes_from_the_trusted_proxy_only_when_told(tmp_path: Path) -> None:
    assert settings_values(tmp_path, DEBUG="1")["CLIENT_ADDRESS"] == [["REMOTE_ADDR"], None]
    behind_one = settings_values(tmp_path, DEBUG="1", TRUSTED_PROXY_COUNT="1")["CLIENT_ADDRESS"]
    assert behind_one == [["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], 0]  # tests/test_login_lockout.py: what it does
    refused = load_settings(tmp_path, DEBUG="1", TRUSTED_PROXY_COUNT="-1")
    assert "ImproperlyConfigured: TRUSTED_PROXY_COUNT must be 0 or more, not -1" in refused.stderr


def test_the_proxy_ssl_header_is_named_as_the_proxy_sends_it(tmp_path: Path) -> None:
    assert settings_values(tmp_path, DEBUG="1")["SSL_HEADER"] is None
    named = settings_values(tmp_path, DEBUG="1", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")["SSL_HEADER"]
    assert named == ["HTTP_X_FORWARDED_PROTO", "https"]


def readme_production_env() -> dict[str, str]:
    """The variables README's "Running in production" exports, as a shell would read them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    env: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line, comments=True)[1:]:
                name, _, value = word.partition("=")
                env[name] = value
    return env


def test_check_deploy_is_clean_with_the_readmes_production_settings(tmp_path: Path) -> None:
    env = readme_production_env()
    assert "50" in env["SECRET_KEY"]  # the README's placeholder says how long; a real key replaces it here
    env["SECRET_KEY"] = STRONG_KEY
    clean = {"PATH": os.environ["PATH"], "ENV_FILE": str(tmp_path / "absent.env"), **env}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_postgres_database_url_is_parsed(tmp_path: Path) -> None:
    values = settings_values(tmp_path, DEBUG="1", DATABASE_URL="postgres://tracker:pw@db.internal:5433/tracker")
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert [values[key] for key in ("NAME", "HOST", "PORT", "USER")] == ["tracker", "db.internal", 5433, "tracker"]


def test_database_defaults_to_sqlite_under_var(tmp_path: Path) -> None:
    values = settings_values(tmp_path, DEBUG="1")
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(ROOT / "var" / "tracker.sqlite3")


def test_redis_url_default_is_the_local_server_and_the_broker(tmp_path: Path) -> None:
    values = settings_values(tmp_path, DEBUG="1")
    assert values["REDIS_URL"] == values["BROKER"] == "redis://127.0.0.1:6379/0"
    assert settings_values(tmp_path, DEBUG="1", REDIS_URL="redis://r:6379/3")["BROKER"] == "redis://r:6379/3"


def test_cache_is_memory_unless_cache_url_names_a_redis_server(tmp_path: Path) -> None:
    assert settings_values(tmp_path, DEBUG="1")["CACHE"]["BACKEND"].endswith("LocMemCache")
    shared = settings_values(tmp_path, DEBUG="1", CACHE_URL="redis://cache:6379/1")["CACHE"]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://cache:6379/1"
    refused = load_settings(tmp_path, DEBUG="1", CACHE_URL="memcached://cache:11211")
    assert refused.returncode != 0 and "CACHE_URL must be a redis://" in refused.stderr


def test_the_shared_cache_is_always_redis_cache_urls_or_else_the_brokers(tmp_path: Path) -> None:
    values = settings_values(tmp_path, DEBUG="1", REDIS_URL="redis://broker:6379/3")
    assert values["SHARED"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["SHARED"]["LOCATION"] == "redis://broker:6379/3"
    assert values["SHARED"]["KEY_PREFIX"]  # apart from Celery's keys in the same database
    shared = settings_values(tmp_path, DEBUG="1", CACHE_URL="redis://cache:6379/1")["SHARED"]
    assert shared["LOCATION"] == "redis://cache:6379/1"


@pytest.mark.parametrize(("raw", "rate"), [(None, "60/m"), ("", "60/m"), ("100/5m", "100/5m"), ("2/s", "2/s")])
def test_the_public_pages_rate_limit(tmp_path: Path, raw: str | None, rate: str) -> None:
    env = {} if raw is None else {"PUBLIC_PAGES_RATE_LIMIT": raw}
    assert settings_values(tmp_path, DEBUG="1", **env)["RATE"] == rate


@pytest.mark.parametrize("raw", ["60", "sixty/m", "60/week", "0/m", "60 per minute"])
def test_a_rate_limit_that_cannot_be_read_stops_start_up(tmp_path: Path, raw: str) -> None:
    result = load_settings(tmp_path, DEBUG="1", PUBLIC_PAGES_RATE_LIMIT=raw)
    assert result.returncode != 0
    assert "PUBLIC_PAGES_RATE_LIMIT must be a number of requests per period, such as 60/m" in result.stderr


def test_env_file_fills_gaps_but_never_overrides_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text("# a comment\nDEBUG=1\nSECRET_KEY='from the file'\nexport SITE_URL=https://t.example/\n")
    values = settings_values(tmp_path, ENV_FILE=str(env_file), SITE_URL="https://real.example")
    assert (values["DEBUG"], values["SECRET_KEY"]) == (True, "from the file")
    assert values["SITE_URL"] == "https://real.example"


def test_shell_scripts_read_the_env_file_like_the_settings(tmp_path: Path) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text('DEBUG=1\nREDIS_URL="redis://x:1/2"\n#SITE_URL=no\n')
    env = {"PATH": os.environ["PATH"], "ENV_FILE": str(env_file), "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "scripts/env_file.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\0") == ["REDIS_URL=redis://x:1/2", ""]


def test_env_example_documents_every_variable_the_settings_read() -> None:
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|rate)\("([A-Z_]+)"', settings_text))
    documented = set(re.findall(r"^#?([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read - documented - {"ENV_FILE"} == set()


def mailer(backend: str) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": backend}}


def production_like(settings: Settings) -> None:
    settings.DEBUG = False
    settings.MAILERS = mailer("django.core.mail.backends.smtp.EmailBackend")
    settings.SITE_URL = "https://tracker.example.gov.uk"
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_checks_are_quiet_for_a_production_configuration(settings: Settings) -> None:
    production_like(settings)
    assert [m.id for m in run_checks(tags=["tracker"])] == []


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("MAILERS", mailer("django.core.mail.backends.console.EmailBackend"), "tracker.W001"),
        ("MAILERS", mailer("django.core.mail.backends.locmem.EmailBackend"), "tracker.W001"),
        ("SITE_URL", "http://localhost:8000", "tracker.W002"),
        ("SITE_URL", "http://127.0.0.1", "tracker.W002"),
        ("CELERY_TASK_ALWAYS_EAGER", True, "tracker.W003"),
        # Behind a proxy (it says which requests came over HTTPS) yet no proxy trusted for the client's address.
        ("SECURE_PROXY_SSL_HEADER", ("HTTP_X_FORWARDED_PROTO", "https"), "tracker.W004"),
    ],
)
def test_checks_warn_about_development_settings_with_debug_off(
    settings: Settings, name: str, value: object, check_id: str
) -> None:
    production_like(settings)
    setattr(settings, name, value)
    assert [m.id for m in run_checks(tags=["tracker"])] == [check_id]


def test_checks_stay_quiet_in_debug(settings: Settings) -> None:
    settings.DEBUG = True
    settings.MAILERS = mailer("django.core.mail.backends.console.EmailBackend")
    settings.SITE_URL = "http://localhost:8000"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert checks.check_email_backend() + checks.check_site_url() + checks.check_celery_eager() == []


def test_the_wsgi_application_freezes_what_start_up_made() -> None:
    import gc

    import config.wsgi

    assert config.wsgi.application is not None
    assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way (config/wsgi.py)
    gc.unfreeze()  # leave the test process as it was
