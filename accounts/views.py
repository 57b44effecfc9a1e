"""Django's password reset pages, with what the tracker adds: its own form and email, and an end to a lock-out."""

from typing import Any

from axes.utils import reset as reset_lockouts
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpResponse

from accounts.forms import EMAIL_TEMPLATE, SUBJECT_TEMPLATE, SetYourPasswordForm
from accounts.models import User


class ForgottenPasswordView(auth_views.PasswordResetView):
    """'Forgotten your password?': the same email as staff send from the admin (accounts/services.py)."""

    form_class = SetYourPasswordForm
    subject_template_name = SUBJECT_TEMPLATE
    email_template_name = EMAIL_TEMPLATE


class SetYourPasswordView(auth_views.PasswordResetConfirmView):
    """The link in the email: the person chooses a password, then signs in with it."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The password rules as plain text for the field's hint (the form's help text is a list in HTML).
        return {**super().get_context_data(**kwargs), "password_rules": " ".join(password_validators_help_texts())}

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        # They have just shown they own the account: failed sign-ins (django-axes) no longer lock them out.
        reset_lockouts(username=form.user.get_username())
        return response
