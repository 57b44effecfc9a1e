"""The recommendation page, and every change people make from it.

The page is the record: what the recommendation is, where it stands, its action plan and its timeline, with a
"Make a change" list of links to the changes this person may make now. Each change has a page of its own at its
URL (one thing per page): GET shows its form, POST makes the change. Both are checked in this order: signed in; the
recommendation is in the person's scope (404 otherwise, so nothing outside it is revealed); their role allows this
kind of change (403 with the reason, on the recommendation page); on POST, the form is valid (its page again, status
400, with an error summary). The change itself is made by recommendations/services.py, which checks the role again
and keeps the history; then the recommendation page is shown again with a success message (post/redirect/get).
Marking an action as done is a button on the page itself, so it is POST only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_fsm import ConcurrentTransition, get_available_user_FIELD_transitions

from accounts.models import User
from accounts.requests import AuthenticatedRequest
from core.links import pk_url
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
from recommendations.recurrence_selectors import recurrences_of, suggested_repeats_of
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


@dataclass(frozen=True)
class ChangePage:
    """A change's page of its own: the template with its form's fields, its heading (also the link to it)."""

    template: str
    heading: str


@dataclass(frozen=True)
class ChangeLink:
    text: str
    url: str
    name: str  # the URL's name, for an id


PAGES: dict[str, ChangePage] = {
    "record_response": ChangePage("recommendations/changes/response.html", "Record the response"),
    "add_progress_update": ChangePage("recommendations/changes/progress.html", "Add a progress update"),
    "add_action": ChangePage("recommendations/changes/action.html", "Add an action to the plan"),
    "request_target_date": ChangePage("recommendations/changes/date_request.html", "Ask to move the target date"),
    "decide_target_date": ChangePage("recommendations/changes/date_decision.html", "Decide on the request"),
    "record_follow_up": ChangePage("recommendations/changes/follow_up.html", "Record follow-up activity"),
    "set_judgement": ChangePage("recommendations/changes/judgement.html", "Judge progress"),
    "change_status": ChangePage("recommendations/changes/workflow.html", "Close, reopen or supersede"),
    "assign_owner": ChangePage("recommendations/changes/owner.html", "Change the owner or target date"),
}
ASK_FOR_CLOSURE = "Say it is ready for closure"  # the workflow page's heading for a lead, who cannot decide


RESPONSE_COLOURS = {"awaiting": "grey", "agreed": "green", "partly_agreed": "yellow", "not_agreed": "red"}
PROGRESS_COLOURS = {"not_started": "grey", "in_progress": "blue", "completed": "green"}
JUDGEMENT_COLOURS = {"no_meaningful": "red", "insufficient": "orange", "reasonable": "teal", "good": "green"}

CHANGE_METHODS = ("GET", "HEAD", "POST")

RESPOND = Rule(permissions.can_respond, "Only the addressee's lead can update this recommendation.")
DECIDE = Rule(permissions.can_decide, "Only Inspectorate staff can do this.")
NO_DATE_TO_MOVE = Rule(lambda recommendation, user: False, services.NO_TARGET_DATE_TO_MOVE)
# The workflow page is shown to whoever can take a step now: a lead asks for closure, the Inspectorate decides.
STEPS_AVAILABLE = Rule(
    lambda recommendation, user: bool(_available_steps(recommendation, user)),
    "You cannot change where this recommendation stands now.",
)


def get_recommendation_for(user: User, pk: int) -> Recommendation:
    """The recommendation if `user` may see it, else 404: the one way the changes here fetch a recommendation."""
    related = Recommendation.objects.select_related("inspection", "region", "pdu", "owner")
    # Not the report's imported text (about 25 kB), summary or follow-up section: no change shows them.
    queryset = related.defer("inspection__source_text", "inspection__summary", "inspection__follow_up_promise")
    return get_object_or_404(permissions.visible_recommendations(user, queryset), pk=pk)


# What the page shows of a recommendation (and its permissions and workflow steps read): not when the row was made
# or last saved; of the report, region, PDU and owner only their names. The page saves nothing; a change reads all.
PAGE_FIELDS = (
    *("inspection", "addressee", "region", "pdu", "addressee_other", "number", "text", "owner", "target_date"),
    *("response", "response_reason", "responded_at", "progress", "judgement", "priority", "status"),
    *("superseded_by", "closed_at"),
    *("inspection__title", "inspection__reference", "inspection__published_on", "region__name", "pdu__name"),
    *("owner__first_name", "owner__last_name", "owner__username"),
)
PAGE_RELATED = ("inspection", "region", "pdu", "owner")


def recommendation_for_page(user: User, pk: int) -> Recommendation:
    """As get_recommendation_for, with only what the page shows, in one query; the one that superseded it (rare)
    in one more query, rather than a join every page pays for."""
    page = Recommendation.objects.select_related(*PAGE_RELATED).only(*PAGE_FIELDS)
    recommendation = get_object_or_404(permissions.visible_recommendations(user, page), pk=pk)
    if recommendation.superseded_by_id:
        replacements = Recommendation.objects.select_related("inspection").only(
            "inspection__reference",
            "addressee",
            "number",
            "status",  # its status: django-fsm reads it on load
        )
        recommendation.superseded_by = replacements.get(pk=recommendation.superseded_by_id)
    return recommendation


# --- the page ---


@login_required
@require_safe
def recommendation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_page(request, recommendation_for_page(request.user, pk))


def _render_page(
    request: AuthenticatedRequest,
    recommendation: Recommendation,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    everything = request.method in ("GET", "HEAD") and request.GET.get("timeline") == "all"
    record = recommendation_record(recommendation, limit=None if everything else TIMELINE_LIMIT)
    # A closed recommendation takes no change but reopening (the services refuse the rest): no links to them.
    can_respond = permissions.can_respond(recommendation, request.user) and recommendation.is_active
    can_decide = permissions.can_decide(recommendation, request.user) and recommendation.is_active
    failed = bound if bound is not None and bound.errors else None
    context = {
        "recommendation": recommendation,
        "record": record,
        "timeline": build_timeline(record),
        "target_date_moves": target_date_history(record),
        "changes": _changes_for(request.user, recommendation, record),
        "form": failed,  # base.html puts "Error: " in the title when the form has errors
        "failed_form": failed,
        "refusal": refusal,
        "colours": _tag_colours(recommendation),
        "can_decide": can_decide,
        "owner_url": _change_url("assign_owner", recommendation) if can_decide else "",
        "can_complete_actions": can_respond,
        "recurrences": recurrences_of(recommendation, request.user),
        "suggestions": suggested_repeats_of(recommendation, request.user),
    }
    return render(request, "recommendations/detail.html", context, status=status)


def _tag_colours(recommendation: Recommendation) -> dict[str, str]:
    return {
        "response": RESPONSE_COLOURS.get(recommendation.response, "grey"),
        "progress": PROGRESS_COLOURS.get(recommendation.progress, "grey"),
        "judgement": JUDGEMENT_COLOURS.get(recommendation.judgement, "grey"),
    }


def _available_steps(recommendation: Recommendation, user: User) -> list[str]:
    status_field = Recommendation._meta.get_field("status")
    names = {step.name for step in get_available_user_FIELD_transitions(recommendation, user, status_field)}
    if permissions.can_decide(recommendation, user):
        names.discard("request_closure")  # the Inspectorate closes directly; asking itself would be noise
    return [name for name in WORKFLOW_ACTIONS if name in names]


def _changes_for(user: User, recommendation: Recommendation, record: Any) -> list[ChangeLink]:
    """Links to the changes this person may make now, each on a page of its own; the page offers no other."""
    names: list[str] = []
    if _available_steps(recommendation, user):
        names.append("change_status")
    if permissions.can_respond(recommendation, user) and recommendation.is_active:
        names += ["record_response", "add_progress_update", "add_action"]
        if _can_ask_to_move_the_date(recommendation, user, record):
            names.append("request_target_date")
    if permissions.can_decide(recommendation, user) and recommendation.is_active:
        names += ["record_follow_up", "set_judgement", "assign_owner"]
    return [ChangeLink(_heading(name, recommendation, user), _change_url(name, recommendation), name) for name in names]


def _can_ask_to_move_the_date(recommendation: Recommendation, user: User, record: Any) -> bool:
    """A lead asks to move a target date there is (the Inspectorate sets the first), one request at a time."""
    return (
        not permissions.can_decide(recommendation, user)
        and recommendation.target_date is not None
        and not record.pending_date_requests
    )


def _heading(name: str, recommendation: Recommendation, user: User) -> str:
    if name == "change_status" and not permissions.can_decide(recommendation, user):
        return ASK_FOR_CLOSURE
    return PAGES[name].heading


def _change_url(name: str, recommendation: Recommendation) -> str:
    return pk_url(f"recommendations:{name}", recommendation.pk)  # the page links to up to nine changes


def _fit_workflow_form(form: forms.Form, recommendation: Recommendation, user: User) -> None:
    """Offer only the steps this person can take now."""
    cast(WorkflowForm, form).offer(_available_steps(recommendation, user))


# --- a change: its page (GET), or the change itself (POST) ---


def _act(
    request: AuthenticatedRequest,
    recommendation: Recommendation,
    form: forms.Form,
    *,
    rule: Rule,
    perform: Callable[[dict[str, Any]], Any],
    success: str,
    page: str | None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Check the role; show the change's page, or validate and make the change through a service; then redirect,
    or show what went wrong: on the change's page `page` (in PAGES), or on the recommendation page if None."""
    try:
        if not rule.allows(recommendation, request.user):
            raise PermissionDenied(rule.refusal)
        if request.method != "POST" and page is not None:
            return _change_page(request, recommendation, form, page=page, context=context)
        if form.is_valid():
            perform(form.cleaned_data)
            messages.success(request, success)
            return redirect("recommendations:detail", pk=recommendation.pk)
    except PermissionDenied as error:
        return _refuse(request, recommendation, str(error) or rule.refusal)
    except (WorkflowError, ConcurrentTransition) as error:
        form.add_error(None, _messages_of(error))
    # The services may have changed the object in memory before refusing: show what is saved.
    if page is None:
        return _render_page(request, recommendation_for_page(request.user, recommendation.pk), bound=form, status=400)
    fresh = get_recommendation_for(request.user, recommendation.pk)
    return _change_page(request, fresh, form, page=page, context=context, status=400)


def _change_page(
    request: AuthenticatedRequest,
    recommendation: Recommendation,
    form: forms.Form,
    *,
    page: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    if page == "change_status":
        _fit_workflow_form(form, recommendation, request.user)
    shown = {
        "recommendation": recommendation,
        "form": form,
        "heading": _heading(page, recommendation, request.user),
        "action_url": request.path,
        **(context or {}),
    }
    return render(request, PAGES[page].template, shown, status=status)


def _refuse(request: AuthenticatedRequest, recommendation: Recommendation, message: str) -> HttpResponse:
    fresh = recommendation_for_page(request.user, recommendation.pk)
    return _render_page(request, fresh, status=403, refusal=message)


def _messages_of(error: Exception) -> list[str]:
    if isinstance(error, ConcurrentTransition):
        return ["Someone else changed this recommendation at the same time. Check the page and try again."]
    return list(getattr(error, "messages", [str(error)]))


def _posted(request: AuthenticatedRequest) -> dict[str, Any]:
    """A form's data and files when it is sent, nothing when its page is asked for (an unbound form)."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


# --- the addressee's changes ---


@login_required
@require_http_methods(CHANGE_METHODS)
def record_response(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_record_response(
            recommendation=recommendation, by=request.user, response=data["response"], reason=data["reason"]
        )

    form = ResponseForm(**_posted(request))
    return _act(
        request,
        recommendation,
        form,
        rule=RESPOND,
        perform=perform,
        success="Response recorded",
        page="record_response",
    )


@login_required
@require_http_methods(CHANGE_METHODS)
def add_progress_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.progress_update_record(recommendation=recommendation, by=request.user, **data)

    form = ProgressUpdateForm(**_posted(request))
    success = "Progress update added"
    return _act(
        request, recommendation, form, rule=RESPOND, perform=perform, success=success, page="add_progress_update"
    )


@login_required
@require_http_methods(CHANGE_METHODS)
def add_action(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.action_plan_item_add(recommendation=recommendation, by=request.user, **data)

    form = ActionPlanItemForm(**_posted(request))
    success = "Action added to the plan"
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success=success, page="add_action")


@login_required
@require_POST
def complete_action(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    item = get_object_or_404(recommendation.actions, pk=item_pk)

    def perform(data: dict[str, Any]) -> None:
        services.action_plan_item_complete(item=item, by=request.user, completed_on=data["completed_on"])

    form = ActionCompleteForm(request.POST, item=item)
    success = "Action marked as done"
    return _act(request, recommendation, form, rule=RESPOND, perform=perform, success=success, page=None)


@login_required
@require_http_methods(CHANGE_METHODS)
def request_target_date(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.target_date_change_request(recommendation=recommendation, by=request.user, **data)

    form = TargetDateRequestForm(**_posted(request))
    success = "Your request to move the target date has been sent to the Inspectorate"
    rule = RESPOND if recommendation.target_date is not None else NO_DATE_TO_MOVE
    return _act(request, recommendation, form, rule=rule, perform=perform, success=success, page="request_target_date")


# --- the Inspectorate's changes ---


@login_required
@require_http_methods(CHANGE_METHODS)
def decide_target_date(request: AuthenticatedRequest, pk: int, req_pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    change_request = get_object_or_404(recommendation.target_date_requests.select_related("requested_by"), pk=req_pk)
    change_request.recommendation = recommendation  # the one already checked, not a second fetch

    def perform(data: dict[str, Any]) -> None:
        services.target_date_change_decide(
            change_request=change_request, by=request.user, approve=data["decision"] == "approve", note=data["note"]
        )

    form = TargetDateDecisionForm(**_posted(request))
    approving = request.POST.get("date_decision-decision") == "approve"
    success = "Request approved: the target date has moved" if approving else "Request rejected"
    context = {"change_request": change_request}
    return _act(
        request,
        recommendation,
        form,
        rule=DECIDE,
        perform=perform,
        success=success,
        page="decide_target_date",
        context=context,
    )


@login_required
@require_http_methods(CHANGE_METHODS)
def record_follow_up(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.follow_up_record(recommendation=recommendation, by=request.user, **data)

    form = FollowUpForm(**_posted(request))
    success = "Follow-up activity recorded"
    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success=success, page="record_follow_up")


@login_required
@require_http_methods(CHANGE_METHODS)
def set_judgement(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_set_judgement(recommendation=recommendation, by=request.user, **data)

    form = JudgementForm(**_posted(request))
    return _act(
        request, recommendation, form, rule=DECIDE, perform=perform, success="Judgement recorded", page="set_judgement"
    )


@login_required
@require_http_methods(CHANGE_METHODS)
def change_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    action = request.POST.get("workflow-action", "")
    rule = _workflow_rule(action) if request.method == "POST" else STEPS_AVAILABLE

    def perform(data: dict[str, Any]) -> None:
        services.recommendation_transition(recommendation=recommendation, by=request.user, **data)

    form = WorkflowForm(**_posted(request), recommendation=recommendation)
    success = SUCCESS_BY_ACTION.get(action, "")
    return _act(request, recommendation, form, rule=rule, perform=perform, success=success, page="change_status")


def _workflow_rule(action: str) -> Rule:
    """Who may take this step at all (its transition's permission), whatever the recommendation's status now."""
    if action not in WORKFLOW_ACTIONS:
        return Rule(lambda recommendation, user: True, "")  # the form refuses an unknown step
    transitions = getattr(Recommendation, action)._django_fsm.transitions.values()

    def allows(recommendation: Recommendation, user: User) -> bool:
        return any(transition.has_perm(recommendation, user) for transition in transitions)

    return Rule(allows, f"You cannot '{WORKFLOW_ACTIONS[action].lower()}'.")


@login_required
@require_http_methods(CHANGE_METHODS)
def assign_owner(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for(request.user, pk)
    form = OwnerForm(**_posted(request), recommendation=recommendation)

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

    success = "Owner and target date saved"
    return _act(request, recommendation, form, rule=DECIDE, perform=perform, success=success, page="assign_owner")


# --- evidence files: only ever through here, to people who can see the recommendation ---


@login_required
@require_safe
def evidence_file(request: AuthenticatedRequest, pk: int, update_pk: int) -> FileResponse:
    recommendation = get_recommendation_for(request.user, pk)
    update = get_object_or_404(recommendation.progress_updates, pk=update_pk)
    name = update.evidence_file.name
    if not name:  # as `not update.evidence_file`
        raise Http404("This update has no file.")
    try:
        handle = update.evidence_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    response = FileResponse(handle, as_attachment=True, filename=PurePath(name).name)
    response["Cache-Control"] = "private, no-store"
    return response
