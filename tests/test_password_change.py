"""People change their own password in a GOV.UK page (the reset by email is in tests/test_people.py)."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_person_changes_their_password(client) -> None:
    person = make_user(username="lead", password="old-password-2026")
    client.force_login(person)

    page = client.get(reverse("password_change"))
    done = client.post(
        reverse("password_change"),
        {"old_password": "old-password-2026", "new_password1": "Brand-new-pw-9", "new_password2": "Brand-new-pw-9"},
    )

    assert page.status_code == 200 and b"govuk-template" in page.content
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    person.refresh_from_db()
    assert person.check_password("Brand-new-pw-9")


def test_a_wrong_current_password_changes_nothing(client) -> None:
    person = make_user(username="lead", password="old-password-2026")
    client.force_login(person)

    page = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "Brand-new-pw-9", "new_password2": "Brand-new-pw-9"},
    )

    assert page.status_code == 200 and b"govuk-error-summary" in page.content
    person.refresh_from_db()
    assert person.check_password("old-password-2026")


def test_the_new_password_may_not_be_the_current_one(client) -> None:
    person = make_user(username="lead", password="old-password-2026")
    client.force_login(person)
    before = person.password

    same = "old-password-2026"
    page = client.post(reverse("password_change"), {"old_password": same, "new_password1": same, "new_password2": same})

    assert page.status_code == 200 and b"govuk-error-summary" in page.content
    assert "Your new password must be different from your current password." in page.content.decode()
    person.refresh_from_db()
    assert person.password == before  # not even saved again


def test_staff_setting_a_password_in_the_admin_may_not_keep_the_current_one(client) -> None:
    person = make_user(username="lead", password="old-password-2026")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    page = client.post(url, {"password1": "old-password-2026", "password2": "old-password-2026"})

    assert page.status_code == 200
    assert "Your new password must be different from your current password." in page.content.decode()
    ok = client.post(url, {"password1": "Brand-new-pw-9", "password2": "Brand-new-pw-9"})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Brand-new-pw-9")
