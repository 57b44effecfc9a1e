"""The admin site: Django's, without the navigation sidebar.

The sidebar repeats the index page's list of every model on every admin page. Building it asks each model admin for
its permissions and reverses two URLs a model, and the reminder policy's "add" permission is a query: ~1 ms and a
query on every page (bench/). The index page and the breadcrumbs still lead to every model.
"""

import functools
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static


class TrackerAdminSite(AdminSite):
    enable_nav_sidebar = False

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """Django's each_context without building the app list that only the sidebar reads (available_apps)."""
        if self.enable_nav_sidebar:
            return super().each_context(request)
        script_name = request.META["SCRIPT_NAME"]
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": script_name if self.site_url == "/" and script_name else self.site_url,
            "has_permission": self.has_permission(request),
            "available_apps": [],
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "log_entries": self.get_log_entries(request),
        }


@functools.cache
def static_url(path: str) -> str:
    """{% static path %}, converted once a process: the storage's answer is fixed until the settings change (the
    manifest is read at start-up), and asking it costs ~15 µs a path, a dozen and more paths an admin page."""
    return static(path)


@receiver(setting_changed)
def _forget_static_urls(setting: str, **kwargs: Any) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "DEBUG"):
        static_url.cache_clear()


class TrackerAdminConfig(AdminConfig):
    default_site = "config.admin.TrackerAdminSite"
