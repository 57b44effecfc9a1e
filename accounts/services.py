"""Changes to people that staff make in the admin: deactivating them and sending them a set-your-password email."""

from collections.abc import Iterable

from django.http import HttpRequest

from accounts.forms import EMAIL_TEMPLATE, SUBJECT_TEMPLATE, SetYourPasswordForm
from accounts.models import User


def send_set_your_password_email(person: User, request: HttpRequest) -> bool:
    """Email `person` a link to choose a new password: Django's password reset, as from the "Forgotten your
    password?" page. False, and nothing sent, for someone inactive or without an email address."""
    form = SetYourPasswordForm({"email": person.email}, person=person)
    if not (person.is_active and form.is_valid()):
        return False
    form.save(request=request, subject_template_name=SUBJECT_TEMPLATE, email_template_name=EMAIL_TEMPLATE)
    return True


def deactivate(people: Iterable[User]) -> list[User]:
    """Deactivate `people`, never delete them: what they did stays in the history under their name, and they can no
    longer sign in, own recommendations or be sent reminders. Returns those who were active."""
    deactivated = [person for person in people if person.is_active]
    for person in deactivated:
        person.is_active = False
        person.save(update_fields=["is_active"])
    return deactivated
