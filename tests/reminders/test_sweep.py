"""The sweep and the send, in plain Python: exactly one digest per recipient per day, failures kept and retried."""

import datetime
import smtplib
import socket
import threading
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from inspections.models import Region
from recommendations.models import Recommendation, Status
from reminders.models import Digest, DigestItem, DigestStatus, ReminderKind, ReminderPolicy, retry_wait
from reminders.selectors import reminders_for_recommendation, reminders_for_recommendations
from reminders.sweep import (
    MAX_ATTEMPTS,
    Outcome,
    claim,
    create_digests,
    lease,
    permanent_refusal,
    queue_grace,
    run_outbox,
    run_sweep,
    send_digest,
    send_digests,
)
from tests.reminders.support import RecordingHandler, SMTPServer, make_person, make_recommendation, prefer, smtp_mailers
from tests.support.ports import free_port

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 6, 17)
DAY = datetime.timedelta(days=1)
MORNING = datetime.datetime(2026, 6, 17, 7, 0, tzinfo=LONDON)


def collect() -> tuple[list[int], object]:
    queued: list[int] = []
    return queued, queued.append


def test_running_the_sweep_again_the_same_day_sends_nothing_more(
    owner: User, lead: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    make_recommendation(owner=owner, target_date=TODAY - 28 * DAY)  # also escalates to the lead
    first = run_sweep(now=MORNING)
    again = run_sweep(now=MORNING)  # a redelivered sweep task
    catch_up = run_sweep(now=MORNING.replace(hour=18, minute=30))  # the evening catch-up
    assert len(first.created) == 2
    assert again.created == again.requeued == catch_up.created == catch_up.requeued == []
    assert sorted(message.to[0] for message in mailoutbox) == [lead.email, owner.email]
    assert Digest.objects.count() == 2 and DigestItem.objects.count() == 3


def test_the_next_day_is_a_new_period(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    make_recommendation(owner=owner, target_date=TODAY + 8 * DAY)
    run_sweep(now=MORNING)
    run_sweep(now=MORNING + DAY)
    assert list(Digest.objects.order_by("period").values_list("period", flat=True)) == [TODAY, TODAY + DAY]
    assert len(mailoutbox) == 2


def test_a_second_sweep_never_adds_items_to_a_digest_it_did_not_create(owner: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    make_recommendation(owner=owner, target_date=TODAY + 30 * DAY)  # falls due after the first sweep
    assert create_digests(TODAY, now=MORNING) == []
    assert DigestItem.objects.filter(digest_id=digest_id).count() == 1


def test_the_sweep_s_queries_grow_with_recipients_not_items(region: Region, policy: ReminderPolicy) -> None:
    people = [make_person(region=region) for _ in range(3)]
    for person in people:
        prefer(person)
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    with CaptureQueriesContext(connection) as few:
        create_digests(TODAY, now=MORNING)
    Digest.objects.all().delete()
    for person in people:
        for _ in range(15):
            make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    with CaptureQueriesContext(connection) as many:
        create_digests(TODAY, now=MORNING)
    assert DigestItem.objects.count() == 48
    assert len(many) == len(few) <= 14  # 12, and 2 for what waits on the Inspectorate (policy.waiting_decisions)


def test_a_claim_is_taken_once_until_its_lease_ends(owner: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    assert claim([digest_id], now=MORNING)[1] == 1
    assert claim([digest_id], now=MORNING + lease() - datetime.timedelta(seconds=1))[1] == 0
    assert send_digest(digest_id, now=MORNING + datetime.timedelta(seconds=5)) is Outcome.BUSY
    assert claim([digest_id], now=MORNING + lease() + datetime.timedelta(seconds=1))[1] == 1
    assert Digest.objects.get(pk=digest_id).attempts == 2


def test_a_sent_digest_is_never_sent_again(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    assert send_digest(digest_id) is Outcome.SENT
    assert send_digest(digest_id) is Outcome.DONE  # a duplicate task
    assert len(mailoutbox) == 1


def test_a_digest_stuck_sending_after_a_crash_is_sent_by_a_later_sweep(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    claim([digest_id], now=MORNING)  # the worker died here, before sending
    assert run_sweep(now=MORNING + lease() / 2).requeued == []  # the claim may still be alive
    assert run_sweep(now=MORNING + lease() * 2).requeued == [digest_id]
    assert len(mailoutbox) == 1
    assert Digest.objects.get(pk=digest_id).status == DigestStatus.SENT


def test_a_bad_address_fails_its_own_digest_and_the_rest_go_out(
    owner: User, region: Region, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    broken = make_person(region=region, email="not-an-address")
    prefer(broken)
    nobody = make_person(region=region, email="")
    prefer(nobody)
    for person in (broken, owner, nobody):
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    run_sweep(now=MORNING)
    assert [message.to for message in mailoutbox] == [[owner.email]]
    failed = {digest.recipient_id: digest for digest in Digest.objects.filter(status=DigestStatus.FAILED)}
    assert set(failed) == {broken.pk, nobody.pk}
    assert "valid email" in failed[broken.pk].error
    assert "no email address" in failed[nobody.pk].error


def test_a_failed_digest_is_tried_again_by_the_next_sweep_within_limits(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    Digest.objects.filter(pk=digest_id).update(status=DigestStatus.FAILED, attempts=MAX_ATTEMPTS, error="boom")
    assert run_sweep(now=MORNING).requeued == []  # given up: left to staff (the admin's "send again")
    Digest.objects.filter(pk=digest_id).update(attempts=3)
    assert run_sweep(now=MORNING + 3 * DAY).requeued == []  # too old to be worth sending
    assert run_sweep(now=MORNING + DAY).requeued == [digest_id]
    digest = Digest.objects.get(pk=digest_id)
    assert (digest.status, digest.attempts, digest.error, len(mailoutbox)) == (DigestStatus.SENT, 4, "", 1)


def test_items_closed_before_sending_are_dropped_and_an_empty_digest_cancelled(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    kept = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    closed = make_recommendation(owner=owner, target_date=TODAY + 30 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    Recommendation.objects.filter(pk=closed.pk).update(status=Status.SUPERSEDED, closed_at=MORNING)
    assert send_digest(digest_id) is Outcome.SENT
    assert kept.reference in mailoutbox[0].body and closed.reference not in mailoutbox[0].body
    assert list(DigestItem.objects.values_list("recommendation_id", flat=True)) == [kept.pk]
    other = make_person(region=owner.region)
    prefer(other)
    gone = make_recommendation(owner=other, target_date=TODAY + 7 * DAY)
    [empty_id] = create_digests(TODAY, now=MORNING)
    Recommendation.objects.filter(pk=gone.pk).update(status=Status.CLOSED_IMPLEMENTED, closed_at=MORNING)
    assert send_digest(empty_id) is Outcome.CANCELLED
    assert len(mailoutbox) == 1


def test_reminders_sent_appear_on_each_recommendation_in_one_query(
    owner: User, lead: User, policy: ReminderPolicy, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    item = make_recommendation(owner=owner, target_date=TODAY - 28 * DAY)  # the owner's weekly one, the escalation
    other = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    run_sweep(now=MORNING)
    # The owner's digest did not go out after all: what was not sent is not on the timeline.
    Digest.objects.filter(recipient=owner).update(status=DigestStatus.FAILED, sent_at=None)
    with django_assert_num_queries(1):
        entries = reminders_for_recommendation(item)
    assert [(entry.recipient, entry.kind, entry.kind_display) for entry in entries] == [
        (lead, ReminderKind.ESCALATION, "Escalation to the Inspectorate")
    ]
    assert entries[0].sent_at is not None
    with django_assert_num_queries(1):
        found = reminders_for_recommendations([item.pk, other.pk])
    assert set(found) == {item.pk}


def test_a_bare_address_contact_shows_as_its_address(owner: User, policy: ReminderPolicy) -> None:
    policy.escalation_contact_email = "team@example.test"
    policy.escalate_to_region_lead = False
    policy.save()
    item = make_recommendation(owner=None, target_date=TODAY - 28 * DAY)
    run_sweep(now=MORNING)
    [entry] = reminders_for_recommendation(item)
    assert entry.recipient == "team@example.test"


def test_message_ids_are_per_digest(owner: User, policy: ReminderPolicy) -> None:
    digest = Digest(pk=7, period=TODAY, recipient=owner, email=owner.email, run_id=uuid.uuid4(), created_at=MORNING)
    assert digest.message_id == "<reminder-digest-7.20260617@tracker.example.test>"


def test_without_a_worker_a_server_down_then_up_gets_each_digest_once(
    owner: User, region: Region, policy: ReminderPolicy, settings: Any
) -> None:
    other = make_person(region=region)
    prefer(other)
    for person in (owner, other):
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    handler = RecordingHandler()
    server = SMTPServer(handler, port=free_port())  # not started yet: connection refused
    settings.MAILERS = smtp_mailers(server.port)
    first = run_sweep(now=MORNING)  # raises nothing: each failure is recorded on its digest
    errors = Digest.objects.filter(status=DigestStatus.FAILED).values_list("error", flat=True)
    assert len(errors) == 2 and all("ConnectionRefusedError" in error for error in errors)
    with server:
        again = run_sweep(now=MORNING + datetime.timedelta(hours=1))
        run_sweep(now=MORNING + datetime.timedelta(hours=2))
    assert sorted(again.requeued) == sorted(first.created)
    assert sorted(message["To"] for message in handler.messages) == sorted([owner.email, other.email])
    assert Digest.objects.filter(status=DigestStatus.SENT, attempts=2).count() == 2


# --- a day without a sweep: its reminders come with the next sweep, late but not lost ---


def test_a_day_without_a_sweep_is_caught_up_by_the_next_one(
    owner: User, lead: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    due_soon = make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)  # "due in 7 days" falls on TODAY
    escalating = make_recommendation(owner=None, target_date=TODAY - 28 * DAY)  # escalates on TODAY
    run_sweep(now=MORNING - DAY)
    mailoutbox.clear()
    # No sweep on TODAY (the scheduler was down). The next day's sweep sends what TODAY's would have:
    result = run_sweep(now=MORNING + DAY)
    items = set(
        DigestItem.objects.filter(digest_id__in=result.created).values_list("digest__email", "recommendation", "kind")
    )
    assert (owner.email, due_soon.pk, ReminderKind.DUE_SOON) in items
    assert (lead.email, escalating.pk, ReminderKind.ESCALATION) in items
    assert sorted(message.to[0] for message in mailoutbox) == [lead.email, owner.email]
    # ...and the day after that owes nothing more.
    assert run_sweep(now=MORNING + 2 * DAY).created == []


def test_a_sweep_every_day_sends_each_reminder_once(owner: User, lead: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    make_recommendation(owner=None, target_date=TODAY - 28 * DAY)
    for day in range(-3, 4):
        run_sweep(now=MORNING + day * DAY)
    kinds = list(DigestItem.objects.values_list("kind", flat=True))
    assert sorted(kinds) == [ReminderKind.DUE_SOON, ReminderKind.ESCALATION]


def test_the_first_sweep_ever_owes_nothing_from_before(owner: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)  # fell due on TODAY, before any sweep ran
    assert run_sweep(now=MORNING + DAY).created == []


def test_an_outage_longer_than_a_week_is_logged_for_staff(
    owner: User, policy: ReminderPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    run_sweep(now=MORNING - 20 * DAY)
    with caplog.at_level("WARNING", logger="reminders.sweep"):
        run_sweep(now=MORNING)
    assert any(record.levelname == "ERROR" and "were not sent" in record.getMessage() for record in caplog.records)


def test_the_gap_is_reported_once_a_day_not_by_every_catch_up(
    owner: User, policy: ReminderPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    run_sweep(now=MORNING - 20 * DAY)
    with caplog.at_level("WARNING", logger="reminders.sweep"):
        for hour in (7, 8, 18):  # the daily sweep, then two catch-up sweeps the same day
            run_sweep(now=MORNING.replace(hour=hour, minute=30))
    said = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert [level for level, message in said if "also does the work of" in message] == ["WARNING"]
    assert [level for level, message in said if "were not sent" in message] == ["ERROR"]


# --- the outbox: what is not sent is queued again within minutes, with backoff, not at the next sweep ---


def test_the_outbox_queues_a_digest_whose_task_was_lost_after_a_grace(owner: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    queued, enqueue = collect_batches()
    [digest_id] = run_sweep(now=MORNING, enqueue=lambda ids: None).created  # queued to a broker that lost it
    assert run_outbox(now=MORNING + queue_grace() - datetime.timedelta(seconds=1), enqueue=enqueue) == []
    assert run_outbox(now=MORNING + queue_grace(), enqueue=enqueue) == [digest_id]
    assert run_outbox(now=MORNING + queue_grace(), enqueue=enqueue) == []  # taken: not queued twice
    assert run_outbox(now=MORNING + 2 * queue_grace(), enqueue=enqueue) == [digest_id]  # still not sent: again
    assert queued == [[digest_id], [digest_id]]


def test_the_outbox_waits_longer_after_each_failed_attempt(owner: User, policy: ReminderPolicy, settings: Any) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    settings.MAILERS = smtp_mailers(free_port())  # nobody listens: refused
    waits = []
    now = MORNING
    for _ in range(4):
        assert send_digests([digest_id], now=now).retryable == [digest_id]
        digest = Digest.objects.get(pk=digest_id)
        assert digest.status == DigestStatus.FAILED and digest.next_attempt_at is not None
        waits.append(digest.next_attempt_at - now)
        assert run_outbox(now=digest.next_attempt_at - datetime.timedelta(seconds=1), enqueue=lambda ids: None) == []
        assert run_outbox(now=digest.next_attempt_at, enqueue=lambda ids: None) == [digest_id]
        now = digest.next_attempt_at
    assert waits == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert retry_wait(30) == datetime.timedelta(hours=1)  # at most an hour


def test_the_outbox_sends_a_digest_whose_sender_died_once_its_claim_expires(
    owner: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_recommendation(owner=owner, target_date=TODAY + 7 * DAY)
    [digest_id] = create_digests(TODAY, now=MORNING)
    claim([digest_id], now=MORNING)  # the worker died holding the claim
    assert run_outbox(now=MORNING + lease() - datetime.timedelta(seconds=1)) == []
    assert run_outbox(now=MORNING + lease() + datetime.timedelta(seconds=1)) == [digest_id]  # sent here (no enqueue)
    assert Digest.objects.get(pk=digest_id).status == DigestStatus.SENT and len(mailoutbox) == 1


def test_the_sweep_queues_its_digests_in_batches(region: Region, policy: ReminderPolicy, settings: Any) -> None:
    settings.REMINDER_SEND_BATCH = 2
    for _ in range(5):
        person = make_person(region=region)
        prefer(person)
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    queued, enqueue = collect_batches()
    created = run_sweep(now=MORNING, enqueue=enqueue).created
    assert [len(batch) for batch in queued] == [2, 2, 1]
    assert sorted(pk for batch in queued for pk in batch) == sorted(created)


# --- a permanent refusal (5xx) is recorded at once and never retried ---


def test_a_permanent_refusal_is_recorded_with_its_reason_and_never_retried(
    owner: User, region: Region, policy: ReminderPolicy, settings: Any
) -> None:
    gone = make_person(region=region, email="gone@example.test")
    prefer(gone)
    for person in (owner, gone):
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    handler = RecordingHandler(no_such_user=(gone.email,))
    with SMTPServer(handler) as server:
        settings.MAILERS = smtp_mailers(server.port)
        run_sweep(now=MORNING)
        refused = Digest.objects.get(recipient=gone)
        assert run_outbox(now=MORNING + DAY / 2) == []
        assert run_sweep(now=MORNING + datetime.timedelta(hours=11)).requeued == []
        assert send_digest(refused.pk) is Outcome.DONE  # a stray task: nothing to do
    assert [message["To"] for message in handler.messages] == [owner.email]
    assert handler.rcpt_to.count(gone.email) == 1
    refused.refresh_from_db()
    assert (refused.status, refused.smtp_code, refused.attempts) == (DigestStatus.REFUSED, 550, 1)
    assert refused.error == "550 5.1.1 No such user here"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"5.1.1 No such user")}), (550, "5.1.1 No such user")),
        (smtplib.SMTPRecipientsRefused({"a@example.test": (451, b"4.3.0 Try later")}), None),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), (554, "5.7.1 Message rejected")),
        (smtplib.SMTPDataError(452, b"4.3.1 Out of memory"), None),
        (smtplib.SMTPSenderRefused(553, b"5.1.8 Sender refused", "me@example.test"), (553, "5.1.8 Sender refused")),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), None),  # our account: staff fix it
        (smtplib.SMTPServerDisconnected("gone"), None),
        (ConnectionRefusedError(111, "Connection refused"), None),
    ],
)
def test_only_5xx_answers_about_the_message_are_permanent(error: Exception, expected: object) -> None:
    assert permanent_refusal(error) == expected


def collect_batches() -> tuple[list[list[int]], Any]:
    queued: list[list[int]] = []
    return queued, queued.append


def test_a_batch_stops_trying_a_mail_server_that_does_not_answer(
    region: Region, policy: ReminderPolicy, settings: Any
) -> None:
    for _ in range(4):
        person = make_person(region=region)
        prefer(person)
        make_recommendation(owner=person, target_date=TODAY + 7 * DAY)
    ids = create_digests(TODAY, now=MORNING)
    with SilentServer() as server:  # accepts connections and never says a word: each costs the whole timeout
        settings.MAILERS = smtp_mailers(server.port, timeout=1)
        result = send_digests(ids, now=MORNING)
    assert sorted(result.retryable) == sorted(ids) and set(result.outcomes.values()) == {Outcome.FAILED}
    # The batch's opening, the first digest's own try and one reconnection: not two more for every digest.
    assert server.connections == 3
    errors = Digest.objects.filter(status=DigestStatus.FAILED).values_list("error", flat=True)
    assert len(errors) == 4 and all("timed out" in error for error in errors)


class SilentServer:
    """A TCP server on loopback that accepts connections, counts them and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            self.connections += 1
            self.accepted.append(connection)

    def __enter__(self) -> "SilentServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        for accepted in self.accepted:
            accepted.close()
        self.thread.join(timeout=5)
