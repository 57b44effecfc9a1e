"""The public pages, under /public/ and the URL namespace "public": no sign-in (recommendations/views/public.py)."""

from django.urls import path

from recommendations.views import public

app_name = "public"

urlpatterns = [
    path("", public.public_home, name="home"),
    path("inspections/<int:pk>/", public.public_inspection, name="inspection"),
    path("implementation-rates/", public.public_rates, name="rates"),
]
