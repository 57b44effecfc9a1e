"""What's changed: every event on the recommendations a person may see since a moment, newest first, by pages.

The events are the timeline's (recommendations/timeline.py): its kinds (EntryKind) and its entries, made by the same
functions from the same columns, for many recommendations at once. As the timeline does for one recommendation, each
source reads its newest rows since the moment in one query, up to the end of the page asked for (and one more, to
know whether there is a next page), and the sources are merged in Python. Then one query reads the history rows before
the changes shown (what each change changed from), one names everyone, and one reads the recommendations of the page:
a fixed number of queries whatever the data. Reminders sent are timeline entries but not changes: they are left out.

A follow-up activity is dated, not timed: it counts from when it was recorded, so it is news on the day it is added
whatever day it took place (its date is shown with it). An action completed counts from the day it was completed.
"""

import dataclasses
import datetime
import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import (
    BooleanField,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from accounts.models import Person
from core.dates import long_date
from recommendations import permissions, timeline
from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    Progress,
    ProgressUpdate,
    Recommendation,
    TargetDateChangeRequest,
)
from recommendations.rows import RecommendationRow, recommendation_rows
from recommendations.selectors import HISTORY_COLUMNS, TRACKED_FIELDS, History
from recommendations.timeline import EntryKind, Sources, TimelineEntry

PAGE_SIZE = 25
# What the page offers to filter by: every kind of timeline entry but reminders sent (not a change).
KINDS = tuple((kind.value, kind.label) for kind in EntryKind if kind != EntryKind.REMINDER)


@dataclass(frozen=True)
class ChangeQuery:
    """What the person asked for: events at `since` or later, in a region or report (None: any), of some kinds."""

    since: datetime.datetime
    region_id: int | None = None
    inspection_id: int | None = None
    kinds: frozenset[str] = frozenset(kind for kind, _ in KINDS)

    @property
    def since_day(self) -> datetime.date:
        """The day `since` falls on, in UK time: what a dated event (an action completed) is compared with."""
        return timezone.localdate(self.since)

    def wants(self, *kinds: str) -> bool:
        return any(kind in self.kinds for kind in kinds)


@dataclass(frozen=True)
class ChangeEvent:
    """One entry of the page: a timeline entry, and the recommendation it happened to."""

    entry: TimelineEntry
    recommendation: RecommendationRow


@dataclass(frozen=True)
class ChangesPage:
    events: list[ChangeEvent]
    has_next: bool  # there are older events after this page


# --- which recommendations: the person's scope (permissions.py), narrowed to a region or a report ---

Within = QuerySet[Recommendation, Any] | None


def _within(user: Person, asked: ChangeQuery) -> Within:
    """The ids of the recommendations whose events are shown, as a subquery; None for every one (staff, no filter:
    no subquery over 100,000 rows)."""
    if permissions.scope_filter(user) is None and asked.region_id is None and asked.inspection_id is None:
        return None
    visible = permissions.visible_recommendations(user, Recommendation.objects.order_by())
    if asked.region_id is not None:
        visible = visible.filter(region_id=asked.region_id)
    if asked.inspection_id is not None:
        visible = visible.filter(inspection_id=asked.inspection_id)
    return visible.values("pk")


def _scoped[T: QuerySet[Any]](rows: T, within: Within, column: str) -> T:
    return rows if within is None else rows.filter(**{f"{column}__in": within})


# --- the sources: each one query, newest first, each row the recommendation's id and then the timeline's columns ---

Rows = list[tuple[Any, ...]]


def _read(rows: QuerySet[Any, tuple[Any, ...]], end: int) -> Rows:
    """The first `end` rows and one more (whether there is a next page): an index range read newest first, which
    stops there however long the period is. No count: it would read every event of the period (a week of national
    activity is some 10,000), so the page has Previous and Next rather than numbers."""
    return list(rows[: end + 1])


def _progress_rows(asked: ChangeQuery, within: Within, end: int) -> Rows:
    updates = _scoped(ProgressUpdate.objects.filter(created_at__gte=asked.since), within, "recommendation_id")
    updates = updates.order_by("-created_at", "-id")
    return _read(updates.values_list("recommendation_id", *timeline.PROGRESS_COLUMNS), end)


def _follow_up_rows(asked: ChangeQuery, within: Within, end: int) -> Rows:
    """By when each was recorded, which is when it is news (its own date may be earlier, or planned)."""
    activities = _scoped(FollowUpActivity.objects.filter(created_at__gte=asked.since), within, "recommendation_id")
    activities = activities.order_by("-created_at", "-id")
    return _read(activities.values_list("recommendation_id", "created_at", *timeline.FOLLOW_UP_COLUMNS), end)


def _date_request_rows(asked: ChangeQuery, within: Within, end: int) -> Rows:
    """Requests made and decided since, newest by the latest event asked for (a decided request makes two)."""
    moments = {EntryKind.DATE_REQUEST: "created_at", EntryKind.DATE_DECISION: "decided_at"}
    wanted = {kind: Q(**{f"{column}__gte": asked.since}) for kind, column in moments.items() if kind in asked.kinds}
    both = Greatest("created_at", Coalesce("decided_at", "created_at"))
    latest = both if len(wanted) == 2 else F(moments[next(iter(wanted))])
    requests = TargetDateChangeRequest.objects.filter(_any(wanted.values()))
    requests = _scoped(requests, within, "recommendation_id").order_by(latest.desc(), "-id")
    return _read(requests.values_list("recommendation_id", *timeline.DATE_REQUEST_COLUMNS), end)


def _action_rows(asked: ChangeQuery, within: Within, end: int) -> Rows:
    """Actions added since, and those completed on the day of `since` or later (completion is dated, not timed)."""
    added, completed = Q(created_at__gte=asked.since), Q(completed_on__gte=asked.since_day)
    completed_at = Coalesce(Cast("completed_on", DateTimeField()), "created_at")
    plan = _scoped(ActionPlanItem.objects.filter(added | completed), within, "recommendation_id")
    plan = plan.order_by(Greatest("created_at", completed_at).desc(), "-id")
    return _read(plan.values_list("recommendation_id", *timeline.ACTION_COLUMNS), end)


# The history: a row is an event when it created the recommendation or changed a tracked value from the row before;
# not when it only echoes the progress a progress update set (the update is the event, as on the timeline).
_OTHER_TRACKED = [name for name in TRACKED_FIELDS if name != "progress"]


def _any(conditions: Iterable[Q]) -> Q:
    return functools.reduce(operator.or_, conditions)


def _same_as_outer(name: str) -> Q:
    """This (earlier) history row's `name` is the outer row's: NULL the same as NULL."""
    same = Q(**{name: OuterRef(name)})
    if Recommendation.history.model._meta.get_field(name).null:
        same |= Q(**{f"{name}__isnull": True}) & Q(IsNull(OuterRef(name), True))
    return same


@functools.cache
def _history_events() -> QuerySet[Any]:
    """Every history row with `quiet` (whether it is no change from the row before it, as the timeline sees it:
    selectors.recommendation_history) and `before_id` (the id of that row before it, of the same recommendation).

    Built once a process, never evaluated itself: each page filters a clone of it. Resolving the two correlated
    subqueries (a comparison of every tracked value with the row before) cost about 4 ms of CPU a page, more than
    running them; a clone shares what was resolved."""
    history = Recommendation.history.model
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    before = history.objects.filter(earlier, id=OuterRef("id")).order_by("-history_date", "-history_id")
    others = functools.reduce(operator.and_, (_same_as_outer(name) for name in _OTHER_TRACKED))
    # No tracked value differs, or only the progress that a progress update set, with the reason
    # services.progress_update_record gives it (the update is the event).
    echo = _any(
        Q(Exact(OuterRef("progress"), value)) & Q(Exact(OuterRef("history_change_reason"), f"Progress: {label}"))
        for value, label in Progress.choices
    )
    quiet = ExpressionWrapper(others & (Q(progress=OuterRef("progress")) | echo), output_field=BooleanField())
    quiet_before = Subquery(before.annotate(quiet=quiet).values("quiet")[:1])
    events = history.objects.alias(quiet=Coalesce(quiet_before, False))
    return cast(QuerySet[Any], events.annotate(before_id=Subquery(before.values("history_id")[:1])))


def _history_rows(asked: ChangeQuery, within: Within, end: int) -> Rows:
    """History rows since, that are events as the timeline shows them, each with the id of the row before it: the
    first row (created), or a row that changed something from the row before (a change)."""
    rows = _scoped(_history_events().filter(history_date__gte=asked.since), within, "id")
    created = Q(history_type="+")
    kinds = {EntryKind.CREATED: created, EntryKind.CHANGE: ~created & Q(quiet=False)}
    rows = rows.filter(_any(kinds[kind] for kind in kinds if kind in asked.kinds))
    return _read(rows.order_by("-history_date", "-history_id").values_list("id", *HISTORY_COLUMNS, "before_id"), end)


@dataclass(frozen=True)
class Source:
    """One kind of event as What's changed reads it: its rows (the recommendation's id, then the timeline's columns),
    how many people each row names (its last columns), and the timeline's function that makes its entries."""

    kinds: frozenset[str]
    rows: Callable[[ChangeQuery, Within, int], Rows]
    people: int
    make: Callable[..., None]


def _follow_up_entry(found: Sources, recorded: datetime.datetime, day: datetime.date, *row: Any) -> None:
    """The timeline's entry, at when it was recorded and with its own date said."""
    timeline.follow_up_entry(found, day, *row)
    entry = found.entries[-1]
    details = (("Date of the activity", long_date(day)), *entry.details)
    found.entries[-1] = dataclasses.replace(entry, at=recorded, day_only=False, details=details)


SOURCES = (  # in the timeline's order of entries made at one moment
    Source(frozenset({EntryKind.PROGRESS}), _progress_rows, 1, timeline.progress_entry),
    Source(frozenset({EntryKind.FOLLOW_UP}), _follow_up_rows, 1, _follow_up_entry),
    Source(
        frozenset({EntryKind.DATE_REQUEST, EntryKind.DATE_DECISION}),
        _date_request_rows,
        2,
        timeline.date_request_entries,
    ),
    Source(frozenset({EntryKind.ACTION}), _action_rows, 1, timeline.action_entries),
)
HISTORY_KINDS = frozenset({EntryKind.CREATED, EntryKind.CHANGE})


# --- the page ---


def changes_page(user: Person, asked: ChangeQuery, number: int) -> ChangesPage:
    """Page `number` of the events `user` may see since `asked.since`, newest first, and whether there are more."""
    end = number * PAGE_SIZE
    within = _within(user, asked)
    read = [(source, source.rows(asked, within, end)) for source in SOURCES if asked.wants(*source.kinds)]
    history = _history_rows(asked, within, end) if asked.wants(*HISTORY_KINDS) else []
    steps = _history_steps(history)
    people = {pk for source, rows in read for row in rows for pk in row[len(row) - source.people :]}
    found = Sources(names=timeline.names(people | steps.people))
    events = [
        *_changes(history, steps, found),
        *(pair for source, rows in read for pair in _made(source, rows, found)),
    ]
    events = [(pk, entry) for pk, entry in events if entry.kind in asked.kinds and _since(entry, asked)]
    events.sort(key=lambda pair: pair[1].at, reverse=True)  # stable: entries of one moment keep the sources' order
    shown = events[end - PAGE_SIZE : end]
    rows = _recommendations({pk for pk, _ in shown})
    return ChangesPage([ChangeEvent(entry, rows[pk]) for pk, entry in shown if pk in rows], len(events) > end)


def _history_steps(rows: Rows) -> History:
    """The history rows read, each with the row before it (one query, even for none): the timeline's History."""
    wanted = {row[-1] for row in rows if row[-1] is not None} or {0}  # no history row has id 0
    model = Recommendation.history.model
    before = {row[0]: row for row in model.objects.filter(history_id__in=wanted).values_list(*HISTORY_COLUMNS)}
    steps = [(before.get(row[-1]), row[1:-1]) for row in rows]
    return History(kept=steps, moved=[], total=len(steps))


def _changes(rows: Rows, steps: History, found: Sources) -> Iterable[tuple[int, TimelineEntry]]:
    changes = steps.change_log(found.names).changes
    for row, change in zip(rows, changes, strict=True):
        for entry in timeline.change_entries([change]):
            yield row[0], entry


def _made(source: Source, rows: Rows, found: Sources) -> Iterable[tuple[int, TimelineEntry]]:
    for row in rows:
        made = len(found.entries)
        source.make(found, *row[1:])
        for entry in found.entries[made:]:
            yield row[0], entry


def _since(entry: TimelineEntry, asked: ChangeQuery) -> bool:
    """Whether the entry happened since the moment asked for (a dated one: on its day or later)."""
    return timezone.localdate(entry.at) >= asked.since_day if entry.day_only else entry.at >= asked.since


def _recommendations(ids: set[int]) -> dict[int, RecommendationRow]:
    """The page's recommendations, as the short lists' rows (reference, link, text): one query, even for none."""
    found = Recommendation.objects.filter(pk__in=ids or {0}).order_by()
    return {row.pk: row for row in recommendation_rows(found)}
