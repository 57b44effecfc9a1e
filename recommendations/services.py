"""Every change to a recommendation goes through here, so that each one is checked and kept in its history.

History rows (django-simple-history) carry who (`_history_user`) and why (`_change_reason`); they are written in
the same transaction as the change. Role checks are repeated here as well as in the views: defence in depth.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.shared_cache import records_changed
from recommendations import notifications, permissions
from recommendations.models import (
    ActionPlanItem,
    ChangesVisit,
    FollowUpActivity,
    Judgement,
    Progress,
    ProgressUpdate,
    Recommendation,
    RecurrenceLink,
    RecurrenceState,
    Response,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
    target_date_refusal,
)

# The workflow steps a person can take, by the name of the transition method on Recommendation.
WORKFLOW_ACTIONS: dict[str, str] = {
    "request_closure": "Ask for closure",
    "decline_closure": "Keep open",
    "close_implemented": "Close as implemented",
    "close_not_implemented": "Close as not implemented",
    "supersede": "Mark as superseded",
    "reopen": "Reopen",
}


NO_TARGET_DATE_TO_MOVE = "There is no target date to move yet. The Inspectorate sets it."


class WorkflowError(ValidationError):
    """A change the workflow or the person's role does not allow; its message is for the person."""


def _save(recommendation: Recommendation, *, by: User, reason: str) -> None:
    recommendation._history_user = by
    recommendation._change_reason = reason.strip()
    recommendation.last_updated_at = timezone.now()  # a change is an event of its own
    try:
        # Constraints are left to the database (one query instead of one per constraint).
        recommendation.full_clean(exclude=["text", "themes"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:  # the model's rules (owner, replacement…), told to the person like ours
        raise WorkflowError(error) from error
    recommendation.save()


def _touch(recommendation: Recommendation) -> None:
    """Something was recorded on it (a progress update, follow-up, date request or decision, action): its "Last
    updated" is now: one UPDATE of its row, in the caller's transaction."""
    recommendation.last_updated_at = timezone.now()
    Recommendation.objects.filter(pk=recommendation.pk).touch(recommendation.last_updated_at)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Decisions that undo or refuse something are explained in writing.
STEPS_NEEDING_A_REASON = ("close_not_implemented", "supersede", "reopen", "decline_closure")


def _checked_step(
    recommendation: Recommendation, action: str, *, by: User, reason: str, subject: str = "the recommendation"
) -> Any:
    """The bound transition for `action`, once the workflow, the role and the reason allow it."""
    if action not in WORKFLOW_ACTIONS:
        raise WorkflowError(f"Unknown action {action!r}.")
    step = getattr(recommendation, action)
    if not can_proceed(step):
        raise WorkflowError(
            f"'{WORKFLOW_ACTIONS[action]}' is not possible while {subject} is "
            f"{recommendation.get_status_display().lower()}."
        )
    _require(has_transition_perm(step, by), f"You cannot '{WORKFLOW_ACTIONS[action].lower()}'.")
    if action in STEPS_NEEDING_A_REASON and not reason.strip():
        raise WorkflowError("Give a reason for this decision.")
    return step


def _check_owner(recommendation: Recommendation, owner: User | None, *, named: bool = False) -> None:
    """Only an active person who can see the recommendation owns it (permissions.may_own): its reminders carry its
    text. `named`: the message names the recommendation (one of a batch)."""
    if refusal := permissions.owner_refusal(recommendation, owner):
        raise WorkflowError(f"{recommendation.reference}: {refusal}" if named else refusal)


def _require_active(recommendation: Recommendation, *, named: bool = False) -> None:
    if refusal := recommendation.closed_refusal(named=named):
        raise WorkflowError(refusal)


@transaction.atomic
def recommendation_assign_owner(
    *, recommendation: Recommendation, owner: User | None, by: User, reason: str = ""
) -> None:
    _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff can assign owners.")
    _require_active(recommendation)
    _check_owner(recommendation, owner)
    recommendation.owner = owner
    _save(recommendation, by=by, reason=reason or f"Owner set to {owner or 'nobody'}")


@transaction.atomic
def recommendation_set_target_date(
    *, recommendation: Recommendation, target_date: datetime.date | None, by: User, reason: str = ""
) -> None:
    _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff can set target dates.")
    _require_active(recommendation)
    if refusal := target_date_refusal(recommendation.target_date, target_date, reason):
        raise WorkflowError(refusal)
    recommendation.target_date = target_date
    _save(recommendation, by=by, reason=reason or "Target date set")


@transaction.atomic
def recommendation_transition(
    *,
    recommendation: Recommendation,
    action: str,
    by: User,
    reason: str = "",
    superseded_by: Recommendation | None = None,
) -> None:
    """Take one workflow step (see WORKFLOW_ACTIONS), refusing what the workflow or the role does not allow."""
    step = _checked_step(recommendation, action, by=by, reason=reason)
    step()
    if action == "supersede":
        recommendation.superseded_by = superseded_by
    _save(recommendation, by=by, reason=reason or WORKFLOW_ACTIONS[action])


@transaction.atomic
def recommendation_record_response(
    *, recommendation: Recommendation, response: str, by: User, reason: str = ""
) -> None:
    _require(permissions.can_respond(recommendation, by), "You cannot respond to this recommendation.")
    _require_active(recommendation)
    if response == Response.AWAITING:
        raise WorkflowError("Choose agreed, partly agreed or not agreed.")
    if response in (Response.PARTLY_AGREED, Response.NOT_AGREED) and not reason.strip():
        raise WorkflowError("Say why the recommendation is only partly agreed or not agreed.")
    recommendation.response = response
    recommendation.response_reason = reason.strip()
    recommendation.responded_at = timezone.now()
    _save(recommendation, by=by, reason=f"Response: {recommendation.get_response_display()}")


@transaction.atomic
def recommendation_set_judgement(*, recommendation: Recommendation, judgement: str, by: User, reason: str = "") -> None:
    _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff can judge progress.")
    _require_active(recommendation)
    if judgement not in Judgement.values or judgement == Judgement.NOT_ASSESSED:
        raise WorkflowError("Choose a judgement of progress.")
    recommendation.judgement = judgement
    _save(recommendation, by=by, reason=reason or f"Judgement: {recommendation.get_judgement_display()}")


@transaction.atomic
def progress_update_record(
    *,
    recommendation: Recommendation,
    by: User,
    progress: str,
    text: str,
    evidence_url: str = "",
    evidence_file: Any = None,
) -> ProgressUpdate:
    _require(permissions.can_respond(recommendation, by), "You cannot update this recommendation.")
    _require_active(recommendation)
    if progress not in Progress.values:
        raise WorkflowError("Choose how far implementation has got.")
    update = ProgressUpdate(
        recommendation=recommendation,
        author=by,
        progress=progress,
        text=text.strip(),
        evidence_url=evidence_url,
        evidence_file=evidence_file or "",
    )
    update.full_clean()
    update.save()
    _touch(recommendation)
    if recommendation.progress != progress:
        recommendation.progress = progress
        _save(recommendation, by=by, reason=f"Progress: {recommendation.get_progress_display()}")
    return update


@transaction.atomic
def follow_up_record(
    *,
    recommendation: Recommendation,
    by: User,
    kind: str,
    activity_date: datetime.date,
    notes: str = "",
    outcome: str = "",
    conducted_by: User | None = None,
) -> FollowUpActivity:
    _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff record follow-up activity.")
    _require_active(recommendation)
    activity = FollowUpActivity(
        recommendation=recommendation,
        kind=kind,
        activity_date=activity_date,
        notes=notes.strip(),
        outcome=outcome.strip(),
        conducted_by=conducted_by or by,
    )
    activity.full_clean()
    activity.save()
    _touch(recommendation)
    notifications.tell_follow_up(activity, by=by)
    return activity


@transaction.atomic
def action_plan_item_add(
    *,
    recommendation: Recommendation,
    by: User,
    description: str,
    responsible: str = "",
    target_date: datetime.date | None = None,
) -> ActionPlanItem:
    _require(permissions.can_respond(recommendation, by), "You cannot change this action plan.")
    _require_active(recommendation)
    position = recommendation.actions.count() + 1
    item = ActionPlanItem(
        recommendation=recommendation,
        position=position,
        description=description.strip(),
        responsible=responsible.strip(),
        target_date=target_date,
        created_by=by,
    )
    item.full_clean()
    item.save()
    _touch(recommendation)
    return item


@transaction.atomic
def action_plan_item_complete(*, item: ActionPlanItem, by: User, completed_on: datetime.date | None = None) -> None:
    _require(permissions.can_respond(item.recommendation, by), "You cannot change this action plan.")
    _require_active(item.recommendation)
    item.completed_on = completed_on or timezone.localdate()
    item.save(update_fields=["completed_on"])
    _touch(item.recommendation)


# --- bulk changes (admin actions): the same rules, one history row per recommendation ---


@transaction.atomic
def recommendations_bulk_assign_owner(
    *, recommendations: Iterable[Recommendation], owner: User | None, by: User, reason: str = ""
) -> int:
    rows = list(recommendations)
    before = _before(rows)
    for recommendation in rows:
        _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff can assign owners.")
        _require_active(recommendation, named=True)
        _check_owner(recommendation, owner, named=True)
        recommendation.owner = owner
    return _bulk_save(rows, ["owner"], by=by, reason=reason or f"Owner set to {owner or 'nobody'}", before=before)


@transaction.atomic
def recommendations_bulk_transition(
    *, recommendations: Iterable[Recommendation], action: str, by: User, reason: str = ""
) -> int:
    """Apply one workflow step to many; refuses the whole batch if any row may not take it."""
    rows = list(recommendations)
    before = _before(rows)
    for recommendation in rows:
        _checked_step(recommendation, action, by=by, reason=reason, subject=recommendation.reference)()
    fields = ["status", "closed_at", "closure_requested_at", "superseded_by"]  # what the steps set
    return _bulk_save(rows, fields, by=by, reason=reason or WORKFLOW_ACTIONS[action], before=before)


def _before(rows: list[Recommendation]) -> dict[int, tuple[int | None, str]]:
    """Each row's owner and status before a bulk change: what its notifications compare with."""
    return {row.pk: (row.owner_id, row.status) for row in rows}


def _bulk_save(
    rows: list[Recommendation],
    fields: list[str],
    *,
    by: User,
    reason: str,
    before: dict[int, tuple[int | None, str]] | None = None,
) -> int:
    now = timezone.now()
    for recommendation in rows:
        recommendation.updated_at = recommendation.last_updated_at = now
    saved: int = bulk_update_with_history(
        rows,
        Recommendation,
        [*fields, "updated_at", "last_updated_at"],
        batch_size=500,
        default_user=by,
        default_change_reason=reason,
    )
    records_changed()  # a bulk update sends no post_save (recommendations/kept_records.py)
    if before is not None:  # bulk history sends no signal: tell of new owners and decided closures here
        notifications.tell_of_bulk_changes(rows, before, by)
    return saved  # how many rows were updated (simple_history has no type hints)


# --- target date change requests: the addressee asks, the Inspectorate decides ---


@transaction.atomic
def target_date_change_request(
    *, recommendation: Recommendation, by: User, proposed_date: datetime.date, reason: str
) -> TargetDateChangeRequest:
    _require(permissions.can_respond(recommendation, by), "You cannot ask to move this target date.")
    _require_active(recommendation)
    if recommendation.target_date is None:
        raise WorkflowError(NO_TARGET_DATE_TO_MOVE)
    if proposed_date == recommendation.target_date:
        raise WorkflowError("That is already the target date.")
    if recommendation.target_date_requests.filter(status=TargetDateRequestStatus.PENDING).exists():
        raise WorkflowError("A request to move this target date is already waiting for a decision.")
    change_request = TargetDateChangeRequest(
        recommendation=recommendation, requested_by=by, proposed_date=proposed_date, reason=reason.strip()
    )
    change_request.full_clean(validate_constraints=False)  # the partial unique constraint is checked above
    change_request.save()
    _touch(recommendation)
    return change_request


@transaction.atomic
def target_date_change_decide(
    *, change_request: TargetDateChangeRequest, by: User, approve: bool, note: str = ""
) -> None:
    """Approve (the target date moves, with the request's reason in its history) or reject with a note."""
    recommendation = change_request.recommendation
    _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff decide target date requests.")
    _require_active(recommendation)
    if not approve and not note.strip():
        raise WorkflowError("Say why the request is rejected.")
    # Claim the request with a conditional update, so that two people deciding at once cannot both act on it.
    claimed = TargetDateChangeRequest.objects.filter(
        pk=change_request.pk, status=TargetDateRequestStatus.PENDING
    ).update(
        status=TargetDateRequestStatus.APPROVED if approve else TargetDateRequestStatus.REJECTED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )
    if not claimed:
        raise WorkflowError("This request has already been decided.")
    _touch(recommendation)  # the decision is an event, approved or not
    if approve:
        requester = change_request.requested_by
        recommendation_set_target_date(
            recommendation=recommendation,
            target_date=change_request.proposed_date,
            by=by,
            reason=f"{change_request.reason.strip()} (asked by {requester})",
        )
    change_request.refresh_from_db()
    notifications.tell_date_request_decided(change_request, by=by)


@transaction.atomic
def recommendations_bulk_set_target_date(
    *, recommendations: Iterable[Recommendation], target_date: datetime.date, by: User, reason: str = ""
) -> int:
    """Give many recommendations one target date; refuses the whole batch if any date would move without a reason."""
    rows = list(recommendations)
    for recommendation in rows:
        _require(permissions.can_decide(recommendation, by), "Only Inspectorate staff can set target dates.")
        _require_active(recommendation, named=True)
        if refusal := target_date_refusal(recommendation.target_date, target_date, reason):
            raise WorkflowError(f"{recommendation.reference}: {refusal}")
        recommendation.target_date = target_date
        recommendation.note_target_date_change()
    fields = ["target_date", "original_target_date", "target_date_moves"]
    return _bulk_save(rows, fields, by=by, reason=reason.strip() or "Target date set")


def recurrences_decide(*, links: QuerySet[RecurrenceLink], repeat: bool, by: Any) -> int:
    """Confirm the links as repeats (`repeat`) or dismiss them, with who decided and when; a decision can be
    changed the same way. Only Inspectorate staff decide: a confirmed link shows on both recommendations' pages."""
    _require(permissions.can_decide_repeats(by), "Only Inspectorate staff decide on repeats.")
    state = RecurrenceState.CONFIRMED if repeat else RecurrenceState.DISMISSED
    return links.update(state=state, decided_by=by, decided_at=timezone.now())


def recurrence_decide(*, link: RecurrenceLink, repeat: bool, by: User) -> None:
    """One suggestion confirmed or dismissed from the pages (the recommendation's, or Recurring recommendations)."""
    recurrences_decide(links=RecurrenceLink.objects.filter(pk=link.pk), repeat=repeat, by=by)


# --- What's changed: the person's visits ---

# Views of What's changed closer together than this are one visit: what it shows by default stays put while the
# person pages through it, opens a recommendation and comes back.
VISIT_GAP = datetime.timedelta(minutes=30)


def changes_visit_record(*, user: User, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Record that `user` is looking at What's changed now; returns when their previous visit was (None: never)."""
    now = now or timezone.now()
    visit = ChangesVisit.objects.filter(user=user).first()
    if visit is None:  # two first views at once: the second is ignored rather than an error
        ChangesVisit.objects.bulk_create([ChangesVisit(user=user, seen_at=now)], ignore_conflicts=True)
        return None
    previous = visit.seen_at if now - visit.seen_at >= VISIT_GAP else visit.previous_seen_at
    ChangesVisit.objects.filter(pk=visit.pk).update(seen_at=now, previous_seen_at=previous)
    return previous
