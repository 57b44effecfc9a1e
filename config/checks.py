"""System checks that warn when a production (DEBUG off) deployment still has development settings, or a proxy in
front that the login lock-out does not know about."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

_DEV_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def email_backend() -> str:
    """The default mailer's backend (settings.MAILERS, built from EMAIL_BACKEND in config/settings.py)."""
    backend: str = settings.MAILERS.get("default", {}).get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    return backend


@register("tracker")
def check_email_backend(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    if settings.DEBUG or (backend := email_backend()) not in _DEV_EMAIL_BACKENDS:
        return []
    return [
        Warning(
            f"The email backend is {backend} with DEBUG off: reminders will never reach anyone.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST settings.",
            id="tracker.W001",
        )
    ]


@register("tracker")
def check_site_url(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    if settings.DEBUG or urlsplit(settings.SITE_URL).hostname not in _LOCAL_HOSTS:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL} with DEBUG off: links in emails will point at the recipient's machine.",
            hint="Set SITE_URL to the public address of the tracker, e.g. https://tracker.example.gov.uk.",
            id="tracker.W002",
        )
    ]


@register("tracker")
def check_celery_eager(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    if settings.DEBUG or not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    return [
        Warning(
            "CELERY_TASK_ALWAYS_EAGER is on with DEBUG off: tasks run inside web requests and never retry.",
            hint="Unset CELERY_TASK_ALWAYS_EAGER and run a Celery worker and beat.",
            id="tracker.W003",
        )
    ]


@register("tracker")
def check_trusted_proxy(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """A proxy that says which requests came over HTTPS is in front of the site; then every request comes from its
    address, and a lock-out keyed to that address locks every person out at once (config/proxy.py)."""
    if settings.DEBUG or not settings.SECURE_PROXY_SSL_HEADER or settings.TRUSTED_PROXY_COUNT:
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER is set but TRUSTED_PROXY_COUNT is 0: the login lock-out counts every client as "
            "the proxy's address, so failures from anyone lock the same username out for everyone.",
            hint="Set TRUSTED_PROXY_COUNT to the number of reverse proxies in front of the site (README: 1).",
            id="tracker.W004",
        )
    ]
