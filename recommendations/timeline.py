"""Everything that happened to one recommendation, as one timeline, newest first.

`recommendation_record` reads it in two queries whatever its length: the recommendation's history (without
names), and one UNION ALL of the other sources (progress updates, follow-ups, date requests, the action plan,
reminders sent), each only its newest rows when given a limit (the page shows the latest TIMELINE_LIMIT entries; a
long-running recommendation has hundreds), with the names of the people the history's shown changes name. It reads
plain values rather than model instances, and turns each row into entries of one shape at once; `build_timeline`
puts them in order for templates/recommendations/includes/timeline.html, each with its date already written out.
"""

import dataclasses
import datetime
import functools
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.utils import timezone

from core.dates import long_date, short_date
from recommendations.models import FollowUpKind, Progress, Recommendation, TargetDateRequestStatus
from recommendations.selectors import Change, FieldChange, History, person_name, recommendation_history

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
    """What the detail page shows beyond the recommendation's own row: its changes (one query) and everything
    else that happened to it (one more query)."""

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
    """The changes in one query, the other sources of the timeline and the people the changes name in one more:
    all of them, or the newest `limit` rows of each (then with the total), of which only those that can be among
    the newest `limit` entries become entries (changes): the rest are only counted.

    The newest `limit` entries of the whole timeline are always among the newest `limit` rows of each source:
    a source's row left out has `limit` newer rows of its own, each with an entry at least as new. Each limited
    source also counts its entries in the same query (a window count), so the total needs no query of its own.
    """
    history = recommendation_history(recommendation.pk, newest=limit)
    rows = _source_rows(recommendation.pk, limit, people=history.people)
    counted = sum({row[0]: row[2] for row in rows}.values())  # each row carries its source's count
    zone = timezone.get_current_timezone()
    if limit is not None:  # older entries than the newest `limit` cannot be shown: not made (the lists are whole)
        history, rows = _newest(limit, history, rows, zone)
    sources = _read_sources(rows, zone)
    log = history.change_log(sources.names)
    record = RecommendationRecord(
        changes=log.changes,
        entries=sources.entries,
        date_requests=sources.date_requests,
        actions=sources.actions,
        target_date_changes=log.target_date_changes,
        limit=limit,
    )
    return record if limit is None else dataclasses.replace(record, total=log.total + counted)


# --- everything else that happened, in one query ---

PROGRESS_LABELS = dict(Progress.choices)
FOLLOW_UP_LABELS = dict(FollowUpKind.choices)
DATE_REQUEST_LABELS = dict(TargetDateRequestStatus.choices)


@dataclass
class Sources:
    entries: list[TimelineEntry] = field(default_factory=list)
    date_requests: list[DateRequest] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # the people asked for, by id
    zone: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)  # where a dated entry's day starts


def _source_rows(recommendation_id: int, limit: int | None, people: Iterable[int] = ()) -> list[tuple]:
    """One UNION ALL of the sources, each as rows of one shape (see SOURCE_SQL): each source's newest `limit` rows
    (all of them if None: LIMIT NULL), with how many entries the whole source makes; and `people` by name."""
    if connection.vendor != "postgresql":
        from recommendations.timeline_portable import source_rows  # the same rows, for SQLite (development)

        return source_rows(recommendation_id, limit, people)
    with connection.cursor() as cursor:
        parameters = {"recommendation": recommendation_id, "limit": limit, "people": list(people)}
        cursor.execute(_sources_sql(), parameters)
        return cursor.fetchall()


def _read_sources(rows: Iterable[tuple], zone: datetime.tzinfo) -> Sources:
    found = Sources(zone=zone)
    for source, _position, _entries, *row in rows:
        READERS[source](found, *row)
    return found


def _newest(limit: int, history: History, rows: list[tuple], zone: datetime.tzinfo) -> tuple[History, list[tuple]]:
    """The changes and rows that can make one of the newest `limit` entries: those at least as new as the oldest of
    them; every date request and action (the page lists them whole) and the people."""
    dated = [(row, _moments(row, zone)) for row in rows]
    moments = [*history.moments, *(moment for _, found in dated for moment in found)]
    if len(moments) <= limit:
        return history, rows
    since = heapq.nlargest(limit, moments)[-1]
    kept = [row for row, found in dated if row[0] in (DATE_REQUEST, ACTION, PERSON) or found[0] >= since]
    return history.since(since), kept


def _moments(row: tuple, zone: datetime.tzinfo) -> tuple[datetime.datetime, ...]:
    """When the entries of a source's row happened, as its reader dates them (see SOURCE_SQL for the columns)."""
    source, at, at2, day, day2 = row[0], row[4], row[5], row[6], row[7]
    if source == FOLLOW_UP:
        return (_start_of(day, zone),)
    if source == DATE_REQUEST:
        return (at,) if at2 is None else (at, at2)
    if source == ACTION:
        return (at,) if day2 is None else (at, _start_of(day2, zone))
    return () if source == PERSON else (at,)


# Every source's rows take one shape: its number, the row's position in it, the entries the whole source makes (a
# window count: one a row; two for a decided date request or a completed action), then its values as
#     id, moment, moment2, day, day2, code, text1, text2, text3, person, person2
# (timestamptz, date and text as named, a person as the array of their PERSON columns; NULL when a source has no
# such value), which each reader below unpacks. A person is looked up row by row (a subquery of the select list):
# only for the rows kept after the limit, each by its primary key, rather than a join that hashes every user.
PROGRESS, FOLLOW_UP, DATE_REQUEST, ACTION, REMINDER = range(1, 6)  # also the order of entries made at one moment
PERSON = 6  # not a source of entries: people by name
NOBODY = "NULL::text[]"


def _person(column: str) -> str:
    return f"(SELECT ARRAY[u.first_name, u.last_name, u.username] FROM accounts_user u WHERE u.id = {column})"


SOURCE_SQL = {
    PROGRESS: f"""
        SELECT {PROGRESS}, row_number() OVER newest, count(*) OVER (),
            r.id, r.created_at, NULL::timestamptz, NULL::date, NULL::date,
            r.progress, r.text, r.evidence_url, r.evidence_file, {_person("r.author_id")}, {NOBODY}
        FROM recommendations_progressupdate r
        WHERE r.recommendation_id = %(recommendation)s
        WINDOW newest AS (ORDER BY r.created_at DESC, r.id DESC)
        ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s""",
    FOLLOW_UP: f"""
        SELECT {FOLLOW_UP}, row_number() OVER newest, count(*) OVER (),
            r.id, NULL::timestamptz, NULL::timestamptz, r.activity_date, NULL::date,
            r.kind, r.notes, r.outcome, NULL::text, {_person("r.conducted_by_id")}, {NOBODY}
        FROM recommendations_followupactivity r
        WHERE r.recommendation_id = %(recommendation)s
        WINDOW newest AS (ORDER BY r.activity_date DESC, r.id DESC)
        ORDER BY r.activity_date DESC, r.id DESC LIMIT %(limit)s""",
    # Newest by its latest entry (the decision); a pending request is always the newest (one at a time).
    DATE_REQUEST: f"""
        SELECT {DATE_REQUEST}, row_number() OVER newest, count(*) OVER () + count(r.decided_at) OVER (),
            r.id, r.created_at, r.decided_at, r.proposed_date, NULL::date,
            r.status, r.reason, r.decision_note, NULL::text,
            {_person("r.requested_by_id")}, {_person("r.decided_by_id")}
        FROM recommendations_targetdatechangerequest r
        WHERE r.recommendation_id = %(recommendation)s
        WINDOW newest AS (ORDER BY GREATEST(r.created_at, COALESCE(r.decided_at, r.created_at)) DESC, r.id DESC)
        ORDER BY GREATEST(r.created_at, COALESCE(r.decided_at, r.created_at)) DESC, r.id DESC LIMIT %(limit)s""",
    # The whole plan, always: the page shows it in a table of its own.
    ACTION: f"""
        SELECT {ACTION}, row_number() OVER newest, count(*) OVER () + count(r.completed_on) OVER (),
            r.id, r.created_at, NULL::timestamptz, r.target_date, r.completed_on,
            NULL::text, r.description, r.responsible, NULL::text, {_person("r.created_by_id")}, {NOBODY}
        FROM recommendations_actionplanitem r
        WHERE r.recommendation_id = %(recommendation)s
        WINDOW newest AS (ORDER BY r.position, r.id)""",
    # Reminders sent (as reminders.selectors.reminders_for_recommendations reads them), to a person or an address.
    REMINDER: f"""
        SELECT {REMINDER}, row_number() OVER newest, count(*) OVER (),
            d.id, d.sent_at, NULL::timestamptz, NULL::date, NULL::date,
            r.kind, NULL::text, d.email, NULL::text, {_person("d.recipient_id")}, {NOBODY}
        FROM reminders_digestitem r JOIN reminders_digest d ON d.id = r.digest_id AND d.status = 'sent'
        WHERE r.recommendation_id = %(recommendation)s
        WINDOW newest AS (ORDER BY d.sent_at DESC, d.id DESC, r.kind)
        ORDER BY d.sent_at DESC, d.id DESC, r.kind LIMIT %(limit)s""",
    # Not a source of entries: the people the history's shown changes name (selectors.History.people), by id.
    PERSON: f"""
        SELECT {PERSON}, 0, 0, u.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
            ARRAY[u.first_name, u.last_name, u.username], {NOBODY}
        FROM accounts_user u
        WHERE u.id = ANY(%(people)s::bigint[])""",
}


@functools.cache
def _sources_sql() -> str:
    """The query, made once: without the reminders app (not installed yet), no reminders."""
    sources = [sql for source, sql in SOURCE_SQL.items() if source != REMINDER or apps.is_installed("reminders")]
    return "\nUNION ALL\n".join(f"({sql.strip()})" for sql in sources) + "\nORDER BY 1, 2"


def _progress(found: Sources, pk, at, _at2, _day, _day2, progress, text, url, file, person, _person2) -> None:
    label = PROGRESS_LABELS.get(progress, progress)
    evidence = Evidence(pk, bool(file), url or "")
    found.entries.append(
        TimelineEntry(
            at=at,
            kind="progress",
            title=f"Progress update: {label}",
            by=_name(person),
            text=text,
            evidence=evidence if evidence.has_file or evidence.url else None,
        )
    )


def _follow_up(found: Sources, _pk, _at, _at2, day, _day2, kind, notes, outcome, _text3, person, _person2) -> None:
    details = tuple((label, value) for label, value in (("Notes", notes), ("Outcome", outcome)) if value)
    label = FOLLOW_UP_LABELS.get(kind, kind)
    found.entries.append(
        TimelineEntry(
            at=_start_of(day, found.zone),
            kind="follow_up",
            title=f"Follow-up: {label}" + ("" if outcome else " (planned)"),
            by=_name(person),
            details=details,
            day_only=True,
        )
    )


def _date_request(found: Sources, pk, at, decided_at, proposed, _day2, status, reason, note, _text3, *people) -> None:
    item = DateRequest(pk, at, decided_at, proposed, status, reason, note, *map(_name, people))
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


def _action(found: Sources, pk, at, _at2, target, completed, _code, description, responsible, _t3, person, _p2) -> None:
    item = ActionItem(pk, at, target, completed, description, responsible, _name(person))
    found.actions.append(item)
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


def _reminder(found: Sources, _pk, sent_at, _at2, _day, _day2, kind, _text1, email, _text3, person, _person2) -> None:
    recipient = _name(person) if person is not None else email
    label = _reminder_labels().get(kind) or str(kind).replace("_", " ").capitalize()
    found.entries.append(
        TimelineEntry(
            at=sent_at,
            kind="reminder",
            title=f"Reminder sent: {label}" if label else "Reminder sent",
            details=(("Sent to", recipient),),
        )
    )


@functools.cache
def _reminder_labels() -> dict[str, str]:
    from reminders.models import ReminderKind  # the reminders app depends on this one

    return dict(ReminderKind.choices)


def _named(found: Sources, pk, _at, _at2, _day, _day2, _code, _text1, _text2, _text3, person, _person2) -> None:
    found.names[pk] = _name(person)


def _name(person: list[str | None] | None) -> str:
    """A person's name from their PERSON columns; "" for nobody."""
    return person_name(*person) if person is not None else ""


READERS = {
    PROGRESS: _progress,
    FOLLOW_UP: _follow_up,
    DATE_REQUEST: _date_request,
    ACTION: _action,
    REMINDER: _reminder,
    PERSON: _named,
}


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
