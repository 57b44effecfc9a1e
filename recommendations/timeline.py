"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads it through the ORM in a fixed number of queries whatever its length: the
recommendation's history (selectors.recommendation_history), one query for each other kind of entry (progress
updates, follow-ups, date requests, the action plan, reminders sent), each only its newest rows when given a limit
(the page shows the latest TIMELINE_LIMIT entries; a long-running recommendation has hundreds), and the people the
history's shown changes name. Each source reads plain values (with the names of the people it names, joined) and
turns them into entries of one shape at once; `build_timeline` merges them newest first for
templates/recommendations/includes/timeline.html, each with its date already written out. The same queries run on
PostgreSQL and SQLite.
"""

import dataclasses
import datetime
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, Window
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

TIMELINE_LIMIT = 50  # entries the recommendation page shows until someone asks for all of them


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
        return self.written(timezone.get_current_timezone())[1]

    @property
    def machine_date(self) -> str:
        """The same moment for the datetime attribute of <time>."""
        return self.written(timezone.get_current_timezone())[0]

    def written(self, zone: datetime.tzinfo) -> tuple[str, str]:
        """machine_date and when in `zone` (the current time zone, which a page of entries looks up once)."""
        at = self.at
        if self.day_only:
            return f"{at.year:04d}-{at.month:02d}-{at.day:02d}", long_date(at)
        local = at.astimezone(zone)
        time = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
        return local.isoformat(), f"{long_date(local)} at {time}"


@dataclass(frozen=True)
class TargetDateMove:
    at: datetime.datetime
    by: str
    old: datetime.date | None
    new: datetime.date | None
    reason: str

    @property
    def on(self) -> str:
        return self.written_on(timezone.get_current_timezone())

    def written_on(self, zone: datetime.tzinfo) -> str:
        """When it moved, as 3 Mar 2026 in `zone` (the current time zone, looked up once for a table of moves)."""
        return short_date(self.at.astimezone(zone))

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
    follow-ups, date requests, the action plan, reminders sent) and the people the changes name (one more): all of
    them, or each source's newest `limit` rows (then with the total); of the changes, only those that can be among
    the newest `limit` entries are made.

    The newest `limit` entries of the whole timeline are always among the newest `limit` rows of each source:
    a source's row left out has `limit` newer rows of its own, each with an entry at least as new. Each limited
    source counts its entries in the same query (a window count), so the total needs no query of its own.
    """
    history = recommendation_history(recommendation.pk, newest=limit)
    found = Sources()
    for read in SOURCES:
        read(found, recommendation.pk, limit)
    moments = [*history.moments, *(entry.at for entry in found.entries)]
    if limit is not None and len(moments) > limit:  # older changes than the newest `limit` entries are not shown
        history = history.since(heapq.nlargest(limit, moments)[-1])
    log = history.change_log(_names(history.people))
    record = RecommendationRecord(
        changes=log.changes,
        entries=found.entries,
        date_requests=found.date_requests,
        actions=found.actions,
        target_date_changes=log.target_date_changes,
        limit=limit,
    )
    return record if limit is None else dataclasses.replace(record, total=log.total + found.counted)


# --- everything else that happened: one query for each kind of entry, newest first ---

PROGRESS_LABELS = dict(Progress.choices)
FOLLOW_UP_LABELS = dict(FollowUpKind.choices)
DATE_REQUEST_LABELS = dict(TargetDateRequestStatus.choices)


@dataclass
class Sources:
    """What the sources make, in the order of SOURCES, each newest first (entries made at one moment keep it)."""

    entries: list[TimelineEntry] = field(default_factory=list)
    date_requests: list[DateRequest] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    counted: int = 0  # entries the whole sources make (more than `entries` when limited)
    zone: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)  # where a dated entry's day starts


def _person(via: str) -> tuple[str, str, str]:
    """The columns of a person's name (selectors.PERSON) through the foreign key `via`."""
    return tuple(f"{via}__{column}" for column in PERSON)  # type: ignore[return-value]


# How many rows the source has for this recommendation: a window count, computed before the slice.
ROWS = Window(Count("pk"))


def _newest(rows: QuerySet, limit: int | None) -> tuple[list[tuple], int]:
    """The source's newest `limit` rows (all if None) without their last column, a window count; and that count
    (0 for a source with no rows)."""
    found = list(rows if limit is None else rows[:limit])
    return [row[:-1] for row in found], found[0][-1] if found else 0


def _progress(found: Sources, recommendation_id: int, limit: int | None) -> None:
    updates = ProgressUpdate.objects.filter(recommendation_id=recommendation_id).order_by("-created_at", "-id")
    columns = ("id", "created_at", "progress", "text", "evidence_url", "evidence_file", *_person("author"), "rows")
    rows, counted = _newest(updates.annotate(rows=ROWS).values_list(*columns), limit)
    found.counted += counted
    for pk, at, progress, text, url, file, *person in rows:
        evidence = Evidence(pk, bool(file), url or "")
        found.entries.append(
            TimelineEntry(
                at=at,
                kind="progress",
                title=f"Progress update: {PROGRESS_LABELS.get(progress, progress)}",
                by=person_name(*person),
                text=text,
                evidence=evidence if evidence.has_file or evidence.url else None,
            )
        )


def _follow_ups(found: Sources, recommendation_id: int, limit: int | None) -> None:
    activities = FollowUpActivity.objects.filter(recommendation_id=recommendation_id)
    activities = activities.order_by("-activity_date", "-id").annotate(rows=ROWS)
    columns = ("activity_date", "kind", "notes", "outcome", *_person("conducted_by"), "rows")
    rows, counted = _newest(activities.values_list(*columns), limit)
    found.counted += counted
    for day, kind, notes, outcome, *person in rows:
        details = tuple((label, value) for label, value in (("Notes", notes), ("Outcome", outcome)) if value)
        found.entries.append(
            TimelineEntry(
                at=_start_of(day, found.zone),
                kind="follow_up",
                title=f"Follow-up: {FOLLOW_UP_LABELS.get(kind, kind)}" + ("" if outcome else " (planned)"),
                by=person_name(*person),
                details=details,
                day_only=True,
            )
        )


def _date_requests(found: Sources, recommendation_id: int, limit: int | None) -> None:
    """Newest by its latest entry (the decision, once made); a pending request is always the newest (one at a time).
    A decided request makes two entries."""
    requests = TargetDateChangeRequest.objects.filter(recommendation_id=recommendation_id)
    latest = Greatest("created_at", Coalesce("decided_at", "created_at"))
    requests = requests.order_by(latest.desc(), "-id").annotate(entries=ROWS + Window(Count("decided_at")))
    columns = ("id", "created_at", "decided_at", "proposed_date", "status", "reason", "decision_note")
    people = (*_person("requested_by"), *_person("decided_by"))
    rows, counted = _newest(requests.values_list(*columns, *people, "entries"), limit)
    found.counted += counted
    for pk, at, decided_at, proposed, status, reason, note, *names in rows:
        asked, decided = person_name(*names[:3]), person_name(*names[3:])
        item = DateRequest(pk, at, decided_at, proposed, status, reason, note, asked, decided)
        found.date_requests.append(item)
        found.entries.append(
            TimelineEntry(
                at=at,
                kind="date_request",
                title=f"Asked to move the target date to {long_date(proposed)}",
                by=item.requested_by,
                reason=reason,
            )
        )
        if decided_at is not None:
            found.entries.append(
                TimelineEntry(
                    at=decided_at,
                    kind="date_decision",
                    title=f"Request to move the target date {item.status_label.lower()}",
                    by=item.decided_by,
                    reason=note,
                )
            )


def _actions(found: Sources, recommendation_id: int, _limit: int | None) -> None:
    """The whole plan, always, in its order: the page shows it in a table of its own. A completed action makes two
    entries."""
    plan = ActionPlanItem.objects.filter(recommendation_id=recommendation_id).order_by("position", "id")
    columns = ("id", "created_at", "target_date", "completed_on", "description", "responsible")
    for pk, at, target, completed, description, responsible, *person in plan.values_list(
        *columns, *_person("created_by")
    ):
        item = ActionItem(pk, at, target, completed, description, responsible, person_name(*person))
        found.actions.append(item)
        found.counted += 1 + (completed is not None)
        found.entries.append(
            TimelineEntry(at=at, kind="action", title="Action added to the plan", by=item.created_by, text=description)
        )
        if completed:
            found.entries.append(
                TimelineEntry(
                    at=_start_of(completed, found.zone),
                    kind="action",
                    title="Action completed",
                    text=description,
                    day_only=True,
                )
            )


def _reminders(found: Sources, recommendation_id: int, limit: int | None) -> None:
    """Reminders sent (as reminders.selectors.reminders_for_recommendations reads them), to a person or an address.
    Read through the app registry: the reminders app depends on this one, not this one on it."""
    if not apps.is_installed("reminders"):
        return
    item = apps.get_model("reminders", "DigestItem")
    sent = item.objects.filter(recommendation_id=recommendation_id, digest__status="sent")
    sent = sent.order_by("-digest__sent_at", "-digest_id", "kind").annotate(rows=ROWS)
    columns = ("digest__sent_at", "kind", "digest__email", "digest__recipient_id", *_person("digest__recipient"))
    rows, counted = _newest(sent.values_list(*columns, "rows"), limit)
    found.counted += counted
    labels = dict(item._meta.get_field("kind").flatchoices)
    for sent_at, kind, email, recipient_id, *person in rows:
        label = labels.get(kind) or str(kind).replace("_", " ").capitalize()
        recipient = person_name(*person) if recipient_id is not None else email
        found.entries.append(
            TimelineEntry(
                at=sent_at,
                kind="reminder",
                title=f"Reminder sent: {label}" if label else "Reminder sent",
                details=(("Sent to", recipient),),
            )
        )


SOURCES = (_progress, _follow_ups, _date_requests, _actions, _reminders)  # also the order of entries at one moment


def _names(ids: Iterable[int]) -> dict[int, str]:
    """The people the changes name, by name: one query even for nobody, so that the page's count stays the same."""
    rows = get_user_model().objects.filter(pk__in=[*ids] or [0]).values_list("pk", *PERSON)  # no user has id 0
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
    entries = [*_change_entries(record.changes), *record.entries]
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


def _start_of(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """A day as a time in `zone`, so that it sorts with the rest (activities are dated, not timed); as
    timezone.make_aware writes it, without looking the current time zone up for each."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
