"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads each source once (one query per source, whatever its length), only its newest rows
when given a limit (the page shows the latest TIMELINE_LIMIT entries; a long-running recommendation has hundreds);
`build_timeline` turns them into entries of one shape that templates/recommendations/includes/timeline.html shows.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    ProgressUpdate,
    Recommendation,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from recommendations.selectors import Change, FieldChange, recommendation_change_log

TIMELINE_LIMIT = 50  # entries the recommendation page shows until someone asks for all of them


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
    target_date_changes: list[Change] = field(default_factory=list)
    limit: int | None = None  # at most this many entries in the timeline; None: all
    total: int | None = None  # entries in the whole timeline (counted when limited)

    @property
    def pending_date_requests(self) -> list[TargetDateChangeRequest]:
        return [item for item in self.date_requests if item.status == TargetDateRequestStatus.PENDING]


def recommendation_record(recommendation: Recommendation, *, limit: int | None = None) -> RecommendationRecord:
    """Each source of the timeline in one query: all of it, or its newest `limit` rows (then with the total).

    The newest `limit` entries of the whole timeline are always among the newest `limit` rows of each source:
    a source's row left out has `limit` newer rows of its own, each with an entry at least as new.
    """
    log = recommendation_change_log(recommendation, newest=limit)
    read = {name: list(rows if limit is None else rows[:limit]) for name, rows in _sources(recommendation).items()}
    record = RecommendationRecord(
        changes=log.changes,
        progress_updates=read["progress_updates"],
        follow_ups=read["follow_ups"],
        date_requests=read["date_requests"],
        actions=list(recommendation.actions.select_related("created_by").order_by("position", "id")),
        reminders=_reminders(recommendation),
        references=_superseding(log.changes),
        target_date_changes=log.target_date_changes,
        limit=limit,
    )
    if limit is None:
        return record
    return dataclasses.replace(record, total=log.total + _other_entries(recommendation, record))


def _sources(recommendation: Recommendation) -> dict[str, QuerySet]:
    """The sources read by rows, newest first. A date request counts from its latest entry (the decision); a
    pending one is always the newest, since a constraint allows only one pending request at a time."""
    latest = Greatest("created_at", Coalesce("decided_at", "created_at"))
    return {
        "progress_updates": recommendation.progress_updates.select_related("author").order_by("-created_at", "-id"),
        "follow_ups": recommendation.follow_ups.select_related("conducted_by").order_by("-activity_date", "-id"),
        "date_requests": recommendation.target_date_requests.select_related("requested_by", "decided_by")
        .alias(latest=latest)
        .order_by(F("latest").desc(), "-id"),
    }


def _other_entries(recommendation: Recommendation, record: RecommendationRecord) -> int:
    """Timeline entries that are not changes, counted in one query; actions and reminders are read whole."""

    def counted(queryset: QuerySet) -> Subquery:
        rows = queryset.filter(recommendation=OuterRef("pk")).order_by().values("recommendation")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)

    counts = (
        Recommendation.objects.filter(pk=recommendation.pk)
        .values(
            n_progress=counted(ProgressUpdate.objects.all()),
            n_follow_ups=counted(FollowUpActivity.objects.all()),
            n_requests=counted(TargetDateChangeRequest.objects.all()),
            n_decisions=counted(TargetDateChangeRequest.objects.filter(decided_at__isnull=False)),
        )
        .get()
    )
    actions = sum(2 if item.completed_on else 1 for item in record.actions)
    return sum(counts.values()) + actions + len(record.reminders)


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
        for change in record.target_date_changes
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
    ordered = sorted(entries, key=lambda entry: entry.at, reverse=True)
    return ordered if record.limit is None else ordered[: record.limit]


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
