"""App config for the project package itself: it exists only to register the system checks in config/checks.py."""

from django.apps import AppConfig


class ConfigAppConfig(AppConfig):
    name = "config"
    label = "tracker_config"
    verbose_name = "Project configuration"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (importing registers the checks)
