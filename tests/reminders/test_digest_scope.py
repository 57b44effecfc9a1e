"""Defence in depth: a digest never carries a recommendation its recipient may not open, whatever put it there.

The items are created directly, as a past bug in the sweep (or a recipient's role or region changing after it)
would have left them, and sent through both ways of sending."""

import datetime
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives

from accounts.models import Role, User
from inspections.models import Region
from recommendations.models import Addressee, Recommendation
from reminders.models import Digest, DigestItem, DigestStatus, ReminderKind, ReminderPolicy
from reminders.policy import may_receive
from reminders.sweep import Outcome, send_digest, send_digests
from tests.reminders.support import make_inspection, make_recommendation, make_region, parts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 17)
DAY = datetime.timedelta(days=1)
MORNING = datetime.datetime(2026, 6, 17, 7, 0, tzinfo=ZoneInfo("Europe/London"))
K = ReminderKind


def send_one(digest_id: int) -> None:
    send_digest(digest_id)


def send_batch(digest_id: int) -> None:
    send_digests([digest_id])


SENDERS = [pytest.param(send_one, id="task"), pytest.param(send_batch, id="batch")]


def digest_with(recipient: User | None, *items: tuple[Recommendation, str], email: str = "") -> Digest:
    """A digest made by hand, with exactly these items."""
    digest = Digest.objects.create(
        recipient=recipient,
        email=email or (recipient.email if recipient is not None else ""),
        period=TODAY,
        run_id=uuid.uuid4(),
        created_at=MORNING,
    )
    DigestItem.objects.bulk_create(DigestItem(digest=digest, recommendation=rec, kind=kind) for rec, kind in items)
    return digest


@pytest.fixture
def elsewhere() -> Recommendation:
    """A recommendation to another region."""
    other = make_region("TST2", name="Another region")
    return make_recommendation(
        owner=None,
        target_date=TODAY - 7 * DAY,
        inspection=make_inspection(other),
        text="Another region's confidential finding.",
    )


@pytest.mark.parametrize("send", SENDERS)
def test_an_item_of_another_region_is_left_out_logged_and_not_recorded_as_sent(
    send: Callable[[int], None],
    owner: User,
    elsewhere: Recommendation,
    policy: ReminderPolicy,
    mailoutbox: list[EmailMultiAlternatives],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mine = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY, text="Our finding.")
    digest = digest_with(owner, (mine, K.DUE_SOON), (elsewhere, K.STILL_OVERDUE))
    with caplog.at_level("WARNING", logger="reminders"):
        send(digest.pk)
    [message] = mailoutbox
    body, html = parts(message)
    for part in (body, html, str(message.subject)):
        assert elsewhere.reference not in part and "confidential" not in part
    assert mine.reference in body and mine.reference in html
    assert message.subject.startswith("1 recommendation needs attention")
    assert list(DigestItem.objects.filter(digest=digest).values_list("recommendation_id", flat=True)) == [mine.pk]
    assert any(
        str(elsewhere.pk) in record.getMessage() and owner.email in record.getMessage() for record in caplog.records
    )


@pytest.mark.parametrize("send", SENDERS)
def test_an_inactive_recipient_is_sent_nothing(
    send: Callable[[int], None], owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    mine = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    digest = digest_with(owner, (mine, K.DUE_SOON))
    User.objects.filter(pk=owner.pk).update(is_active=False)
    send(digest.pk)
    assert mailoutbox == []
    digest.refresh_from_db()
    assert digest.status == DigestStatus.CANCELLED and not digest.items.exists()


def test_a_lead_whose_role_changed_gets_only_what_they_may_still_open(
    region: Region,
    lead: User,
    elsewhere: Recommendation,
    policy: ReminderPolicy,
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    ours = make_recommendation(owner=None, target_date=TODAY - 28 * DAY)
    digest = digest_with(lead, (ours, K.ESCALATION), (elsewhere, K.ESCALATION))
    User.objects.filter(pk=lead.pk).update(role="regional_lead", region=region)  # no longer Inspectorate staff
    assert send_digest(digest.pk) is Outcome.SENT
    [message] = mailoutbox
    assert ours.reference in message.body and elsewhere.reference not in message.body


def test_an_address_with_no_user_gets_only_what_the_policy_sends_it(
    owner: User, elsewhere: Recommendation, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    mine = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    digest = digest_with(None, (elsewhere, K.ESCALATION), (mine, K.DUE_SOON), email="team@example.test")
    assert send_digest(digest.pk) is Outcome.SENT
    [message] = mailoutbox
    assert elsewhere.reference in message.body and mine.reference not in message.body


def test_who_may_receive_what_as_plain_python() -> None:
    regional = Recommendation(addressee=Addressee.REGION, region_id=1)
    national = Recommendation(addressee=Addressee.HMPPS, region_id=None)
    here, there = User(role=Role.REGIONAL_LEAD, region_id=1), User(role=Role.REGIONAL_LEAD, region_id=2)
    staff, hmpps = User(role=Role.INSPECTORATE), User(role=Role.HMPPS_LEAD)
    allowed = {
        (name, item): may_receive(person, recommendation, K.STILL_OVERDUE)
        for name, person in {"here": here, "there": there, "staff": staff, "hmpps": hmpps}.items()
        for item, recommendation in {"regional": regional, "national": national}.items()
    }
    assert {key for key, yes in allowed.items() if yes} == {
        ("here", "regional"),
        ("staff", "regional"),
        ("staff", "national"),
        ("hmpps", "national"),
    }
    assert not may_receive(User(role=Role.INSPECTORATE, is_active=False), regional, K.ESCALATION)
    # An address with no user: only what the policy sends the Inspectorate.
    assert {kind for kind in K if may_receive(None, regional, kind)} == {
        K.ESCALATION,
        K.CLOSURE_WAITING,
        K.DATE_REQUEST_WAITING,
    }
