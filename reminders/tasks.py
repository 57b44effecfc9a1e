"""Thin Celery tasks: they fetch by id and call reminders/sweep.py, which holds all the logic.

The sweep queues digests in batches (`send_digest_batch`: one SMTP connection for many); a digest whose batch
could not send it for a temporary reason gets a `send_digest` task of its own, which retries with backoff. Beat
runs the outbox every few minutes: whatever is still not sent (a lost task, retries used up) is queued again.

All rely on acks_late and reject_on_worker_lost (settings): a task whose worker dies is delivered again, and the
claim in `sweep.send_digest` makes a second delivery harmless.
"""

from celery import Task, shared_task
from django.conf import settings

from reminders import sweep

# Network and SMTP trouble is worth retrying (a permanent 5xx refusal is recorded and not raised); anything else
# (a bad address, a template error) is recorded on the digest as failed and left to the outbox.
RETRYABLE = sweep.RETRYABLE
# Redis redelivers a task that is not acknowledged within the visibility timeout, and a retry waiting for its
# countdown is not acknowledged yet: keep the longest wait well below the timeout, or the retry runs twice.
RETRY_BACKOFF_MAX = max(1, min(10 * 60, getattr(settings, "CELERY_BROKER_VISIBILITY_TIMEOUT", 3600) // 2))


@shared_task(name="reminders.sweep", ignore_result=True)
def sweep_reminders() -> dict[str, object]:
    """Beat runs this (config/celery.py). Running it twice, or twice at once, sends nothing twice."""
    return sweep.run_sweep(enqueue=_enqueue).as_dict()


@shared_task(name="reminders.outbox", ignore_result=True)
def outbox() -> int:
    """Beat runs this every REMINDER_OUTBOX_INTERVAL_SECONDS: queue again every digest not sent that should be."""
    return len(sweep.run_outbox(enqueue=_enqueue))


@shared_task(name="reminders.send_notifications", ignore_result=True)
def send_notifications() -> int:
    """Queued as a notification commits (reminders/signals.py): email those due at once. Harmless to run twice."""
    return len(sweep.send_new_notifications(enqueue=_enqueue))


def _enqueue(digest_ids: list[int]) -> None:
    send_digest_batch.delay(digest_ids)


def _busy_countdown() -> float:
    return min(sweep.lease().total_seconds() + 1, RETRY_BACKOFF_MAX)


@shared_task(bind=True, name="reminders.send_digest_batch", ignore_result=True, acks_late=True)
def send_digest_batch(self: Task[[list[int]], dict[str, int]], digest_ids: list[int]) -> dict[str, int]:
    """Send these digests over one SMTP connection. A temporary failure gets its own retrying `send_digest`; digests
    another delivery of this task still holds are looked at again when that claim ends."""
    result = sweep.send_digests(digest_ids)
    for digest_id in result.retryable:  # its own task retries it with Celery's backoff: 1 s, 2 s, 4 s...
        send_digest.apply_async((digest_id,), countdown=1)
    if result.busy:
        send_digest_batch.apply_async((result.busy,), countdown=_busy_countdown())
    return {outcome.value: count for outcome, count in result.counts().items()}


@shared_task(
    bind=True,
    name="reminders.send_digest",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=getattr(settings, "REMINDER_SEND_RETRIES", 8),
)
def send_digest(self: Task[[int], str], digest_id: int) -> str:
    outcome = sweep.send_digest(digest_id)
    if outcome is sweep.Outcome.BUSY:
        # Another delivery of this task holds a live claim (or died holding it): look again when the lease ends.
        raise self.retry(countdown=_busy_countdown())
    return outcome.value
