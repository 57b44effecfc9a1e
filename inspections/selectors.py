"""Reads about inspections. Which inspections a person may see is decided here, once, from the recommendation
scope in recommendations/permissions.py: every inspection view goes through `visible_inspections`."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from inspections.models import ContextualFact, Inspection
from recommendations import permissions
from recommendations.models import (
    ACTIVE_STATUSES,
    NATIONAL_ADDRESSEES,
    REGIONAL_ADDRESSEES,
    Addressee,
    Recommendation,
)

INSPECTION_PAGE_SIZE = 25


def visible_inspections(user: Any) -> QuerySet[Inspection]:
    """All for Inspectorate staff; for leads, inspections with a recommendation they may see, and for a regional
    lead also every inspection of their own region (whatever it recommended)."""
    if permissions.scope_filter(user) is None:
        return Inspection.objects.all()
    has_visible = Exists(permissions.visible_recommendations(user).filter(inspection=OuterRef("pk")))
    own_region = Q(region_id=user.region_id) if getattr(user, "is_regional_lead", False) else Q(pk__in=[])
    return Inspection.objects.filter(Q(has_visible) | own_region)


def _visible_count(user: Any, queryset: QuerySet) -> Coalesce:
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


def inspections_for_list(user: Any) -> QuerySet[Inspection]:
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
    rows: list[Recommendation]


@dataclass(frozen=True)
class InspectionPage:
    inspection: Inspection
    domain_ratings: list[Any]
    scores: list[Any]
    facts: list[FactGroup]
    recommendation_groups: list[RecommendationGroup]


# The inspection page's groups of recommendations, by addressee.
RECOMMENDATION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("To the region and its probation delivery units", REGIONAL_ADDRESSEES),
    ("To HMPPS and the Ministry of Justice", NATIONAL_ADDRESSEES),
    ("To others", (Addressee.OTHER,)),
)


def inspection_page(user: Any, pk: int) -> InspectionPage:
    """An inspection the person may see (404 otherwise) with what it found and the recommendations they may see."""
    inspection = get_object_or_404(visible_inspections(user).with_region(), pk=pk)
    visible = permissions.visible_recommendations(user, inspection.recommendations.for_lists())
    recommendations = list(visible.order_by("addressee", "number"))
    groups = [
        RecommendationGroup(title, [row for row in recommendations if row.addressee in addressees])
        for title, addressees in RECOMMENDATION_GROUPS
    ]
    return InspectionPage(
        inspection=inspection,
        domain_ratings=list(inspection.domain_ratings.all()),
        scores=list(inspection.scores.all()),
        facts=group_facts(list(inspection.facts.all())),
        recommendation_groups=[group for group in groups if group.rows],
    )
