"""Reads for the public pages (no sign-in): the inspections staff put there and their recommendations, with each one's
response, status and the Inspectorate's judgement, and their implementation rates by region.

Only the columns named below are ever read (and, for the rates, the dates and statuses rates.py counts), so what
follows a recommendation up (its owner and the other people, response reasons, progress, notes, evidence,
follow-up, action plans, target dates) cannot reach these pages, nor can anything of an inspection not on them
(permissions.public_inspections). The inspection's lead inspector and summary are left out too: they name people.
The results are plain data, kept in the shared cache until the public pages change (core/shared_cache.py).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Q, QuerySet

from core.shared_cache import cached_public
from inspections.models import Inspection, InspectionType, Rating
from recommendations import permissions, rates
from recommendations.addressees import ADDRESSEE_CODES
from recommendations.inspection_selectors import GROUP_RANK, RECOMMENDATION_GROUPS, RECOMMENDATIONS_PAGE_SIZE
from recommendations.models import ACTIVE_STATUSES, Addressee, Judgement, Response, Status, status_colour

_TYPE_LABELS = {value: str(label) for value, label in InspectionType.choices}
_RATING_LABELS = {value: str(label) for value, label in Rating.choices}
_STATUS_LABELS = {value: str(label) for value, label in Status.choices}
_RESPONSE_LABELS = {value: str(label) for value, label in Response.choices}
_JUDGEMENT_LABELS = {value: str(label) for value, label in Judgement.choices}
_ADDRESSEE_LABELS = {value: str(label) for value, label in Addressee.choices}


@dataclass(frozen=True, slots=True)
class PublicInspection:
    pk: int
    reference: str
    title: str
    type_label: str
    region_name: str  # "National" for national or thematic work
    published_on: datetime.date | None
    overall_rating: str  # its label, "" for a report that carries none
    report_url: str
    recommendation_count: int
    open_count: int
    implemented_count: int


@dataclass(frozen=True, slots=True)
class PublicRecommendation:
    reference: str
    addressee: str
    addressee_name: str
    text: str
    response: str  # the labels: "Agreed", "Closed: implemented", "Good progress"
    status: str
    status_colour: str
    judgement: str


@dataclass(frozen=True, slots=True)
class PublicRecommendationGroup:
    title: str  # "To HMPPS and the Ministry of Justice" (inspection_selectors.RECOMMENDATION_GROUPS)
    recommendations: tuple[PublicRecommendation, ...]


@dataclass(frozen=True, slots=True)
class PublicInspectionPage:
    inspection: PublicInspection
    groups: tuple[PublicRecommendationGroup, ...]  # this page's, in the groups that have any on it
    number: int  # which page of the recommendations, PUBLIC_PAGE_SIZE a page

    @property
    def listed(self) -> Page[int]:
        """The page as Django's Paginator numbers it (for templates/macros/pagination.html and "1 to 50"), over the
        inspection's count alone: the rows are in `groups`, and no query is run."""
        return Paginator(range(self.inspection.recommendation_count), PUBLIC_PAGE_SIZE).page(self.number)


_INSPECTION_COLUMNS = (
    "pk",
    "reference",
    "title",
    "type",
    "region__name",
    "published_on",
    "overall_rating",
    "source_url",
)


# As the staff's inspection page: a report's recommendations, 50 a page (a report has up to about 500).
PUBLIC_PAGE_SIZE = RECOMMENDATIONS_PAGE_SIZE


def public_inspections() -> list[PublicInspection]:
    """Every inspection on the public pages, newest report first, with how many of its recommendations are open
    and implemented."""
    return cached_public("inspections", _public_inspections)


def _public_inspections() -> list[PublicInspection]:
    rows = _counted().order_by("-published_on", "reference")
    return [_inspection(row[:8], counts=row[8:]) for row in rows]


def _counted() -> QuerySet[Inspection, tuple[Any, ...]]:
    """The public inspections' columns, then how many recommendations each has, open and implemented."""
    counted = permissions.public_inspections().annotate(
        recommendation_count=Count("recommendations"),
        open_count=Count("recommendations", filter=Q(recommendations__status__in=ACTIVE_STATUSES)),
        implemented_count=Count("recommendations", filter=Q(recommendations__status=Status.CLOSED_IMPLEMENTED)),
    )
    return counted.values_list(*_INSPECTION_COLUMNS, "recommendation_count", "open_count", "implemented_count")


def public_inspection_page(pk: int, number: int = 1) -> PublicInspectionPage | None:
    """An inspection on the public pages with page `number` of its recommendations, grouped by addressee in the
    report's order as the staff's page groups them; two queries, kept per page. None if there is no such
    inspection on them (withdrawn, never put there, or none at all) or no such page (past the last: the list's
    rule, core/pagination.py), which the page answers alike."""
    return cached_public(f"inspection:{pk}:page:{number}", lambda: _public_inspection_page(pk, number))


def _public_inspection_page(pk: int, number: int) -> PublicInspectionPage | None:
    found = _counted().filter(pk=pk).first()
    if found is None:
        return None
    inspection = _inspection(found[:8], counts=found[8:])
    try:
        Paginator(range(inspection.recommendation_count), PUBLIC_PAGE_SIZE).validate_number(number)
    except InvalidPage:
        return None
    recommendations = _recommendations(pk, number) if inspection.recommendation_count else []
    groups = (
        PublicRecommendationGroup(title, tuple(item for item in recommendations if item.addressee in addressees))
        for title, addressees in RECOMMENDATION_GROUPS
    )
    return PublicInspectionPage(
        inspection=inspection, groups=tuple(group for group in groups if group.recommendations), number=number
    )


_RECOMMENDATION_COLUMNS = (
    "inspection__reference",
    "addressee",
    "number",
    "region__name",
    "pdu__name",
    "addressee_other",
    "text",
    "response",
    "status",
    "judgement",
)


def _recommendations(inspection_id: int, number: int) -> list[PublicRecommendation]:
    """Page `number` of the inspection's recommendations, group by group (GROUP_RANK), as the staff's page."""
    found = permissions.public_recommendations().filter(inspection_id=inspection_id)
    ordered = found.order_by(GROUP_RANK, "addressee", "number").values_list(*_RECOMMENDATION_COLUMNS)
    start = (number - 1) * PUBLIC_PAGE_SIZE
    return [_recommendation(*row) for row in ordered[start : start + PUBLIC_PAGE_SIZE]]


def _recommendation(
    inspection_reference: str,
    addressee: str,
    number: int,
    region_name: str | None,
    pdu_name: str | None,
    addressee_other: str,
    text: str,
    response: str,
    status: str,
    judgement: str,
) -> PublicRecommendation:
    named: dict[str, str | None] = {
        Addressee.REGION: region_name,
        Addressee.PDU: pdu_name,
        Addressee.OTHER: addressee_other,
    }
    return PublicRecommendation(
        reference=f"{inspection_reference}/{ADDRESSEE_CODES.get(addressee, 'O')}{number}",  # Recommendation.reference
        addressee=addressee,
        addressee_name=named.get(addressee) or _ADDRESSEE_LABELS.get(addressee, addressee),
        text=text,
        response=_RESPONSE_LABELS.get(response, response),
        status=_STATUS_LABELS.get(status, status),
        status_colour=status_colour(status),
        judgement=_JUDGEMENT_LABELS.get(judgement, judgement),
    )


def _inspection(row: tuple[Any, ...], *, counts: tuple[Any, ...]) -> PublicInspection:
    pk, reference, title, kind, region_name, published_on, rating, source_url = row
    recommendation_count, open_count, implemented_count = counts
    return PublicInspection(
        pk=pk,
        reference=reference,
        title=title,
        type_label=_TYPE_LABELS.get(kind, kind),
        region_name=region_name or "National",
        published_on=published_on,
        overall_rating=_RATING_LABELS.get(rating, ""),
        report_url=source_url,
        recommendation_count=recommendation_count,
        open_count=open_count,
        implemented_count=implemented_count,
    )


def public_implementation_rates() -> list[rates.RateRow]:
    """The share of the public pages' recommendations implemented within 6, 12 and 24 months of publication, per
    region and year of publication (recommendations/rates.py): of published inspections only."""
    return cached_public("rates", lambda: rates.implementation_rates(permissions.public_recommendations(), by="region"))
