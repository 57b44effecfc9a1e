"""Reads for the region pages: a region's (or the national recommendations') rates and ageing, and for a region
inspected more than once what its next inspection found: each key question's score at each inspection, and how the
earlier reports' recommendations ended. A fixed number of queries, whatever the number of rows."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Person
from core.shared_cache import keep_figures, kept_figures, kept_from_records
from inspections.models import Inspection, Region, Score
from recommendations import permissions, rates
from recommendations.charts import Bar, BarChart, BarGroup, bar_chart
from recommendations.models import (
    ACTIVE_STATUSES,
    NATIONAL_ADDRESSEES,
    REGIONAL_ADDRESSEES,
    Judgement,
    Recommendation,
    RecommendationQuerySet,
    Status,
)
from recommendations.rows import RecommendationRow, recommendation_rows

CHARTED_INSPECTIONS = 4  # the latest inspections whose scores the chart and its table compare
EARLIER_REPORTS = 10  # the earlier reports whose recommendations' ends are counted
PREVIOUS_REPORT_ROWS = 50  # the previous report's recommendations listed (the list page has them all)


def regions() -> list[Region]:
    """The 12 regions, for Inspectorate staff (the page asks permissions.scope_kind first)."""
    return list(Region.objects.order_by("name"))


def region_or_404(user: Person, pk: int) -> Region:
    """The region, if `user` may see its page; 404 otherwise, as for a recommendation outside their scope."""
    if not permissions.may_see_region(user, pk):
        raise Http404("No such region.")
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise Http404("No such region.")
    return region


def region_set(region: Region) -> RecommendationQuerySet:
    """What the region answers for: its own and its PDUs' recommendations."""
    return Recommendation.objects.filter(region=region, addressee__in=REGIONAL_ADDRESSEES)


def region_recommendations(user: Person, region: Region) -> RecommendationQuerySet:
    """region_set, within what `user` may see."""
    return permissions.visible_recommendations(user, region_set(region))


def national_set() -> RecommendationQuerySet:
    """The national recommendations: to HMPPS and the Ministry of Justice."""
    return Recommendation.objects.filter(addressee__in=NATIONAL_ADDRESSEES)


def national_recommendations(user: Person) -> RecommendationQuerySet:
    return permissions.visible_recommendations(user, national_set())


# --- rates and ageing ---
# A region page's figures are the same for everyone who may open it (permissions.may_see_region): Inspectorate
# staff, and the region's lead, whose scope is the whole of region_set (permissions.scope_for). The national page's,
# likewise for staff and HMPPS leads (may_see_national). So each is made from the page's set alone, kept once for
# all of them in the shared cache (core/shared_cache.py), and made afresh by beat (figures_refresh.py);
# tests/pages/test_kept_figures.py checks that each reader's scope covers the whole set.


@dataclass(frozen=True)
class KeptFigures:
    """rates.py's tables as made at `as_at` (kept in the shared cache, like the dashboard's)."""

    as_at: datetime.datetime
    figures: rates.RateFigures

    @property
    def minutes_old(self) -> int:
        return int((timezone.now() - self.as_at).total_seconds() // 60)


def region_figures(region: Region, today: datetime.date, *, afresh: bool = False) -> KeptFigures:
    """The region's rates per year, and by addressee its rates, open items by age and slippage: four queries, or
    none while they are kept. `afresh`: made now and kept (beat)."""
    keeper = keep_figures if afresh else kept_figures
    return keeper(f"region-figures:v2:{region.pk}:{today.isoformat()}", lambda: _figures(region_set(region), today))


def national_figures(today: datetime.date, *, afresh: bool = False) -> KeptFigures:
    keeper = keep_figures if afresh else kept_figures
    return keeper(f"national-figures:v2:{today.isoformat()}", lambda: _figures(national_set(), today))


def _figures(recommendations: RecommendationQuerySet, today: datetime.date) -> KeptFigures:
    return KeptFigures(timezone.now(), rates.rate_figures(recommendations, today, by_region=False))


def rates_chart(rows: Iterable[rates.RateRow]) -> BarChart:
    """One group per row (a region's or an addressee's year of publication): the share implemented within 6, 12 and
    24 months."""
    groups = [
        BarGroup(
            f"{row.label}, published in {row.year} ({row.total} recommendation{'' if row.total == 1 else 's'})",
            tuple(Bar(f"Within {period.months} months", period.share) for period in row.periods),
        )
        for row in rows
    ]
    return bar_chart(groups)


# --- outcomes at the next inspection ---


@dataclass(frozen=True)
class InspectionColumn:
    pk: int
    reference: str
    title: str
    published_on: datetime.date


@dataclass(frozen=True)
class ScoreRow:
    question: str
    scores: tuple[Decimal | None, ...]  # one per charted inspection, oldest first
    change: Decimal | None  # the latest against the one before it, in percentage points


@dataclass(frozen=True)
class EarlierReport:
    """How an earlier report's recommendations ended (those the person may see)."""

    inspection: InspectionColumn
    total: int
    implemented: int
    not_implemented: int
    superseded: int
    still_open: int
    judgements: tuple[int, ...]  # in JUDGEMENTS order


JUDGEMENTS = tuple(Judgement)  # "Not yet assessed" first


@dataclass(frozen=True)
class Outcomes:
    charted: tuple[InspectionColumn, ...]  # oldest first
    scores: list[ScoreRow]
    chart: BarChart
    earlier: list[EarlierReport]  # newest first
    previous_rows: list[tuple[RecommendationRow, str]]  # the previous report's recommendations, each with its judgement

    @property
    def judgement_labels(self) -> list[str]:
        return [str(judgement.label) for judgement in JUDGEMENTS]

    @property
    def previous(self) -> EarlierReport | None:
        return self.earlier[0] if self.earlier else None


def kept_outcomes(user: Person, region: Region, today: datetime.date) -> Outcomes | None:
    """outcomes() of the region as `user` may see them, kept in the shared cache for their scope until the records
    change (core/shared_cache.py; its four queries cost the region page about 8 ms of CPU); by day, as its rows say
    which are overdue."""
    key = f"outcomes:region-{region.pk}:{permissions.scope_key(user)}:{today.isoformat()}"
    return kept_from_records(key, lambda: outcomes(region_recommendations(user, region), region))


def outcomes(recommendations: RecommendationQuerySet, region: Region) -> Outcomes | None:
    """What the region's later inspections found, if it was inspected more than once (None otherwise): four
    queries."""
    inspections = _inspections(region)
    if len(inspections) < 2:
        return None
    scored = _scores(inspections)
    charted = tuple(reversed([column for column in inspections if column.pk in scored][:CHARTED_INSPECTIONS]))
    scores = _score_rows(charted, scored)
    earlier = _earlier_reports(recommendations, inspections[1:])
    previous_rows: list[tuple[RecommendationRow, str]] = []
    if earlier:
        previous = recommendations.filter(inspection_id=earlier[0].inspection.pk).order_by("addressee", "number")
        rows = recommendation_rows(previous[:PREVIOUS_REPORT_ROWS], extra=("judgement",))
        previous_rows = [(row, str(Judgement(row.extra[0]).label)) for row in rows]
    return Outcomes(charted, scores, _scores_chart(charted, scores), earlier, previous_rows)


def _inspections(region: Region) -> list[InspectionColumn]:
    """The region's published inspections, newest first (as many as the page compares or counts)."""
    found = (
        Inspection.objects.filter(region=region, published_on__isnull=False)
        .order_by("-published_on", "-pk")
        .values_list("pk", "reference", "title", "published_on")
    )
    return [
        InspectionColumn(pk, reference, title, published_on)
        for pk, reference, title, published_on in found[: EARLIER_REPORTS + 1]
        if published_on is not None  # filtered above: for the type checker
    ]


# A key question's score at an inspection: inspection id -> question -> (position in its table, percentage).
Scored = dict[int, dict[str, tuple[int, Decimal]]]


def _scores(inspections: list[InspectionColumn]) -> Scored:
    """The scores of these inspections (those with none are not charted: not every report scores key questions)."""
    scored: Scored = {}
    rows = Score.objects.filter(inspection_id__in=[column.pk for column in inspections]).values_list(
        "inspection_id", "question", "position", "percentage_yes"
    )
    for inspection_id, question, position, percentage in rows:
        scored.setdefault(inspection_id, {})[question] = (position, percentage)
    return scored


def _score_rows(charted: tuple[InspectionColumn, ...], scored: Scored) -> list[ScoreRow]:
    """Each key question (matched by its wording) with its score at each charted inspection, in the order of the
    latest scoring table that has it."""
    order: dict[str, tuple[int, int]] = {}
    for age, column in enumerate(reversed(charted)):
        for question, (position, _) in scored[column.pk].items():
            order.setdefault(question, (age, position))
    rows = []
    for question in sorted(order, key=order.__getitem__):
        scores = [scored[column.pk].get(question, (0, None))[1] for column in charted]
        rows.append(ScoreRow(question, tuple(scores), _change(scores)))
    return rows


def _change(scores: list[Decimal | None]) -> Decimal | None:
    """The latest score against the last one before it (an inspection that did not score the question is skipped)."""
    latest, *before = reversed(scores)
    earlier = next((score for score in before if score is not None), None)
    return None if latest is None or earlier is None else latest - earlier


def _scores_chart(charted: tuple[InspectionColumn, ...], scores: list[ScoreRow]) -> BarChart:
    labels = [column.published_on.strftime("%b %Y") for column in charted]
    return bar_chart(
        [
            BarGroup(
                row.question, tuple(Bar(label, _float(score)) for label, score in zip(labels, row.scores, strict=True))
            )
            for row in scores
        ]
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _earlier_reports(recommendations: RecommendationQuerySet, earlier: list[InspectionColumn]) -> list[EarlierReport]:
    """Each earlier report's recommendations by how they ended and by the Inspectorate's last judgement: one
    grouped query."""
    judged = {f"judged_{index}": Count("pk", filter=Q(judgement=value)) for index, value in enumerate(JUDGEMENTS)}
    counted = (
        recommendations.order_by()
        .filter(inspection_id__in=[column.pk for column in earlier])
        .values("inspection_id")
        .annotate(
            total=Count("pk"),
            implemented=Count("pk", filter=Q(status=Status.CLOSED_IMPLEMENTED)),
            not_implemented=Count("pk", filter=Q(status=Status.CLOSED_NOT_IMPLEMENTED)),
            superseded=Count("pk", filter=Q(status=Status.SUPERSEDED)),
            still_open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
            **judged,
        )
    )
    by_inspection = {row["inspection_id"]: row for row in counted}
    return [_earlier(column, by_inspection[column.pk]) for column in earlier if column.pk in by_inspection]


def _earlier(column: InspectionColumn, row: Mapping[str, Any]) -> EarlierReport:
    return EarlierReport(
        inspection=column,
        total=row["total"],
        implemented=row["implemented"],
        not_implemented=row["not_implemented"],
        superseded=row["superseded"],
        still_open=row["still_open"],
        judgements=tuple(row[f"judged_{index}"] for index in range(len(JUDGEMENTS))),
    )
