"""Notifications by email, in process: at once (the outbox, or the task queued as one commits) or in one daily
summary with the morning sweep, as each person chooses; update rounds always at once; never twice; nothing the
person may no longer see. The worker, Redis (down as an event commits, too) and SMTP faults, as the digests':
test_notification_worker.py."""

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from accounts.models import Role, User
from config.celery import app
from inspections.models import Region
from recommendations.demo import DEMO_USERS
from recommendations.models import Notification, NotificationKind, Recommendation
from recommendations.notifications import notify, notify_each
from reminders.models import (
    EVERY_DAY,
    Digest,
    DigestKind,
    DigestStatus,
    NotificationEmail,
    NotificationEmails,
    ReminderPolicy,
    ReminderPreference,
)
from reminders.services import reminder_preference_initial, reminder_preference_set
from reminders.sweep import run_outbox, run_sweep
from tests.reminders.support import SITE_URL, assert_in_both, make_person, make_recommendation, parts, prefer

pytestmark = pytest.mark.django_db

SIGNED = " \N{EN DASH} HM Inspectorate of Probation"  # the end of every subject
MORNING = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)  # a Monday, 07:00 in London


def _tell(person: User, key: str, recommendation: Recommendation | None = None, **fields: Any) -> Notification:
    fields.setdefault("title", f"You are now the owner of {recommendation.reference if recommendation else key}")
    notification = notify(
        person, fields.pop("kind", NotificationKind.OWNER_ASSIGNED), key=key, recommendation=recommendation, **fields
    )
    assert notification is not None
    Notification.objects.filter(pk=notification.pk).update(created_at=MORNING - datetime.timedelta(hours=1))
    return notification


def _summary(person: User) -> None:
    reminder_preference_set(
        user=person, frequency="daily", days=[0, 1, 2, 3, 4], weekly_day=None, notification_emails="summary"
    )


@pytest.fixture
def item(owner: User) -> Recommendation:
    return make_recommendation(owner=owner, target_date=None)


def test_a_notification_is_emailed_at_once_by_default_with_its_link_in_both_parts(mailoutbox, owner, item):
    notification = _tell(owner, "owner:1", item, body="Improve the quality of work.\nSecond line")

    sent = run_outbox(now=MORNING)

    (message,) = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == f"You are now the owner of {item.reference}{SIGNED}"
    assert_in_both(message, "Improve the quality of work.", "Second line", f"Dear {owner.first_name}")
    assert_in_both(message, "2 March 2026 at 6am")  # when it was recorded, in GOV.UK style
    assert_in_both(message, f"{SITE_URL}/notifications/{notification.pk}/", f"{SITE_URL}/reminders/preferences/")
    digest = Digest.objects.get(pk__in=sent)
    assert (digest.kind, digest.status, digest.recipient) == (DigestKind.NOTIFICATION, DigestStatus.SENT, owner)
    assert message.extra_headers["Message-ID"] == digest.message_id
    assert NotificationEmail.objects.get().notification == notification


def test_it_is_never_emailed_twice(mailoutbox, owner, item):
    _tell(owner, "owner:1", item)
    run_outbox(now=MORNING)
    run_outbox(now=MORNING + datetime.timedelta(minutes=2))
    run_sweep(now=MORNING)
    assert len(mailoutbox) == 1
    assert Digest.objects.filter(kind=DigestKind.NOTIFICATION).count() == 1


def test_who_chose_a_summary_gets_one_a_day_with_the_morning_sweep(mailoutbox, owner, item, policy):
    _summary(owner)
    _tell(owner, "owner:1", item)
    _tell(owner, "follow-up:2", item, kind=NotificationKind.FOLLOW_UP_RECORDED, title="Follow-up activity recorded")

    assert run_outbox(now=MORNING) == [] and mailoutbox == []
    run_sweep(now=MORNING)
    (summary,) = mailoutbox
    assert summary.subject == f"2 notifications from the recommendation tracker{SIGNED}"
    assert_in_both(summary, f"You are now the owner of {item.reference}", "Follow-up activity recorded")

    # Told again the same day: it waits for tomorrow's summary, even through the catch-up sweeps.
    _tell(owner, "owner:3", item, title="Later news")
    Notification.objects.filter(key="owner:3").update(created_at=MORNING + datetime.timedelta(hours=1))
    run_sweep(now=MORNING + datetime.timedelta(hours=2))
    run_outbox(now=MORNING + datetime.timedelta(hours=2))
    assert len(mailoutbox) == 1
    run_sweep(now=MORNING + datetime.timedelta(days=1))
    assert len(mailoutbox) == 2 and "Later news" in parts(mailoutbox[1])[0]
    summaries = Digest.objects.filter(kind=DigestKind.NOTIFICATION_SUMMARY, status=DigestStatus.SENT)
    assert summaries.count() == 2


def test_update_rounds_are_emailed_at_once_whatever_was_chosen(mailoutbox, owner):
    _summary(owner)
    _tell(owner, "round:1", kind=NotificationKind.ROUND_OPENED, title="Update your recommendations")
    run_outbox(now=MORNING)
    assert [message.subject for message in mailoutbox] == [f"Update your recommendations{SIGNED}"]


def test_what_the_person_may_no_longer_see_is_not_emailed(mailoutbox, owner, item):
    notification = _tell(owner, "owner:1", item)
    owner.region = Region.objects.create(code="TST9", name="Elsewhere")
    owner.save()

    run_outbox(now=MORNING)

    assert mailoutbox == []
    link = NotificationEmail.objects.get(notification=notification)
    assert link.withheld and link.digest.status == DigestStatus.CANCELLED
    run_outbox(now=MORNING + datetime.timedelta(hours=1))
    assert mailoutbox == [] and Digest.objects.count() == 1


def test_a_deactivated_person_is_sent_nothing(mailoutbox, owner, item):
    _tell(owner, "owner:1", item)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    run_outbox(now=MORNING)
    assert mailoutbox == []


def test_the_reminder_digest_and_the_summary_are_each_one_a_day(mailoutbox, owner, policy: ReminderPolicy):
    prefer(owner)
    _summary(owner)
    due = make_recommendation(owner=owner, target_date=MORNING.date() + datetime.timedelta(days=7))
    _tell(owner, "owner:1", due)

    run_sweep(now=MORNING)
    run_sweep(now=MORNING + datetime.timedelta(hours=3))

    kinds = sorted(Digest.objects.values_list("kind", flat=True))
    assert kinds == [DigestKind.REMINDERS, DigestKind.NOTIFICATION_SUMMARY]
    assert len(mailoutbox) == 2


def test_the_task_queued_on_commit_sends_it_at_once(mailoutbox, owner, item, django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notify(owner, NotificationKind.OWNER_ASSIGNED, key="owner:1", title="Told at once", recommendation=item)
    finally:
        app.conf.task_always_eager = False
    assert [message.subject for message in mailoutbox] == [f"Told at once{SIGNED}"]


def test_notifications_recorded_together_queue_their_task_on_commit_too(
    mailoutbox, owner, django_capture_on_commit_callbacks
):
    """A report's notifications are recorded in one insert (no post_save): one task emails them all."""
    other = make_person(role=Role.HMPPS_LEAD)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            people = User.objects.filter(pk__in=[owner.pk, other.pk])
            notify_each(people, NotificationKind.REPORT_IMPORTED, key="report:1:{pk}", title="A new report")
    finally:
        app.conf.task_always_eager = False
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mailoutbox) == sorted([owner.email, other.email])
    assert {message.subject for message in mailoutbox} == {f"A new report{SIGNED}"}


def test_the_preference_is_saved_and_defaults_to_immediate(client, owner):
    client.force_login(owner)
    page = client.get("/reminders/preferences/").content.decode()
    assert "How do you want your notification emails?" in page
    response = client.post(
        "/reminders/preferences/",
        {"frequency": "daily", "days": ["0", "1"], "notification_emails": NotificationEmails.DAILY_SUMMARY},
    )
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=owner).notification_emails == NotificationEmails.DAILY_SUMMARY
    default = reminder_preference_initial(make_person(role=Role.HMPPS_LEAD))["notification_emails"]
    assert default == NotificationEmails.IMMEDIATE


def test_the_admin_lists_notifications_and_their_emails_read_only(client, owner, item, mailoutbox):
    from django.urls import reverse

    from tests.factories import make_staff

    notification = _tell(owner, "owner:1", item, title="Told in the admin")
    run_outbox(now=MORNING)
    digest = Digest.objects.get()
    client.force_login(make_staff())

    listing = client.get(reverse("admin:recommendations_notification_changelist")).content.decode()
    assert "Told in the admin" in listing and "Sent" in listing
    page = client.get(reverse("admin:recommendations_notification_change", args=[notification.pk])).content.decode()
    assert reverse("admin:reminders_digest_change", args=[digest.pk]) in page  # its email, linked
    email_page = client.get(reverse("admin:reminders_digest_change", args=[digest.pk])).content.decode()
    assert reverse("admin:recommendations_notification_change", args=[notification.pk]) in email_page
    assert client.get(reverse("admin:reminders_digest_changelist") + "?kind=notification").status_code == 200
    assert client.get(reverse("admin:recommendations_notification_add")).status_code == 403
    response = client.post(reverse("admin:recommendations_notification_change", args=[notification.pk]), {})
    assert response.status_code == 403 or Notification.objects.get(pk=notification.pk).title == "Told in the admin"


def test_the_demo_tells_its_people_in_one_morning_summary_each_not_an_email_each(mailoutbox):
    """The demo makes each lead the owner of all their recommendations at once (hmpps.lead of 9): as an Inspectorate
    would set them up, they take a daily summary, so the outbox sends none of it and the sweep one summary each."""
    call_command("load_demo", verbosity=0)
    told = Notification.objects.all()
    per_person = dict(told.values_list("recipient__username").annotate(count=Count("pk")))
    assert per_person["hmpps.lead"] == 9 and per_person["kss.lead"] > 1

    assert run_outbox() == []  # what a worker does as each notification commits, and beat's outbox: nothing
    run_sweep()  # `make run` runs it straight after loading the demo (manage.py send_reminders)
    run_sweep()

    summaries = Digest.objects.filter(kind=DigestKind.NOTIFICATION_SUMMARY, status=DigestStatus.SENT)
    assert sorted(summaries.values_list("recipient__username", flat=True)) == sorted(per_person)
    assert NotificationEmail.objects.count() == told.count()
    assert not Digest.objects.filter(kind=DigestKind.NOTIFICATION).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_sets_the_preferences_before_it_tells_anyone(mailoutbox):
    """A worker already running (here: tasks run as they are queued, each as its notification commits) finds the
    demo people's preference set, so loading the demo emails nobody a notification of its own."""
    app.conf.task_always_eager = True
    try:
        call_command("load_demo", verbosity=0)
    finally:
        app.conf.task_always_eager = False
    assert Notification.objects.filter(recipient__username="hmpps.lead").count() == 9
    assert not Digest.objects.filter(kind=DigestKind.NOTIFICATION).exists()
    assert mailoutbox == []
    preferences = ReminderPreference.objects.filter(user__username__in=[demo.username for demo in DEMO_USERS])
    assert set(preferences.values_list("notification_emails", "days")) == {
        (NotificationEmails.DAILY_SUMMARY, EVERY_DAY)
    }
