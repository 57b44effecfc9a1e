"""Give the Django admin its own Content Security Policy (see config/csp.py for why it differs)."""

from collections.abc import Callable
from functools import cached_property

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from config.csp import ADMIN_POLICY


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
            response._csp_config = ADMIN_POLICY
        return response
