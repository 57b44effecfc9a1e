"""Reads of the reminder record that other apps show (the recommendation's timeline)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.models import User
from recommendations.models import Recommendation
from reminders.models import DigestItem, DigestStatus, ReminderKind


@dataclass(frozen=True)
class ReminderEntry:
    """One reminder sent about a recommendation."""

    sent_at: datetime.datetime
    recipient: User | str  # the User, or the bare address of an escalation contact who is not a user
    kind: str
    kind_display: str
    digest_id: int

    @property
    def kind_label(self) -> str:
        return self.kind_display


def reminders_for_recommendations(ids: Iterable[int]) -> dict[int, list[ReminderEntry]]:
    """Reminders sent about each recommendation, newest first: one query for any number of recommendations."""
    items = (
        DigestItem.objects.filter(recommendation_id__in=list(ids), digest__status=DigestStatus.SENT)
        .select_related("digest__recipient")
        .order_by("-digest__sent_at", "-digest_id", "kind")
    )
    found: dict[int, list[ReminderEntry]] = defaultdict(list)
    for item in items:
        digest = item.digest
        assert digest.sent_at is not None  # a sent digest has its time (a constraint on Digest)
        found[item.recommendation_id].append(
            ReminderEntry(
                sent_at=digest.sent_at,
                recipient=digest.recipient or digest.email,
                kind=item.kind,
                kind_display=ReminderKind(item.kind).label,
                digest_id=digest.pk,
            )
        )
    return dict(found)


def reminders_for_recommendation(recommendation: Recommendation) -> list[ReminderEntry]:
    """Reminders sent about one recommendation, newest first, in one query."""
    return reminders_for_recommendations([recommendation.pk]).get(recommendation.pk, [])
