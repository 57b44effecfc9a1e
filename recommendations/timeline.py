"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads each source once (one query per source, whatever its length), only its newest rows
when given a limit (the page shows the latest TIMELINE_LIMIT entries; a long-running recommendation has hundreds),
as plain values rather than model instances: the page shows hundreds of facts and builds no model for them.
`build_timeline` turns them into entries of one shape that templates/recommendations/includes/timeline.html shows,
each with its date already written out.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    FollowUpKind,
    Progress,
    ProgressUpdate,
    Recommendation,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from recommendations.selectors import TRACKED_FIELDS, FieldChange

TIMELINE_LIMIT = 50  # entries the recommendation page shows until someone asks for all of them
PERSON = ("first_name", "last_name", "username")  # what a person's name is made of (accounts.User.__str__)


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A person's name as accounts.User.__str__ gives it, from the three columns; "" for nobody."""
    return f"{first_name or ''} {last_name or ''}".strip() or (username or "")


def long_date(day: datetime.date | None) -> str:
    """27 March 2027, as the `j F Y` date format writes it."""
    return f"{day.day} {day:%B %Y}" if day else ""


def short_date(day: datetime.date | None) -> str:
    """27 Mar 2027, as the `j M Y` date format writes it."""
    return f"{day.day} {day:%b %Y}" if day else ""


@dataclass(frozen=True)
class Evidence:
    """What a progress update links to: its uploaded file (through the evidence view) and a link given with it."""

    update_id: int
    has_file: bool
    url: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # change, progress, follow_up, date_request, date_decision, action, reminder, created
    title: str
    by: str = ""  # who, by name
    text: str = ""
    reason: str = ""
    changes: tuple[FieldChange, ...] = ()
    details: tuple[tuple[str, str], ...] = ()
    evidence: Evidence | None = None
    day_only: bool = False  # dated, not timed (follow-up activities, completed actions)

    @property
    def when(self) -> str:
        """The date (and time, unless dated only) as people read it: 3 March 2026 at 2:05pm."""
        local = self.at if self.day_only else timezone.localtime(self.at)
        if self.day_only:
            return long_date(local)
        return f"{long_date(local)} at {local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"

    @property
    def machine_date(self) -> str:
        """The same moment for the datetime attribute of <time>."""
        return f"{self.at:%Y-%m-%d}" if self.day_only else timezone.localtime(self.at).isoformat()


@dataclass(frozen=True)
class Change:
    """One saved change of the recommendation (one history row that changed something shown)."""

    at: datetime.datetime
    by: str
    reason: str
    created: bool
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class TargetDateMove:
    at: datetime.datetime
    by: str
    old: datetime.date | None
    new: datetime.date | None
    reason: str

    @property
    def on(self) -> str:
        return short_date(timezone.localtime(self.at))

    @property
    def old_text(self) -> str:
        return short_date(self.old) or "Not set"

    @property
    def new_text(self) -> str:
        return short_date(self.new) or "Not set"


@dataclass(frozen=True)
class RecommendationRecord:
    """What the detail page shows beyond the recommendation's own row, each read in one query."""

    changes: list[Change]
    progress_updates: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    date_requests: list[TargetDateChangeRequest]
    actions: list[ActionPlanItem]
    reminders: list[Any]
    target_date_changes: list[Change] = field(default_factory=list)
    limit: int | None = None  # at most this many entries in the timeline; None: all
    total: int | None = None  # entries in the whole timeline (counted when limited)

    @property
    def pending_date_requests(self) -> list[TargetDateChangeRequest]:
        return [item for item in self.date_requests if item.status == TargetDateRequestStatus.PENDING]


def recommendation_record(recommendation: Recommendation, *, limit: int | None = None) -> RecommendationRecord:
    """Each source of the timeline in one query: all of it, or its newest `limit` rows (then with the total).

    The newest `limit` entries of the whole timeline are always among the newest `limit` rows of each source:
    a source's row left out has `limit` newer rows of its own, each with an entry at least as new. Each limited
    source also counts all its rows in the same query (a window count), so the total needs no query of its own.
    """
    changes, moves, changed = _change_log(recommendation, newest=limit)
    counted = {name: _read(rows, limit) for name, rows in _sources(recommendation).items()}
    (progress, n_progress), (follow_ups, n_follow_ups), (requests, n_requests) = counted.values()
    record = RecommendationRecord(
        changes=changes,
        progress_updates=progress,
        follow_ups=follow_ups,
        date_requests=requests,
        actions=list(recommendation.actions.select_related("created_by").order_by("position", "id")),
        reminders=_reminders(recommendation),
        target_date_changes=moves,
        limit=limit,
    )
    if limit is None:
        return record
    actions = sum(2 if item.completed_on else 1 for item in record.actions)
    total = changed + n_progress + n_follow_ups + n_requests + actions + len(record.reminders)
    return dataclasses.replace(record, total=total)


def _read(rows: QuerySet, limit: int | None) -> tuple[list[Any], int]:
    """The rows (the newest `limit` of them), and how many timeline entries the whole source makes (when limited)."""
    if limit is None:
        return list(rows), 0
    found = list(rows.annotate(n_entries=ENTRIES_PER_SOURCE[rows.model])[:limit])
    if not found:
        return found, 0
    first = found[0]
    return found, first["n_entries"] if isinstance(first, dict) else first.n_entries


def _sources(recommendation: Recommendation) -> dict[str, QuerySet]:
    """The sources read by rows, newest first. A date request counts from its latest entry (the decision); a
    pending one is always the newest, since a constraint allows only one pending request at a time."""
    latest = Greatest("created_at", Coalesce("decided_at", "created_at"))
    progress = recommendation.progress_updates.values(
        "id", "progress", "text", "evidence_url", "evidence_file", "created_at", *(f"author__{f}" for f in PERSON)
    )
    follow_ups = recommendation.follow_ups.values(
        "id", "kind", "activity_date", "notes", "outcome", *(f"conducted_by__{f}" for f in PERSON)
    )
    return {
        "progress_updates": progress.order_by("-created_at", "-id"),
        "follow_ups": follow_ups.order_by("-activity_date", "-id"),
        "date_requests": recommendation.target_date_requests.select_related("requested_by", "decided_by")
        .alias(latest=latest)
        .order_by(F("latest").desc(), "-id"),
    }


# Every row of a source is one entry; a decided date request is two (the request and the decision). Counted over
# the whole source in the query that reads its newest rows (a window is computed before the LIMIT).
ENTRIES_PER_SOURCE: dict[type, Any] = {
    ProgressUpdate: Window(Count("pk")),
    FollowUpActivity: Window(Count("pk")),
    TargetDateChangeRequest: Window(Count("pk")) + Window(Count("decided_at")),
}


# --- the recommendation's own history ---

CHOICE_FIELDS = ("status", "response", "progress", "judgement")
HISTORY_COLUMNS = (
    "history_id",
    "history_date",
    "history_change_reason",
    *(f"history_user__{part}" for part in PERSON),
    *TRACKED_FIELDS,
    *(f"owner__{part}" for part in PERSON),
)
_FIRST_TRACKED = HISTORY_COLUMNS.index(next(iter(TRACKED_FIELDS)))
TRACKED = slice(_FIRST_TRACKED, _FIRST_TRACKED + len(TRACKED_FIELDS))  # a history row's tracked values
TARGET_DATE = HISTORY_COLUMNS.index("target_date")
SUPERSEDED_BY = HISTORY_COLUMNS.index("superseded_by_id")


def _change_log(recommendation: Recommendation, newest: int | None) -> tuple[list[Change], list[Change], int]:
    """The newest `newest` changes (all if None), oldest first; every move of the target date; how many changes.

    One query: the tracked values of every history row as tuples (a few hundred at most), with the names of who
    made each change and of the owner; a row is a change when a tracked value differs from the row before it.
    """
    history = recommendation.history.order_by("history_date", "history_id").values_list(*HISTORY_COLUMNS)
    rows = list(history)
    changed: list[tuple[tuple | None, tuple]] = []
    moved: list[tuple[tuple, tuple]] = []
    for previous, row in zip([None, *rows], rows, strict=False):
        if previous is None or row[TRACKED] != previous[TRACKED]:
            changed.append((previous, row))
        if previous is not None and row[TARGET_DATE] != previous[TARGET_DATE]:
            moved.append((previous, row))
    kept = changed if newest is None else changed[max(0, len(changed) - newest) :]
    references = _superseding(kept)
    shown = [_change(_named(previous), _named(row), references) for previous, row in kept]
    moves = [_change(_named(previous), _named(row), references) for previous, row in moved]
    return shown, moves, len(changed)


def _named(row: tuple | None) -> dict | None:
    return None if row is None else dict(zip(HISTORY_COLUMNS, row, strict=True))


def _change(previous: dict | None, row: dict, references: dict[int, Recommendation]) -> Change:
    fields = ()
    if previous is not None:
        fields = tuple(
            FieldChange(name, label, _display(previous, name, references), _display(row, name, references))
            for name, label in TRACKED_FIELDS.items()
            if previous[name] != row[name]
        )
    return Change(
        at=row["history_date"],
        by=person_name(*(row[f"history_user__{part}"] for part in PERSON)),
        reason=row["history_change_reason"] or "",
        created=previous is None,
        fields=fields,
    )


CHOICES = {name: dict(Recommendation._meta.get_field(name).flatchoices) for name in CHOICE_FIELDS}


def _display(row: dict, name: str, references: dict[int, Recommendation]) -> Any:
    value = row[name]
    if name == "owner_id":
        return person_name(*(row[f"owner__{part}"] for part in PERSON)) if value else None
    if name in CHOICES:
        return CHOICES[name].get(value, value)
    if name == "priority":
        return "Yes" if value else "No"
    if name == "superseded_by_id":
        return references.get(value, value) if value else None
    return value


def _superseding(changes: list[tuple[tuple | None, tuple]]) -> dict[int, Recommendation]:
    """The recommendations named in the 'superseded by' changes shown, to show their references (no query if none)."""
    ids = {
        value
        for previous, row in changes
        if previous is not None
        for value in (previous[SUPERSEDED_BY], row[SUPERSEDED_BY])
        if value
    }
    if not ids:
        return {}
    return {row.pk: row for row in Recommendation.objects.filter(pk__in=ids).select_related("inspection")}


def _reminders(recommendation: Recommendation) -> list[Any]:
    """Reminders sent about it (one query), when the reminders app is installed; none before that."""
    if not apps.is_installed("reminders"):
        return []
    from reminders.selectors import reminders_for_recommendation  # the reminders app depends on this one

    return list(reminders_for_recommendation(recommendation))


def target_date_history(record: RecommendationRecord) -> list[TargetDateMove]:
    """Every time the target date was set or moved, newest first, with who and why."""
    moves = [
        TargetDateMove(at=change.at, by=change.by, old=item.old, new=item.new, reason=change.reason)
        for change in record.target_date_changes
        for item in change.fields
        if item.field == "target_date"
    ]
    return moves[::-1]


# --- the timeline ---


def build_timeline(record: RecommendationRecord) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = [
        *_change_entries(record.changes),
        *(_progress_entry(update) for update in record.progress_updates),
        *(_follow_up_entry(activity) for activity in record.follow_ups),
        *_date_request_entries(record.date_requests),
        *_action_entries(record.actions),
        *(_reminder_entry(reminder) for reminder in record.reminders),
    ]
    # Newest first; entries with the same time keep the order above (a sort is stable).
    ordered = sorted(entries, key=lambda entry: entry.at, reverse=True)
    return ordered if record.limit is None else ordered[: record.limit]


def _change_entries(changes: list[Change]) -> Iterable[TimelineEntry]:
    for change in changes:
        if change.created:
            yield TimelineEntry(at=change.at, kind="created", title="Recommendation added", by=change.by)
            continue
        fields = change.fields
        title = f"{fields[0].label} changed" if len(fields) == 1 else "Recommendation updated"
        yield TimelineEntry(
            at=change.at, kind="change", title=title, by=change.by, reason=change.reason, changes=fields
        )


PROGRESS_LABELS = dict(Progress.choices)
FOLLOW_UP_LABELS = dict(FollowUpKind.choices)


def _progress_entry(update: dict[str, Any]) -> TimelineEntry:
    label = PROGRESS_LABELS.get(update["progress"], update["progress"])
    evidence = Evidence(update["id"], bool(update["evidence_file"]), update["evidence_url"] or "")
    return TimelineEntry(
        at=update["created_at"],
        kind="progress",
        title=f"Progress update: {label}",
        by=person_name(*(update[f"author__{part}"] for part in PERSON)),
        text=update["text"],
        evidence=evidence if evidence.has_file or evidence.url else None,
    )


def _follow_up_entry(activity: dict[str, Any]) -> TimelineEntry:
    details = tuple(
        (label, value) for label, value in (("Notes", activity["notes"]), ("Outcome", activity["outcome"])) if value
    )
    label = FOLLOW_UP_LABELS.get(activity["kind"], activity["kind"])
    return TimelineEntry(
        at=_start_of(activity["activity_date"]),
        kind="follow_up",
        title=f"Follow-up: {label}" + ("" if activity["outcome"] else " (planned)"),
        by=person_name(*(activity[f"conducted_by__{part}"] for part in PERSON)),
        details=details,
        day_only=True,
    )


def _date_request_entries(requests: list[TargetDateChangeRequest]) -> Iterable[TimelineEntry]:
    for item in requests:
        yield TimelineEntry(
            at=item.created_at,
            kind="date_request",
            title=f"Asked to move the target date to {long_date(item.proposed_date)}",
            by=str(item.requested_by),
            reason=item.reason,
        )
        if item.decided_at is not None:
            yield TimelineEntry(
                at=item.decided_at,
                kind="date_decision",
                title=f"Request to move the target date {item.get_status_display().lower()}",
                by=str(item.decided_by or ""),
                reason=item.decision_note,
            )


def _action_entries(actions: list[ActionPlanItem]) -> Iterable[TimelineEntry]:
    for item in actions:
        yield TimelineEntry(
            at=item.created_at,
            kind="action",
            title="Action added to the plan",
            by=str(item.created_by),
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
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    """A day as a time, so that it sorts with the rest (activities are dated, not timed)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
