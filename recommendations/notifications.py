"""Telling people what happened to their recommendations: the one way a notification is recorded.

The email that carries it is reminders/'s business (it reads the Notification rows); this module only records
who is to be told what, inside the caller's transaction.
"""

from accounts.models import User
from inspections.models import Inspection
from recommendations.models import Notification, NotificationKind, Recommendation, UpdateRound


def notify(
    recipient: User | None,
    kind: NotificationKind,
    *,
    key: str,
    title: str,
    body: str = "",
    recommendation: Recommendation | None = None,
    inspection: Inspection | None = None,
    update_round: UpdateRound | None = None,
) -> Notification | None:
    """Record that `recipient` is to be told of an event, once: the notification, or None when there is nobody
    active to tell or the event (its `key`) was already told. Call it inside the transaction that records the
    event, so that both commit or neither does."""
    if recipient is None or not recipient.is_active:
        return None
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "kind": kind,
            "title": title,
            "body": body,
            "recommendation": recommendation,
            "inspection": inspection,
            "update_round": update_round,
        },
    )
    return notification if created else None
