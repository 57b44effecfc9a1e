"""Notification emails under the digests' faults, against the real services: a Celery worker process, Redis,
PostgreSQL and SMTP (tests/reminders/test_worker.py has the same for the reminder digests).

The events are recorded by another process, as a web request would record them, so that the task it queues as it
commits goes to the test's own Redis and queue. Nothing is mocked; each notification must arrive exactly once. The
fault tests take the same steps as the digests' (conftest.py): a worker with short waits (fast_worker), beat's outbox
(outbox), and a wait for the delivery that then lets it settle (Worker.wait_then_settle).
"""

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import Region
from recommendations.models import Notification, NotificationKind, Recommendation
from recommendations.notifications import notify
from reminders.models import Digest, DigestKind, DigestStatus, NotificationEmail, ReminderPolicy
from reminders.services import reminder_preference_set
from reminders.sweep import run_outbox, run_sweep
from tests.reminders.support import (
    BASE_DIR,
    WAIT,
    Outbox,
    RecordingHandler,
    SMTPServer,
    Worker,
    bodies,
    make_person,
    make_recommendation,
    queued_tasks,
    run_together,
    send_each_at_once,
    worker_env,
)
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("postgres_only"),
]

# Staff make `owner` the owner of each recommendation named, each in its own transaction (a page's POST).
ASSIGN = """
import sys
import django
django.setup()
from accounts.models import User
from recommendations import services
from recommendations.models import Recommendation
staff, owner = (User.objects.get(pk=int(pk)) for pk in sys.argv[1:3])
for pk in sys.argv[3:]:
    services.recommendation_assign_owner(recommendation=Recommendation.objects.get(pk=int(pk)), owner=owner, by=staff)
"""


def assign(env: dict[str, str], staff: User, owner: User, items: list[Recommendation]) -> str:
    """Record the events in another process; its log (stderr)."""
    args = [str(staff.pk), str(owner.pk), *(str(item.pk) for item in items)]
    done = subprocess.run(
        [sys.executable, "-c", ASSIGN, *args], cwd=BASE_DIR, env=env, timeout=WAIT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def sent(expected: int) -> Callable[[], bool]:
    return lambda: Digest.objects.filter(kind=DigestKind.NOTIFICATION, status=DigestStatus.SENT).count() >= expected


@pytest.fixture
def staff() -> User:
    return make_person(role=Role.INSPECTORATE, email="staff@example.test")


@pytest.fixture
def items(region: Region) -> list[Recommendation]:
    return [make_recommendation(owner=None, target_date=None) for _ in range(2)]


def _subjects(handler: RecordingHandler) -> list[str]:
    return sorted(str(message["Subject"]) for message in handler.messages)


def _expected(items: list[Recommendation]) -> list[str]:
    return sorted(
        f"You are now the owner of {item.reference} \N{EN DASH} HM Inspectorate of Probation" for item in items
    )


def test_each_event_is_emailed_once_by_the_task_queued_as_it_commits(
    workers: Callable[..., Worker],
    private_redis: str,
    queue: str,
    staff: User,
    owner: User,
    items: list[Recommendation],
) -> None:
    handler = RecordingHandler()
    with SMTPServer(handler) as server:
        worker = workers(server.port)
        worker.start()
        assign(worker_env(redis_url=private_redis, queue=queue, smtp_port=server.port), staff, owner, items)
        worker.wait_then_settle(sent(2), "both notifications emailed without the outbox", settle=1)
    assert _subjects(handler) == _expected(items)
    plain, html = bodies(handler.messages[0])
    assert "/notifications/" in plain and "/notifications/" in html
    assert "reminders.send_notifications" in worker.log()


def test_with_redis_down_as_it_commits_the_event_stands_and_the_outbox_emails_it_once(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    queue: str,
    staff: User,
    owner: User,
    items: list[Recommendation],
) -> None:
    handler = RecordingHandler()
    with SMTPServer(handler) as server:
        down = worker_env(redis_url=f"redis://127.0.0.1:{free_port()}/0", queue=queue, smtp_port=server.port)
        assert "the outbox will send it" in assign(down, staff, owner, items)
        assert Notification.objects.filter(recipient=owner).count() == 2
        worker = fast_worker(server.port)
        with outbox():
            worker.wait_then_settle(sent(2), "both sent by the outbox")
    assert _subjects(handler) == _expected(items)


def test_tasks_lost_with_a_redis_restart_are_emailed_once_by_the_outbox(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis_process: RedisServer,
    queue: str,
    staff: User,
    owner: User,
    items: list[Recommendation],
) -> None:
    handler = RecordingHandler()
    redis_url = private_redis_process.url
    with SMTPServer(handler) as server:
        assign(worker_env(redis_url=redis_url, queue=queue, smtp_port=server.port), staff, owner, items)
        assert queued_tasks(redis_url, queue) == 2  # no worker yet: the tasks wait in Redis
        private_redis_process.restart()  # nothing saved: they are gone
        worker = fast_worker(server.port)
        with outbox():
            worker.wait_then_settle(sent(2), "both sent by the outbox")
    assert _subjects(handler) == _expected(items)


def test_a_temporary_smtp_refusal_is_retried_and_the_email_arrives_once(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    staff: User,
    owner: User,
    items: list[Recommendation],
) -> None:
    handler = RecordingHandler(refuse_first=2)  # "451 try again later", twice
    with SMTPServer(handler) as server, outbox():
        worker = fast_worker(server.port)
        assign(worker_env(redis_url=private_redis, queue=queue, smtp_port=server.port), staff, owner, items[:1])
        worker.wait_then_settle(sent(1), "the email sent after two refusals")
    assert handler.attempts == 3 and _subjects(handler) == _expected(items[:1])
    assert Digest.objects.get().error == ""


def test_an_smtp_server_down_then_up_gets_each_email_once(
    fast_worker: Callable[..., Worker],
    outbox: Outbox,
    private_redis: str,
    queue: str,
    staff: User,
    owner: User,
    items: list[Recommendation],
) -> None:
    handler = RecordingHandler()
    server = SMTPServer(handler, port=free_port())  # nothing listens there yet: connection refused
    with outbox():
        worker = fast_worker(server.port)
        assign(worker_env(redis_url=private_redis, queue=queue, smtp_port=server.port), staff, owner, items)
        worker.wait_for(lambda: Digest.objects.filter(status=DigestStatus.FAILED).exists(), "a failure")
        with server:
            worker.wait_then_settle(sent(2), "both sent once the server is up")
    assert _subjects(handler) == _expected(items)


def test_a_permanent_refusal_is_not_retried(
    fast_worker: Callable[..., Worker], outbox: Outbox, private_redis: str, queue: str, staff: User, region: Region
) -> None:
    gone = make_person(region=region, email="gone@example.test")
    item = make_recommendation(owner=None, target_date=None)
    handler = RecordingHandler(no_such_user=(gone.email,))
    with SMTPServer(handler) as server, outbox():
        worker = fast_worker(server.port)
        assign(worker_env(redis_url=private_redis, queue=queue, smtp_port=server.port), staff, gone, [item])
        worker.wait_then_settle(lambda: Digest.objects.filter(status=DigestStatus.REFUSED).exists(), "refused")
    refused = Digest.objects.get()
    assert (refused.status, refused.smtp_code, refused.attempts) == (DigestStatus.REFUSED, 550, 1)
    assert handler.rcpt_to.count(gone.email) == 1 and handler.messages == []


def test_concurrent_outboxes_sweeps_and_sends_email_each_notification_once(
    region: Region, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    people = [make_person(region=region) for _ in range(25)]
    for number, person in enumerate(people):
        notify(person, NotificationKind.OWNER_ASSIGNED, key=f"owner:{number}", title=f"News {number}")
    queued: list[int] = []

    def take() -> None:  # the outbox and the sweep, four of each at once
        now = timezone.now()
        run_outbox(now=now, enqueue=queued.extend)
        run_sweep(now=now, enqueue=queued.extend)

    assert run_together(4, take) == []
    assert NotificationEmail.objects.count() == 25
    emails = Digest.objects.filter(kind=DigestKind.NOTIFICATION)
    assert sorted(queued) == sorted(emails.values_list("pk", flat=True))  # 25, each made and queued once
    assert send_each_at_once(queued) == []  # each offered to three senders at once
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in people)
    assert Digest.objects.filter(status=DigestStatus.SENT, attempts=1).count() == 25


def test_a_summary_is_one_a_day_through_the_worker(
    fast_worker: Callable[..., Worker], outbox: Outbox, owner: User, policy: ReminderPolicy, settings: Any
) -> None:
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 1  # this process's sweep: a lost summary is the outbox's in 5 s
    reminder_preference_set(user=owner, frequency="daily", days=[0], weekly_day=None, notification_emails="summary")
    for number in range(3):
        notify(owner, NotificationKind.FOLLOW_UP_RECORDED, key=f"follow-up:{number}", title=f"Follow-up {number}")
    handler = RecordingHandler()
    with SMTPServer(handler) as server, outbox():
        worker = fast_worker(server.port)
        time.sleep(2)  # several outbox runs: a summary waits for the sweep
        assert handler.messages == []
        for _ in range(2):  # the morning sweep and a catch-up, their tasks lost
            run_sweep(enqueue=lambda digest_ids: None)
        summary = Digest.objects.get(kind=DigestKind.NOTIFICATION_SUMMARY)
        worker.wait_then_settle(
            lambda: Digest.objects.filter(pk=summary.pk, status=DigestStatus.SENT).exists(),
            "the summary sent by the outbox",
        )
    (message,) = handler.messages
    assert "3 notifications" in str(message["Subject"])
    assert all(f"Follow-up {number}" in bodies(message)[0] for number in range(3))
