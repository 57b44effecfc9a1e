"""The floor of the benchmark: the cheapest signed-in page (session + user lookups, nothing else).

Mounted at /bench/floor/ only when BENCH_FLOOR_VIEW=1 (see config/urls.py); every page is reported as a ratio to it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


app_name = "bench"
urlpatterns = [path("floor/", floor, name="floor")]
