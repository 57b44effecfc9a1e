"""Rates and ageing: how many recommendations were implemented within 6, 12 and 24 months of publication, how old
the open ones are, and how far their target dates slipped. Each is one grouped query (conditional aggregation) over
whatever recommendations it is given, so a page scopes the queryset first (permissions.visible_recommendations) and
the cost does not grow with the number of groups.

Definitions, said the same way on every page that shows them (templates/recommendations/_rates.html):
- **Closure date**: `Recommendation.closed_at`, set by the workflow when it is closed (implemented, not implemented
  or superseded) and cleared when it is reopened (a database constraint keeps it in step with the status); taken
  as a day in UK time. A recommendation closed, reopened and closed again counts from its last closure.
- **Implemented within N months**: closed as implemented (Status.CLOSED_IMPLEMENTED) on or before the same day N
  months after its report's publication date (the last day of that month when it has no such day). Those of a
  report with no publication date are left out.
- **Age** of an open recommendation (open or awaiting closure): the time since its report was published.
- **Original target date**: the first target date its history records; **moves**: how many different target dates
  it has had after that one (from the history of changes, which records every date set).
"""

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone

from recommendations.models import ACTIVE_STATUSES, Addressee, Recommendation, RecommendationQuerySet, Status

RATE_MONTHS = (6, 12, 24)
# Open items by age since publication: (label, from N months, to M months); None: no bound.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("Under 6 months", None, 6),
    ("6 to 12 months", 6, 12),
    ("12 to 24 months", 12, 24),
    ("Over 24 months", 24, None),
)
NO_REGION = "No region (national work)"
PUBLISHED = "inspection__published_on"

Grouping = Literal["region", "addressee"]
GROUP_FIELDS: dict[str, str] = {"region": "region__name", "addressee": "addressee"}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the last day of that month when it has no such day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


def months_to_close() -> Case:
    """Within how many months of publication the (outer) recommendation was closed: the smallest N for which its
    closure date is on or before the same day N months after publication (0 if closed before publication). Whole
    months are counted from the dates' parts, so that it reads the same on PostgreSQL and SQLite."""
    whole_months = (ExtractYear("closed_at") - ExtractYear(PUBLISHED)) * 12 + (
        ExtractMonth("closed_at") - ExtractMonth(PUBLISHED)
    )
    started = Case(When(closed_at__day__gt=ExtractDay(PUBLISHED), then=whole_months + 1), default=whole_months)
    return Case(When(closed_at__lt=F(PUBLISHED), then=0), default=started, output_field=IntegerField())


@dataclass(frozen=True)
class Period:
    """Recommendations implemented within `months` of publication; `complete` once every one of the group's reports
    was published at least that long ago (until then the share can still grow)."""

    months: int
    implemented: int
    share: int  # per cent of the group's recommendations, rounded
    complete: bool


@dataclass(frozen=True)
class RateRow:
    """One group (a region or an addressee) and year of publication."""

    label: str
    key: str | None  # the region's name or the addressee's value (None: recommendations with no region)
    year: int
    total: int
    periods: tuple[Period, ...]


def implementation_rates(
    recommendations: RecommendationQuerySet, *, by: Grouping = "region", today: datetime.date | None = None
) -> list[RateRow]:
    """The share of `recommendations` implemented within 6, 12 and 24 months of publication, per region (or per
    addressee) and year of publication: one query. Scope the queryset first; it is not scoped here."""
    today = today or timezone.localdate()
    group = GROUP_FIELDS[by]
    implemented = Q(status=Status.CLOSED_IMPLEMENTED)
    counts = {
        f"within_{months}": Count("pk", filter=implemented & Q(months_to_close__lte=months)) for months in RATE_MONTHS
    }
    rows = (
        recommendations.order_by()
        .filter(inspection__published_on__isnull=False)
        .alias(months_to_close=months_to_close())
        .annotate(year=ExtractYear(PUBLISHED))
        .values(group, "year")
        .annotate(total=Count("pk"), last_published=Max(PUBLISHED), **counts)
        .order_by(F(group).asc(nulls_last=True), "year")
    )
    return [_rate_row(row, group, by, today) for row in rows]


def _rate_row(row: Mapping[str, Any], group: str, by: Grouping, today: datetime.date) -> RateRow:
    periods = tuple(
        Period(
            months=months,
            implemented=row[f"within_{months}"],
            share=round(100 * row[f"within_{months}"] / row["total"]),
            complete=add_months(row["last_published"], months) <= today,
        )
        for months in RATE_MONTHS
    )
    key = row[group]
    return RateRow(label=group_label(by, key), key=key, year=row["year"], total=row["total"], periods=periods)


def group_label(by: Grouping, key: str | None) -> str:
    if by == "addressee":
        return str(Addressee(key).label) if key else ""
    return key or NO_REGION


@dataclass(frozen=True)
class AgeRow:
    """Open recommendations of one group by age since publication (`bands` in AGE_BANDS order)."""

    label: str
    key: str | None
    bands: tuple[int, ...]
    undated: int  # of a report with no publication date
    total: int


def open_by_age(
    recommendations: RecommendationQuerySet, *, by: Grouping = "region", today: datetime.date | None = None
) -> list[AgeRow]:
    """Open recommendations (open or awaiting closure) by age band, per region or addressee: one query."""
    today = today or timezone.localdate()
    group = GROUP_FIELDS[by]
    bands = {f"band_{index}": Count("pk", filter=_age_band(today, *band[1:])) for index, band in enumerate(AGE_BANDS)}
    rows = (
        recommendations.order_by()
        .filter(status__in=ACTIVE_STATUSES)
        .values(group)
        .annotate(**bands, undated=Count("pk", filter=Q(inspection__published_on__isnull=True)), total=Count("pk"))
        .order_by(F(group).asc(nulls_last=True))
    )
    return [
        AgeRow(
            label=group_label(by, row[group]),
            key=row[group],
            bands=tuple(row[f"band_{index}"] for index in range(len(AGE_BANDS))),
            undated=row["undated"],
            total=row["total"],
        )
        for row in rows
    ]


def _age_band(today: datetime.date, older_than: int | None, younger_than: int | None) -> Q:
    """Published at least `older_than` months ago and less than `younger_than` months ago."""
    condition = Q(inspection__published_on__isnull=False)
    if older_than is not None:
        condition &= Q(inspection__published_on__lte=add_months(today, -older_than))
    if younger_than is not None:
        condition &= Q(inspection__published_on__gt=add_months(today, -younger_than))
    return condition


@dataclass(frozen=True)
class SlippageRow:
    """Target dates of one group's recommendations: how many have one, how many moved from their original date and
    how often, and by how many days in all (current against original; negative when brought forward)."""

    label: str
    key: str | None
    with_target_date: int
    moved: int
    moves: int
    days_later: int

    @property
    def average_days_later(self) -> int:
        """Average days from the original to the current target date, over those that moved."""
        return round(self.days_later / self.moved) if self.moved else 0


def _history() -> Any:
    return Recommendation.history.model.objects  # simple_history's model: every saved state, target date included


def original_target_date() -> Subquery:
    """The first target date the (outer) recommendation's history records."""
    first = (
        _history()
        .filter(id=OuterRef("pk"), target_date__isnull=False)
        .order_by("history_date", "history_id")
        .values("target_date")[:1]
    )
    return Subquery(first)


def target_date_moves() -> Subquery:
    """How many different target dates the (outer) recommendation has had after its first one."""
    dates = (
        _history()
        .filter(id=OuterRef("pk"), target_date__isnull=False)
        .order_by()
        .values("id")
        .annotate(moves=Count("target_date", distinct=True) - 1)
        .values("moves")
    )
    return Subquery(dates, output_field=IntegerField())


def target_date_slippage(recommendations: RecommendationQuerySet, *, by: Grouping = "region") -> list[SlippageRow]:
    """Original against current target date, per region or addressee: one query (two index lookups in the history
    per recommendation with a target date)."""
    group = GROUP_FIELDS[by]
    slip = ExpressionWrapper(F("target_date") - F("original_date"), output_field=DurationField())
    moved = Q(original_date__isnull=False) & ~Q(original_date=F("target_date"))
    rows = (
        recommendations.order_by()
        .filter(target_date__isnull=False)
        .alias(original_date=original_target_date(), moves=target_date_moves())
        .values(group)
        .annotate(
            with_target_date=Count("pk"),
            moved=Count("pk", filter=moved),
            total_moves=Coalesce(Sum("moves"), 0),
            days_later=Sum(slip, filter=moved),
        )
        .order_by(F(group).asc(nulls_last=True))
    )
    return [
        SlippageRow(
            label=group_label(by, row[group]),
            key=row[group],
            with_target_date=row["with_target_date"],
            moved=row["moved"],
            moves=row["total_moves"],
            days_later=row["days_later"].days if row["days_later"] else 0,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RateFigures:
    """py's tables for a set of recommendations; the "by region" ones only where there are several."""

    rates_by_region: list[RateRow]
    rates_by_addressee: list[RateRow]
    age_by_region: list[AgeRow]
    age_by_addressee: list[AgeRow]
    slippage_by_region: list[SlippageRow]
    slippage_by_addressee: list[SlippageRow]

    @property
    def age_band_labels(self) -> list[str]:
        return [label for label, _, _ in AGE_BANDS]


def rate_figures(
    recommendations: RecommendationQuerySet, today: datetime.date, *, by_region: bool = True
) -> RateFigures:
    """Four queries, or six `by_region` (a region's page counts its own rates per year "by region", one group)."""
    return RateFigures(
        rates_by_region=implementation_rates(recommendations, by="region", today=today),
        rates_by_addressee=implementation_rates(recommendations, by="addressee", today=today),
        age_by_region=open_by_age(recommendations, by="region", today=today) if by_region else [],
        age_by_addressee=open_by_age(recommendations, by="addressee", today=today),
        slippage_by_region=target_date_slippage(recommendations, by="region") if by_region else [],
        slippage_by_addressee=target_date_slippage(recommendations, by="addressee"),
    )


# --- as CSV: each table by region and by addressee ---


def rows_as_csv(rows: Iterable[RateRow], group: str = "Group") -> list[list[Any]]:
    """Implementation rates as CSV rows, header first."""
    header = [group, "Year of publication", "Recommendations"]
    for months in RATE_MONTHS:
        header += [f"Implemented within {months} months", f"Share within {months} months (%)", "Final"]
    lines: list[list[Any]] = [header]
    for row in rows:
        line: list[Any] = [row.label, row.year, row.total]
        for period in row.periods:
            line += [period.implemented, period.share, "yes" if period.complete else "not yet"]
        lines.append(line)
    return lines


def ages_as_csv(rows: Iterable[AgeRow], group: str = "Group") -> list[list[Any]]:
    header = [group, *(label for label, _, _ in AGE_BANDS), "No publication date", "Open"]
    return [header, *([row.label, *row.bands, row.undated, row.total] for row in rows)]


def slippage_as_csv(rows: Iterable[SlippageRow], group: str = "Group") -> list[list[Any]]:
    header = [
        group,
        "With a target date",
        "Moved from the original date",
        "Moves",
        "Days later in all",
        "Average days later",
    ]
    return [
        header,
        *(
            [row.label, row.with_target_date, row.moved, row.moves, row.days_later, row.average_days_later]
            for row in rows
        ),
    ]


CSV_TABLES = tuple(
    f"{table}-by-{by}"
    for table in ("implementation-rates", "open-by-age", "target-date-slippage")
    for by in ("region", "addressee")
)


def csv_table(recommendations: RecommendationQuerySet, name: str) -> list[list[Any]] | None:
    """The table of CSV_TABLES called `name`, header first (None: no such table); one query."""
    if name not in CSV_TABLES:
        return None
    table, _, by_name = name.rpartition("-by-")
    by: Grouping = "region" if by_name == "region" else "addressee"
    group = by.capitalize()
    if table == "implementation-rates":
        return rows_as_csv(implementation_rates(recommendations, by=by), group)
    if table == "open-by-age":
        return ages_as_csv(open_by_age(recommendations, by=by), group)
    return slippage_as_csv(target_date_slippage(recommendations, by=by), group)
