"""Read settings from the environment, failing loudly on values that cannot be right."""

import os
import re

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_RATE = re.compile(r"[1-9][0-9]*/[1-9]?[0-9]*[smhd]")


def env_rate(name: str, default: str) -> str:
    """A rate such as "60/m": requests per s, m, h or d (or per several: "100/5m"), as django-ratelimit reads it."""
    raw = os.environ.get(name, "").strip() or default
    if not _RATE.fullmatch(raw):
        raise ImproperlyConfigured(f"{name} must be a number of requests per period, such as 60/m, not {raw!r}")
    return raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def weak_secret_key(key: str) -> bool:
    """Django's rule for a secret key (check --deploy's security.W009), which start-up enforces with DEBUG off."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


def load_env_file(path: str) -> None:
    """Read KEY=VALUE lines from `path` if it exists; the real environment always wins over the file."""
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            key, sep, value = line.strip().removeprefix("export ").partition("=")
            if sep and key.strip() and not key.lstrip().startswith("#"):
                os.environ.setdefault(key.strip(), _unquote(value.strip()))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
