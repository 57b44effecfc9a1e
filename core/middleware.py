"""The site's own middleware: the Django admin's Content Security Policy (see core/csp.py for why it differs), no
caching of what a signed-in person sees, and the bound on request bodies."""

from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control

from core.csp import ADMIN_POLICY


class AdminContentSecurityPolicyMiddleware:
    """Attach ADMIN_POLICY to responses under the admin's URL prefix.

    Must sit below django.middleware.csp.ContentSecurityPolicyMiddleware in MIDDLEWARE: that middleware reads
    ``response._csp_config`` (the attribute Django's own ``csp_override`` decorator sets) on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def admin_prefix(self) -> str | None:
        try:
            return reverse("admin:index")
        except NoReverseMatch:  # the admin is not mounted
            return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.admin_prefix and request.path.startswith(self.admin_prefix) and not hasattr(response, "_csp_config"):
            response._csp_config = ADMIN_POLICY  # type: ignore[attr-defined]  # Django's CSP middleware reads it; the stubs do not declare it
        return response


class PrivateWhenSignedInMiddleware:
    """Every response to a signed-in person (pages, exports, errors) is `Cache-Control: private, no-store`: what
    they see is scoped to them, so no shared cache may keep it, and no browser may write it to disk for the next
    person at the same computer. Directives a view set already (the admin's never_cache) are kept.

    Below AuthenticationMiddleware in MIDDLEWARE; what an anonymous visitor gets is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequestBodyLimitMiddleware:
    """Answer 413 (templates/413.html) to a request whose Content-Length is over ``MAX_REQUEST_BODY_MB``.

    It looks at the declared length only, so the body is never read: not parsed, not spooled to a temporary file.
    Django reads at most Content-Length bytes of a WSGI request, so a chunked body (no length) is never read at all.
    Must come after every middleware that could read the body; those in MIDDLEWARE read it only in their
    ``process_view``, which runs after this, so it is last there and its page has the usual headers and header bar.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.MAX_REQUEST_BODY_MB * 1024 * 1024:
            return render(request, "413.html", status=413)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # Django reads no body then
        return 0
