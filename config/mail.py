"""The default mailer (Django 6.1 MAILERS) from the EMAIL_* environment variables."""

from typing import Any

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def mailer_from_env(*, backend: str, smtp: dict[str, Any], file_path: str) -> dict[str, Any]:
    """A MAILERS entry: each backend takes only its own options (the SMTP ones would be refused elsewhere)."""
    options: dict[str, Any] = {}
    if backend == SMTP_BACKEND:
        options = {key: value for key, value in smtp.items() if value not in ("", None)}
    elif backend == FILE_BACKEND:
        options = {"file_path": file_path}
    return {"BACKEND": backend, "OPTIONS": options}
