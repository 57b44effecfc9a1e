"""The admin's form for adding a person, and Django's password reset form reaching people who have no password yet."""

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

from accounts.models import User

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
EMAIL_TEMPLATE = "registration/password_reset_email.txt"


class PersonCreationForm(forms.ModelForm[User]):
    """A new person: who they are and what they answer for, but no password. They choose their own from the
    set-your-password email, so that nobody else ever knows it. The role and region are checked by User.clean."""

    send_email = forms.BooleanField(
        label="Send them a set-your-password email now",
        required=False,
        initial=True,
        help_text="They choose their own password from the link in it. You can send another from their page.",
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "region")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):  # a person is named in pages and emails, and emailed
            self.fields[name].required = True

    def clean_username(self) -> str:
        # Django's own user creation form refuses a username that differs only in case from another's.
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("Someone already has this username.", code="unique")
        return username

    def save(self, commit: bool = True) -> User:
        person = super().save(commit=False)
        person.set_unusable_password()
        if commit:
            person.save()
        return person


def _folded(email: str) -> str:
    # As Django's PasswordResetForm compares addresses: the database's case-insensitive match is only a first sieve.
    return unicodedata.normalize("NFKC", email).casefold()


class SetYourPasswordForm(PasswordResetForm):
    """Django's password reset form, for the "Forgotten your password?" page and for staff's "Send a set-your-password
    email" alike. Unlike Django's, it also reaches active people who have never had a password (staff add people
    without one), so that a new person whose first link has expired can ask for another.

    `person` narrows it to one person, for staff sending the email to someone who shares an address with others."""

    def __init__(self, *args: Any, person: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def get_users(self, email: str) -> Iterator[User]:
        people = User.objects.filter(email__iexact=email, is_active=True)
        if self.person is not None:
            people = people.filter(pk=self.person.pk)
        return (person for person in people if _folded(person.email) == _folded(email))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Links go to SITE_URL, as reminders' do, rather than to whatever host the request named.
        days = settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)
        context = {**context, "site_url": settings.SITE_URL, "link_days": days}
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
        )
