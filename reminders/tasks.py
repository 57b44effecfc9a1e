"""Thin Celery tasks: they fetch by id and call reminders/sweep.py, which holds all the logic.

Both rely on acks_late and reject_on_worker_lost (settings): a task whose worker dies is delivered again, and the
claim in `sweep.send_digest` makes a second delivery harmless.
"""

import smtplib

from celery import Task, shared_task
from django.conf import settings

from reminders import sweep

# Network and SMTP trouble is worth retrying; anything else (a bad address, a template error) is recorded on the
# digest as failed and left for the next sweep, which retries a failed digest a bounded number of times.
RETRYABLE = (smtplib.SMTPException, OSError, ConnectionError)
# Redis redelivers a task that is not acknowledged within the visibility timeout, and a retry waiting for its
# countdown is not acknowledged yet: keep the longest wait well below the timeout, or the retry runs twice.
RETRY_BACKOFF_MAX = max(1, min(10 * 60, getattr(settings, "CELERY_BROKER_VISIBILITY_TIMEOUT", 3600) // 2))


@shared_task(name="reminders.sweep", ignore_result=True)
def sweep_reminders() -> dict[str, object]:
    """Beat runs this (config/celery.py). Running it twice, or twice at once, sends nothing twice."""
    return sweep.run_sweep(enqueue=_enqueue).as_dict()


def _enqueue(digest_id: int) -> None:
    send_digest.delay(digest_id)


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
    max_retries=8,
)
def send_digest(self: Task, digest_id: int) -> str:
    outcome = sweep.send_digest(digest_id)
    if outcome is sweep.Outcome.BUSY:
        # Another delivery of this task holds a live claim (or died holding it): look again when the lease ends.
        raise self.retry(countdown=min(sweep.lease().total_seconds() + 1, RETRY_BACKOFF_MAX))
    return outcome.value
