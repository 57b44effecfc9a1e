"""Inspectorate staff manage people in the admin: add them, deactivate them, send them a set-your-password email.

Nobody but a superuser deletes a person, makes a superuser, changes one, or sets Django's permissions; the
set-your-password email is Django's password reset, also reached from the sign-in page."""

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User, region_refusal
from tests.factories import SOUTH_CENTRAL, make_region, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")
ADD = reverse("admin:accounts_user_add")
NEW_PASSWORD = "A-brand-new-password-2026"


def change_url(person: User) -> str:
    return reverse("admin:accounts_user_change", args=[person.pk])


def new_person(**changes: Any) -> dict[str, Any]:
    """What the admin's add form posts for the North West's new regional lead."""
    region = make_region(SOUTH_CENTRAL)
    data = {
        "username": "nw.lead",
        "first_name": "Nia",
        "last_name": "West",
        "email": "nia.west@example.gov.uk",
        "role": Role.REGIONAL_LEAD,
        "region": region.pk,
        "send_email": "on",
        "_save": "Save",
    }
    return {**data, **changes}


def change_data(person: User, **changes: Any) -> dict[str, Any]:
    """What a staff member's change form posts for `person`, unchanged, with `changes` on top."""
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "region": person.region_id or "",
        "is_active": "on" if person.is_active else "",
        "is_staff": "on" if person.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": person.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
    }
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/accounts/password/set/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def set_password_by_link(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    """Follow the emailed link as Django's flow does: the token moves into the session, then the form is posted."""
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "http://testserver"


# --- the admin's people pages, for Inspectorate staff ---


def test_staff_find_people_in_the_admin_and_may_add_one(staff_client: Client) -> None:
    index = staff_client.get(reverse("admin:index")).content.decode()

    assert f'href="{CHANGELIST}"' in index
    assert staff_client.get(CHANGELIST).status_code == 200
    add = staff_client.get(ADD)
    assert add.status_code == 200 and "Send them a set-your-password email now" in add.content.decode()


def test_staff_add_a_regional_lead_who_is_sent_a_set_your_password_email(staff_client: Client) -> None:
    response = staff_client.post(ADD, new_person())

    person = User.objects.get(username="nw.lead")
    assert response.status_code == 302
    assert (person.get_full_name(), person.role, person.region) == ("Nia West", "regional_lead", make_region("N59"))
    assert not person.is_superuser and not person.is_staff and person.is_active
    assert not person.has_usable_password()  # nobody but them will know it
    [message] = mail.outbox
    assert message.to == ["nia.west@example.gov.uk"]
    assert message.subject == "Set your password for the recommendation tracker"
    assert "Your username is nw.lead." in message.body


def test_the_new_person_sets_their_password_from_the_email_and_signs_in(staff_client: Client) -> None:
    staff_client.post(ADD, new_person())
    link = link_in(mail.outbox[0])

    browser = Client()
    done = set_password_by_link(browser, link)

    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert browser.post(reverse("login"), {"username": "nw.lead", "password": NEW_PASSWORD}).status_code == 302
    assert not Client().get(link, follow=True).context["validlink"]  # the link works once


def test_adding_without_the_email_sends_none(staff_client: Client) -> None:
    staff_client.post(ADD, new_person(send_email=""))

    assert User.objects.filter(username="nw.lead").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("role", "region", "error"),
    [
        (Role.REGIONAL_LEAD, "", "Choose the region this regional lead answers for."),
        (Role.HMPPS_LEAD, "region", "Only a regional lead has a region: leave it empty for this role."),
        (Role.INSPECTORATE, "region", "Only a regional lead has a region: leave it empty for this role."),
    ],
)
def test_the_region_goes_with_the_role_when_adding(staff_client: Client, role: str, region: str, error: str) -> None:
    data = new_person(role=role)
    if not region:
        del data["region"]

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"region": [error]}
    assert not User.objects.filter(username="nw.lead").exists()


def test_the_region_goes_with_the_role_when_changing(staff_client: Client) -> None:
    lead = make_user(Role.REGIONAL_LEAD)

    response = staff_client.post(change_url(lead), change_data(lead, role=Role.HMPPS_LEAD))

    assert response.context["adminform"].form.errors == {"region": [region_refusal(Role.HMPPS_LEAD, 1)]}
    assert staff_client.post(change_url(lead), change_data(lead, role=Role.HMPPS_LEAD, region="")).status_code == 302
    lead.refresh_from_db()
    assert (lead.role, lead.region) == (Role.HMPPS_LEAD, None)


def test_the_model_says_the_same_to_every_other_path() -> None:
    person = User(username="someone", role=Role.HMPPS_LEAD, region=make_region())
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict["region"] == ["Only a regional lead has a region: leave it empty for this role."]


def test_the_username_is_unique_whatever_its_case(staff_client: Client) -> None:
    make_user(username="nw.lead")

    response = staff_client.post(ADD, new_person(username="NW.Lead"))

    assert response.context["adminform"].form.errors == {"username": ["Someone already has this username."]}


# --- no escalation ---


def test_posting_superuser_staff_groups_or_permissions_when_adding_changes_nothing(staff_client: Client) -> None:
    group = Group.objects.create(name="Everything")
    everything = Permission.objects.get(codename="delete_user")

    staff_client.post(
        ADD, new_person(is_superuser="on", is_staff="on", groups=[group.pk], user_permissions=[everything.pk])
    )

    person = User.objects.get(username="nw.lead")
    assert (person.is_superuser, person.is_staff) == (False, False)
    assert not person.groups.exists() and not person.user_permissions.exists()


def test_posting_superuser_groups_or_permissions_when_changing_changes_nothing(staff_client: Client) -> None:
    person = make_user(Role.INSPECTORATE, first_name="Colleague")
    group = Group.objects.create(name="Everything")
    everything = Permission.objects.get(codename="delete_user")

    response = staff_client.post(
        change_url(person),
        change_data(person, is_superuser="on", groups=[group.pk], user_permissions=[everything.pk], last_name="New"),
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "New"  # the change itself was saved
    assert not person.is_superuser
    assert not person.groups.exists() and not person.user_permissions.exists()


def test_staff_may_not_make_themselves_superusers(staff_client: Client, staff: User) -> None:
    staff_client.post(change_url(staff), change_data(staff, is_superuser="on"))

    staff.refresh_from_db()
    assert not staff.is_superuser


def test_staff_see_who_is_a_superuser_but_change_nothing_about_them(staff_client: Client) -> None:
    chief = User.objects.create_superuser("chief", "chief@example.gov.uk", "Chief-password-2026")

    page = staff_client.get(change_url(chief))
    response = staff_client.post(change_url(chief), change_data(chief, email="mine@example.gov.uk"))

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert response.status_code == 403
    chief.refresh_from_db()
    assert chief.email == "chief@example.gov.uk"
    password_email = reverse("admin:accounts_user_set_your_password_email", args=[chief.pk])
    assert staff_client.post(password_email).status_code == 403
    assert mail.outbox == []


def test_staff_never_set_someone_elses_password(staff_client: Client) -> None:
    person = make_user(password="Their-own-password-2026")
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    page = staff_client.get(change_url(person)).content.decode()
    response = staff_client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert url not in page and "Set by them." in page
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.check_password("Their-own-password-2026")


def test_leads_made_staff_by_mistake_cannot_manage_people(client: Client) -> None:
    client.force_login(make_user(Role.REGIONAL_LEAD, is_staff=True))

    assert client.get(CHANGELIST).status_code == 403
    assert client.post(ADD, new_person()).status_code == 403
    assert not User.objects.filter(username="nw.lead").exists()


# --- deactivating, never deleting ---


def test_staff_cannot_delete_people(staff_client: Client) -> None:
    person = make_user()

    response = staff_client.post(reverse("admin:accounts_user_delete", args=[person.pk]), {"post": "yes"})
    actions = staff_client.get(CHANGELIST).context["action_form"].fields["action"].choices

    assert response.status_code == 403
    assert User.objects.filter(pk=person.pk).exists()
    assert "delete_selected" not in dict(actions)


def test_a_superuser_may_still_delete_someone(client: Client) -> None:
    client.force_login(User.objects.create_superuser("chief", "chief@example.gov.uk", None))
    person = make_user()

    response = client.post(reverse("admin:accounts_user_delete", args=[person.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


def test_deactivating_keeps_the_person_and_stops_them_signing_in(staff_client: Client, staff: User) -> None:
    person = make_user(password="Their-own-password-2026")
    other = make_user()

    response = staff_client.post(
        CHANGELIST, {"action": "deactivate_people", "_selected_action": [person.pk, other.pk, staff.pk]}, follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        f"Deactivated: {person}, {other}. They can no longer sign in; their history stays.",
        f"Not deactivated (you cannot deactivate yourself, nor a superuser): {staff}.",
    ]
    person.refresh_from_db()
    staff.refresh_from_db()
    assert (person.is_active, staff.is_active) == (False, True)
    login = {"username": person.username, "password": "Their-own-password-2026"}
    assert Client().post(reverse("login"), login).status_code == 200  # refused


def test_staff_may_deactivate_with_the_field_too(staff_client: Client) -> None:
    person = make_user()

    staff_client.post(change_url(person), change_data(person, is_active=""))

    person.refresh_from_db()
    assert not person.is_active


# --- the set-your-password email from the admin ---


def test_the_action_emails_each_selected_person_once(staff_client: Client) -> None:
    first = make_user(email="shared@example.gov.uk", password="Their-own-password-2026")
    second = make_user(email="shared@example.gov.uk")  # the same address: sent only for the one selected
    nowhere = make_user(email="")

    staff_client.post(
        CHANGELIST, {"action": "send_set_your_password_emails", "_selected_action": [first.pk, nowhere.pk]}
    )

    [message] = mail.outbox
    assert message.to == ["shared@example.gov.uk"] and f"Your username is {first.username}." in message.body
    assert second.username not in message.body


def test_the_button_on_a_persons_page_sends_the_email(staff_client: Client) -> None:
    person = make_user(email="kim@example.gov.uk")
    url = reverse("admin:accounts_user_set_your_password_email", args=[person.pk])

    page = staff_client.get(change_url(person)).content.decode()
    response = staff_client.post(url)

    assert f'action="{url}"' in page and "Send a set-your-password email" in page
    assert response.status_code == 302 and response["Location"] == change_url(person)
    assert [message.to for message in mail.outbox] == [["kim@example.gov.uk"]]
    assert staff_client.get(url).status_code == 405  # a change is never a GET


# --- "Forgotten your password?" ---


def test_the_sign_in_page_links_to_forgotten_your_password(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in page and "Forgotten your password?" in page


def test_a_person_asks_for_the_email_and_sets_a_new_password(client: Client) -> None:
    person = make_user(username="kim", email="Kim.Kent@example.gov.uk", password="Forgotten-password-2026")

    response = client.post(reverse("password_reset"), {"email": "kim.kent@example.gov.uk"})
    done = set_password_by_link(Client(), link_in(mail.outbox[0]))

    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox[0].to == ["Kim.Kent@example.gov.uk"]  # the address on their account
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_someone_who_never_had_a_password_may_ask_for_another_link(client: Client) -> None:
    make_user(username="new", email="new@example.gov.uk")  # added by staff, first link expired

    client.post(reverse("password_reset"), {"email": "new@example.gov.uk"})

    assert [message.to for message in mail.outbox] == [["new@example.gov.uk"]]


@pytest.mark.parametrize("email", ["nobody@example.gov.uk", "gone@example.gov.uk"])
def test_no_email_for_an_unknown_or_deactivated_address_and_the_same_answer(client: Client, email: str) -> None:
    make_user(email="gone@example.gov.uk", is_active=False, password="Their-own-password-2026")

    response = client.post(reverse("password_reset"), {"email": email})

    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_setting_a_password_ends_a_sign_in_lock_out(client: Client, settings: Any) -> None:
    make_user(username="ada", email="ada@example.gov.uk", password="Forgotten-password-2026")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "ada", "password": "wrong"})
    assert Client().post(reverse("login"), {"username": "ada", "password": "wrong"}).status_code == 429

    client.post(reverse("password_reset"), {"email": "ada@example.gov.uk"})
    set_password_by_link(Client(), link_in(mail.outbox[0]))

    assert not AccessAttempt.objects.filter(username="ada").exists()
    assert Client().post(reverse("login"), {"username": "ada", "password": NEW_PASSWORD}).status_code == 302


def test_the_pages_of_the_reset_are_the_services_own(client: Client) -> None:
    for url in (reverse("password_reset"), reverse("password_reset_done"), reverse("password_reset_complete")):
        response = client.get(url)
        assert response.status_code == 200 and b"govuk-template" in response.content, url


def test_a_used_or_old_link_says_so_and_offers_another(client: Client) -> None:
    person = make_user(email="kim@example.gov.uk")
    client.post(reverse("password_reset"), {"email": "kim@example.gov.uk"})
    link = link_in(mail.outbox[0])
    set_password_by_link(Client(), link)

    page = Client().get(link, follow=True).content.decode()
    stale = Client().get(reverse("password_reset_confirm", args=["MQ", "no-such-token"])).content.decode()

    for content in (page, stale):
        assert "This link does not work" in content and "Choose your password" not in content
        assert f'href="{reverse("password_reset")}"' in content
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_the_email_is_plain_text_with_names_as_written(client: Client) -> None:
    make_user(first_name="Siobhán", last_name="O'Brien & Co", email="sob@example.gov.uk")

    client.post(reverse("password_reset"), {"email": "sob@example.gov.uk"})

    assert mail.outbox[0].body.startswith("Dear Siobhán O'Brien & Co,\n")  # not &#x27; nor &amp;
    assert "within 3 days" in mail.outbox[0].body


def test_the_lock_out_page_offers_the_reset(client: Client, settings: Any) -> None:
    make_user(username="ada", password="Forgotten-password-2026")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})

    assert response.status_code == 429
    assert f'href="{reverse("password_reset")}"' in response.content.decode()
