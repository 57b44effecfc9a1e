"""The admin: Inspectorate staff edit the policy and read every reminder sent; nobody else gets in."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from reminders.models import Digest, DigestItem, ReminderPolicy, SweepDay
from reminders.sweep import run_sweep
from tests.reminders.support import RecordingHandler, SMTPServer, make_person, make_recommendation, smtp_mailers

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 6, 17, 7, 0, tzinfo=ZoneInfo("Europe/London"))
SATURDAY = datetime.datetime(2026, 6, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def staff() -> User:
    return make_person(role=Role.INSPECTORATE, is_staff=True)


def policy_form(**changes: object) -> dict[str, object]:
    data = {
        "days_before": "14,3",
        "remind_first_day_overdue": "on",
        "repeat_overdue_every_days": "14",
        "escalate_after_days_overdue": "42",
        "escalate_to_region_lead": "on",
        "escalation_contact_user": "",
        "escalation_contact_email": "escalations@example.test",
        "response_due_days": "56",
        "decision_due_days": "21",
    }
    return {**data, **changes}


def test_the_seeded_policy_has_the_documented_defaults(policy: ReminderPolicy) -> None:
    assert ReminderPolicy.objects.count() == 1
    assert (policy.days_before, policy.repeat_overdue_every_days, policy.escalate_after_days_overdue) == (
        "30,7,1",
        7,
        28,
    )
    assert policy.remind_first_day_overdue and policy.escalate_to_region_lead and policy.response_due_days == 56
    assert policy.decision_due_days == 14


def test_inspectorate_staff_edit_the_policy(client: Client, staff: User, policy: ReminderPolicy) -> None:
    client.force_login(staff)
    url = reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, policy_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert (policy.days_before, policy.escalate_after_days_overdue, policy.updated_by) == ("14,3", 42, staff)
    assert policy.decision_due_days == 21


def test_the_policy_refuses_bad_days_and_two_contacts(client: Client, staff: User, policy: ReminderPolicy) -> None:
    client.force_login(staff)
    url = reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])
    html = client.post(url, policy_form(days_before="30,soon")).content.decode()
    assert "Enter whole numbers of days separated by commas" in html
    html = client.post(url, policy_form(escalation_contact_user=str(staff.pk))).content.decode()
    assert "Name either a person or an email address" in html
    policy.refresh_from_db()
    assert policy.days_before == "30,7,1"


def test_there_is_only_one_policy(client: Client, staff: User, policy: ReminderPolicy) -> None:
    client.force_login(staff)
    assert client.get(reverse("admin:reminders_reminderpolicy_add")).status_code == 403


def test_other_roles_never_see_the_reminder_admin(client: Client, policy: ReminderPolicy) -> None:
    lead = make_person(role=Role.REGIONAL_LEAD, is_staff=True)
    client.force_login(lead)
    assert client.get(reverse("admin:reminders_reminderpolicy_change", args=[policy.pk])).status_code == 403
    assert client.get(reverse("admin:reminders_digest_changelist")).status_code == 403


def test_every_digest_sent_is_in_the_admin_with_its_items(
    client: Client, staff: User, owner: User, policy: ReminderPolicy
) -> None:
    item = make_recommendation(owner=owner, target_date=datetime.date(2026, 6, 24))
    run_sweep(now=MORNING)
    digest = Digest.objects.get()
    client.force_login(staff)
    listing = client.get(reverse("admin:reminders_digest_changelist")).content.decode()
    assert owner.email in listing and "Sent" in listing
    page = client.get(reverse("admin:reminders_digest_change", args=[digest.pk])).content.decode()
    assert item.reference in page and "Target date approaching" in page
    items = client.get(reverse("admin:reminders_digestitem_changelist") + "?q=" + item.inspection.reference)
    assert item.reference in items.content.decode()


def test_a_refused_digest_shows_staff_its_recipient_and_the_server_s_reason(
    client: Client, staff: User, owner: User, policy: ReminderPolicy, settings: Any
) -> None:
    make_recommendation(owner=owner, target_date=datetime.date(2026, 6, 24))
    handler = RecordingHandler(no_such_user=(owner.email,))
    with SMTPServer(handler) as server:
        settings.MAILERS = smtp_mailers(server.port)
        run_sweep(now=MORNING)
    digest = Digest.objects.get()
    client.force_login(staff)
    listing = client.get(reverse("admin:reminders_digest_changelist") + "?status__exact=refused").content.decode()
    assert owner.email in listing and "Refused by the mail server" in listing
    assert "550 5.1.1 No such user here" in listing
    page = client.get(reverse("admin:reminders_digest_change", args=[digest.pk])).content.decode()
    assert owner.email in page and "SMTP reply code" in page and "550 5.1.1 No such user here" in page


# --- the preview of someone's next digest ---


def preview(client: Client, person: User) -> str:
    response = client.get(reverse("admin:reminders_reminderpreference_preview"), {"person": person.pk})
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(MORNING, tick=False)
def test_staff_preview_a_person_s_next_digest_and_nothing_is_sent_or_recorded(
    client: Client, staff: User, owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    item = make_recommendation(owner=owner, target_date=MORNING.date() + datetime.timedelta(days=7))
    client.force_login(staff)

    page = preview(client, owner)

    assert "Wednesday 17 June 2026" in page and owner.email in page
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page  # the email's HTML, shown as it will look
    assert "1 recommendation needs attention" in page  # the subject
    assert item.reference in page and "Due in 7 days" in page and "Add a progress update" in page
    assert mailoutbox == []
    assert not Digest.objects.exists() and not DigestItem.objects.exists() and not SweepDay.objects.exists()


@time_machine.travel(SATURDAY, tick=False)
def test_the_preview_is_of_the_person_s_next_digest_day(
    client: Client, staff: User, owner: User, lead: User, policy: ReminderPolicy
) -> None:
    # 28 days overdue on Monday 22 June: escalated to the region's lead, whose digests go Monday to Friday.
    item = make_recommendation(owner=owner, target_date=datetime.date(2026, 5, 25))
    client.force_login(staff)

    page = preview(client, lead)

    assert "Monday 22 June 2026" in page
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in page
    assert item.reference in page and "Record follow-up activity" in page


@time_machine.travel(MORNING, tick=False)
def test_after_today_s_digest_the_preview_is_of_tomorrow_s(
    client: Client, staff: User, owner: User, policy: ReminderPolicy
) -> None:
    make_recommendation(owner=owner, target_date=MORNING.date() + datetime.timedelta(days=7))
    run_sweep(now=MORNING)
    client.force_login(staff)

    page = preview(client, owner)

    assert "Thursday 18 June 2026" in page and "no email would be sent" in page


@time_machine.travel(MORNING, tick=False)
def test_the_preview_escapes_what_people_typed(
    client: Client, staff: User, owner: User, policy: ReminderPolicy
) -> None:
    hostile = "Share <script>alert('x')</script> risk & safety information"
    make_recommendation(owner=owner, target_date=MORNING.date() + datetime.timedelta(days=7), text=hostile)
    client.force_login(staff)

    page = preview(client, owner)

    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)" in page  # the plain text
    assert "&amp;lt;script&amp;gt;alert" in page  # the HTML part, escaped for the email, then for srcdoc


def test_the_preview_is_linked_from_the_preferences_and_the_digests(
    client: Client, staff: User, owner: User, policy: ReminderPolicy
) -> None:
    client.force_login(staff)
    url = reverse("admin:reminders_reminderpreference_preview")
    for listing in ("admin:reminders_reminderpreference_changelist", "admin:reminders_digest_changelist"):
        assert f'href="{url}"' in client.get(reverse(listing)).content.decode()
    preference = owner.reminder_preference
    page = client.get(reverse("admin:reminders_reminderpreference_change", args=[preference.pk])).content.decode()
    assert f'href="{url}?person={owner.pk}"' in page


def test_only_inspectorate_staff_preview_a_digest(client: Client, owner: User, policy: ReminderPolicy) -> None:
    url = reverse("admin:reminders_reminderpreference_preview")
    assert client.get(url, {"person": owner.pk}).status_code == 302  # to the admin's sign-in page
    for person in (make_person(role=Role.REGIONAL_LEAD, is_staff=True), make_person(role=Role.INSPECTORATE)):
        client.force_login(person)
        response = client.get(url, {"person": owner.pk})
        assert response.status_code in (302, 403) and owner.email not in response.content.decode()
