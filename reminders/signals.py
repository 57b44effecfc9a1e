"""Email a notification soon after it is recorded: a task queued once its transaction commits.

Only a hint to be quick: if the broker is down or the task is lost, the outbox (beat, every
REMINDER_OUTBOX_INTERVAL_SECONDS) finds the notification in no email and sends it (notification_email.py)."""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def notification_saved(sender: Any, *, created: bool, **kwargs: Any) -> None:
    if created:
        transaction.on_commit(queue_notification_emails)


def many_notifications_recorded(sender: Any, **kwargs: Any) -> None:
    """Many notifications recorded in one insert (recommendations.notifications.notify_each): one task for all."""
    transaction.on_commit(queue_notification_emails)


def queue_notification_emails() -> None:
    from reminders.tasks import send_notifications  # Celery's app is loaded by then

    try:
        # No publish retries: a request must not wait on a broker that is down; the outbox covers for it.
        send_notifications.apply_async(retry=False)
    except Exception as error:  # the broker, however it fails: the notification is safe in the database
        logger.warning("Notification email not queued (%s: %s); the outbox will send it", type(error).__name__, error)
