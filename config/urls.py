import os

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("inspections/", include("inspections.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("recommendations.urls")),
]

if os.environ.get("BENCH_FLOOR_VIEW") == "1":  # benchmark runs only (bench/run.py): the floor page
    urlpatterns.append(path("bench/", include("bench.floor")))
