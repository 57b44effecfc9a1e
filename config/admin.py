"""The admin site: Django's, without the navigation sidebar.

Its views also refuse, with a 400 and a message, URL parameters that Django's admin would pass to the database
as they are and that the database (or Python) rejects with an error: a NUL character, a regular expression lookup,
a number past 64 bits (see bad_parameter).

The sidebar repeats the index page's list of every model on every admin page. Building it asks each model admin for
its permissions and reverses two URLs a model, and the reminder policy's "add" permission is a query: ~1 ms and a
query on every page (bench/). The index page and the breadcrumbs still lead to every model.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.signals import setting_changed
from django.db.models.constants import LOOKUP_SEP
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.templatetags.static import static

# Lookups the admin's own links never make, and which the database runs as they are: an invalid pattern is an error.
REFUSED_LOOKUPS = frozenset({"regex", "iregex"})
LARGEST_NUMBER = 2**63 - 1  # bigint; a larger year makes Django's date hierarchy raise OverflowError


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

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
        """Every admin page (Django's own and other apps' model admins too) refuses a bad parameter, once the
        person is known to be allowed in (Django's permission check runs first)."""

        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            problem = bad_parameter(request.GET)
            if problem is not None:
                context = {**self.each_context(request), "title": "Bad request", "problem": problem}
                return TemplateResponse(request, "admin/bad_request.html", context, status=400)
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)


def bad_parameter(query: QueryDict) -> str | None:
    """What is wrong with the first parameter of `query` that Django's admin would turn into a 500; None if none.

    The admin's changelist filters by any lookup its list filters allow, with the value from the URL: PostgreSQL
    refuses a NUL character in text and an invalid regular expression, and Django's date hierarchy converts the year
    with datetime(), which overflows past 64 bits. Other bad values (an unknown choice, a page past the last) Django
    already answers without an error.
    """
    for name, values in query.lists():
        for text in (name, *values):
            if "\x00" in text:
                return f"The address has a NUL character in “{name.replace(chr(0), '')}”. Remove it and try again."
        if REFUSED_LOOKUPS.intersection(name.split(LOOKUP_SEP)):
            return f"The admin does not filter by regular expressions (“{name}”). Use the search box instead."
        for value in values:
            digits = value.strip().lstrip("+-")
            if digits.isdecimal() and (len(digits) > 19 or int(digits) > LARGEST_NUMBER):  # 19: LARGEST's digits
                return f"The number given for “{name}” is too large."
    return None


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
