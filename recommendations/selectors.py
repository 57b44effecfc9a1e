"""Reads that deserve a name."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.utils import timezone

from recommendations import permissions
from recommendations.filters import RecommendationFilter, recommendation_filter
from recommendations.models import ACTIVE_STATUSES, CLOSED_STATUSES, Addressee, Recommendation, Status
from recommendations.rows import RecommendationRow, recommendation_rows, short_lists

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


@dataclass(frozen=True)
class Change:
    """One saved change of a recommendation: who, when, why, and each field from → to."""

    at: datetime.datetime
    by: Any
    reason: str
    created: bool
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ChangeLog:
    changes: list[Change]  # the newest changes asked for (all of them by default), oldest first
    total: int  # how many changes there are altogether
    target_date_changes: list[Change]  # every change that moved the target date, oldest first, however old


def recommendation_changes(recommendation: Recommendation) -> list[Change]:
    """The recommendation's history, oldest first, in two queries whatever its length."""
    return recommendation_change_log(recommendation).changes


def recommendation_change_log(recommendation: Recommendation, newest: int | None = None) -> ChangeLog:
    """The newest `newest` changes (all if None), how many there are, and every move of the target date.

    First the tracked values of every history row, as narrow tuples (a few hundred rows at most), to find which
    rows changed something; then full rows, with who made them, only for the changes shown and the rows before them.
    """
    history = recommendation.history.order_by("history_date", "history_id")
    rows = list(history.values_list("history_id", *TRACKED_FIELDS))
    target = 1 + list(TRACKED_FIELDS).index("target_date")
    changed: list[int] = []  # history ids of the rows shown as a change (or as the creation), oldest first
    moved: list[int] = []
    before: dict[int, int] = {}  # history id -> the history id of the row before it
    for previous, row in zip([None, *rows], rows, strict=False):
        if previous is None or row[1:] != previous[1:]:
            changed.append(row[0])
        if previous is not None:
            before[row[0]] = previous[0]
            if row[target] != previous[target]:
                moved.append(row[0])
    kept = changed if newest is None else changed[max(0, len(changed) - newest) :]
    wanted = {*kept, *moved}
    needed = wanted | {before[key] for key in wanted if key in before}
    records = {
        record.history_id: record
        for record in history.filter(history_id__in=needed).select_related("history_user", "owner")
    }
    made = {key: _change(records.get(before.get(key)), records[key]) for key in wanted}
    return ChangeLog([made[key] for key in kept], len(changed), [made[key] for key in moved])


def _change(previous: Any, record: Any) -> Change:
    return Change(
        at=record.history_date,
        by=record.history_user,
        reason=record.history_change_reason or "",
        created=previous is None,
        fields=tuple(_field_changes(previous, record)) if previous is not None else (),
    )


def _field_changes(previous: Any, record: Any) -> list[FieldChange]:
    found = []
    for field, label in TRACKED_FIELDS.items():
        old, new = getattr(previous, field), getattr(record, field)
        if old != new:
            found.append(FieldChange(field, label, _display(previous, field), _display(record, field)))
    return found


def _display(record: Any, field: str) -> Any:
    if field == "owner_id":
        return record.owner if record.owner_id else None
    if field in ("status", "response", "progress", "judgement"):
        return getattr(record, f"get_{field}_display")()
    return getattr(record, field)


# --- lists, My actions and the dashboard. Every queryset starts from permissions.visible_recommendations. ---

LIST_PAGE_SIZE = 25
MY_ACTIONS_LIMIT = 25  # rows shown per group (page cost grows with rows: bench/); the heading counts them all
DASHBOARD_LIMIT = 25
# The dashboard's counts by region and by addressee read every recommendation (0.3-0.6 s at national size on a busy
# server): they are kept this long, and the page says how old they are. Its short lists are always read fresh.
DASHBOARD_FIGURES_SECONDS = 5 * 60
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
}
DEFAULT_SORT = "target_date"


def clean_sort(value: str | None) -> str:
    """The requested sort if it is on the whitelist (optionally with '-'), else the default."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in SORT_ORDERS else DEFAULT_SORT


def recommendations_sorted(queryset: QuerySet, sort: str) -> QuerySet:
    """Order by a whitelisted sort; empty values last either way, then by reference so pages are stable."""
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
    filterset: RecommendationFilter
    queryset: QuerySet
    sort: str


def recommendations_filtered(request: HttpRequest) -> FilteredRecommendations:
    """What the list shows for this request's filters and sort; the exports reuse it, so they match exactly.

    Filters that do not validate (a region outside the person's scope, a date that is not a date) show
    nothing rather than quietly dropping the filter and showing more than was asked for.
    """
    filterset = recommendation_filter(request, request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    sort = clean_sort(request.GET.get("sort"))
    return FilteredRecommendations(filterset, recommendations_sorted(queryset.for_lists(), sort), sort)


@dataclass(frozen=True)
class ActionGroup:
    key: str
    title: str
    count: int
    rows: list[RecommendationRow]

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


def my_actions_queryset(user: Any) -> QuerySet:
    """Active recommendations a person owns; for leads also those of their organisation that nobody owns."""
    mine = Q(owner=user)
    if user.is_regional_lead or user.is_hmpps_lead:
        mine |= Q(owner__isnull=True)
    return permissions.visible_recommendations(user, Recommendation.objects.active().filter(mine))


def my_actions(user: Any, today: datetime.date | None = None) -> list[ActionGroup]:
    """My actions in four groups, each item in exactly one, in one query: every item is numbered within its group
    by target date and counted with it, and the first MY_ACTIONS_LIMIT of each group are read."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    groups = (
        ("overdue", "Overdue"),
        ("soon", f"Due in the next {DUE_SOON_DAYS} days"),
        ("later", "Due later or with no target date"),
        ("awaiting", "Awaiting the Inspectorate's closure decision"),
    )
    # Every item is open or awaiting closure (my_actions_queryset); the first condition that holds decides, and an
    # item with no target date matches neither comparison, so it is "later".
    in_group = Case(
        When(status=Status.AWAITING_CLOSURE, then=Value("awaiting")),
        When(target_date__lt=today, then=Value("overdue")),
        When(target_date__lte=soon, then=Value("soon")),
        default=Value("later"),
    )
    order = sort_keys("target_date")
    numbered = my_actions_queryset(user).annotate(
        action_group=in_group,
        place=Window(RowNumber(), partition_by=[F("action_group")], order_by=order),
        group_size=Window(Count("pk"), partition_by=[F("action_group")]),
    )
    first = numbered.filter(place__lte=MY_ACTIONS_LIMIT).order_by(*order)
    rows = recommendation_rows(first, today, extra=("action_group", "group_size"))
    counts = {row.extra[0]: row.extra[1] for row in rows}
    return [
        ActionGroup(key, title, counts.get(key, 0), [row for row in rows if row.extra[0] == key])
        for key, title in groups
    ]


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
    by_region: list[dict[str, Any]]
    by_addressee: list[dict[str, Any]]


@dataclass(frozen=True)
class Dashboard:
    as_at: datetime.datetime  # when the counts were made (up to DASHBOARD_FIGURES_SECONDS ago)
    today: datetime.date
    month: tuple[datetime.date, datetime.date]
    by_region: list[dict[str, Any]]
    by_addressee: list[dict[str, Any]]
    totals: dict[str, int]
    oldest_overdue: list[RecommendationRow]
    due_this_month: list[RecommendationRow]
    awaiting_closure: list[RecommendationRow]

    @property
    def minutes_old(self) -> int:
        """How long ago the counts were made, in whole minutes."""
        return int((timezone.now() - self.as_at).total_seconds() // 60)


def month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def dashboard(user: Any, today: datetime.date | None = None) -> Dashboard:
    """Counts by region and by addressee (kept DASHBOARD_FIGURES_SECONDS) and three short lists: one query, three
    when the counts are made again."""
    today = today or timezone.localdate()
    month = month_bounds(today)
    visible = permissions.visible_recommendations(user).order_by()
    figures = dashboard_figures(user, today)
    by_addressee = [{**row, "label": Addressee(row["addressee"]).label} for row in figures.by_addressee]
    totals = {key: sum(row[key] for row in by_addressee) for key in _status_counts(today, month)}
    lists = short_lists(
        {
            "oldest_overdue": _by_target_date(visible.overdue(today))[:OLDEST_OVERDUE_LIMIT],
            "due_this_month": _by_target_date(visible.active().filter(target_date__range=month))[:DASHBOARD_LIMIT],
            "awaiting_closure": _by_target_date(visible.filter(status=Status.AWAITING_CLOSURE))[:DASHBOARD_LIMIT],
        },
        today,
    )
    return Dashboard(
        as_at=figures.as_at,
        today=today,
        month=month,
        by_region=figures.by_region,
        by_addressee=by_addressee,
        totals=totals,
        **lists,
    )


def _by_target_date(queryset: QuerySet) -> QuerySet:
    return recommendations_sorted(queryset, "target_date")


def dashboard_figures(user: Any, today: datetime.date) -> DashboardFigures:
    """The counts from the cache if they were made in the last DASHBOARD_FIGURES_SECONDS for this scope and day."""
    scope = "all" if permissions.scope_filter(user) is None else f"user-{user.pk}"
    key = f"dashboard-figures:v1:{scope}:{today.isoformat()}"
    try:
        figures = cache.get(key)
    except Exception:  # a cache server that does not answer must not take the page down: count afresh
        logger.warning("Dashboard: the cache did not answer; counting afresh", exc_info=True)
        return _count_figures(user, today)
    if figures is None:
        figures = _count_figures(user, today)
        try:
            cache.set(key, figures, DASHBOARD_FIGURES_SECONDS)
        except Exception:
            logger.warning("Dashboard: the counts could not be cached", exc_info=True)
    return figures


def _count_figures(user: Any, today: datetime.date) -> DashboardFigures:
    """One grouped query by region and one by addressee, over everything the person may see."""
    visible = permissions.visible_recommendations(user).order_by()
    counts = _status_counts(today, month_bounds(today))
    by_region = visible.values("region__name").annotate(**counts).order_by(F("region__name").asc(nulls_last=True))
    by_addressee = visible.values("addressee").annotate(**counts).order_by("addressee")
    return DashboardFigures(as_at=timezone.now(), by_region=list(by_region), by_addressee=list(by_addressee))
