"""Reads about inspections. Which inspections a person may see is decided here, once, from the recommendation
scope in recommendations/permissions.py: every inspection view goes through `visible_inspections`."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from core.pagination import page_or_404
from inspections.models import ContextualFact, DomainRating, Inspection, InspectionQuerySet, Score
from recommendations import permissions
from recommendations.models import (
    ACTIVE_STATUSES,
    NATIONAL_ADDRESSEES,
    REGIONAL_ADDRESSEES,
    Addressee,
    Recommendation,
    RecommendationQuerySet,
)
from recommendations.rows import RecommendationRow, row_values, rows_from_values

INSPECTION_PAGE_SIZE = 25
# Recommendations per page on an inspection's page: a national thematic report can make hundreds.
RECOMMENDATIONS_PAGE_SIZE = 50


def visible_inspections(user: User) -> InspectionQuerySet:
    """All for Inspectorate staff; for leads, inspections with a recommendation they may see, and for a regional
    lead also every inspection of their own region (whatever it recommended)."""
    if permissions.scope_filter(user) is None:
        return Inspection.objects.all()
    has_visible = Exists(permissions.visible_recommendations(user).filter(inspection=OuterRef("pk")))
    own_region = Q(region_id=user.region_id) if getattr(user, "is_regional_lead", False) else Q(pk__in=[])
    return Inspection.objects.filter(Q(has_visible) | own_region)


def _visible_count(user: User, queryset: RecommendationQuerySet) -> Coalesce:
    """How many of an inspection's recommendations (from `queryset`) the person may see, as a subquery."""
    counted = (
        permissions.visible_recommendations(user, queryset)
        .filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def inspections_for_list(user: User) -> QuerySet[Inspection]:
    """Visible inspections, newest first, each with the number of its recommendations the person may see."""
    return (
        visible_inspections(user)
        .with_region()
        .annotate(
            recommendation_count=_visible_count(user, Recommendation.objects.all()),
            active_count=_visible_count(user, Recommendation.objects.filter(status__in=ACTIVE_STATUSES)),
        )
        .order_by("-published_on", "-created_at", "pk")
    )


@dataclass
class FactGroup:
    """A contextual fact, or a grouped table (one label, a value per category) shown as one block."""

    label: str
    period: str
    value: str = ""
    rows: list[ContextualFact] = field(default_factory=list)


def group_facts(facts: list[ContextualFact]) -> list[FactGroup]:
    """Consecutive facts sharing a label and carrying categories become one group, in published order."""
    groups: list[FactGroup] = []
    for fact in facts:
        previous = groups[-1] if groups else None
        if fact.category and previous is not None and previous.rows and previous.label == fact.label:
            previous.rows.append(fact)
        elif fact.category:
            groups.append(FactGroup(label=fact.label, period=fact.period, rows=[fact]))
        else:
            groups.append(FactGroup(label=fact.label, period=fact.period, value=fact.value))
    return groups


@dataclass(frozen=True)
class RecommendationGroup:
    title: str
    rows: list[RecommendationRow]  # those on the page shown
    count: int = 0  # all of the group's, on every page


@dataclass(frozen=True)
class InspectionPage:
    inspection: Inspection
    domain_ratings: list[Any]
    scores: list[Any]
    facts: list[FactGroup]
    recommendation_groups: list[RecommendationGroup]  # the groups with recommendations on this page
    recommendations: Page[Recommendation]  # this page of them, in the groups' order
    group_counts: list[RecommendationGroup]  # every group with recommendations, with its count (no rows)


# The inspection page's groups of recommendations, by addressee.
RECOMMENDATION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("To the region and its probation delivery units", REGIONAL_ADDRESSEES),
    ("To HMPPS and the Ministry of Justice", NATIONAL_ADDRESSEES),
    ("To others", (Addressee.OTHER,)),
)


def inspection_page(user: User, pk: int, number: int = 1) -> InspectionPage:
    """An inspection the person may see (404 otherwise) with what it found and page `number` of the recommendations
    they may see, grouped by addressee (a page past the last is a 404). The page's rows carry the size of every
    group (window counts), so the counts need a query of their own only when the page asked for is empty."""
    inspection = get_object_or_404(visible_inspections(user).with_region().defer("source_text"), pk=pk)
    ordered = _ordered(user, inspection.pk)
    start = (number - 1) * RECOMMENDATIONS_PAGE_SIZE
    rows = rows_from_values(row_values(ordered[start : start + RECOMMENDATIONS_PAGE_SIZE], extra=tuple(_GROUP_SIZES)))
    sizes = list(rows[0].extra) if rows else _group_sizes(_visible_of(user, inspection.pk))
    paginator = Paginator(ordered, RECOMMENDATIONS_PAGE_SIZE)
    paginator.count = sum(sizes)  # the page's rows carry it: no COUNT query of its own
    page = page_or_404(paginator, number)
    counted = [
        RecommendationGroup(title, [], size) for (title, _), size in zip(RECOMMENDATION_GROUPS, sizes, strict=True)
    ]
    groups = [
        RecommendationGroup(group.title, [row for row in rows if row.addressee in addressees], group.count)
        for group, (_, addressees) in zip(counted, RECOMMENDATION_GROUPS, strict=True)
    ]
    return InspectionPage(
        inspection=inspection,
        **report_findings(inspection),
        recommendation_groups=[group for group in groups if group.rows],
        recommendations=page,
        group_counts=[group for group in counted if group.count],
    )


# How many recommendations each group has, on every row of the page (COUNT ... FILTER ... OVER ()).
_GROUP_SIZES = {
    f"group_{rank}": Window(Count("pk", filter=Q(addressee__in=addressees)))
    for rank, (_, addressees) in enumerate(RECOMMENDATION_GROUPS)
}


def _visible_of(user: User, inspection_id: int) -> RecommendationQuerySet:
    found = Recommendation.objects.filter(inspection_id=inspection_id).order_by()
    return permissions.visible_recommendations(user, found)


def _ordered(user: User, inspection_id: int) -> RecommendationQuerySet:
    ordered = _visible_of(user, inspection_id).order_by(GROUP_RANK, "addressee", "number")
    grouped: RecommendationQuerySet = ordered.annotate(**_GROUP_SIZES)  # names from a dict: mypy cannot follow
    return grouped


def _group_sizes(visible: RecommendationQuerySet) -> list[int]:
    by_addressee = dict(visible.values_list("addressee").annotate(n=Count("pk")))
    return [sum(by_addressee.get(addressee, 0) for addressee in addressees) for _, addressees in RECOMMENDATION_GROUPS]


def report_findings(inspection: Inspection) -> dict[str, list[Any]]:
    """The report's domain ratings, scores and contextual facts, each in published order, in one query (a UNION ALL
    of the three small tables), read back into (unsaved) model instances for the page."""
    found: dict[str, list[Any]] = {"rating": [], "score": [], "fact": []}
    for kind, position, name, value, category, period in _findings(inspection.pk):
        found[kind].append(_finding(kind, inspection, position, name, value, category, period))
    ordered = {kind: sorted(items, key=lambda item: item.position) for kind, items in found.items()}
    return {"domain_ratings": ordered["rating"], "scores": ordered["score"], "facts": group_facts(ordered["fact"])}


def _findings(inspection_id: int) -> QuerySet[DomainRating, tuple[Any, ...]]:
    text = CharField()
    parts = (
        DomainRating.objects.filter(inspection_id=inspection_id).values_list(
            Value("rating"), "position", "domain", "rating", Value("", output_field=text), Value("", output_field=text)
        ),
        Score.objects.filter(inspection_id=inspection_id).values_list(
            Value("score"), "position", "question", Cast("percentage_yes", text), Value(""), Value("")
        ),
        ContextualFact.objects.filter(inspection_id=inspection_id).values_list(
            Value("fact"), "position", "label", "value", "category", "period"
        ),
    )
    return parts[0].order_by().union(*(part.order_by() for part in parts[1:]), all=True).order_by()


_PERCENTAGE_PLACES = Decimal(1).scaleb(-Score._meta.get_field("percentage_yes").decimal_places)


def _finding(
    kind: str, inspection: Inspection, position: int, name: str, value: str, category: str, period: str
) -> Any:
    if kind == "rating":
        return DomainRating(inspection=inspection, position=position, domain=name, rating=value)
    if kind == "score":
        percentage = Decimal(value).quantize(_PERCENTAGE_PLACES)  # as the column holds it, whatever the text
        return Score(inspection=inspection, position=position, question=name, percentage_yes=percentage)
    return ContextualFact(
        inspection=inspection, position=position, label=name, value=value, category=category, period=period
    )


# The groups' order, as a sort key: the page's rows run through the groups in turn.
GROUP_RANK = Case(
    *(When(addressee__in=addressees, then=Value(rank)) for rank, (_, addressees) in enumerate(RECOMMENDATION_GROUPS)),
    default=Value(len(RECOMMENDATION_GROUPS)),
)
