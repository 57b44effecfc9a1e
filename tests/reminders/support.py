"""Helpers for the reminder tests: small factories, a recording SMTP server, a real Celery worker process, and the
steps the worker tests share (beat's outbox, the queue in Redis, threads released together). Their fixtures, which
start a worker or the outbox for a test, are in conftest.py."""

import asyncio
import datetime
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from accounts.models import Role, User
from inspections.models import Inspection, InspectionType, Region
from recommendations.models import Addressee, Recommendation, Status
from reminders.models import Frequency, ReminderPreference
from reminders.policy import Rules, Waiting, owner_kinds
from tests.support.ports import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
SITE_URL = "https://tracker.example.test"
EVERY_DAY = "0,1,2,3,4,5,6"
_sequence = itertools.count(1)

# --- factories (they create what they need, so they also work after a transactional test flushed the seeds) ---


def make_region(code: str = "TST1", **fields: Any) -> Region:
    fields.setdefault("name", f"Test region {code}")
    region, _ = Region.objects.get_or_create(code=code, defaults=fields)
    return region


def make_person(*, role: str = Role.REGIONAL_LEAD, region: Region | None = None, **fields: Any) -> User:
    number = next(_sequence)
    if role == Role.REGIONAL_LEAD and region is None:
        region = make_region()
    fields.setdefault("username", f"person-{number}")
    fields.setdefault("first_name", f"Person{number}")
    fields.setdefault("last_name", "Tester")
    fields.setdefault("email", f"person-{number}@example.test")
    return User.objects.create_user(role=role, region=region, password=fields.pop("password", None), **fields)


def make_lead(region: Region, **fields: Any) -> User:
    """The Inspectorate lead of `region`."""
    lead = make_person(role=Role.INSPECTORATE, **fields)
    region.inspectorate_lead = lead
    region.save(update_fields=["inspectorate_lead"])
    return lead


def prefer(user: User, *, frequency: str = Frequency.DAILY, days: str = EVERY_DAY, weekly_day: int = 0) -> None:
    ReminderPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "days": days, "weekly_day": weekly_day}
    )


def make_inspection(region: Region | None = None, **fields: Any) -> Inspection:
    number = next(_sequence)
    fields.setdefault("type", InspectionType.REGIONAL)
    fields.setdefault("reference", f"TST-{number}")
    fields.setdefault("title", f"Inspection of probation services {number}")
    fields.setdefault("published_on", datetime.date(2020, 1, 1))
    return Inspection.objects.create(region=region or make_region(), **fields)


def make_recommendation(
    *, owner: User | None, target_date: datetime.date | None, inspection: Inspection | None = None, **fields: Any
) -> Recommendation:
    """An open recommendation to the inspection's region; its response agreed unless told otherwise."""
    inspection = inspection or make_inspection()
    fields.setdefault("addressee", Addressee.REGION)
    fields.setdefault("region", inspection.region)
    fields.setdefault("number", inspection.recommendations.count() + 1)
    fields.setdefault("text", f"Improve the quality of work, point {fields['number']}.")
    fields.setdefault("response", "agreed")
    if fields.get("status") in (Status.CLOSED_IMPLEMENTED, Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED):
        fields.setdefault("closed_at", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    return Recommendation.objects.create(inspection=inspection, owner=owner, target_date=target_date, **fields)


# --- email ---


def parts(message: EmailMultiAlternatives) -> tuple[str, str]:
    """The plain-text body and the HTML alternative of a message from `mailoutbox`."""
    html = [alternative[0] for alternative in message.alternatives if alternative[1] == "text/html"]
    assert len(html) == 1, "the message has exactly one HTML part"
    body, content = message.body, html[0]
    assert isinstance(body, str) and isinstance(content, str)
    return body, content


def assert_in_both(message: EmailMultiAlternatives, *texts: str) -> None:
    body, html = parts(message)
    for text in texts:
        assert text in body, f"{text!r} missing from the plain-text part"
        assert text in html, f"{text!r} missing from the HTML part"


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message the recording SMTP server received."""
    plain, html = message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, "a digest has both parts"
    return (
        plain.get_content(),
        html.get_content(),
    )


class RecordingHandler:
    """An aiosmtpd handler that keeps every accepted message; it can refuse or hold the first attempts, and refuse
    some recipients for good (`no_such_user`: RCPT TO answered 550)."""

    def __init__(
        self,
        *,
        refuse_first: int = 0,
        hold_first: bool = False,
        accept_held: bool = False,
        no_such_user: tuple[str, ...] = (),
    ) -> None:
        self.messages: list[EmailMessage] = []
        self.attempts = 0
        self.refuse_first = refuse_first
        self.hold_first = hold_first
        self.accept_held = accept_held  # the held DATA is accepted (250) once released, not refused
        self.no_such_user = no_such_user
        self.rcpt_to: list[str] = []  # every RCPT TO asked, refused or not
        self.holding = threading.Event()  # set while the first DATA is held
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.rcpt_to.append(address)
        if address in self.no_such_user:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
        with self._lock:
            self.attempts += 1
            attempt = self.attempts
        if attempt <= self.refuse_first:
            return "451 4.3.0 Try again later"
        if self.hold_first and attempt == 1:
            self.holding.set()
            while not self.release.is_set():  # the test kills the client meanwhile; bounded by the test's timeout
                await asyncio.sleep(0.05)
            if not self.accept_held:
                return "451 4.3.0 Not accepted"
        self.messages.append(message_from_bytes(envelope.content, EmailMessage, policy=default_policy))
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


class SMTPServer:
    """A real SMTP server on a loopback port (aiosmtpd), started and stopped by the test."""

    def __init__(self, handler: RecordingHandler, port: int | None = None) -> None:
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop()


# --- a real Celery worker ---

WAIT = 60  # seconds: the most any single wait of the worker tests may take
# Short waits so that each scenario the outbox recovers from takes seconds: first retry wait 1 s (a queued digest is
# taken for lost after 5 s), claims of 3 s, one retry of its own per send task (conftest.py: fast_worker).
FAST = {
    "REMINDER_RETRY_BACKOFF_SECONDS": "1",
    "REMINDER_SEND_LEASE_SECONDS": "3",
    "REMINDER_SEND_RETRIES": "1",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "30",
}
SETTLE = 4  # seconds after the last delivery: past a claim, a retry's countdown and several outbox runs


def shared_database_url() -> str:
    """The URL of the database this test runs against (pytest-django's test_<name>), for another process."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params.get("PASSWORD") else ""
    host, port = params.get("HOST") or "127.0.0.1", params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def worker_env(*, redis_url: str, queue: str, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ENV_FILE": os.devnull,  # a developer's .env must not change what the worker does
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": shared_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_TIMEOUT": "10",
        "SITE_URL": SITE_URL,
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


class Worker:
    """`celery -A config worker` in its own process group, consuming only `queue`; its log goes to a file."""

    def __init__(self, directory: Path, env: dict[str, str], queue: str, pool: str = "solo") -> None:
        self.env, self.queue, self.pool = env, queue, pool
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.directory / f"worker-{self.starts}.log"

    def start(self, timeout: float = 60) -> None:
        self.starts += 1
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={self.pool}", "--concurrency=1"]
        command += ["-Q", self.queue, "-n", f"{self.queue}-{self.starts}@%h", "--loglevel=INFO"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        log_path, process = self.log_path, self.process

        def ready() -> bool:  # this start's own log: an earlier run's "ready." does not count
            return " ready." in log_path.read_text(errors="replace") or process.poll() is not None

        wait_until(ready, timeout, "the worker to start", self.log)
        assert self.process.poll() is None, f"the worker exited:\n{self.log()}"

    def wait_for(self, condition: Callable[[], object], what: str) -> None:
        """Wait up to WAIT seconds for `condition`; fail with this worker's log."""
        wait_until(condition, WAIT, what, self.log)

    def wait_then_settle(self, condition: Callable[[], object], what: str, settle: float = SETTLE) -> None:
        """Wait for `condition` (a delivery), then `settle` seconds more, so that a second delivery of the same email
        (a retry, a claim that ran out, another outbox run) would have arrived before the test counts them."""
        self.wait_for(condition, what)
        time.sleep(settle)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.directory.glob("worker-*.log")))

    def child_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill(self) -> None:
        """SIGKILL the whole worker (no warm shutdown, nothing acknowledged)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(
    condition: Callable[[], object],
    timeout: float,
    what: str,
    details: Callable[[], str] = str,
    interval: float = 0.1,
) -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds with `details()` (e.g. a worker's log)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for: {what}\n{details()}")
        time.sleep(interval)


class OwnedItem(TypedDict, total=False):
    """What owner_kinds is told about a recommendation."""

    target_date: Required[datetime.date | None]
    published_on: datetime.date | None
    awaiting_response: bool
    waiting: Waiting | None


def kinds_by_offset(around: datetime.date, rules: Rules, **item: Unpack[OwnedItem]) -> dict[int, set[str]]:
    """{days after `around`: the owner's reminder kinds} for every day from 100 days before to 100 days after."""
    found = {}
    for offset in range(-100, 101):
        if kinds := owner_kinds(rules, around + datetime.timedelta(days=offset), **item):
            found[offset] = kinds
    return found


def smtp_mailers(port: int, **options: object) -> dict[str, dict[str, object]]:
    """settings.MAILERS sending through the SMTP server on this loopback port."""
    smtp = {"host": "127.0.0.1", "port": port, "use_tls": False, **options}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": smtp}}


# --- steps the worker tests share ---

Outbox = Callable[[], AbstractContextManager[None]]  # the outbox fixture (conftest.py): `with outbox(): ...`


@contextmanager
def outbox_beat(redis_url: str, queue: str, every: float = 0.5) -> Iterator[None]:
    """What celery beat does all day: publish the outbox task every few seconds (here every `every`)."""
    stop = threading.Event()
    app = Celery("beat-stand-in", broker=redis_url)

    def run() -> None:
        while not stop.wait(every):
            try:
                app.send_task("reminders.outbox", queue=queue, retry=False)
            except Exception:  # Redis is down (restarting): beat logs it and tries again at the next tick
                continue

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        app.close()


def queued_tasks(redis_url: str, queue: str) -> int:
    with redis.Redis.from_url(redis_url) as client:
        length: int = client.llen(queue)  # redis-py's sync client: an int
        return length


def run_together(count: int, action: Callable[[], object]) -> list[BaseException]:
    """Run `action` in `count` threads released at the same moment; each closes its own database connection."""
    barrier, errors = threading.Barrier(count), []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a sweep thread hung"
    return errors


def send_each_at_once(digest_ids: list[int], *, offers: int = 3, senders: int = 4) -> list[BaseException]:
    """Offer each digest `offers` times to `senders` threads sending at once (reminders.sweep.send_digest), as
    redelivered and duplicated tasks would: what each sender raised."""
    from reminders.sweep import send_digest  # the app's models are loaded only once Django is set up

    pending = iter(digest_ids * offers)
    lock = threading.Lock()

    def send_some() -> None:
        while True:
            with lock:
                digest_id = next(pending, None)
            if digest_id is None:
                return
            send_digest(digest_id)

    return run_together(senders, send_some)
