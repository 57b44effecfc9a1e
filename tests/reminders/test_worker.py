"""End to end and under faults, against the real services: a Celery worker process, Redis, PostgreSQL, SMTP.

Each test starts its own redis-server (a free port, so a short visibility timeout and our queue touch nobody else's
broker), a real SMTP server on loopback (aiosmtpd) and `celery -A config worker` pointed at the test's own
PostgreSQL database. Nothing is mocked and nothing runs eagerly. Every wait is bounded; workers are stopped (or
killed) at teardown.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from celery import Celery
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from accounts.models import User
from inspections.models import Region
from reminders.models import Digest, DigestItem, DigestStatus, ReminderPolicy
from reminders.sweep import run_sweep
from tests.reminders.support import (
    BASE_DIR,
    FAST,
    SITE_URL,
    WAIT,
    Outbox,
    RecordingHandler,
    SMTPServer,
    Worker,
    bodies,
    make_lead,
    make_person,
    make_recommendation,
    prefer,
    queued_tasks,
    run_together,
    send_each_at_once,
    worker_env,
)
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer

pytestmark = [
    pytest.mark.services,
    # The worker is another process: the test's data must be committed, so no wrapping transaction. The seeded rows
    # (regions, themes, the policy) are put back after the flush for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("postgres_only"),
]

DAY = datetime.timedelta(days=1)


def beat(redis_url: str, queue: str) -> None:
    """What celery beat does at 07:00: publish the sweep task (here to our queue on our Redis)."""
    app = Celery("beat-stand-in", broker=redis_url)
    try:
        app.send_task("reminders.sweep", queue=queue)
    finally:
        app.close()


def today() -> datetime.date:
    return timezone.localdate()  # the worker's "today" too: both read the real clock in Europe/London


def everything_sent(expected: int) -> Callable[[], bool]:
    return lambda: Digest.objects.filter(status=DigestStatus.SENT).count() >= expected


# --- end to end ---


def test_beat_worker_redis_and_smtp_deliver_one_digest_to_each_recipient(
    workers: Callable[..., Worker],
    private_redis: str,
    queue: str,
    smtp_server: SMTPServer,
    region: Region,
    policy: ReminderPolicy,
) -> None:
    policy.escalation_contact_email = "escalations@example.test"
    policy.save()
    lead = make_lead(region, email="lead@example.test")
    prefer(lead)
    soon, late = make_person(region=region), make_person(region=region)
    idle = make_person(region=region)
    for person in (soon, late, idle):
        prefer(person)
    due_soon = make_recommendation(owner=soon, target_date=today() + 7 * DAY, text="Vet staff <b>now</b> & then")
    overdue = make_recommendation(owner=soon, target_date=today() - DAY)
    escalated = make_recommendation(owner=late, target_date=today() - 28 * DAY)
    make_recommendation(owner=idle, target_date=today() + 8 * DAY)  # nothing due: no email

    worker = workers(smtp_server.port)
    worker.start()
    beat(private_redis, queue)
    beat(private_redis, queue)  # two beats at once (or a beat and a catch-up): still one digest each
    worker.wait_then_settle(everything_sent(4), "4 digests sent", settle=1)  # anything sent twice arrives by then

    handler = smtp_server.handler
    addresses = sorted(message["To"] for message in handler.messages)
    assert addresses == sorted([soon.email, late.email, lead.email, "escalations@example.test"]), worker.log()
    assert Digest.objects.count() == 4 and not Digest.objects.exclude(status=DigestStatus.SENT).exists()
    [message] = handler.to(soon.email)
    digest = Digest.objects.get(recipient=soon)
    assert message["Message-ID"] == digest.message_id
    text, html = bodies(message)
    for part in (text, html):
        assert due_soon.reference in part and overdue.reference in part
        assert part.index(overdue.reference) < part.index(due_soon.reference)  # overdue first
        assert f"{SITE_URL}/recommendations/{due_soon.pk}/" in part
    assert "Vet staff <b>now</b> & then" in text and "Vet staff &lt;b&gt;now&lt;/b&gt; &amp; then" in html
    [escalation] = handler.to(lead.email)
    assert escalation["Subject"].startswith("Escalation: 1 recommendation needs attention (1 overdue)")
    assert escalated.reference in bodies(escalation)[0]


# --- faults ---


def test_a_refusing_smtp_server_gets_the_digest_exactly_once_when_it_accepts(
    workers: Callable[..., Worker], private_redis: str, queue: str, owner: User, policy: ReminderPolicy
) -> None:
    item = make_recommendation(owner=owner, target_date=today() + 7 * DAY)
    handler = RecordingHandler(refuse_first=2)  # "451 try again later", twice
    with SMTPServer(handler) as server:
        worker = workers(server.port)
        worker.start()
        beat(private_redis, queue)
        worker.wait_then_settle(everything_sent(1), "the digest sent after two refusals", settle=1)
    assert handler.attempts == 3 and [message["To"] for message in handler.messages] == [owner.email]
    assert item.reference in bodies(handler.messages[0])[0]
    digest = Digest.objects.get()
    assert (digest.attempts, digest.error) == (3, "")
    assert "Retry in" in worker.log()  # Celery's autoretry with backoff, not a second sweep


def test_an_smtp_server_that_is_down_then_up_gets_the_digest_exactly_once(
    workers: Callable[..., Worker], private_redis: str, queue: str, owner: User, policy: ReminderPolicy
) -> None:
    make_recommendation(owner=owner, target_date=today() + 7 * DAY)
    handler = RecordingHandler()
    server = SMTPServer(handler, port=free_port())  # nothing listens there yet: connection refused
    worker = workers(server.port)
    worker.start()
    beat(private_redis, queue)
    worker.wait_for(lambda: Digest.objects.filter(status=DigestStatus.FAILED).exists(), "a failure")
    assert "ConnectionRefusedError" in Digest.objects.get().error
    with server:
        worker.wait_then_settle(everything_sent(1), "the digest sent once the server is up", settle=1)
    assert [message["To"] for message in handler.messages] == [owner.email]
    assert Digest.objects.get().attempts >= 2


@pytest.mark.parametrize("kill", ["whole worker, then restarted", "pool process"])
def test_a_worker_killed_mid_send_redelivers_and_every_reminder_arrives_exactly_once(
    workers: Callable[..., Worker],
    private_redis: str,
    queue: str,
    region: Region,
    policy: ReminderPolicy,
    kill: str,
) -> None:
    people = [make_person(region=region) for _ in range(2)]
    for person in people:
        prefer(person)
        make_recommendation(owner=person, target_date=today() + 7 * DAY)
    # The server holds the first message's DATA without answering, so the worker dies before the message is
    # accepted. (A kill after acceptance, before the digest is marked sent, would send it twice: the documented
    # at-least-once window of reminders/sweep.py, narrowed by the stable Message-ID.)
    handler = RecordingHandler(hold_first=True)
    short = {"CELERY_BROKER_VISIBILITY_TIMEOUT": "2", "REMINDER_SEND_LEASE_SECONDS": "2"}
    with SMTPServer(handler) as server:
        worker = workers(server.port, pool="solo" if kill.startswith("whole") else "prefork", **short)
        worker.start()
        beat(private_redis, queue)
        worker.wait_for(handler.holding.is_set, "the first send to reach DATA")
        held = set(Digest.objects.filter(status=DigestStatus.SENDING).values_list("pk", flat=True))
        assert len(held) == 2  # one batch claimed both; it dies sending the first
        if kill.startswith("whole"):
            worker.kill()
            handler.release.set()
            time.sleep(3)  # past the visibility timeout: the restarted worker takes the unacknowledged task back
            worker.start()
        else:
            [child] = worker.child_pids()
            os.kill(child, signal.SIGKILL)  # reject_on_worker_lost: the task goes straight back to the queue
            handler.release.set()
        worker.wait_then_settle(everything_sent(2), "both digests sent", settle=1)
    assert sorted(message["To"] for message in handler.messages) == sorted(person.email for person in people)
    assert set(Digest.objects.filter(status=DigestStatus.SENT, attempts=2).values_list("pk", flat=True)) == held
    assert DigestItem.objects.count() == 2
    log = worker.log()
    received = re.search(r"(reminders\.send_digest_batch\[[0-9a-f-]+\]) received", log)
    assert received is not None, log
    first_send = received.group(1)
    # The same task was delivered again: at least once more (twice when its retry also met the unexpired claim).
    assert log.count(f"{first_send} received") >= 2, log
    assert ("WorkerLostError" in log) is (kill == "pool process")


# --- concurrency (PostgreSQL: real row locks and unique-index waits between connections) ---


def test_concurrent_sweeps_and_sends_make_and_send_one_digest_per_recipient(
    region: Region, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    people = [make_person(region=region) for _ in range(25)]
    for person in people:
        prefer(person)
        for days in (7, 30):
            make_recommendation(owner=person, target_date=today() + days * DAY)
    queued: list[int] = []
    now = timezone.now()
    assert run_together(4, lambda: run_sweep(now=now, enqueue=queued.extend)) == []
    assert Digest.objects.count() == 25 and DigestItem.objects.count() == 50
    assert sorted(queued) == sorted(Digest.objects.values_list("pk", flat=True))  # each queued by one sweep only
    assert send_each_at_once(queued) == []  # every digest offered to three senders at once
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in people)
    assert Digest.objects.filter(status=DigestStatus.SENT, attempts=1).count() == 25


# --- faults the outbox recovers from: a digest not sent goes within minutes, never twice ---
# Each starts a worker with short waits (fast_worker), runs beat's outbox (outbox), waits for the delivery and lets
# it settle (Worker.wait_then_settle): the fixtures in conftest.py, which test_notification_worker.py uses too.


def people_with_a_reminder(region: Region, count: int) -> list[User]:
    people = [make_person(region=region) for _ in range(count)]
    for person in people:
        prefer(person)
        make_recommendation(owner=person, target_date=today() + 7 * DAY)
    return people


def test_a_database_cut_while_the_smtp_reply_is_awaited_does_not_send_twice(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    owner: User,
    policy: ReminderPolicy,
) -> None:
    make_recommendation(owner=owner, target_date=today() + 7 * DAY)
    handler = RecordingHandler(hold_first=True, accept_held=True)  # DATA held, then accepted
    with SMTPServer(handler) as server, outbox():
        worker = fast_worker(server.port)
        beat(private_redis, queue)
        worker.wait_for(handler.holding.is_set, "the send to reach DATA")
        with connection.cursor() as cursor:  # the worker's PostgreSQL connection dies while it awaits the reply
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
        handler.release.set()
        worker.wait_then_settle(everything_sent(1), "the digest marked sent")
    assert [message["To"] for message in handler.messages] == [owner.email], worker.log()
    assert Digest.objects.get().attempts == 1
    assert "trying again on a new database connection" in worker.log()


def test_digests_queued_when_redis_restarts_are_sent_once_by_the_outbox(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis_process: RedisServer,
    queue: str,
    region: Region,
    policy: ReminderPolicy,
) -> None:
    people = people_with_a_reminder(region, 3)
    redis_url = private_redis_process.url
    handler = RecordingHandler(hold_first=True, accept_held=True)
    with SMTPServer(handler) as server:
        worker = fast_worker(server.port, REMINDER_SEND_BATCH="1")
        beat(redis_url, queue)
        worker.wait_for(handler.holding.is_set, "the first send to reach DATA")
        worker.wait_for(lambda: queued_tasks(redis_url, queue) == 2, "two digests queued behind it")
        private_redis_process.restart()  # nothing saved: the queued tasks are gone
        assert queued_tasks(redis_url, queue) == 0
        handler.release.set()
        with outbox():
            worker.wait_then_settle(everything_sent(3), "every digest sent after the restart")
    assert sorted(message["To"] for message in handler.messages) == sorted(person.email for person in people)


SWEEP_KILLED_MID_QUEUE = """
import os, signal
import django
django.setup()
from reminders import sweep, tasks
def enqueue(digest_ids):
    tasks._enqueue(digest_ids)
    os.kill(os.getpid(), signal.SIGKILL)  # the first batch is queued, the rest never will be
sweep.run_sweep(enqueue=enqueue)
"""


def test_a_sweep_killed_while_it_queues_leaves_nothing_unsent(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    region: Region,
    policy: ReminderPolicy,
) -> None:
    people = people_with_a_reminder(region, 4)
    handler = RecordingHandler()
    with SMTPServer(handler) as server:
        env = worker_env(redis_url=private_redis, queue=queue, smtp_port=server.port, REMINDER_SEND_BATCH="1", **FAST)
        sweep = subprocess.run([sys.executable, "-c", SWEEP_KILLED_MID_QUEUE], cwd=BASE_DIR, env=env, timeout=WAIT)
        assert sweep.returncode == -signal.SIGKILL
        assert Digest.objects.count() == 4 and queued_tasks(private_redis, queue) == 1
        worker = fast_worker(server.port, REMINDER_SEND_BATCH="1")
        with outbox():
            worker.wait_then_settle(everything_sent(4), "every digest sent")
    assert sorted(message["To"] for message in handler.messages) == sorted(person.email for person in people)


def test_an_smtp_outage_longer_than_the_retries_is_sent_once_by_the_outbox_when_it_ends(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    owner: User,
    policy: ReminderPolicy,
) -> None:
    make_recommendation(owner=owner, target_date=today() + 7 * DAY)
    handler = RecordingHandler()
    server = SMTPServer(handler, port=free_port())  # nothing listens there yet: connection refused
    worker = fast_worker(server.port)
    with outbox():
        beat(private_redis, queue)

        def retries_used_up() -> bool:
            return "reminders.send_digest[" in worker.log() and " raised unexpected: ConnectionRefusedError" in (
                worker.log()
            )

        worker.wait_for(retries_used_up, "the send task to give up")
        assert Digest.objects.get().status == DigestStatus.FAILED
        with server:
            worker.wait_then_settle(everything_sent(1), "the digest sent once the server is up")
    assert [message["To"] for message in handler.messages] == [owner.email]


def test_a_permanent_refusal_is_not_retried_and_the_others_arrive_once(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    owner: User,
    region: Region,
    policy: ReminderPolicy,
) -> None:
    gone = make_person(region=region, email="gone@example.test")
    prefer(gone)
    for person in (owner, gone):
        make_recommendation(owner=person, target_date=today() + 7 * DAY)
    handler = RecordingHandler(no_such_user=(gone.email,))
    done = [DigestStatus.SENT, DigestStatus.REFUSED]
    with SMTPServer(handler) as server, outbox():
        worker = fast_worker(server.port)
        beat(private_redis, queue)
        worker.wait_then_settle(lambda: Digest.objects.filter(status__in=done).count() == 2, "both settled")
    assert [message["To"] for message in handler.messages] == [owner.email]
    assert handler.rcpt_to.count(gone.email) == 1, worker.log()
    refused = Digest.objects.get(recipient=gone)
    assert (refused.status, refused.smtp_code, refused.attempts) == (DigestStatus.REFUSED, 550, 1)
    assert "550 5.1.1 No such user here" in refused.error
