"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads it through the ORM in a fixed number of queries whatever its length: the
recommendation's history (selectors.recommendation_history), one query for each other kind of entry (progress
updates, follow-ups, date requests, the action plan, reminders sent), each only its newest rows when given a limit
(the page shows the latest TIMELINE_LIMIT entries; a long-running recommendation has hundreds), and the people the
history's shown changes name. Each source reads plain values (with the names of the people it names, joined) and
turns them into entries of one shape at once; `build_timeline` merges them newest first for
templates/recommendations/includes/timeline.html, which writes them with MOJ Frontend's timeline. The same queries run
on PostgreSQL and SQLite.
"""

import dataclasses
import datetime
import functools
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, TextChoices, Window
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.dates import long_date, short_date
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
from recommendations.selectors import PERSON, Change, FieldChange, person_name, recommendation_history

# Entries the recommendation page shows until someone asks for all of them ("Show all"): the latest 25 are what a
# follow-up needs, and each entry costs the page about half a millisecond (the long timelines of bench/).
TIMELINE_LIMIT = 25


class EntryKind(TextChoices):
    """The kinds of timeline entry: the timeline marks each entry with one, and What's changed filters by them."""

    CREATED = "created", "Recommendations added"
    CHANGE = "change", "Changes: status, owner, target date, response, judgement and the rest"
    PROGRESS = "progress", "Progress updates"
    FOLLOW_UP = "follow_up", "Follow-up activity"
    DATE_REQUEST = "date_request", "Requests to move a target date"
    DATE_DECISION = "date_decision", "Decisions on those requests"
    ACTION = "action", "Actions added or completed"
    REMINDER = "reminder", "Reminders sent"


@dataclass(frozen=True)
class Evidence:
    """What a progress update links to: its uploaded file (through the evidence view) and a link given with it."""

    update_id: int
    has_file: bool
    url: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # an EntryKind
    title: str
    by: str = ""  # who, by name
    text: str = ""
    reason: str = ""
    changes: tuple[FieldChange, ...] = ()
    details: tuple[tuple[str, str], ...] = ()
    evidence: Evidence | None = None
    day_only: bool = False  # dated, not timed (follow-up activities, completed actions)

    @property
    def timestamp(self) -> str:
        """When, in ISO 8601 for <time datetime> and MOJ's timeline (templates/macros/moj.html): the day of a dated
        entry, the moment of the rest in the current time zone."""
        if self.day_only:
            return self.at.date().isoformat()
        return timezone.localtime(self.at).isoformat()

    @property
    def date_type(self) -> str:
        """How MOJ's timeline writes the timestamp (its mojDate kinds): 3 March 2026, or 3 March 2026 at 2:05pm."""
        return "date" if self.day_only else "datetime"


@dataclass(frozen=True)
class TargetDateMove:
    at: datetime.datetime
    by: str
    old: datetime.date | None
    new: datetime.date | None
    reason: str

    @property
    def on(self) -> str:
        """When it moved, as 3 Mar 2026 in the current time zone."""
        return short_date(timezone.localtime(self.at))

    @property
    def old_text(self) -> str:
        return short_date(self.old) or "Not set"

    @property
    def new_text(self) -> str:
        return short_date(self.new) or "Not set"


@dataclass(frozen=True)
class ActionItem:
    """One action of the addressee's plan, as the page shows it."""

    pk: int
    created_at: datetime.datetime
    target_date: datetime.date | None
    completed_on: datetime.date | None
    description: str
    responsible: str
    created_by: str  # by name


@dataclass(frozen=True)
class DateRequest:
    """A request to move the target date, and the Inspectorate's decision on it once made."""

    pk: int
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    proposed_date: datetime.date
    status: str
    reason: str
    decision_note: str
    requested_by: str  # by name
    decided_by: str

    @property
    def status_label(self) -> str:
        return DATE_REQUEST_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class RecommendationRecord:
    """What the detail page shows beyond the recommendation's own row: its changes and everything else that
    happened to it."""

    changes: list[Change]
    entries: list[TimelineEntry]  # from progress updates, follow-ups, date requests, actions and reminders
    date_requests: list[DateRequest]
    actions: list[ActionItem]
    target_date_changes: list[Change] = field(default_factory=list)
    limit: int | None = None  # at most this many entries in the timeline; None: all
    total: int | None = None  # entries in the whole timeline (counted when limited)

    @property
    def pending_date_requests(self) -> list[DateRequest]:
        return [item for item in self.date_requests if item.status == TargetDateRequestStatus.PENDING]


def recommendation_record(recommendation: Recommendation, *, limit: int | None = None) -> RecommendationRecord:
    """The changes (one query), each other source of the timeline in one ORM query of its own (progress updates,
    follow-ups, date requests, the action plan, reminders sent) and everyone they name (one more): all of them, or
    each source's newest `limit` rows (then with the total); of the changes, only those that can be among the
    newest `limit` entries are made.

    The newest `limit` entries of the whole timeline are always among the newest `limit` rows of each source:
    a source's row left out has `limit` newer rows of its own, each with an entry at least as new. Each source
    counts its entries in the same query (a window count), so the total needs no query of its own.
    """
    history = recommendation_history(recommendation.pk, newest=limit, progress_updates_apart=True)
    read = [(source, *source.newest(recommendation.pk, limit)) for source in SOURCES if source.installed]
    # People by id rather than a join in each source (which hashes every user): one query for all of them.
    named = {pk for source, rows, _ in read for row in rows for pk in row[len(row) - source.people :]}
    found = Sources(names=names(history.people | named))
    for source, rows, _ in read:
        for row in rows:
            source.make(found, *row)
    moments = [*history.moments, *(entry.at for entry in found.entries)]
    if limit is not None and len(moments) > limit:  # older changes than the newest `limit` entries are not shown
        history = history.since(heapq.nlargest(limit, moments)[-1])
    log = history.change_log(found.names)
    record = RecommendationRecord(
        changes=log.changes,
        entries=found.entries,
        date_requests=found.date_requests,
        actions=found.actions,
        target_date_changes=log.target_date_changes,
        limit=limit,
    )
    counted = sum(entries for _, _, entries in read)
    return record if limit is None else dataclasses.replace(record, total=log.total + counted)


# --- everything else that happened: one query for each kind of entry, newest first ---

PROGRESS_LABELS = dict(Progress.choices)
FOLLOW_UP_LABELS = dict(FollowUpKind.choices)
DATE_REQUEST_LABELS = dict(TargetDateRequestStatus.choices)


@dataclass
class Sources:
    """What the sources make, in the order of SOURCES, each newest first (entries made at one moment keep it)."""

    names: dict[int, str]  # everyone the rows name, by id
    entries: list[TimelineEntry] = field(default_factory=list)
    date_requests: list[DateRequest] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    zone: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)  # where a dated entry's day starts

    def name(self, pk: int | None) -> str:
        return "" if pk is None else self.names.get(pk, "")


# How many rows a source has for this recommendation: a window count, computed before the slice.
ROWS = Window(Count("pk"))


# A source's rows for one recommendation: tuples of its model's columns (each source has its own model).
EntryRows = QuerySet[Any, tuple[Any, ...]]


@dataclass(frozen=True)
class Source:
    """One kind of entry: its rows for a recommendation, newest first, each ending with the ids of the `people` it
    names, then how many entries the whole source makes (a window count); and how a row becomes entries."""

    rows: Callable[[int], EntryRows]
    make: Callable[..., None]  # (found, *row without the count)
    people: int
    whole: bool = False  # read whole whatever the limit
    app: str = "recommendations"

    @property
    def installed(self) -> bool:
        return apps.is_installed(self.app)

    def newest(self, recommendation_id: int, limit: int | None) -> tuple[list[tuple[Any, ...]], int]:
        """Its newest `limit` rows (all if None or whole), without their count, and that count (0 when none)."""
        rows = self.rows(recommendation_id)
        found = list(rows if limit is None or self.whole else rows[:limit])
        return [row[:-1] for row in found], found[0][-1] if found else 0


def _progress_rows(recommendation_id: int) -> EntryRows:
    updates = ProgressUpdate.objects.filter(recommendation_id=recommendation_id).order_by("-created_at", "-id")
    return updates.annotate(entries=ROWS).values_list(*PROGRESS_COLUMNS, "entries")


# The columns each source's `make` takes, in its order (What's changed reads the same for many recommendations).
PROGRESS_COLUMNS = ("id", "created_at", "progress", "text", "evidence_url", "evidence_file", "author_id")
FOLLOW_UP_COLUMNS = ("activity_date", "kind", "notes", "outcome", "conducted_by_id")
DATE_REQUEST_COLUMNS = (
    *("id", "created_at", "decided_at", "proposed_date", "status", "reason", "decision_note"),
    *("requested_by_id", "decided_by_id"),
)
ACTION_COLUMNS = ("id", "created_at", "target_date", "completed_on", "description", "responsible", "created_by_id")


def progress_entry(
    found: Sources, pk: int, at: datetime.datetime, progress: str, text: str, url: str, file: str, author: int | None
) -> None:
    evidence = Evidence(pk, bool(file), url or "")
    found.entries.append(
        TimelineEntry(
            at=at,
            kind=EntryKind.PROGRESS,
            title=f"Progress update: {PROGRESS_LABELS.get(progress, progress)}",
            by=found.name(author),
            text=text,
            evidence=evidence if evidence.has_file or evidence.url else None,
        )
    )


def _follow_up_rows(recommendation_id: int) -> EntryRows:
    activities = FollowUpActivity.objects.filter(recommendation_id=recommendation_id)
    return (
        activities.order_by("-activity_date", "-id").annotate(entries=ROWS).values_list(*FOLLOW_UP_COLUMNS, "entries")
    )


def follow_up_entry(found: Sources, day: datetime.date, kind: str, notes: str, outcome: str, by: int | None) -> None:
    details = tuple((label, value) for label, value in (("Notes", notes), ("Outcome", outcome)) if value)
    found.entries.append(
        TimelineEntry(
            at=_start_of(day, found.zone),
            kind=EntryKind.FOLLOW_UP,
            title=f"Follow-up: {FOLLOW_UP_LABELS.get(kind, kind)}" + ("" if outcome else " (planned)"),
            by=found.name(by),
            details=details,
            day_only=True,
        )
    )


def _date_request_rows(recommendation_id: int) -> EntryRows:
    """Newest by its latest entry (the decision, once made); a pending request is always the newest (one at a
    time). A decided request makes two entries."""
    requests = TargetDateChangeRequest.objects.filter(recommendation_id=recommendation_id)
    latest = Greatest("created_at", Coalesce("decided_at", "created_at"))
    requests = requests.order_by(latest.desc(), "-id").annotate(entries=ROWS + Window(Count("decided_at")))
    return requests.values_list(*DATE_REQUEST_COLUMNS, "entries")


def date_request_entries(
    found: Sources,
    pk: int,
    at: datetime.datetime,
    decided_at: datetime.datetime | None,
    proposed: datetime.date,
    status: str,
    reason: str,
    note: str,
    asked_by: int | None,
    decided_by: int | None,
) -> None:
    item = DateRequest(pk, at, decided_at, proposed, status, reason, note, found.name(asked_by), found.name(decided_by))
    found.date_requests.append(item)
    found.entries.append(
        TimelineEntry(
            at=at,
            kind=EntryKind.DATE_REQUEST,
            title=f"Asked to move the target date to {long_date(proposed)}",
            by=item.requested_by,
            reason=reason,
        )
    )
    if decided_at is not None:
        found.entries.append(
            TimelineEntry(
                at=decided_at,
                kind=EntryKind.DATE_DECISION,
                title=f"Request to move the target date {item.status_label.lower()}",
                by=item.decided_by,
                reason=note,
            )
        )


def _action_rows(recommendation_id: int) -> EntryRows:
    """The whole plan, in its order: the page shows it in a table of its own. A completed action makes two
    entries."""
    plan = ActionPlanItem.objects.filter(recommendation_id=recommendation_id).order_by("position", "id")
    plan = plan.annotate(entries=ROWS + Window(Count("completed_on")))
    return plan.values_list(*ACTION_COLUMNS, "entries")


def action_entries(
    found: Sources,
    pk: int,
    at: datetime.datetime,
    target: datetime.date | None,
    completed: datetime.date | None,
    description: str,
    responsible: str,
    by: int | None,
) -> None:
    item = ActionItem(pk, at, target, completed, description, responsible, found.name(by))
    found.actions.append(item)
    found.entries.append(
        TimelineEntry(
            at=at, kind=EntryKind.ACTION, title="Action added to the plan", by=item.created_by, text=description
        )
    )
    if completed:
        found.entries.append(
            TimelineEntry(
                at=_start_of(completed, found.zone),
                kind=EntryKind.ACTION,
                title="Action completed",
                text=description,
                day_only=True,
            )
        )


def _reminder_rows(recommendation_id: int) -> EntryRows:
    """Reminders sent (as reminders.selectors.reminders_for_recommendations reads them), to a person or an address.
    Read through the app registry: the reminders app depends on this one, not this one on it."""
    item = apps.get_model("reminders", "DigestItem")
    sent = item.objects.filter(recommendation_id=recommendation_id, digest__status="sent")
    sent = sent.order_by("-digest__sent_at", "-digest_id", "kind").annotate(entries=ROWS)
    return sent.values_list("digest__sent_at", "kind", "digest__email", "digest__recipient_id", "entries")


def _reminder(found: Sources, sent_at: datetime.datetime, kind: str, email: str, recipient: int | None) -> None:
    label = _reminder_labels().get(kind) or str(kind).replace("_", " ").capitalize()
    found.entries.append(
        TimelineEntry(
            at=sent_at,
            kind=EntryKind.REMINDER,
            title=f"Reminder sent: {label}" if label else "Reminder sent",
            details=(("Sent to", found.name(recipient) if recipient is not None else email),),
        )
    )


@functools.cache
def _reminder_labels() -> dict[str, str]:
    return dict(apps.get_model("reminders", "DigestItem")._meta.get_field("kind").flatchoices)


SOURCES = (  # also the order of entries made at one moment
    Source(_progress_rows, progress_entry, people=1),
    Source(_follow_up_rows, follow_up_entry, people=1),
    Source(_date_request_rows, date_request_entries, people=2),
    Source(_action_rows, action_entries, people=1, whole=True),
    Source(_reminder_rows, _reminder, people=1, app="reminders"),
)


def names(ids: Iterable[int | None]) -> dict[int, str]:
    """People by id, by name: one query even for nobody, so that the page's count stays the same."""
    wanted = [pk for pk in ids if pk is not None] or [0]  # no user has id 0
    rows = get_user_model().objects.filter(pk__in=wanted).values_list("pk", *PERSON)
    return {pk: person_name(*parts) for pk, *parts in rows}


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
    entries = [*change_entries(record.changes), *record.entries]
    # Newest first; entries with the same time keep the order above (a sort is stable).
    ordered = sorted(entries, key=lambda entry: entry.at, reverse=True)
    return ordered if record.limit is None else ordered[: record.limit]


def change_entries(changes: list[Change]) -> Iterable[TimelineEntry]:
    for change in changes:
        if change.created:
            yield TimelineEntry(at=change.at, kind=EntryKind.CREATED, title="Recommendation added", by=change.by)
            continue
        fields = change.fields
        # One field: the entry says what it became ("Response: Agreed") and the template what it was before.
        title = f"{fields[0].label}: {fields[0].new_text}" if len(fields) == 1 else "Recommendation updated"
        reason = "" if _restates(change.reason, fields) else change.reason
        yield TimelineEntry(
            at=change.at, kind=EntryKind.CHANGE, title=title, by=change.by, reason=reason, changes=fields
        )


def _restates(reason: str, fields: tuple[FieldChange, ...]) -> bool:
    """Whether a reason only says what the change did: the reasons services write when the person gave none
    ("Response: Agreed", "Owner set to Jane Lead", "Target date set"). The change says that itself."""
    if len(fields) != 1:
        return False
    label, new = fields[0].label, fields[0].new_text
    return reason in {f"{label}: {new}", f"{label} set to {new}", f"{label} set to nobody", f"{label} set"}


def _start_of(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """A day as a time in `zone`, so that it sorts with the rest (activities are dated, not timed); as
    timezone.make_aware writes it, without looking the current time zone up for each."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
