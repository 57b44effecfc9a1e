"""The public pages: no sign-in, read-only, the same for everyone. What they show is decided in
recommendations/public_selectors.py (and permissions.public_inspections); each is rate limited per client
(core/rate_limit.py) and may be kept a short while by browsers and shared caches."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from core.pagination import page_number
from core.rate_limit import limit_rate
from recommendations import public_selectors as selectors

# How long a browser or a proxy may keep a public page: short, so that a withdrawn inspection soon disappears there
# too (the server's own cache lets go of it at once: core/shared_cache.py).
BROWSER_CACHE_SECONDS = 60
RATE_GROUP = "public-pages"  # one allowance per client for the whole section
TOO_MANY_REQUESTS = "public/too_many_requests.html"


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET or HEAD only, rate limited, and cacheable by anyone for BROWSER_CACHE_SECONDS (signed-in people get
    `private, no-store` from core.middleware.PrivateWhenSignedInMiddleware instead, as on every page)."""

    def cacheable(request: HttpRequest, /, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # not a 404: the inspection may be put on the public pages any moment
            patch_cache_control(response, public=True, max_age=BROWSER_CACHE_SECONDS)
        return response

    return require_safe(limit_rate(RATE_GROUP, template=TOO_MANY_REQUESTS)(cacheable))


@_public
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {"inspections": selectors.public_inspections()})


@_public
def public_rates(request: HttpRequest) -> HttpResponse:
    return render(request, "public/rates.html", {"rates": selectors.public_implementation_rates()})


@_public
def public_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        number = page_number(request.GET.get("page"))
    except Http404:  # not a page number: "Page not found" in the public pages' layout, as for no such page
        number = None
    page = selectors.public_inspection_page(pk, number) if number else None
    if page is None:  # never put there, withdrawn, no such inspection, or no such page: all look alike
        return render(request, "public/not_found.html", status=404)
    return render(request, "public/inspection.html", {"page": page})
