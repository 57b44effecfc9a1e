"""The list page's count and page of rows, by baked queries (core/baked.py) for the filters people choose.

Building the filtered queryset, then its count and its page of rows, cost Django about 4 ms of the list page's 21
on every view (bench/), though what changes from one view to the next is mostly values. Which filters are chosen,
how many values each has, "yes" or "no", and the sort are what change the SQL: that is a list's shape. The ids,
choices and dates checked by the filter's form are values. The page (with the count of all its rows) is baked
once a process for each shape, and so is the count alone. A typed search (the search box, an owner's name) writes
its words into the SQL's shape, so those lists are read through the ORM, as are lists whose filters did not
validate (they show nothing).

    number = page_number(request.GET.get("page"))                  # core/pagination.py: a bad number is a 404
    listing = listing_of(filtered, request.user, page=number)   # the page asked for is read with the count
    page = page_or_404(Paginator(listing, LIST_PAGE_SIZE), number)
    page.object_list                                             # RecommendationRow, as recommendation_rows gives
"""

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, QuerySet, Subquery, Value
from django.utils import timezone

from core.baked import BakedQuery
from recommendations import permissions
from recommendations.filters import RecommendationFilter
from recommendations.models import Recommendation
from recommendations.rows import RecommendationRow, recommendation_rows, row_values, rows_from_values
from recommendations.selectors import LIST_PAGE_SIZE, FilteredRecommendations, recommendations_sorted

MULTIPLE = ("addressee", "status", "response")  # the shape says how many values
YES_OR_NO = ("overdue", "priority")  # the shape says which
TYPED = ("q", "owner_name")  # not baked: the words are the shape
NOBODY = RecommendationFilter.base_filters["owner"].null_value  # ?owner=null: unassigned
MAX_SHAPES = 500  # a process keeps this many shapes' statements, then starts again


class ListShape(NamedTuple):
    scope: tuple[str, bool]  # permissions.scope_key()
    sort: str  # a whitelisted sort (selectors.SORT_ORDERS)
    chosen: tuple[tuple[str, Any], ...]  # (filter, what about it changes the SQL), in the form's order


def _filtered(shape: ListShape, values: dict[str, Any]) -> QuerySet:
    """The queryset a FilterSet would build for this shape, from the values (markers, when baking)."""
    filterset = RecommendationFilter(request=None)
    filterset.today = values.get("today")
    chosen = {}
    for name, detail in shape.chosen:
        if name in MULTIPLE:
            chosen[name] = [values[f"{name}{number}"] for number in range(detail)]
        elif name in YES_OR_NO:
            chosen[name] = detail
        elif name == "owner" and detail == NOBODY:
            chosen[name] = NOBODY
        else:
            chosen[name] = values[name]
    region = {key: value for key, value in values.items() if key == "region_id"}  # a regional lead's scope
    visible = permissions.visible_in_scope(shape.scope, Recommendation.objects.all(), **region)
    return filterset.filter_chosen(visible, chosen)


def _count(shape: ListShape, **values: Any) -> QuerySet:
    # SELECT COUNT(*) ... WHERE ..., as QuerySet.count() writes it: grouped by a constant, which is no GROUP BY.
    whole = _filtered(shape, values).order_by().annotate(whole=Value(1)).values("whole")
    return whole.annotate(count=Count("*")).values_list("count")


def _page(shape: ListShape, **values: Any) -> QuerySet:
    """The rows, each with the count of all of them (a subquery PostgreSQL runs once): one round trip, not two."""
    counted = _filtered(shape, values).annotate(total=Subquery(_count(shape, **values)))
    return row_values(recommendations_sorted(counted, shape.sort), with_people=True, extra=("total",))


_COUNT = BakedQuery(_count, max_shapes=MAX_SHAPES)
_PAGE = BakedQuery(_page, max_shapes=MAX_SHAPES)


class BakedListing:
    """A filtered list, as Django's Paginator reads it: count() and a slice of rows.

    The page asked for is read first, and the count with it; the count is read on its own only when that page
    is empty (no rows at all, or a page past the last).
    """

    def __init__(self, shape: ListShape, values: dict[str, Any], first: int, per_page: int) -> None:
        self.shape, self.values = shape, values
        self.first, self.per_page = first, per_page  # the page asked for: its first row's offset, and its length
        self._count: int | None = None
        self._read: tuple[int, int, list[RecommendationRow]] | None = None  # offset, limit, rows

    def count(self) -> int:
        if self._count is None:
            self._read_rows(self.first, self.per_page)
        if self._count is None:
            found = _COUNT.rows(self.shape, **self.values)
            self._count = found[0][0] if found else 0  # no rows at all: the scope matches nothing
        return self._count

    def __getitem__(self, window: slice) -> list[RecommendationRow]:
        start, limit = window.start, window.stop - window.start
        if self._read is not None:
            offset, read_limit, rows = self._read
            if offset == start and (read_limit >= limit or len(rows) < read_limit):
                return rows[:limit]
        return self._read_rows(start, limit)

    def _read_rows(self, offset: int, limit: int) -> list[RecommendationRow]:
        rows = rows_from_values(_PAGE.page(self.shape, limit, offset, **self.values), with_people=True)
        self._read = (offset, limit, rows)
        if rows:
            self._count = rows[0].extra[0]
        return rows


@dataclass(frozen=True)
class QuerysetListing:
    """The same, through the ORM."""

    queryset: QuerySet

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[RecommendationRow]:
        return recommendation_rows(self.queryset[window], with_people=True)


def listing_of(
    filtered: FilteredRecommendations,
    user: Any,
    today: datetime.date | None = None,
    *,
    page: int = 1,
    per_page: int = LIST_PAGE_SIZE,
) -> BakedListing | QuerysetListing:
    """The list for these filters and `user`'s scope: baked, unless a search was typed or a filter is invalid.
    `page` is the number of the page that will be shown (core.pagination.page_number): it is read with the count."""
    filterset = filtered.filterset
    if not filterset.is_valid() or any(filterset.form.cleaned_data.get(name) for name in TYPED):
        return QuerysetListing(filtered.queryset)
    shape, values = _shape_and_values(filterset.form.cleaned_data, user, filtered.sort, today)
    return BakedListing(shape, values, (page - 1) * per_page, per_page)


def _shape_and_values(
    cleaned: dict[str, Any], user: Any, sort: str, today: datetime.date | None
) -> tuple[ListShape, dict[str, Any]]:
    scope, values = permissions.scope_key(user)
    values = dict(values)
    chosen: list[tuple[str, Any]] = []
    for name, value in cleaned.items():
        if value in (None, "", []):
            continue
        if name in MULTIPLE:
            distinct = list(dict.fromkeys(value))  # the filter ORs each value once
            chosen.append((name, len(distinct)))
            values.update((f"{name}{number}", item) for number, item in enumerate(distinct))
        elif name in YES_OR_NO:
            chosen.append((name, value))
            if name == "overdue":
                values["today"] = today or timezone.localdate()
        elif name == "owner" and value == NOBODY:
            chosen.append((name, NOBODY))
        else:
            chosen.append((name, None))
            values[name] = getattr(value, "pk", value)  # a report or a person: their id
    return ListShape(scope, sort, tuple(chosen)), values
