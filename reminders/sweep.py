"""The reminder sweep and the sending of one digest. Plain Python: reminders/tasks.py only calls these.

`run_sweep` works in two phases.
1. `create_digests` (one transaction): work out what is due for whom (reminders/policy.py), insert one
   `Digest(recipient, period=today)` per recipient with `bulk_create(ignore_conflicts=True)`, then the items of the
   digests *this* sweep created (found again by `run_id`).
2. Queue (or send) the new digests in batches, plus those an earlier run left behind: failed, never queued, or
   stuck in `sending` after a crash.

Anything not sent does not wait for the next sweep: the outbox (`run_outbox`, a beat task every few minutes)
queues again every digest left behind (`DigestQuerySet.left_behind`), with a backoff that doubles with each
attempt. A permanent refusal (an SMTP 5xx reply) is never retried: the digest is `refused`, with the server's code
and words for staff to read in the admin.

Exactly one digest per recipient per day, whatever runs twice:
- the unique constraints on Digest (recipient or address, period) turn a second sweep's insert into a no-op,
  whether it runs later, at the same time (a second beat) or again (a redelivered task);
- a sweep adds items only to digests it created, in the same transaction, so a digest is never seen without its
  items and never gains items after it may have been sent;
- `send_digest` claims the row with a conditional UPDATE; only the holder of the claim sends it and marks it.

Nothing is lost to a day without a sweep (the scheduler or the worker down): each sweep records its day
(`SweepDay`), and the next one also does the work of the days in between, up to a week (policy.days_to_cover).

The at-least-once window: if the worker dies after the SMTP server accepted the message but before the UPDATE that
marks it sent commits, the digest is still `sending`; when its lease expires a redelivered task (or the outbox)
sends it again. A database error there does not open the window: the UPDATE is tried again on a fresh connection
for as long as the claim lasts (`_finish`). No protocol closes the window for a worker that dies between two
systems that share no transaction; it is kept to the one UPDATE after `send()` returns, and every attempt carries
the same Message-ID so that a mail system which de-duplicates drops the copy.
"""

import datetime
import itertools
import logging
import smtplib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from reminders.digest import claimed_digests
from reminders.models import (
    MAX_ATTEMPTS,
    RETRY_DAYS,
    Digest,
    DigestItem,
    DigestKind,
    DigestStatus,
    SweepDay,
    retry_wait,
)
from reminders.notification_email import (
    claimed_notification_emails,
    create_notification_emails,
    create_notification_summaries,
)
from reminders.policy import DueReminders, Recipient, days_to_cover, due_reminders, load_rules, london_date

logger = logging.getLogger(__name__)

__all__ = ["MAX_ATTEMPTS", "RETRY_DAYS"]  # the limits live with the rule (models.DigestQuerySet.left_behind)

BATCH_SIZE = 200  # digests claimed and read together when sending without a worker
# Bound parameters per INSERT, below PostgreSQL's 65,535: phase 1's query count barely moves with items.
# (SQLite's backend lowers the batches to its own limit.)
INSERT_BATCH = 60_000


class Outcome(StrEnum):
    SENT = "sent"
    CANCELLED = "cancelled"  # every item was closed before it could be sent
    FAILED = "failed"  # recorded on the digest; tried again by a retry or the outbox
    REFUSED = "refused"  # a permanent SMTP refusal (5xx): recorded on the digest, never tried again
    DONE = "done"  # nothing to do: already sent or cancelled (a duplicate task)
    BUSY = "busy"  # another worker holds a live claim: try again after the lease


@dataclass(frozen=True)
class SweepResult:
    period: datetime.date
    created: list[int]
    requeued: list[int]

    def as_dict(self) -> dict[str, object]:
        return {"period": self.period.isoformat(), "created": len(self.created), "requeued": len(self.requeued)}


def lease() -> datetime.timedelta:
    """How long a claim lasts. Longer than the task time limit, so a live send is never claimed twice."""
    return datetime.timedelta(seconds=getattr(settings, "REMINDER_SEND_LEASE_SECONDS", 15 * 60))


Enqueue = Callable[[list[int]], object]


def run_sweep(*, now: datetime.datetime | None = None, enqueue: Enqueue | None = None) -> SweepResult:
    """Create today's digests and hand every unsent one to `enqueue`, in batches of REMINDER_SEND_BATCH (default:
    send them here and now)."""
    now = now or timezone.now()
    today = london_date(now)
    created = create_digests(today, now=now)
    # The day's summaries of notifications go with the morning's reminders (only one a day: see the constraint).
    created += create_notification_summaries(today, now=now, next_attempt_at=now + queue_grace())
    new = set(created)
    requeued = [pk for pk in take_left_behind(now=now) if pk not in new]
    _hand_over([*created, *requeued], enqueue, now=now)
    logger.info("Reminder sweep for %s: %d new digests, %d sent again", today, len(created), len(requeued))
    return SweepResult(period=today, created=created, requeued=requeued)


def plan_sweep(*, now: datetime.datetime | None = None) -> tuple[datetime.date, DueReminders, list[int]]:
    """What a sweep now would do, recording nothing (`send_reminders --dry-run`): its day, the reminders it would
    put in new digests (none for a recipient who already has today's), and the digests left behind it would send
    again. The same rules as `run_sweep`; what is sent may still be less (digest.claimed_digests drops what no
    longer stands when it is sent)."""
    now = now or timezone.now()
    today = london_date(now)
    sweep_days, _, _ = _sweep_days(today)
    due = due_reminders(today, sweep_days=sweep_days)
    todays = Digest.objects.filter(period=today, kind=DigestKind.REMINDERS)
    have = {_key(*row) for row in todays.values_list("recipient_id", "email")}
    new = {recipient: items for recipient, items in due.items() if _key(*recipient) not in have}
    left_behind = list(Digest.objects.left_behind(now=now, lease=lease()).order_by("pk").values_list("pk", flat=True))
    return today, new, left_behind


def run_outbox(*, now: datetime.datetime | None = None, enqueue: Enqueue | None = None) -> list[int]:
    """Queue again every digest left behind (a broker that lost its task, a sweep killed while queueing, retries
    used up): the outbox, run by beat every REMINDER_OUTBOX_INTERVAL_SECONDS. Returns the ids queued."""
    now = now or timezone.now()
    new = create_notification_emails(now=now, next_attempt_at=now + queue_grace())
    digest_ids = [*new, *(pk for pk in take_left_behind(now=now) if pk not in set(new))]
    _hand_over(digest_ids, enqueue, now=now)
    if digest_ids:
        logger.info("Outbox: %d notification emails, %d emails not yet sent queued again", len(new), len(digest_ids))
    return digest_ids


def send_new_notifications(*, now: datetime.datetime | None = None, enqueue: Enqueue | None = None) -> list[int]:
    """Email every notification due at once that is in no email yet: the task queued as a notification commits.
    If that task is lost, the outbox does the same within REMINDER_OUTBOX_INTERVAL_SECONDS."""
    now = now or timezone.now()
    digest_ids = create_notification_emails(now=now, next_attempt_at=now + queue_grace())
    _hand_over(digest_ids, enqueue, now=now)
    return digest_ids


def _hand_over(digest_ids: list[int], enqueue: Enqueue | None, *, now: datetime.datetime) -> None:
    if enqueue is None:
        send_digests(digest_ids, now=now)
        return
    for batch in itertools.batched(digest_ids, send_batch_size(), strict=False):
        enqueue(list(batch))


def send_batch_size() -> int:
    return max(1, getattr(settings, "REMINDER_SEND_BATCH", 50))


def queue_grace() -> datetime.timedelta:
    """How long a queued digest may wait for its task before the outbox takes the broker to have lost it: a queue
    of thousands drains in seconds, so five first waits (5 minutes by default) is ample."""
    return 5 * retry_wait(1)


def _report_gap(today: datetime.date, last_swept: datetime.date | None, sweep_days: tuple[datetime.date, ...]) -> None:
    if len(sweep_days) > 1:
        logger.warning("Reminder sweep for %s also does the work of %s, which had none", today, sweep_days[:-1])
    if last_swept is not None and last_swept < sweep_days[0] - datetime.timedelta(days=1):
        logger.error("No reminder sweep from %s to %s: reminders due then were not sent", last_swept, sweep_days[0])


def _key(user_id: int | None, email: str) -> tuple[int | None, str]:
    return (user_id, "") if user_id is not None else (None, email)


def _sweep_days(today: datetime.date) -> tuple[tuple[datetime.date, ...], datetime.date | None, bool]:
    """The days a sweep today does the work of (policy.days_to_cover), the last day swept before today, and whether
    a sweep already ran today: one query."""
    recent = list(SweepDay.objects.filter(period__lte=today).order_by("-period").values_list("period", flat=True)[:2])
    last_swept = next((day for day in recent if day < today), None)
    return days_to_cover(today, last_swept), last_swept, bool(recent) and recent[0] == today


@transaction.atomic
def create_digests(today: datetime.date, *, now: datetime.datetime) -> list[int]:
    """Phase 1: the digests (with their items) this sweep created; none for a recipient who already has one.
    They hold what fell due today and on any day since the last sweep (policy.days_to_cover)."""
    sweep_days, last_swept, swept_today = _sweep_days(today)
    if not swept_today:  # said once, by the day's first sweep: the catch-up sweeps after it see the same gap
        _report_gap(today, last_swept, sweep_days)
    due = due_reminders(today, sweep_days=sweep_days)
    # The same order in every sweep: two sweeps at once wait on each other's rows instead of deadlocking.
    recipients = sorted(due, key=Recipient.sort_key)
    run_id = uuid.uuid4()
    # Queued at once; if the broker loses the task, the outbox queues the digest again after queue_grace().
    later = now + queue_grace()
    digests = [
        Digest(
            recipient_id=r.user_id, email=r.email, period=today, run_id=run_id, created_at=now, next_attempt_at=later
        )
        for r in recipients
    ]
    Digest.objects.bulk_create(digests, ignore_conflicts=True, batch_size=INSERT_BATCH // 6)
    mine = {
        _key(user_id, email): pk
        for pk, user_id, email in Digest.objects.filter(run_id=run_id).values_list("id", "recipient_id", "email")
    }
    DigestItem.objects.bulk_create(_items(due, recipients, mine), batch_size=INSERT_BATCH // 3)
    SweepDay.objects.bulk_create([SweepDay(period=today, swept_at=now)], ignore_conflicts=True)
    return sorted(mine.values())


def _items(
    due: DueReminders, recipients: list[Recipient], mine: dict[tuple[int | None, str], int]
) -> Iterable[DigestItem]:
    for recipient in recipients:
        digest_id = mine.get(_key(*recipient))
        if digest_id is None:  # another sweep created this recipient's digest today: it has its items
            continue
        for pk, kinds in sorted(due[recipient].items()):
            yield from (DigestItem(digest_id=digest_id, recommendation_id=pk, kind=kind) for kind in sorted(kinds))


@transaction.atomic
def take_left_behind(*, now: datetime.datetime) -> list[int]:
    """The digests left behind (failed, never queued or lost by the broker, stuck sending), each put off by
    queue_grace() as it is taken, so that the next outbox run does not queue it again while its task waits.
    Rows another outbox or sweep is taking are skipped (SKIP LOCKED), not queued twice."""
    rows = Digest.objects.left_behind(now=now, lease=lease()).order_by("pk").select_for_update(skip_locked=True)
    digest_ids = list(rows.values_list("pk", flat=True))
    Digest.objects.filter(pk__in=digest_ids).update(next_attempt_at=now + queue_grace())
    return digest_ids


@dataclass
class BatchResult:
    outcomes: dict[int, Outcome]
    retryable: list[int]  # failed for a reason worth retrying soon (network, a temporary SMTP answer)
    busy: list[int]  # held by another live claim

    def counts(self) -> Counter[Outcome]:
        return Counter(self.outcomes.values())


def send_digests(digest_ids: list[int], *, now: datetime.datetime | None = None) -> BatchResult:
    """Send many digests over one SMTP connection: a few queries per batch, one UPDATE per digest sent. The batch
    task's work, and the sweep's without a worker.

    Each digest is claimed and marked on its own row, so exactly-once holds as for one. An error is recorded on its
    own digest, the connection is opened afresh, and the rest go on; if the server cannot be reached again, the
    rest of the batch is recorded as failed with the same error without waiting for a timeout each. A failed
    digest is tried again by the task's retry or the outbox. Nothing raises, even with the server down."""
    result = BatchResult(outcomes={}, retryable=[], busy=[])
    if not digest_ids:  # no connection opened for nothing (the file backend would leave an empty file)
        return result
    mailer = mailers.default
    reachable = True

    def carry_on(digest_id: int, error: Exception) -> bool:
        nonlocal reachable
        logger.error("Reminder digest %s not sent: %s: %s", digest_id, type(error).__name__, error)
        if isinstance(error, RETRYABLE):
            result.retryable.append(digest_id)
        if reachable:
            mailer.close()
            reachable = _open(mailer)
        return reachable

    _open(mailer)
    try:
        started = time.monotonic()
        for batch in itertools.batched(digest_ids, BATCH_SIZE, strict=False):
            # Each batch is claimed as it starts, so a long run never hands out claims that look old already.
            elapsed = datetime.timedelta(seconds=int(time.monotonic() - started))  # whole seconds are enough
            claimed_at = now + elapsed if now else timezone.now()
            token, claimed = claim(batch, now=claimed_at)
            if claimed:
                result.outcomes.update(_send_claimed(token, claimed, claimed_at, mailer, on_error=carry_on))
            if claimed < len(batch):
                result.busy += _busy(set(batch) - set(result.outcomes))
    finally:
        mailer.close()
    return result


# Network and temporary SMTP trouble (4xx) is worth retrying soon; a permanent refusal never is (permanent_refusal).
RETRYABLE = (smtplib.SMTPException, OSError, ConnectionError)
# 5xx answers about the connection or our account, not about this message: staff fix them, then every digest goes.
NOT_ABOUT_THE_MESSAGE = (smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError, smtplib.SMTPHeloError)


def permanent_refusal(error: Exception) -> tuple[int, str] | None:
    """(code, reply) when the SMTP server refused this message for good (5xx), else None."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        if replies and all(code >= 500 for code, _ in replies):
            return replies[0][0], _text(replies[0][1])
        return None
    if isinstance(error, NOT_ABOUT_THE_MESSAGE):
        return None
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500:
        return error.smtp_code, _text(error.smtp_error)
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _open(mailer: BaseEmailBackend) -> bool:
    try:
        mailer.open()
    except Exception as error:  # the server is down: the next send tries to connect itself and records why not
        logger.error("Cannot connect to send reminders: %s: %s", type(error).__name__, error)
        return False
    return True


def send_digest(digest_id: int, *, now: datetime.datetime | None = None) -> Outcome:
    """Claim, render and send one digest (the Celery task's work). Must run outside any transaction.

    An error is recorded on the digest (status failed, with the message) and raised again, so that the task can
    retry; one recipient's bad address never holds up anyone else's digest."""
    claimed_at = now or timezone.now()
    token, claimed = claim([digest_id], now=claimed_at)
    if not claimed:
        return _not_claimed(digest_id)
    outcomes = _send_claimed(token, claimed, claimed_at, mailers.default, on_error=_raise)
    return outcomes.get(digest_id, Outcome.CANCELLED)


def _busy(digest_ids: set[int]) -> list[int]:
    """Of digests not claimed, those another sender holds (the rest are sent, cancelled or refused)."""
    return sorted(Digest.objects.filter(pk__in=digest_ids, status=DigestStatus.SENDING).values_list("pk", flat=True))


def claim(digest_ids: Iterable[int], *, now: datetime.datetime) -> tuple[uuid.UUID, int]:
    """Take these digests for sending, except those sent, cancelled or held by a live claim: (token, how many).

    One conditional UPDATE: on PostgreSQL a second claimer blocks on a row the first one is claiming, then re-checks
    the condition against the committed row and leaves it alone."""
    token = uuid.uuid4()
    claimable = Q(status__in=[DigestStatus.PENDING, DigestStatus.FAILED]) | Q(
        status=DigestStatus.SENDING, claimed_at__lt=now - lease()
    )
    claimed = Digest.objects.filter(claimable, pk__in=list(digest_ids)).update(
        status=DigestStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, claim_token=token, next_attempt_at=None
    )
    return token, claimed


# Told of a digest's failure; returns whether to go on with the batch (False: the mail server is out of reach).
OnError = Callable[[int, Exception], bool]


def _send_claimed(
    token: uuid.UUID, claimed: int, claimed_at: datetime.datetime, mailer: BaseEmailBackend, *, on_error: OnError
) -> dict[int, Outcome]:
    # The claim is ours until its lease ends: marking a digest may be retried until then (see _finish).
    ours = Claim(token, claimed_at, deadline=time.monotonic() + lease().total_seconds())
    outcomes = {}
    out_of_reach: list[Exception] = []

    def noted(digest_id: int, error: Exception) -> bool:
        if not on_error(digest_id, error):
            out_of_reach.append(error)
        return not out_of_reach

    for content in _claimed_contents(token):
        if out_of_reach:  # not tried now: each would wait for the connection timeout (and the task time limit)
            _finish_failed(content.digest_id, ours, out_of_reach[0])
            noted(content.digest_id, out_of_reach[0])
            outcomes[content.digest_id] = Outcome.FAILED
            continue
        outcomes[content.digest_id] = _deliver(content, ours, mailer, noted)
    if len(outcomes) < claimed:  # a digest whose items were all deleted with their recommendations
        Digest.objects.filter(claim_token=token, status=DigestStatus.SENDING).update(status=DigestStatus.CANCELLED)
    return outcomes


class Deliverable(Protocol):
    """What _deliver sends: a reminder digest (digest.DigestContent) or a notification email or summary
    (notification_email.NotificationEmailContent)."""

    @property
    def digest_id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def has_content(self) -> bool: ...
    def forget_dropped(self) -> None: ...
    def message(self) -> EmailMultiAlternatives: ...


def _claimed_contents(token: uuid.UUID) -> Iterator[Deliverable]:
    """Every email the claim holds, of each kind: its reminder digests, then its notification emails."""
    yield from claimed_digests(token, response_due_days=load_rules().response_due_days)
    yield from claimed_notification_emails(token)


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    claimed_at: datetime.datetime
    deadline: float  # time.monotonic() when the lease ends


def _deliver(content: Deliverable, claim: Claim, mailer: BaseEmailBackend, on_error: OnError) -> Outcome:
    digest_id = content.digest_id
    try:
        content.forget_dropped()  # what no longer stands, or the person may no longer see: not sent, not recorded
        if not content.has_content:
            _finish(digest_id, claim, status=DigestStatus.CANCELLED)
            return Outcome.CANCELLED
        if not content.email:
            raise ValueError("the recipient has no email address")
        validate_email(content.email)
        mailer.send_messages([content.message()])
    except Exception as error:
        if refusal := permanent_refusal(error):
            code, reply = refusal
            logger.error("Reminder digest %s refused for good by the mail server: %s %s", digest_id, code, reply)
            _finish(digest_id, claim, status=DigestStatus.REFUSED, smtp_code=code, error=f"{code} {reply}"[:2000])
            return Outcome.REFUSED
        _finish_failed(digest_id, claim, error)
        on_error(digest_id, error)
        return Outcome.FAILED
    # Straight after the server accepted it: this one UPDATE is the whole at-least-once window (see the top).
    _finish(digest_id, claim, status=DigestStatus.SENT, sent_at=timezone.now(), error="")
    return Outcome.SENT


def _finish_failed(digest_id: int, claim: Claim, error: Exception) -> None:
    """Failed, with why, and when the outbox may try it again: later with each attempt (models.retry_wait)."""
    attempts = Digest.objects.filter(pk=digest_id).values_list("attempts", flat=True).first() or 1
    _finish(
        digest_id,
        claim,
        status=DigestStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=claim.claimed_at + retry_wait(attempts),
    )


def _raise(digest_id: int, error: Exception) -> bool:
    raise error


def _finish(digest_id: int, claim: Claim, **fields: object) -> None:
    """Mark the digest, if the claim is still ours. A database error (a connection cut, a failover) is retried on
    a fresh connection until the claim ends: after the SMTP server accepted the message, giving up would leave the
    digest `sending`, to be sent again once the claim expires."""
    wait = 0.2
    while True:
        try:
            updated = Digest.objects.filter(pk=digest_id, claim_token=claim.token, status=DigestStatus.SENDING).update(
                **fields
            )
            break
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or time.monotonic() + wait >= claim.deadline:
                logger.error("Reminder digest %s: could not be marked %s: %s", digest_id, fields["status"], error)
                raise
            logger.warning(
                "Reminder digest %s: marking it %s failed (%s); trying again on a new database connection",
                digest_id,
                fields["status"],
                error,
            )
            connection.close()
            time.sleep(wait)
            wait = min(wait * 2, 10.0)
    if not updated:  # only if this send outlived its lease, which the task time limit prevents
        logger.warning("Reminder digest %s: claim lost before it could be marked %s", digest_id, fields["status"])


def _not_claimed(digest_id: int) -> Outcome:
    status = Digest.objects.filter(pk=digest_id).values_list("status", flat=True).first()
    return Outcome.BUSY if status == DigestStatus.SENDING else Outcome.DONE
