"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads each source once (one query per source, whatever its length);
`build_timeline` turns them into entries of one shape that templates/recommendations/includes/timeline.html shows.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone

from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    ProgressUpdate,
    Recommendation,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from recommendations.selectors import Change, FieldChange, recommendation_changes


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # change, progress, follow_up, date_request, date_decision, action, reminder, created
    title: str
    by: Any = None
    text: str = ""
    reason: str = ""
    changes: tuple[FieldChange, ...] = ()
    details: tuple[tuple[str, str], ...] = ()
    source: Any = None  # the row it came from (a progress update carries its evidence)
    day_only: bool = False  # dated, not timed (follow-up activities, completed actions)


@dataclass(frozen=True)
class TargetDateMove:
    at: datetime.datetime
    by: Any
    old: datetime.date | None
    new: datetime.date | None
    reason: str


@dataclass(frozen=True)
class RecommendationRecord:
    """What the detail page shows beyond the recommendation's own row, each read in one query."""

    changes: list[Change]
    progress_updates: list[ProgressUpdate]
    follow_ups: list[FollowUpActivity]
    date_requests: list[TargetDateChangeRequest]
    actions: list[ActionPlanItem]
    reminders: list[Any]
    references: dict[int, Recommendation] = field(default_factory=dict)

    @property
    def pending_date_requests(self) -> list[TargetDateChangeRequest]:
        return [item for item in self.date_requests if item.status == TargetDateRequestStatus.PENDING]


def recommendation_record(recommendation: Recommendation) -> RecommendationRecord:
    changes = recommendation_changes(recommendation)
    return RecommendationRecord(
        changes=changes,
        progress_updates=list(recommendation.progress_updates.select_related("author").order_by("-created_at")),
        follow_ups=list(recommendation.follow_ups.select_related("conducted_by").order_by("-activity_date")),
        date_requests=list(
            recommendation.target_date_requests.select_related("requested_by", "decided_by").order_by("-created_at")
        ),
        actions=list(recommendation.actions.select_related("created_by").order_by("position", "id")),
        reminders=_reminders(recommendation),
        references=_superseding(changes),
    )


def _reminders(recommendation: Recommendation) -> list[Any]:
    """Reminders sent about it (one query), when the reminders app is installed; none before that."""
    if not apps.is_installed("reminders"):
        return []
    from reminders.selectors import reminders_for_recommendation  # the reminders app depends on this one

    return list(reminders_for_recommendation(recommendation))


def _superseding(changes: list[Change]) -> dict[int, Recommendation]:
    """The recommendations named in 'superseded by' changes, to show their references (no query if none)."""
    ids = {
        value
        for change in changes
        for item in change.fields
        if item.field == "superseded_by_id"
        for value in (item.old, item.new)
        if value
    }
    if not ids:
        return {}
    return {row.pk: row for row in Recommendation.objects.filter(pk__in=ids).select_related("inspection")}


def target_date_history(record: RecommendationRecord) -> list[TargetDateMove]:
    """Every time the target date was set or moved, newest first, with who and why."""
    moves = [
        TargetDateMove(at=change.at, by=change.by, old=item.old, new=item.new, reason=change.reason)
        for change in record.changes
        for item in change.fields
        if item.field == "target_date"
    ]
    return moves[::-1]


def build_timeline(record: RecommendationRecord) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = [
        *_change_entries(record),
        *(_progress_entry(update) for update in record.progress_updates),
        *(_follow_up_entry(activity) for activity in record.follow_ups),
        *_date_request_entries(record.date_requests),
        *_action_entries(record.actions),
        *(_reminder_entry(reminder) for reminder in record.reminders),
    ]
    # Newest first; entries with the same time keep the order above (a sort is stable).
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _change_entries(record: RecommendationRecord) -> Iterable[TimelineEntry]:
    for change in record.changes:
        if change.created:
            yield TimelineEntry(at=change.at, kind="created", title="Recommendation added", by=change.by)
            continue
        fields = tuple(_named(item, record.references) for item in change.fields)
        title = f"{fields[0].label} changed" if len(fields) == 1 else "Recommendation updated"
        yield TimelineEntry(
            at=change.at, kind="change", title=title, by=change.by, reason=change.reason, changes=fields
        )


def _named(item: FieldChange, references: dict[int, Recommendation]) -> FieldChange:
    if item.field != "superseded_by_id":
        return item
    old, new = (references.get(value, value) if value else None for value in (item.old, item.new))
    return FieldChange(item.field, item.label, old, new)


def _progress_entry(update: ProgressUpdate) -> TimelineEntry:
    return TimelineEntry(
        at=update.created_at,
        kind="progress",
        title=f"Progress update: {update.get_progress_display()}",
        by=update.author,
        text=update.text,
        source=update,
    )


def _follow_up_entry(activity: FollowUpActivity) -> TimelineEntry:
    details = tuple(
        (label, value) for label, value in (("Notes", activity.notes), ("Outcome", activity.outcome)) if value
    )
    return TimelineEntry(
        at=_start_of(activity.activity_date),
        kind="follow_up",
        title=f"Follow-up: {activity.get_kind_display()}" + ("" if activity.outcome else " (planned)"),
        by=activity.conducted_by,
        details=details,
        source=activity,
        day_only=True,
    )


def _date_request_entries(requests: list[TargetDateChangeRequest]) -> Iterable[TimelineEntry]:
    for item in requests:
        yield TimelineEntry(
            at=item.created_at,
            kind="date_request",
            title=f"Asked to move the target date to {item.proposed_date:%-d %B %Y}",
            by=item.requested_by,
            reason=item.reason,
            source=item,
        )
        if item.decided_at is not None:
            yield TimelineEntry(
                at=item.decided_at,
                kind="date_decision",
                title=f"Request to move the target date {item.get_status_display().lower()}",
                by=item.decided_by,
                reason=item.decision_note,
                source=item,
            )


def _action_entries(actions: list[ActionPlanItem]) -> Iterable[TimelineEntry]:
    for item in actions:
        yield TimelineEntry(
            at=item.created_at,
            kind="action",
            title="Action added to the plan",
            by=item.created_by,
            text=item.description,
        )
        if item.completed_on:
            yield TimelineEntry(
                at=_start_of(item.completed_on),
                kind="action",
                title="Action completed",
                text=item.description,
                day_only=True,
            )


def _reminder_entry(reminder: Any) -> TimelineEntry:
    label = getattr(reminder, "kind_display", "") or str(getattr(reminder, "kind", "")).replace("_", " ").capitalize()
    return TimelineEntry(
        at=reminder.sent_at,
        kind="reminder",
        title=f"Reminder sent: {label}" if label else "Reminder sent",
        details=(("Sent to", str(reminder.recipient)),),
        source=reminder,
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    """A day as a time, so that it sorts with the rest (activities are dated, not timed)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
