"""`manage.py send_reminders` and the demo: a newcomer sees a reminder as soon as `make run` has loaded the demo."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

from recommendations.demo import DEMO_USERS
from reminders import tasks
from reminders.models import Digest, DigestItem, DigestKind, DigestStatus, SweepDay

pytestmark = pytest.mark.django_db

# A Saturday: digests default to weekdays, so the demo's people must take theirs every day.
SATURDAY = datetime.datetime(2026, 6, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
DEMO_EMAILS = sorted(f"{demo.username}@example.com" for demo in DEMO_USERS)
LEAD_EMAILS = sorted(email for email in DEMO_EMAILS if ".lead@" in email)


def command(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_loaded_on_saturday() -> None:
    with time_machine.travel(SATURDAY, tick=False):
        call_command("load_demo", verbosity=0)


@time_machine.travel(SATURDAY, tick=False)
def test_the_dry_run_says_who_would_get_what_and_sends_nothing(
    demo_loaded_on_saturday: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    printed = command("--dry-run")

    assert "Reminder sweep for Saturday 20 June 2026 (dry run: nothing is sent or recorded)" in printed
    for email in DEMO_EMAILS:
        assert f"\n{email}: " in printed
    assert "N57-PP-2025/R1: Escalation to the Inspectorate" in printed
    assert "4 new digest(s) would be sent" in printed
    assert mailoutbox == []
    assert not Digest.objects.exists() and not DigestItem.objects.exists() and not SweepDay.objects.exists()


@time_machine.travel(SATURDAY, tick=False)
def test_every_demo_person_gets_a_reminder_on_the_day_the_demo_is_loaded(
    demo_loaded_on_saturday: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    printed = command()

    reminders = Digest.objects.filter(kind=DigestKind.REMINDERS)
    assert sorted(reminders.values_list("email", flat=True)) == DEMO_EMAILS
    # With them, to each lead, one summary of what the demo told them (they take one: reminders/demo.py).
    summaries = Digest.objects.filter(kind=DigestKind.NOTIFICATION_SUMMARY)
    assert sorted(summaries.values_list("email", flat=True)) == LEAD_EMAILS
    assert sorted(message.to[0] for message in mailoutbox) == sorted(DEMO_EMAILS + LEAD_EMAILS)
    assert "Reminder sweep for Saturday 20 June 2026: 7 new digest(s), 0 sent again (7 sent)." in printed
    assert set(Digest.objects.values_list("status", "period")) == {(DigestStatus.SENT, SATURDAY.date())}


@time_machine.travel(SATURDAY, tick=False)
def test_running_it_again_or_the_beat_s_sweep_sends_nothing_twice(
    demo_loaded_on_saturday: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    command()
    sent = len(mailoutbox)

    assert "0 new digest(s), 0 sent again (nothing to send)" in command()
    assert tasks.sweep_reminders() == {"period": "2026-06-20", "created": 0, "requeued": 0}  # what beat runs
    assert "0 new digest(s) would be sent" in command("--dry-run")
    assert len(mailoutbox) == sent == Digest.objects.count() == 7
