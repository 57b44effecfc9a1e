"""Reads that deserve a name."""

import dataclasses
import datetime
import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    Field,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from core.dates import short_date
from core.pagination import page_or_404
from core.shared_cache import keep_figures, kept_figures
from recommendations import permissions, rates
from recommendations.filters import RecommendationFilter, recommendation_filter
from recommendations.models import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    Addressee,
    Recommendation,
    RecommendationQuerySet,
    Status,
    TargetDateRequestStatus,
    date_request_asked_at,
)
from recommendations.rows import (
    RecommendationRow,
    RowValues,
    recommendation_rows,
    row_values,
    rows_from_values,
    short_lists_from_values,
    short_lists_values,
)

logger = logging.getLogger(__name__)

# Fields whose changes are shown in a recommendation's history, with how to label them.
TRACKED_FIELDS: dict[str, str] = {
    "status": "Status",
    "owner_id": "Owner",
    "target_date": "Target date",
    "response": "Response",
    "progress": "Progress",
    "judgement": "Judgement",
    "priority": "Priority",
    "superseded_by_id": "Superseded by",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any

    @property
    def old_text(self) -> str:
        return shown_value(self.old)

    @property
    def new_text(self) -> str:
        return shown_value(self.new)


def shown_value(value: Any) -> str:
    """A changed value as the timeline shows it: "none" for nothing, a date as 30 Jun 2026."""
    if value is None or value == "" or value is False:
        return "none"
    return short_date(value) if isinstance(value, datetime.date) else str(value)


@dataclass(frozen=True)
class Change:
    """One saved change of a recommendation: who, when, why, and each field from → to."""

    at: datetime.datetime
    by: str  # their name, as person_names gives it ("" when unknown)
    reason: str
    created: bool
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ChangeLog:
    changes: list[Change]  # the newest changes asked for (all of them by default), oldest first
    total: int  # how many changes there are altogether
    target_date_changes: list[Change]  # every change that moved the target date, oldest first, however old


def recommendation_changes(recommendation: Recommendation) -> list[Change]:
    """The recommendation's history, oldest first, in two queries whatever its length (three if it was superseded)."""
    return recommendation_change_log(recommendation).changes


PERSON = ("first_name", "last_name", "username")  # what a person's name is made of (accounts.User.__str__)


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A person's name as accounts.User.__str__ gives it, from the three columns; "" for nobody."""
    return f"{first_name or ''} {last_name or ''}".strip() or (username or "")


def person_names(ids: Iterable[int]) -> dict[int, str]:
    """People by id, by name (one query; none for nobody)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = get_user_model().objects.filter(pk__in=wanted).values_list("pk", *PERSON)
    return {pk: person_name(*parts) for pk, *parts in rows}


# A history row as a tuple: its id, when, why, who (their id), then the tracked values.
HISTORY_COLUMNS = _HISTORY_COLUMNS = (
    "history_id",
    "history_date",
    "history_change_reason",
    "history_user_id",
    *TRACKED_FIELDS,
)
_AT = _HISTORY_COLUMNS.index("history_date")
_BY = _HISTORY_COLUMNS.index("history_user_id")
_FIRST_TRACKED = _HISTORY_COLUMNS.index(next(iter(TRACKED_FIELDS)))
_TRACKED = slice(_FIRST_TRACKED, _FIRST_TRACKED + len(TRACKED_FIELDS))  # a history row's tracked values
_TRACKED_AT = tuple((_HISTORY_COLUMNS.index(name), name, label) for name, label in TRACKED_FIELDS.items())
_TARGET_DATE = _HISTORY_COLUMNS.index("target_date")
_SUPERSEDED_BY = _HISTORY_COLUMNS.index("superseded_by_id")
_OWNER_ID = _HISTORY_COLUMNS.index("owner_id")
_PRIORITY = _HISTORY_COLUMNS.index("priority")
_PROGRESS = _HISTORY_COLUMNS.index("progress")
_REASON = _HISTORY_COLUMNS.index("history_change_reason")


def _choices_of(name: str) -> dict[Any, Any]:
    field = Recommendation._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the model, not a relation to it
    return dict(field.flatchoices)


_CHOICES = {_HISTORY_COLUMNS.index(name): _choices_of(name) for name in ("status", "response", "progress", "judgement")}

HistoryRow = tuple[Any, ...]  # a history row's values, in _HISTORY_COLUMNS's order
Step = tuple[HistoryRow | None, HistoryRow]  # a change: the history row before it (None for the first) and its own row


def _history_rows(recommendation_id: int) -> QuerySet[Any, HistoryRow]:
    """The history rows of one recommendation, oldest first: nobody's name, so no join (the names the shown
    changes need are read once each, not on each of a few hundred rows)."""
    history = Recommendation.history.model
    rows = history.objects.filter(id=recommendation_id).order_by("history_date", "history_id")
    values: QuerySet[Any, HistoryRow] = rows.values_list(*_HISTORY_COLUMNS)  # simple_history's model: Any to mypy
    return values


@dataclass(frozen=True)
class History:
    """A recommendation's history read as tuples (one query), and which rows are changes: a row is a change when
    a tracked value differs from the row before it; it moved the target date when that value did."""

    kept: list[Step]  # the newest changes asked for, oldest first
    moved: list[Step]  # every move of the target date, oldest first
    total: int  # changes altogether

    @property
    def people(self) -> set[int]:
        """Whom the kept changes and moves name: who made each, and the owners before and after a change of owner."""
        ids = {row[_BY] for _, row in (*self.kept, *self.moved)}
        for previous, row in (*self.kept, *self.moved):
            if previous is not None and previous[_OWNER_ID] != row[_OWNER_ID]:
                ids.update((previous[_OWNER_ID], row[_OWNER_ID]))
        ids.discard(None)
        return ids

    @property
    def moments(self) -> list[datetime.datetime]:
        """When the kept changes were made."""
        return [row[_AT] for _, row in self.kept]

    def since(self, moment: datetime.datetime) -> "History":
        """The same, keeping only the changes made at `moment` or later (and every move of the target date)."""
        return dataclasses.replace(self, kept=[step for step in self.kept if step[1][_AT] >= moment])

    def change_log(self, names: dict[int, str]) -> ChangeLog:
        """The changes, with people named from `names` (person_names of `people`)."""
        steps = (*self.kept, *self.moved)
        references = _superseding(steps)
        made = {row[0]: _change(previous, row, names, references) for previous, row in steps}
        return ChangeLog([made[row[0]] for _, row in self.kept], self.total, [made[row[0]] for _, row in self.moved])


def recommendation_history(
    recommendation_id: int, newest: int | None = None, *, progress_updates_apart: bool = False
) -> History:
    """The history of a recommendation (one query): its newest `newest` changes (all if None), how many there are,
    and every move of the target date. With `progress_updates_apart` (the timeline, where each progress update is
    an entry of its own), the progress a progress update set is not a change as well."""
    rows = _history_rows(recommendation_id)
    changed: list[Step] = []
    moved: list[Step] = []
    previous = None
    for row in rows:
        echo = progress_updates_apart and previous is not None and _progress_update_echo(previous, row)
        if previous is None or (row[_TRACKED] != previous[_TRACKED] and not echo):
            changed.append((previous, row))
        if previous is not None and row[_TARGET_DATE] != previous[_TARGET_DATE]:
            moved.append((previous, row))
        previous = row
    kept = changed if newest is None else changed[max(0, len(changed) - newest) :]
    return History(kept, moved, len(changed))


def _progress_update_echo(previous: HistoryRow, row: HistoryRow) -> bool:
    """Whether a change is the progress a progress update set (services.progress_update_record saves it with the
    reason "Progress: <its label>"): the update is the timeline's entry for it, so it is not a change of its own."""
    only_progress = all(previous[at] == row[at] for at, _, _ in _TRACKED_AT if at != _PROGRESS)
    return only_progress and row[_REASON] == f"Progress: {_CHOICES[_PROGRESS].get(row[_PROGRESS], row[_PROGRESS])}"


def recommendation_change_log(recommendation: Recommendation, newest: int | None = None) -> ChangeLog:
    """The newest `newest` changes (all if None), how many there are, and every move of the target date: the
    history in one query, the people it names in one more."""
    history = recommendation_history(recommendation.pk, newest)
    return history.change_log(person_names(history.people))


def _change(
    previous: HistoryRow | None, row: HistoryRow, names: dict[int, str], references: dict[int, Recommendation]
) -> Change:
    fields: tuple[FieldChange, ...] = ()
    if previous is not None:
        fields = tuple(
            FieldChange(name, label, _display(previous, at, names, references), _display(row, at, names, references))
            for at, name, label in _TRACKED_AT
            if previous[at] != row[at]
        )
    return Change(
        at=row[_AT],
        by=names.get(row[_BY], ""),
        reason=row[_REASON] or "",
        created=previous is None,
        fields=fields,
    )


def _display(row: HistoryRow, at: int, names: dict[int, str], references: dict[int, Recommendation]) -> Any:
    """A tracked value as people read it: a name, a choice's label, Yes or No, a recommendation's reference."""
    value = row[at]
    if at in _CHOICES:
        return _CHOICES[at].get(value, value)
    if at == _PRIORITY:
        return "Yes" if value else "No"
    if value is None:
        return None
    if at == _OWNER_ID:
        return names.get(value, "")
    if at == _SUPERSEDED_BY:
        return references.get(value, value)
    return value


def _superseding(changes: Iterable[Step]) -> dict[int, Recommendation]:
    """The recommendations named in the 'superseded by' changes shown, to show their references (no query if none)."""
    ids = {
        value
        for previous, row in changes
        if previous is not None
        for value in (previous[_SUPERSEDED_BY], row[_SUPERSEDED_BY])
        if value
    }
    if not ids:
        return {}
    return {row.pk: row for row in Recommendation.objects.filter(pk__in=ids).select_related("inspection")}


# --- lists, My actions and the dashboard. Every queryset starts from permissions.visible_recommendations. ---

LIST_PAGE_SIZE = 25
MY_ACTIONS_LIMIT = 25  # rows shown per group (page cost grows with rows: bench/); the heading counts them all
DASHBOARD_LIMIT = 25
# The dashboard's counts by region and by addressee and its rates read every recommendation (1-4 s at national size
# on a busy server): they are kept in the shared cache, made afresh by beat every FIGURES_REFRESH_SECONDS
# (core/shared_cache.py), and the page says how old they are. Its short lists are always read fresh.
OLDEST_OVERDUE_LIMIT = 10
DUE_SOON_DAYS = 30

_REFERENCE_ORDER = (F("inspection__reference"), F("addressee"), F("number"))
_STATUS_RANK = Case(*(When(status=value, then=rank) for rank, value in enumerate(Status.values)), default=99)
# Whitelisted server-side sorts for the list and its exports (?sort=target_date or ?sort=-target_date).
SORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "reference": _REFERENCE_ORDER,
    "target_date": (F("target_date"),),
    "status": (_STATUS_RANK,),
    "region": (F("region__name"),),
    "owner": (F("owner__first_name"), F("owner__last_name"), F("owner__username")),
    "last_updated": (F("last_updated_at"),),  # the index rec_last_updated
    # When the oldest question waiting for the Inspectorate was asked (RecommendationQuerySet.with_requests).
    "waiting": (F("asked_at"),),
}
DEFAULT_SORT = "target_date"
QUEUE_SORT = "waiting"  # the list's order when it shows what waits for a decision: oldest request first


def clean_sort(value: str | None, default: str = DEFAULT_SORT) -> str:
    """The requested sort if it is on the whitelist (optionally with '-'), else the default."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in SORT_ORDERS else default


def recommendations_sorted(queryset: RecommendationQuerySet, sort: str) -> RecommendationQuerySet:
    """Order by a whitelisted sort; empty values last either way, then by reference so pages are stable."""
    if clean_sort(sort).removeprefix("-") == QUEUE_SORT:
        queryset = queryset.with_requests()  # what the sort reads, and only when it is asked for
    return queryset.order_by(*sort_keys(sort))


def sort_keys(sort: str) -> list[Any]:
    """The ORDER BY of a whitelisted sort (see recommendations_sorted)."""
    sort = clean_sort(sort)
    descending = sort.startswith("-")
    chosen = [
        key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
        for key in SORT_ORDERS[sort[1:] if descending else sort]
    ]
    return [*chosen, *_REFERENCE_ORDER, F("pk").asc()]


@dataclass(frozen=True)
class FilteredRecommendations:
    """What the list shows for a request's filters and sort; the exports reuse it, so they match exactly.

    Filters that do not validate (a region outside the person's scope, a date that is not a date) show
    nothing rather than quietly dropping the filter and showing more than was asked for.
    """

    filterset: RecommendationFilter
    sort: str

    @functools.cached_property
    def queryset(self) -> RecommendationQuerySet:
        filterset = self.filterset
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        return recommendations_sorted(queryset.for_lists(), self.sort)


def recommendations_filtered(request: HttpRequest) -> FilteredRecommendations:
    default = QUEUE_SORT if request.GET.getlist("waiting") else DEFAULT_SORT
    return FilteredRecommendations(
        recommendation_filter(request, request.GET), clean_sort(request.GET.get("sort"), default)
    )


def list_page(found: FilteredRecommendations, number: int) -> Page[Any]:
    """Page `number` of the list (a 404 past the last), its object_list RecommendationRows naming region and owner:
    two queries, the count (of the filtered recommendations alone, no join) and the page."""
    page: Page[Any] = page_or_404(Paginator(found.queryset, LIST_PAGE_SIZE), number)  # Recommendations, then rows
    # The page's object_list is the slice of found.queryset for this page.
    page.object_list = recommendation_rows(cast(QuerySet[Recommendation], page.object_list), with_people=True)
    return page


@dataclass(frozen=True)
class ActionGroup:
    key: str
    title: str
    count: int
    rows: list[RecommendationRow]

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


def _my_actions_of(user: User) -> RecommendationQuerySet:
    mine = Q(owner_id=user.pk)
    if permissions.scope_kind(user) in (permissions.REGION, permissions.NATIONAL):  # regional and HMPPS leads
        mine |= Q(owner__isnull=True)
    return permissions.visible_recommendations(user, Recommendation.objects.active().filter(mine))


MY_ACTIONS_GROUPS = (
    ("overdue", "Overdue"),
    ("soon", f"Due in the next {DUE_SOON_DAYS} days"),
    ("later", "Due later or with no target date"),
    ("awaiting", "Awaiting the Inspectorate's closure decision"),
)


def my_actions(user: User, today: datetime.date | None = None) -> list[ActionGroup]:
    """My actions in four groups, each item in exactly one, in one query: every item is numbered within its group
    by target date and counted with it, and the first MY_ACTIONS_LIMIT of each group are read."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    rows = rows_from_values(_my_actions_numbered(user, today, soon), today)
    counts = {row.extra[0]: row.extra[1] for row in rows}
    return [
        ActionGroup(key, title, counts.get(key, 0), [row for row in rows if row.extra[0] == key])
        for key, title in MY_ACTIONS_GROUPS
    ]


def _my_actions_numbered(user: User, today: datetime.date, soon: datetime.date) -> RowValues:
    """The query of my_actions."""
    # Every item is open or awaiting closure; the first condition that holds decides, and an item with no target
    # date matches neither comparison, so it is "later".
    in_group = Case(
        When(status=Status.AWAITING_CLOSURE, then=Value("awaiting")),
        When(target_date__lt=today, then=Value("overdue")),
        When(target_date__lte=soon, then=Value("soon")),
        default=Value("later"),
    )
    order = sort_keys("target_date")
    numbered = _my_actions_of(user).annotate(
        action_group=in_group,
        place=Window(RowNumber(), partition_by=[F("action_group")], order_by=order),
        group_size=Window(Count("pk"), partition_by=[F("action_group")]),
    )
    first = numbered.filter(place__lte=MY_ACTIONS_LIMIT).order_by(*order)
    return row_values(first, extra=("action_group", "group_size"))


def _status_counts(today: datetime.date, month: tuple[datetime.date, datetime.date]) -> dict[str, Count]:
    return {
        "open": Count("pk", filter=Q(status=Status.OPEN)),
        "awaiting": Count("pk", filter=Q(status=Status.AWAITING_CLOSURE)),
        "overdue": Count("pk", filter=Q(status__in=ACTIVE_STATUSES, target_date__lt=today)),
        "due_this_month": Count("pk", filter=Q(status__in=ACTIVE_STATUSES, target_date__range=month)),
        "closed": Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
        "total": Count("pk"),
    }


@dataclass(frozen=True)
class DashboardFigures:
    as_at: datetime.datetime  # when they were counted
    by_region: list[Mapping[str, Any]]
    by_addressee: list[Mapping[str, Any]]
    rates: rates.RateFigures  # implemented within 6/12/24 months, open by age, target date slippage


@dataclass(frozen=True)
class ShortList:
    """A short table of the dashboard and how many it stands for, counted in the same query as its rows."""

    rows: list[RecommendationRow]
    count: int

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


@dataclass(frozen=True)
class WaitingRow:
    """A recommendation waiting for the Inspectorate: when each of its questions was asked (None: not asked)."""

    row: RecommendationRow
    date_request_at: datetime.datetime | None
    closure_requested_at: datetime.datetime | None

    @property
    def asks_closure(self) -> bool:
        return self.row.status == Status.AWAITING_CLOSURE

    @property
    def asks_new_date(self) -> bool:
        return self.date_request_at is not None


@dataclass(frozen=True)
class WaitingForYou:
    """Target date requests and closure requests waiting for a decision, oldest question first; the counts and the
    rows come from one query."""

    rows: list[WaitingRow]
    count: int  # recommendations waiting (one may wait for both decisions)
    target_date_requests: int
    closure_requests: int

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


@dataclass(frozen=True)
class Dashboard:
    as_at: datetime.datetime  # when the counts were made (core/shared_cache.py: kept_figures)
    today: datetime.date
    month: tuple[datetime.date, datetime.date]
    by_region: list[Mapping[str, Any]]
    by_addressee: list[dict[str, Any]]
    totals: dict[str, int]
    rates: rates.RateFigures
    # Read fresh on every view, each with its own count: a heading's count is the number of rows it stands for.
    waiting: WaitingForYou
    oldest_overdue: ShortList
    due_this_month: ShortList

    @property
    def minutes_old(self) -> int:
        """How long ago the counts were made, in whole minutes."""
        return int((timezone.now() - self.as_at).total_seconds() // 60)


def month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def dashboard(user: User, today: datetime.date | None = None) -> Dashboard:
    """Counts by region and by addressee (kept: dashboard_figures) and three short lists with their own counts: one
    query, more when the counts are made again."""
    today = today or timezone.localdate()
    month = month_bounds(today)
    figures = dashboard_figures(user, today)
    by_addressee = [{**row, "label": Addressee(row["addressee"]).label} for row in figures.by_addressee]
    totals = {key: sum(row[key] for row in by_addressee) for key in _status_counts(today, month)}
    lists = _dashboard_lists(user, today, month)
    return Dashboard(
        as_at=figures.as_at,
        today=today,
        month=month,
        by_region=figures.by_region,
        by_addressee=by_addressee,
        totals=totals,
        rates=figures.rates,
        waiting=_waiting_for_you(lists["closure_queue"], lists["date_queue"]),
        oldest_overdue=_short_list(lists["oldest_overdue"]),
        due_this_month=_short_list(lists["due_this_month"]),
    )


# The values each short list's rows carry after their own (row.extra, after the list's key): how many the list has
# (counted in the same query), when its question was asked, when a new target date and closure were asked for, and
# (the closure queue's alone) how many ask for both.
_SHORT_LIST_EXTRA = ("list_size", "asked_at", "date_request_at", "closure_requested_at", "asking_both")
QUEUES = ("closure_queue", "date_queue")  # the two halves of "Waiting for you", each oldest question first


def _count(queryset: QuerySet[Any]) -> Subquery:
    """How many rows `queryset` has, as a column of another query: a subquery PostgreSQL runs once (Django's
    "Using aggregates within a Subquery expression"), over the index alone, where a window count read every row."""
    counted = queryset.order_by().annotate(count=Func(Value(1), function="COUNT")).values("count")  # index only
    return Subquery(counted, output_field=IntegerField())


def _short_list(rows: list[RecommendationRow]) -> ShortList:
    return ShortList(rows, rows[0].extra[1] if rows else 0)


def _waiting_for_you(closure_queue: list[RecommendationRow], date_queue: list[RecommendationRow]) -> WaitingForYou:
    """The two queues as one, oldest question first: the oldest DASHBOARD_LIMIT of either are among the first
    DASHBOARD_LIMIT of each (a recommendation asking both is in both)."""
    merged = {row.pk: row for row in (*date_queue, *closure_queue)}  # the closure queue's rows know both times
    rows = sorted(merged.values(), key=_asked_first)[:DASHBOARD_LIMIT]
    closures = closure_queue[0].extra[1] if closure_queue else 0
    dates = date_queue[0].extra[1] if date_queue else 0
    both = closure_queue[0].extra[5] if closure_queue else 0
    waiting = [WaitingRow(row, row.extra[3], row.extra[4]) for row in rows]
    return WaitingForYou(waiting, closures + dates - both, dates, closures)


def _asked_first(row: RecommendationRow) -> tuple[bool, datetime.datetime]:
    asked: datetime.datetime | None = row.extra[2]  # None: asked before anyone kept the time (a stable sort: last)
    return asked is None, asked or datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _dashboard_lists(
    user: User, today: datetime.date, month: tuple[datetime.date, datetime.date]
) -> dict[str, list[RecommendationRow]]:
    """The short lists in one query (a UNION ALL), each row carrying its list's count; a query each on SQLite,
    which takes no LIMIT inside a UNION."""
    if not connection.features.supports_slicing_ordering_in_compound:
        listed = _dashboard_list_querysets(permissions.visible_recommendations(user), today, month)
        extra = ("short_list", *_SHORT_LIST_EXTRA)  # as short_lists_values gives them
        return {
            key: recommendation_rows(queryset.annotate(short_list=Value(key)), today, extra=extra)
            for key, queryset in listed.items()
        }
    query, keys = _short_lists_query(*permissions.scope_of(user), today)
    return short_lists_from_values(query.all(), keys, today)


@functools.lru_cache(maxsize=16)
def _short_lists_query(kind: str, region_id: int | None, today: datetime.date) -> tuple[RowValues, list[str]]:
    """The dashboard's short lists in one query, and their keys, for a scope and a day: built once a process and
    cloned for each view (building its four parts and their counts cost about 5 ms of CPU a view, bench/); the
    query is never evaluated itself."""
    listed = _dashboard_list_querysets(permissions.visible_in_scope(kind, region_id), today, month_bounds(today))
    return short_lists_values(listed, _SHORT_LIST_EXTRA), list(listed)


def _dashboard_list_querysets(
    visible: RecommendationQuerySet, today: datetime.date, month: tuple[datetime.date, datetime.date]
) -> dict[str, RecommendationQuerySet]:
    visible = visible.order_by()
    by_date = sort_keys("target_date")
    dated = {
        "oldest_overdue": (visible.overdue(today), OLDEST_OVERDUE_LIMIT),
        "due_this_month": (visible.active().filter(target_date__range=month), DASHBOARD_LIMIT),
    }
    not_asked = Cast(Value(None), DateTimeField())  # typed: PostgreSQL reads an untyped NULL in a UNION as text
    lists = {
        key: _short(queryset, _count(queryset), not_asked, not_asked, Value(0)).order_by(*by_date)[:limit]
        for key, (queryset, limit) in dated.items()
    }
    return {**lists, **_queue_querysets(visible, by_date)}


def _short(
    queryset: RecommendationQuerySet, size: Any, asked_at: Any, date_request_at: Any, asking_both: Any
) -> RecommendationQuerySet:
    """A short list's query with its _SHORT_LIST_EXTRA values, annotated alike in every list (a UNION matches its
    parts' columns by place)."""
    return queryset.annotate(
        list_size=size, asked_at=asked_at, date_request_at=date_request_at, asking_both=asking_both
    )


def _queue_querysets(visible: RecommendationQuerySet, by_date: list[Any]) -> dict[str, RecommendationQuerySet]:
    """Closure requests by closure_requested_at, and target date requests by when they were made: each read
    through its own index, oldest first."""
    closures = visible.filter(status=Status.AWAITING_CLOSURE)
    asking_dates = visible.active().filter(target_date_requests__status=TargetDateRequestStatus.PENDING)
    both = closures.filter(target_date_requests__status=TargetDateRequestStatus.PENDING)
    oldest_first = [F("asked_at").asc(nulls_last=True), *by_date]
    closure_queue = _short(closures, _count(closures), F("closure_requested_at"), date_request_asked_at(), _count(both))
    asked = F("target_date_requests__created_at")
    date_queue = _short(asking_dates, _count(asking_dates), asked, asked, Value(0))
    return {
        "closure_queue": closure_queue.order_by(*oldest_first)[:DASHBOARD_LIMIT],
        "date_queue": date_queue.order_by(*oldest_first)[:DASHBOARD_LIMIT],
    }


def dashboard_figures(user: User, today: datetime.date) -> DashboardFigures:
    """The counts as kept in the shared cache for this scope and day (core/shared_cache.py: beat makes Inspectorate
    staff's afresh every FIGURES_REFRESH_SECONDS); made now if none are kept."""
    visible = permissions.visible_recommendations(user)
    return kept_figures(_figures_key(permissions.scope_key(user), today), lambda: _count_figures(visible, today))


def refresh_dashboard_figures(today: datetime.date) -> DashboardFigures:
    """Beat (recommendations/figures_refresh.py): the counts over everything, as Inspectorate staff see them, made
    afresh and kept."""
    everything = Recommendation.objects.all()  # permissions.scope_filter is None for staff: no filter
    return keep_figures(_figures_key(permissions.EVERYTHING, today), lambda: _count_figures(everything, today))


def _figures_key(scope: str, today: datetime.date) -> str:
    # v4: kept in the shared Redis per scope (permissions.scope_key); a change to DashboardFigures' fields needs a
    # new version (they are pickled).
    return f"dashboard-figures:v4:{scope}:{today.isoformat()}"


def _count_figures(visible: RecommendationQuerySet, today: datetime.date) -> DashboardFigures:
    """One grouped query by region and one by addressee, over the recommendations someone may see; then rates.py's
    (the costly part, hence kept with the counts)."""
    visible = visible.order_by()
    counts = _status_counts(today, month_bounds(today))
    by_region = visible.values("region__name").annotate(**counts).order_by(F("region__name").asc(nulls_last=True))
    by_addressee = visible.values("addressee").annotate(**counts).order_by("addressee")
    return DashboardFigures(
        as_at=timezone.now(),
        by_region=list(by_region),
        by_addressee=list(by_addressee),
        rates=rates.rate_figures(visible, today),
    )
