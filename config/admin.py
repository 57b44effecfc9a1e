"""The admin site: Django's, without the navigation sidebar.

Its views also refuse, with a 400 and a message, URL parameters that Django's admin would pass to the database
as they are and that the database (or Python) rejects with an error: a NUL character, a regular expression lookup,
a number past 64 bits (see bad_parameter).

The sidebar repeats the index page's list of every model on every admin page; the index page and the breadcrumbs
already lead to every model.
"""

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse

# Lookups the admin's own links never make, and which the database runs as they are: an invalid pattern is an error.
REFUSED_LOOKUPS = frozenset({"regex", "iregex"})
LARGEST_NUMBER = 2**63 - 1  # bigint; a larger year makes Django's date hierarchy raise OverflowError


class TrackerAdminSite(AdminSite):
    enable_nav_sidebar = False

    def admin_view[View: Callable[..., Any]](self, view: View, cacheable: bool = False) -> View:
        """Every admin page (Django's own and other apps' model admins too) refuses a bad parameter, once the
        person is known to be allowed in (Django's permission check runs first)."""

        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            problem = bad_parameter(request.GET)
            if problem is not None:
                context = {**self.each_context(request), "title": "Bad request", "problem": problem}
                return TemplateResponse(request, "admin/bad_request.html", context, status=400)
            response: HttpResponse = view(request, *args, **kwargs)  # a view's result; View only says Callable
            return response

        return super().admin_view(cast(View, checked), cacheable)


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


class TrackerAdminConfig(AdminConfig):
    default_site = "config.admin.TrackerAdminSite"
