"""The Django admin's list of recommendations at national size: its overdue filter and its count.

The page is Django's own (its change_list templates); only the count of the whole table differs, as PostgreSQL's
estimate ("About 100,000 recommendations", templates/admin/recommendations/recommendation/pagination.html).
"""

from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from recommendations.models import Recommendation


class OverdueFilter(admin.SimpleListFilter):
    """Active recommendations past their target date (the `is_overdue` annotation of the admin's queryset)."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
        if self.value() == "yes":
            return queryset.filter(Q(is_overdue=True))  # Q: the flag is the admin's annotation
        if self.value() == "no":
            # The flag is NULL, not False, without a target date (SQL: NULL < today is NULL).
            return queryset.filter(Q(is_overdue=False) | Q(target_date__isnull=True))
        return queryset


# Below this many rows an exact count costs under a millisecond; above it, PostgreSQL's own estimate is used.
ESTIMATE_FROM = 10_000


class EstimatedCountPaginator(Paginator[Recommendation]):
    """Counts a filtered list exactly, and the whole table from PostgreSQL's statistics ("about 100,000").

    COUNT(*) reads every row: ~4 ms a page at national size (bench/). The estimate is the planner's own: rows per page
    at the last ANALYZE times the table's pages now, so it follows growth between analyses.
    """

    estimated = False

    @cached_property
    def count(self) -> int:
        estimate = _whole_table_estimate(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_FROM:
            self.estimated = True
            return estimate
        return super().count


def _whole_table_estimate(queryset: Any) -> int | None:
    """PostgreSQL's row estimate for an unfiltered queryset's table; None when filtered or not on PostgreSQL."""
    if not isinstance(queryset, QuerySet) or queryset.query.has_filters() or queryset.query.distinct:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:  # the catalogue, not a table: the ORM has no model for pg_class
        cursor.execute(
            "SELECT CASE WHEN relpages > 0 THEN reltuples / relpages"
            " * (pg_relation_size(oid) / current_setting('block_size')::int) END::bigint"
            " FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else None
