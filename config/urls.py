import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views

# Sign-in, sign-out, password change, and Django's password reset: "Forgotten your password?" on the sign-in page,
# and the set-your-password email that Inspectorate staff send from the admin (accounts/services.py).
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/forgotten/", accounts_views.ForgottenPasswordView.as_view(), name="password_reset"),
    path("password/forgotten/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", accounts_views.SetYourPasswordView.as_view(), name="password_reset_confirm"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(auth_urlpatterns)),
    path("inspections/", include("recommendations.inspection_urls")),
    path("reminders/", include("reminders.urls")),
    path("public/", include("recommendations.public_urls")),  # no sign-in
    path("", include("recommendations.urls")),
]

if os.environ.get("BENCH_FLOOR_VIEW") == "1":  # benchmark runs only (bench/run.py): the floor page
    urlpatterns.append(path("bench/", include("bench.floor")))
