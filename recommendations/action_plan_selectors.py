"""Action plans, in the form HMPPS publishes them: for each recommendation its response, the actions with their
owner and date, its target date, status, latest progress and the Inspectorate's judgement.

One read builds the rows (`action_plan_rows`) for every form of the plan: the page, the Word document and the Excel
sheet (recommendations/action_plan_documents.py). An inspection's plan holds its recommendations, a region's its open
ones; either only those the person may see (permissions.py), in two queries whatever their number: the
recommendations, then their actions.

    plan = inspection_action_plan(user, pk)      # 404 for an inspection outside the person's scope
    plan = region_action_plan(user, pk)          # 404 for a region outside it
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.links import pk_url, url_for
from inspections.models import Region
from recommendations import permissions
from recommendations.addressees import ADDRESSEE_CODES
from recommendations.inspection_selectors import GROUP_RANK, visible_inspections
from recommendations.models import (
    REGIONAL_ADDRESSEES,
    ActionPlanItem,
    Judgement,
    Progress,
    Recommendation,
    RecommendationQuerySet,
    Response,
    Status,
    status_colour,
)
from recommendations.rows import addressee_name_of
from recommendations.selectors import person_name


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One action of a recommendation's plan (an ActionPlanItem)."""

    description: str
    responsible: str  # its owner: a name or a team, as the lead wrote it
    target_date: datetime.date | None
    completed_on: datetime.date | None


@dataclass(frozen=True, slots=True)
class ActionPlanRow:
    """One recommendation of an action plan, with everything the plan says about it."""

    pk: int
    reference: str
    url: str  # the recommendation's page
    text: str
    addressee_name: str
    inspection_reference: str
    inspection_title: str
    response: str  # "Agreed", "Partly agreed", "Not agreed" or "Awaiting response"
    response_reason: str  # why it is only partly agreed or not agreed
    actions: tuple[PlannedAction, ...]
    target_date: datetime.date | None
    status: str
    status_label: str
    owner_name: str  # "" when nobody owns it
    progress: str  # "Not started", "In progress", "Completed"
    latest_update: str  # the text of the latest progress update, "" without one
    latest_update_on: datetime.date | None  # its day, in UK time
    judgement: str  # "Not yet assessed" until the Inspectorate judges it

    @property
    def status_colour(self) -> str:
        return status_colour(self.status)


@dataclass(frozen=True)
class ActionPlan:
    """An action plan: whose it is, its rows, and where its three forms are."""

    kind: str  # INSPECTION or REGION
    subject: str  # the inspection's title, or the region's name
    reference: str  # the inspection's reference, or the region's code
    rows: list[ActionPlanRow]
    made_on: datetime.date
    page_url: str
    docx_url: str
    xlsx_url: str
    back_url: str  # the inspection's page, or the list of the region's recommendations
    only_yours: bool  # a lead's plan: only the recommendations addressed to them

    @property
    def title(self) -> str:
        return f"Action plan: {self.subject}"

    @property
    def filename_stem(self) -> str:
        """What the downloads are called: action-plan-N57-PP-2025 for an inspection, and for a region the day it
        was made, since it holds what was open that day: action-plan-N57-open-2026-12-06."""
        reference = re.sub(r"[^A-Za-z0-9-]+", "-", self.reference).strip("-") or "plan"
        if self.kind == INSPECTION:
            return f"action-plan-{reference}"
        return f"action-plan-{reference}-open-{self.made_on:%Y-%m-%d}"


INSPECTION, REGION = "inspection", "region"


def inspection_action_plan(user: User, pk: int) -> ActionPlan:
    """The plan of an inspection the person may see (404 otherwise): every recommendation of it they may see, in the
    order of the inspection's page (by addressee, then number), open or closed."""
    inspection = get_object_or_404(visible_inspections(user).only("pk", "reference", "title"), pk=pk)
    found = Recommendation.objects.filter(inspection_id=inspection.pk).order_by(GROUP_RANK, "addressee", "number")
    return ActionPlan(
        kind=INSPECTION,
        subject=inspection.title,
        reference=inspection.reference,
        rows=action_plan_rows(permissions.visible_recommendations(user, found)),
        made_on=timezone.localdate(),
        page_url=pk_url("inspections:action_plan", inspection.pk),
        docx_url=pk_url("inspections:action_plan_docx", inspection.pk),
        xlsx_url=pk_url("inspections:action_plan_xlsx", inspection.pk),
        back_url=pk_url("inspections:detail", inspection.pk),
        only_yours=permissions.scope_filter(user) is not None,
    )


def region_action_plan(user: User, pk: int) -> ActionPlan:
    """The plan of a region the person answers for or follows (404 otherwise): the open recommendations addressed to
    it and its PDUs, newest report first."""
    region = get_object_or_404(Region.objects.filter(permissions.regions_in_scope(user)), pk=pk)
    found = Recommendation.objects.active().filter(region_id=region.pk, addressee__in=REGIONAL_ADDRESSEES)
    ordered = found.order_by(
        F("inspection__published_on").desc(nulls_last=True), "inspection_id", GROUP_RANK, "addressee", "number"
    )
    return ActionPlan(
        kind=REGION,
        subject=region.name,
        reference=region.code,
        rows=action_plan_rows(permissions.visible_recommendations(user, ordered)),
        made_on=timezone.localdate(),
        page_url=pk_url("recommendations:region_action_plan", region.pk),
        docx_url=pk_url("recommendations:region_action_plan_docx", region.pk),
        xlsx_url=pk_url("recommendations:region_action_plan_xlsx", region.pk),
        back_url=f"{reverse('recommendations:list')}?region={region.pk}&status=open&status=awaiting_closure",
        only_yours=False,  # a region's lead sees all of their region's
    )


# What each row reads, in one query; the names come by joins (a plan is read whole, not a page of a list).
_FIELDS = (
    "pk",
    "inspection__reference",
    "inspection__title",
    "addressee",
    "number",
    "addressee_other",
    "region__name",
    "pdu__name",
    "text",
    "response",
    "response_reason",
    "target_date",
    "status",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "progress",
    "latest_update_at",  # RecommendationQuerySet.with_latest_progress_update
    "latest_update_text",
    "judgement",
)
_LABELS: dict[str, dict[str, str]] = {
    name: {value: str(label) for value, label in choices.choices}
    for name, choices in (("status", Status), ("response", Response), ("progress", Progress), ("judgement", Judgement))
}


def action_plan_rows(queryset: RecommendationQuerySet) -> list[ActionPlanRow]:
    """The plan's rows for `queryset` (scoped and ordered by the caller), with their actions: two queries."""
    found = list(queryset.with_latest_progress_update().values_list(*_FIELDS))
    actions = _actions_of(queryset)
    detail_url = url_for("recommendations:detail")  # the pattern looked up once, not a reverse() a row
    return [_row(values, detail_url(values[0]), actions.get(values[0], ())) for values in found]


def _actions_of(queryset: RecommendationQuerySet) -> dict[int, tuple[PlannedAction, ...]]:
    """The actions of every recommendation of `queryset`, in their plan's order, by recommendation."""
    items = ActionPlanItem.objects.filter(recommendation__in=queryset.order_by().values("pk"))
    by_recommendation: defaultdict[int, list[PlannedAction]] = defaultdict(list)
    for recommendation_id, description, responsible, target_date, completed_on in items.order_by(
        "recommendation_id", "position", "pk"
    ).values_list("recommendation_id", "description", "responsible", "target_date", "completed_on"):
        by_recommendation[recommendation_id].append(PlannedAction(description, responsible, target_date, completed_on))
    return {pk: tuple(actions) for pk, actions in by_recommendation.items()}


def _row(values: tuple[Any, ...], url: str, actions: Iterable[PlannedAction]) -> ActionPlanRow:
    (pk, inspection_reference, inspection_title, addressee, number, other, region_name, pdu_name, text, response,
     reason, target_date, status, first, last, username, progress, update_at, update, judgement) = values  # fmt: skip
    return ActionPlanRow(
        pk=pk,
        reference=f"{inspection_reference}/{ADDRESSEE_CODES.get(addressee, 'O')}{number}",
        url=url,
        text=text,
        addressee_name=addressee_name_of(addressee, region_name, pdu_name, other),
        inspection_reference=inspection_reference,
        inspection_title=inspection_title,
        response=_LABELS["response"].get(response, response),
        response_reason=reason,
        actions=tuple(actions),
        target_date=target_date,
        status=status,
        status_label=_LABELS["status"].get(status, status),
        owner_name=person_name(first, last, username),
        progress=_LABELS["progress"].get(progress, progress),
        latest_update=update or "",
        latest_update_on=timezone.localdate(update_at) if update_at else None,  # the day as people here saw it
        judgement=_LABELS["judgement"].get(judgement, judgement),
    )
