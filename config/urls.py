import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# Sign-in, sign-out and password change only: passwords are reset by Inspectorate staff in the admin.
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(auth_urlpatterns)),
    path("inspections/", include("recommendations.inspection_urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("recommendations.urls")),
]

if os.environ.get("BENCH_FLOOR_VIEW") == "1":  # benchmark runs only (bench/run.py): the floor page
    urlpatterns.append(path("bench/", include("bench.floor")))
