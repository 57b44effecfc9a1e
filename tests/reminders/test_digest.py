"""What a digest email says: one per recipient, grouped and ordered, escaped, with absolute links, in both parts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from inspections.models import Region
from recommendations.models import Recommendation
from reminders.models import Digest, DigestStatus, ReminderPolicy
from reminders.sweep import run_sweep
from tests.reminders.support import SITE_URL, assert_in_both, make_inspection, make_person, make_recommendation, parts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 17)
DAY = datetime.timedelta(days=1)
SEVEN_IN_THE_MORNING = datetime.datetime(2026, 6, 17, 7, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def items(owner: User, policy: ReminderPolicy) -> dict[str, Recommendation]:
    """Six of the owner's recommendations with something due today, created in a jumbled order."""
    inspection = make_inspection(title="Regional inspection of Kent, Surrey & Sussex", reference="KSS-2026")
    late_response = make_inspection(reference="LATE-2026", published_on=TODAY - 56 * DAY)
    return {
        "due_30": make_recommendation(owner=owner, target_date=TODAY + 30 * DAY, inspection=inspection),
        "overdue_1": make_recommendation(owner=owner, target_date=TODAY - DAY, inspection=inspection),
        "response": make_recommendation(
            owner=owner, target_date=TODAY + 200 * DAY, inspection=late_response, response="awaiting"
        ),
        "overdue_14": make_recommendation(owner=owner, target_date=TODAY - 14 * DAY, inspection=inspection),
        "due_7": make_recommendation(owner=owner, target_date=TODAY + 7 * DAY, inspection=inspection),
        "overdue_7": make_recommendation(owner=owner, target_date=TODAY - 7 * DAY, inspection=inspection),
    }


def test_one_digest_with_everything_due_overdue_first_oldest_first(
    items: dict[str, Recommendation], owner: User, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    run_sweep(now=SEVEN_IN_THE_MORNING)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [owner.email]
    assert message.subject.startswith("6 recommendations need attention (3 overdue)")
    order = ["overdue_14", "overdue_7", "overdue_1", "response", "due_7", "due_30"]
    for part in parts(message):
        positions = [part.index(items[name].reference) for name in order]
        assert positions == sorted(positions), part
        titles = ("overdue (3)", "response or action plan overdue (1)", "target date approaching (2)")
        headings = [part.lower().index(title) for title in titles]
        assert headings == sorted(headings)
        assert headings[-1] < positions[4]  # the section heading comes before its items


def test_each_item_shows_region_report_target_date_days_overdue_and_an_absolute_link(
    items: dict[str, Recommendation], region: Region, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    run_sweep(now=SEVEN_IN_THE_MORNING)
    [message] = mailoutbox
    item = items["overdue_14"]
    assert_in_both(
        message,
        item.reference,
        region.name,
        "KSS-2026",
        "3 June 2026",
        "14 days overdue",
        "Days overdue: 14",
        "Still overdue",
        f"{SITE_URL}/recommendations/{item.pk}/",
        f"{SITE_URL}/reminders/preferences/",
    )
    assert "Kent, Surrey &amp; Sussex" in parts(message)[1]
    assert "Kent, Surrey & Sussex" in message.body


def test_user_text_is_escaped_in_html_and_readable_in_text(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    owner.first_name = "Ann & <b>Bo</b>"
    owner.save()
    text = "Share <script>alert('x')</script> risk & safety information"
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY, text=text)
    run_sweep(now=SEVEN_IN_THE_MORNING)
    body, html = parts(mailoutbox[0])
    assert text in body and "Dear Ann & <b>Bo</b>," in body
    assert "<script>" not in html and "<b>Bo</b>" not in html
    assert "Share &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; risk &amp; safety information" in html
    assert "Dear Ann &amp; &lt;b&gt;Bo&lt;/b&gt;," in html


def test_nothing_due_means_no_email(
    owner: User, region: Region, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    idle = make_person(region=region)
    make_recommendation(owner=idle, target_date=TODAY + 8 * DAY)  # nothing due today
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    run_sweep(now=SEVEN_IN_THE_MORNING)
    assert [message.to for message in mailoutbox] == [[owner.email]]
    assert not Digest.objects.filter(recipient=idle).exists()


def test_the_message_id_is_the_digest_s_own_and_the_send_is_recorded(
    items: dict[str, Recommendation], owner: User, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    run_sweep(now=SEVEN_IN_THE_MORNING)
    digest = Digest.objects.get(recipient=owner)
    assert (
        mailoutbox[0].extra_headers["Message-ID"]
        == digest.message_id
        == (f"<reminder-digest-{digest.pk}.20260617@tracker.example.test>")
    )
    assert digest.status == DigestStatus.SENT and digest.sent_at is not None and digest.attempts == 1
    assert digest.period == TODAY and digest.items.count() == 6
