"""The reminder sweep and the sending of one digest. Plain Python: reminders/tasks.py only calls these.

`run_sweep` works in two phases.
1. `create_digests` (one transaction): work out what is due for whom (reminders/policy.py), insert one
   `Digest(recipient, period=today)` per recipient with `bulk_create(ignore_conflicts=True)`, then the items of the
   digests *this* sweep created (found again by `run_id`).
2. Queue (or send) each new digest, plus those an earlier run left behind: failed, never queued, or stuck in
   `sending` after a crash.

Exactly one digest per recipient per day, whatever runs twice:
- the unique constraints on Digest (recipient or address, period) turn a second sweep's insert into a no-op,
  whether it runs later, at the same time (a second beat) or again (a redelivered task);
- a sweep adds items only to digests it created, in the same transaction, so a digest is never seen without its
  items and never gains items after it may have been sent;
- `send_digest` claims the row with a conditional UPDATE; only the holder of the claim sends it and marks it.

Nothing is lost to a day without a sweep (the scheduler or the worker down): each sweep records its day
(`SweepDay`), and the next one also does the work of the days in between, up to a week (policy.days_to_cover).

The at-least-once window: if the worker dies after the SMTP server accepted the message but before the UPDATE that
marks it sent commits, the digest is still `sending`; when its lease expires a redelivered task (or the next sweep)
sends it again. No protocol closes that window between two systems that share no transaction; it is kept to the
one UPDATE after `send()` returns, and every attempt carries the same Message-ID so that a mail system which
de-duplicates drops the copy.
"""

import datetime
import itertools
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from reminders.digest import DigestContent, claimed_digests, render_digest
from reminders.models import Digest, DigestItem, DigestStatus, SweepDay
from reminders.policy import DueReminders, Recipient, days_to_cover, due_reminders, load_rules

logger = logging.getLogger(__name__)

# A digest that has failed this often, or is older than RETRY_DAYS, is left to staff in the admin.
MAX_ATTEMPTS = 20
RETRY_DAYS = 2
BATCH_SIZE = 200  # digests claimed and read together when sending without a worker
# Bound parameters per INSERT, below PostgreSQL's 65,535: phase 1's query count barely moves with items.
# (SQLite's backend lowers the batches to its own limit.)
INSERT_BATCH = 60_000


class Outcome(StrEnum):
    SENT = "sent"
    CANCELLED = "cancelled"  # every item was closed before it could be sent
    FAILED = "failed"  # recorded on the digest; tried again by a retry or the next sweep
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


def run_sweep(*, now: datetime.datetime | None = None, enqueue: Callable[[int], object] | None = None) -> SweepResult:
    """Create today's digests and hand every unsent one to `enqueue` (default: send it here and now)."""
    now = now or timezone.now()
    # The London date (see the note at the top of policy.py), whatever time zone a request may have activated.
    today = timezone.localdate(now, ZoneInfo(settings.TIME_ZONE))
    created = create_digests(today, now=now)
    new = set(created)
    requeued = [pk for pk in unsent_digest_ids(today, now=now) if pk not in new]
    if enqueue is not None:
        for digest_id in [*created, *requeued]:
            enqueue(digest_id)
    else:
        send_digests([*created, *requeued])
    logger.info("Reminder sweep for %s: %d new digests, %d sent again", today, len(created), len(requeued))
    return SweepResult(period=today, created=created, requeued=requeued)


def _key(user_id: int | None, email: str) -> tuple[int | None, str]:
    return (user_id, "") if user_id is not None else (None, email)


@transaction.atomic
def create_digests(today: datetime.date, *, now: datetime.datetime) -> list[int]:
    """Phase 1: the digests (with their items) this sweep created; none for a recipient who already has one.
    They hold what fell due today and on any day since the last sweep (policy.days_to_cover)."""
    last_swept = SweepDay.objects.filter(period__lt=today).aggregate(last=Max("period"))["last"]
    sweep_days = days_to_cover(today, last_swept)
    if len(sweep_days) > 1:
        logger.warning("Reminder sweep for %s also does the work of %s, which had none", today, sweep_days[:-1])
    if last_swept is not None and last_swept < sweep_days[0] - datetime.timedelta(days=1):
        logger.error("No reminder sweep from %s to %s: reminders due then were not sent", last_swept, sweep_days[0])
    due = due_reminders(today, sweep_days=sweep_days)
    # The same order in every sweep: two sweeps at once wait on each other's rows instead of deadlocking.
    recipients = sorted(due, key=Recipient.sort_key)
    run_id = uuid.uuid4()
    digests = [
        Digest(recipient_id=r.user_id, email=r.email, period=today, run_id=run_id, created_at=now) for r in recipients
    ]
    Digest.objects.bulk_create(digests, ignore_conflicts=True, batch_size=INSERT_BATCH // 6)
    mine = {
        _key(user_id, email): pk
        for pk, user_id, email in Digest.objects.filter(run_id=run_id).values_list("id", "recipient_id", "email")
    }
    DigestItem.objects.bulk_create(_items(due, recipients, mine), batch_size=INSERT_BATCH // 3)
    SweepDay.objects.bulk_create([SweepDay(period=today, swept_at=now)], ignore_conflicts=True)
    return sorted(mine.values())


def _items(due: DueReminders, recipients: list[Recipient], mine: dict) -> Iterable[DigestItem]:
    for recipient in recipients:
        digest_id = mine.get(_key(*recipient))
        if digest_id is None:  # another sweep created this recipient's digest today: it has its items
            continue
        for pk, kinds in sorted(due[recipient].items()):
            yield from (DigestItem(digest_id=digest_id, recommendation_id=pk, kind=kind) for kind in sorted(kinds))


def unsent_digest_ids(today: datetime.date, *, now: datetime.datetime) -> list[int]:
    """Digests an earlier run left behind: failed, never queued (pending too long) or stuck sending."""
    stale = now - lease()
    left_behind = (
        Q(status=DigestStatus.FAILED)
        | Q(status=DigestStatus.PENDING, created_at__lt=stale)
        | Q(status=DigestStatus.SENDING, claimed_at__lt=stale)
    )
    recent = Q(period__gte=today - datetime.timedelta(days=RETRY_DAYS), attempts__lt=MAX_ATTEMPTS)
    return list(Digest.objects.filter(left_behind, recent).order_by("pk").values_list("pk", flat=True))


def send_digests(digest_ids: list[int]) -> Counter[Outcome]:
    """Send many digests here and now (no worker): a few queries per batch, one UPDATE per digest sent.

    One SMTP connection for all of them. An error is recorded on its own digest, the connection is opened afresh,
    and the rest go on; the next sweep tries a failed digest again. Nothing raises, even with the server down."""
    outcomes: Counter[Outcome] = Counter()
    mailer = mailers.default

    def carry_on(error: Exception) -> None:
        logger.error("Reminder digest not sent: %s: %s", type(error).__name__, error)
        mailer.close()
        _open(mailer)

    _open(mailer)
    try:
        for batch in itertools.batched(digest_ids, BATCH_SIZE, strict=False):
            # Each batch is claimed as it starts, so a long run never hands out claims that look old already.
            token, claimed = claim(batch, now=timezone.now())
            if claimed:
                outcomes.update(_send_claimed(token, claimed, mailer, on_error=carry_on).values())
    finally:
        mailer.close()
    return outcomes


def _open(mailer: BaseEmailBackend) -> None:
    try:
        mailer.open()
    except Exception as error:  # the server is down: each send then tries to connect itself and records why not
        logger.error("Cannot connect to send reminders: %s: %s", type(error).__name__, error)


def send_digest(digest_id: int, *, now: datetime.datetime | None = None) -> Outcome:
    """Claim, render and send one digest (the Celery task's work). Must run outside any transaction.

    An error is recorded on the digest (status failed, with the message) and raised again, so that the task can
    retry; one recipient's bad address never holds up anyone else's digest."""
    token, claimed = claim([digest_id], now=now or timezone.now())
    if not claimed:
        return _not_claimed(digest_id)
    outcomes = _send_claimed(token, claimed, mailers.default, on_error=_raise)
    return outcomes.get(digest_id, Outcome.CANCELLED)


def claim(digest_ids: Iterable[int], *, now: datetime.datetime) -> tuple[uuid.UUID, int]:
    """Take these digests for sending, except those sent, cancelled or held by a live claim: (token, how many).

    One conditional UPDATE: on PostgreSQL a second claimer blocks on a row the first one is claiming, then re-checks
    the condition against the committed row and leaves it alone."""
    token = uuid.uuid4()
    claimable = Q(status__in=[DigestStatus.PENDING, DigestStatus.FAILED]) | Q(
        status=DigestStatus.SENDING, claimed_at__lt=now - lease()
    )
    claimed = Digest.objects.filter(claimable, pk__in=list(digest_ids)).update(
        status=DigestStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, claim_token=token
    )
    return token, claimed


def _send_claimed(
    token: uuid.UUID, claimed: int, mailer: BaseEmailBackend, *, on_error: Callable[[Exception], None]
) -> dict[int, Outcome]:
    outcomes = {}
    for content in claimed_digests(token, response_due_days=load_rules().response_due_days):
        outcomes[content.digest_id] = _deliver(content, token, mailer, on_error)
    if len(outcomes) < claimed:  # a digest whose items were all deleted with their recommendations
        Digest.objects.filter(claim_token=token, status=DigestStatus.SENDING).update(status=DigestStatus.CANCELLED)
    return outcomes


def _deliver(
    content: DigestContent, token: uuid.UUID, mailer: BaseEmailBackend, on_error: Callable[[Exception], None]
) -> Outcome:
    digest_id = content.digest_id
    try:
        if content.dropped_item_ids:  # closed or superseded since the sweep: not sent, so not recorded as sent
            DigestItem.objects.filter(pk__in=content.dropped_item_ids).delete()
        if not content.sections:
            _finish(digest_id, token, status=DigestStatus.CANCELLED)
            return Outcome.CANCELLED
        if not content.email:
            raise ValueError("the recipient has no email address")
        validate_email(content.email)
        mailer.send_messages([render_digest(content)])
    except Exception as error:
        _finish(digest_id, token, status=DigestStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        on_error(error)
        return Outcome.FAILED
    # Straight after the server accepted it: this one UPDATE is the whole at-least-once window (see the top).
    _finish(digest_id, token, status=DigestStatus.SENT, sent_at=timezone.now(), error="")
    return Outcome.SENT


def _raise(error: Exception) -> None:
    raise error


def _finish(digest_id: int, token: uuid.UUID, **fields: object) -> None:
    updated = Digest.objects.filter(pk=digest_id, claim_token=token, status=DigestStatus.SENDING).update(**fields)
    if not updated:  # only if this send outlived its lease, which the task time limit prevents
        logger.warning("Reminder digest %s: claim lost before it could be marked %s", digest_id, fields["status"])


def _not_claimed(digest_id: int) -> Outcome:
    status = Digest.objects.filter(pk=digest_id).values_list("status", flat=True).first()
    return Outcome.BUSY if status == DigestStatus.SENDING else Outcome.DONE
