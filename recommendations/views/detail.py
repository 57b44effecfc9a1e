"""The recommendation page, and every change people make from it.

Each change is a POST to its own URL, checked in this order: signed in; the recommendation is in the person's scope
(404 otherwise, so nothing outside it is revealed); their role allows this kind of change (403 with the reason);
the form is valid (the page again, status 400, with an error summary). The change itself is made by
recommendations/services.py, which checks the role again and keeps the history; then the page is shown again with a
success message (post/redirect/get).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe
from django_fsm import ConcurrentTransition

from recommendations import permissions, services
from recommendations.forms import (
    ActionCompleteForm,
    ActionPlanItemForm,
    FollowUpForm,
    JudgementForm,
    OwnerForm,
    ProgressUpdateForm,
    ResponseForm,
    TargetDateDecisionForm,
    TargetDateRequestForm,
    WorkflowForm,
)
from recommendations.models import Recommendation
from recommendations.services import WORKFLOW_ACTIONS, WorkflowError
from recommendations.timeline import TIMELINE_LIMIT, build_timeline, recommendation_record, target_date_history

SUCCESS_BY_ACTION: dict[str, str] = {
    "request_closure": "You have said this recommendation is ready for closure",
    "decline_closure": "The recommendation stays open",
    "close_implemented": "The recommendation is closed as implemented",
    "close_not_implemented": "The recommendation is closed as not implemented",
    "supersede": "The recommendation is marked as superseded",
    "reopen": "The recommendation is open again",
}


@dataclass(frozen=True)
class Rule:
    """Who may make a kind of change (a permissions.py callable), and what they are told when they may not."""

    allows: Callable[[Recommendation, Any], bool]
    refusal: str


RESPONSE_COLOURS = {"awaiting": "grey", "agreed": "green", "partly_agreed": "yellow", "not_agreed": "red"}
PROGRESS_COLOURS = {"not_started": "grey", "in_progress": "blue", "completed": "green"}
JUDGEMENT_COLOURS = {"no_meaningful": "red", "insufficient": "orange", "reasonable": "teal", "good": "green"}

INSPECTIONS = ("inspection", "superseded_by__inspection")  # the reports the page names

RESPOND = Rule(permissions.can_respond, "Only the addressee's lead can update this recommendation.")
DECIDE = Rule(permissions.can_decide, "Only Inspectorate staff can do this.")


def get_recommendation_for(user: Any, pk: int) -> Recommendation:
    """The recommendation if `user` may see it, else 404: the one way the views here fetch a recommendation."""
    queryset = visible_recommendations_for_page(user)
    return get_object_or_404(queryset, pk=pk)


def visible_recommendations_for_page(user: Any) -> Any:
    related = Recommendation.objects.select_related("inspection", "region", "pdu", "owner", "superseded_by__inspection")
    # Not the reports' imported text (about 25 kB each), summary or follow-up section: the page shows none of them.
    unread = ("source_text", "summary", "follow_up_promise")
    deferred = related.defer(*(f"{inspection}__{name}" for inspection in INSPECTIONS for name in unread))
    return permissions.visible_recommendations(user, deferred)


# --- the page ---


@login_required
@require_safe
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_page(request, get_recommendation_for(request.user, pk))


def _render_page(
    request: HttpRequest,
    recommendation: Recommendation,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    everything = request.method in ("GET", "HEAD") and request.GET.get("timeline") == "all"
    record = recommendation_record(recommendation, limit=None if everything else TIMELINE_LIMIT)
    page_forms = _forms_for(request.user, recommendation, record)
    if bound is not None and bound.prefix in page_forms:
        page_forms[bound.prefix] = bound  # shown again with its errors and what was typed
    if "workflow" in page_forms:
        _fit_workflow_form(page_forms["workflow"], recommendation, request.user)
    failed = bound if bound is not None and bound.errors else None
    context = {
        "recommendation": recommendation,
        "record": record,
        "timeline": build_timeline(record),
        "target_date_moves": target_date_history(record),
        "forms": page_forms,
        "form": failed,  # base.html puts "Error: " in the title when the form has errors
        "failed_form": failed,
        "refusal": refusal,
        "colours": _tag_colours(recommendation),
        "can_respond": permissions.can_respond(recommendation, request.user),
        "can_decide": permissions.can_decide(recommendation, request.user),
    }
    return render(request, "recommendations/detail.html", context, status=status)


def _tag_colours(recommendation: Recommendation) -> dict[str, str]:
    return {
        "response": RESPONSE_COLOURS.get(recommendation.response, "grey"),
        "progress": PROGRESS_COLOURS.get(recommendation.progress, "grey"),
        "judgement": JUDGEMENT_COLOURS.get(recommendation.judgement, "grey"),
    }


def _available_steps(recommendation: Recommendation, user: Any) -> list[str]:
    names = {step.name for step in recommendation.get_available_user_status_transitions(user)}  # type: ignore[attr-defined]
    if permissions.can_decide(recommendation, user):
        names.discard("request_closure")  # the Inspectorate closes directly; asking itself would be noise
    return [name for name in WORKFLOW_ACTIONS if name in names]


def _forms_for(user: Any, recommendation: Recommendation, record: Any) -> dict[str, forms.Form]:
    """Blank forms for the changes this person may make now; the page shows no other form."""
    found: dict[str, forms.Form] = {}
    if _available_steps(recommendation, user):
        found["workflow"] = WorkflowForm(recommendation=recommendation)
    if permissions.can_respond(recommendation, user) and recommendation.is_active:
        found.update(response=ResponseForm(), progress=ProgressUpdateForm(), action=ActionPlanItemForm())
        if not permissions.can_decide(recommendation, user) and not record.pending_date_requests:
            found["date_request"] = TargetDateRequestForm()
    if permissions.can_decide(recommendation, user):
        found.update(follow_up=FollowUpForm(), judgement=JudgementForm())
        found["owner"] = OwnerForm(recommendation=recommendation)
        if record.pending_date_requests:
            found["date_decision"] = TargetDateDecisionForm()
    return found


def _fit_workflow_form(form: forms.Form, recommendation: Recommendation, user: Any) -> None:
    """Offer only the steps this person can take now; the list of recommendations only to who can supersede."""
    steps = _available_steps(recommendation, user)
    form.fields["action"].choices = [(name, WORKFLOW_ACTIONS[name]) for name in steps]  # type: ignore[attr-defined]
    if "supersede" not in steps:
        form.fields.pop("superseded_by", None)


def _act(
    request: HttpRequest,
    recommendation: Recommendation,
    form: forms.Form,
    *,
    rule: Rule,
    perform: Callable[[dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Check the role, validate, make the change through a service; then redirect, or show what went wrong."""
    try:
        if not rule.allows(recommendation, request.user):
            raise PermissionDenied(rule.refusal)
        if form.is_valid():
            perform(form.cleaned_data)
            messages.success(request, success)
            return redirect("recommendations:detail", pk=recommendation.pk)
    except PermissionDenied as error:
        return _refuse(request, recommendation, str(error) or rule.refusal)
    except (WorkflowError, ConcurrentTransition) as error:
        form.add_error(None, _messages_of(error))
    # The services may have changed the object in memory before refusing: show what is saved.
    return _render_page(request, get_recommendation_for(request.user, recommendation.pk), bound=form, status=400)


def _refuse(request: HttpRequest, recommendation: Recommendation, message: str) -> HttpResponse:
    fresh = get_recommendation_for(request.user, recommendation.pk)
    return _render_page(request, fresh, status=403, refusal=message)


def _messages_of(error: Exception) -> list[str]:
    if isinstance(error, ConcurrentTransition):
        return ["Someone else changed this recommendation at the same time. Check the page and try again."]
    return list(getattr(error, "messages", [str(error)]))


# --- the addressee's changes ---


@login_required
@require_POST
def record_response(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_record_response(
            recommendation=recommendation, by=request.user, response=data["response"], reason=data["reason"]
        )

    form = ResponseForm(request.POST)
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success="Response recorded")


@login_required
@require_POST
def add_progress_update(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.progress_update_record(recommendation=recommendation, by=request.user, **data)

    form = ProgressUpdateForm(request.POST, request.FILES)
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success="Progress update added")


@login_required
@require_POST
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.action_plan_item_add(recommendation=recommendation, by=request.user, **data)

    form = ActionPlanItemForm(request.POST)
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success="Action added to the plan")


@login_required
@require_POST
def complete_action(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    item = get_object_or_404(recommendation.actions, pk=item_pk)

    def perform(data: dict[str, Any]) -> None:
        services.action_plan_item_complete(item=item, by=request.user, completed_on=data["completed_on"])

    form = ActionCompleteForm(request.POST, item=item)
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success="Action marked as done")


@login_required
@require_POST
def request_target_date(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.target_date_change_request(recommendation=recommendation, by=request.user, **data)

    form = TargetDateRequestForm(request.POST)
    success = "Your request to move the target date has been sent to the Inspectorate"
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success=success)


# --- the Inspectorate's changes ---


@login_required
@require_POST
def decide_target_date(request: HttpRequest, pk: int, req_pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    change_request = get_object_or_404(recommendation.target_date_requests.select_related("requested_by"), pk=req_pk)
    change_request.recommendation = recommendation  # the one already checked, not a second fetch

    def perform(data: dict[str, Any]) -> None:
        services.target_date_change_decide(
            change_request=change_request, by=request.user, approve=data["decision"] == "approve", note=data["note"]
        )

    form = TargetDateDecisionForm(request.POST)
    approving = request.POST.get("date_decision-decision") == "approve"
    success = "Request approved: the target date has moved" if approving else "Request rejected"
    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success=success)


@login_required
@require_POST
def record_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.follow_up_record(recommendation=recommendation, by=request.user, **data)

    form = FollowUpForm(request.POST)
    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success="Follow-up activity recorded")


@login_required
@require_POST
def set_judgement(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_set_judgement(recommendation=recommendation, by=request.user, **data)

    form = JudgementForm(request.POST)
    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success="Judgement recorded")


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    action = request.POST.get("workflow-action", "")
    rule = _workflow_rule(action)

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_transition(recommendation=recommendation, by=request.user, **data)

    form = WorkflowForm(request.POST, recommendation=recommendation)
    success = SUCCESS_BY_ACTION.get(action, "")
    return _act(request, recommendation, form, rule=rule, perform=perform, success=success)


def _workflow_rule(action: str) -> Rule:
    """Who may take this step at all (its transition's permission), whatever the recommendation's status now."""
    if action not in WORKFLOW_ACTIONS:
        return Rule(lambda recommendation, user: True, "")  # the form refuses an unknown step
    transitions = getattr(Recommendation, action)._django_fsm.transitions.values()

    def allows(recommendation: Recommendation, user: Any) -> bool:
        return any(transition.has_perm(recommendation, user) for transition in transitions)

    return Rule(allows, f"You cannot '{WORKFLOW_ACTIONS[action].lower()}'.")


@login_required
@require_POST
def assign_owner(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    form = OwnerForm(request.POST, recommendation=recommendation)

    @transaction.atomic
    def perform(data: dict[str, Any]) -> None:
        if form.owner_changed:
            services.recommendation_assign_owner(
                recommendation=recommendation, owner=data["owner"], by=request.user, reason=data["reason"]
            )
        if form.target_date_changed:
            services.recommendation_set_target_date(
                recommendation=recommendation, target_date=data["target_date"], by=request.user, reason=data["reason"]
            )

    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success="Owner and target date saved")


# --- evidence files: only ever through here, to people who can see the recommendation ---


@login_required
@require_safe
def evidence_file(request: HttpRequest, pk: int, update_pk: int) -> FileResponse:
    recommendation = get_recommendation_for(request.user, pk)
    update = get_object_or_404(recommendation.progress_updates, pk=update_pk)
    if not update.evidence_file:
        raise Http404("This update has no file.")
    try:
        handle = update.evidence_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    response = FileResponse(handle, as_attachment=True, filename=PurePath(update.evidence_file.name).name)
    response["Cache-Control"] = "private, no-store"
    return response
