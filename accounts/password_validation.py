"""A password rule of the tracker's own, beside Django's (AUTH_PASSWORD_VALIDATORS in config/settings.py)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class NotTheCurrentPasswordValidator:
    """A new password may not be the one the person has now: a change that keeps it changes nothing.

    Django runs the validators wherever a password is set through a form (the person's own change page, the admin's
    "change password" page), with the person as they are before the change. The hash is compared without
    User.check_password, which would save the person when it updates an old hash.
    """

    message = "Your new password must be different from your current password."

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        current = user.password if user is not None else None
        if current and check_password(password, current):
            raise ValidationError(self.message, code="password_unchanged")

    def get_help_text(self) -> str:
        return "Your new password must be different from your current password."
