"""Every change made from the recommendation page, by each role: what is allowed, what is refused, and the history."""

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role, User
from recommendations import services
from recommendations.models import (
    Addressee,
    Recommendation,
    Status,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from tests.detail.conftest import (
    TARGET_DATE,
    client_for,
    latest_history,
    post,
    previous_history,
    snapshot,
    undated,
    url,
)
from tests.factories import make_inspection, make_recommendation

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def date_fields(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def workflow(action: str, reason: str = "", superseded_by: Recommendation | None = None) -> dict[str, str]:
    data = {"workflow-action": action, "workflow-reason": reason}
    if superseded_by is not None:
        data["workflow-superseded_by"] = str(superseded_by.pk)
    return data


def put_in(recommendation: Recommendation, status: str, staff: User, lead: User) -> None:
    """Bring a recommendation to `status` the way people do, so that its history is real."""
    if status == Status.AWAITING_CLOSURE:
        services.recommendation_transition(recommendation=recommendation, action="request_closure", by=lead)
    elif status == Status.CLOSED_IMPLEMENTED:
        services.recommendation_transition(recommendation=recommendation, action="close_implemented", by=staff)


def assert_history(recommendation: Recommendation, *, by: object, old: str, new: str, reason: str) -> None:
    row, before = latest_history(recommendation), previous_history(recommendation)
    assert row.history_user == by
    assert (before.status, row.status) == (old, new)
    assert row.history_change_reason == reason


# --- allowed steps ---


@pytest.mark.parametrize(
    ("start", "action", "reason", "end", "message"),
    [
        (Status.AWAITING_CLOSURE, "decline_closure", "Evidence is not yet enough.", Status.OPEN, "stays open"),
        (Status.OPEN, "close_implemented", "", Status.CLOSED_IMPLEMENTED, "closed as implemented"),
        (Status.AWAITING_CLOSURE, "close_implemented", "Verified on visit.", Status.CLOSED_IMPLEMENTED, "implemented"),
        (
            Status.OPEN,
            "close_not_implemented",
            "Overtaken by reform.",
            Status.CLOSED_NOT_IMPLEMENTED,
            "not implemented",
        ),
        (Status.CLOSED_IMPLEMENTED, "reopen", "The problem came back.", Status.OPEN, "open again"),
    ],
)
def test_inspectorate_takes_each_step(staff, lead, recommendation, start, action, reason, end, message) -> None:
    put_in(recommendation, start, staff, lead)
    response = post(staff, "change_status", recommendation, workflow(action, reason), follow=True)
    assert response.redirect_chain == [(url("detail", recommendation), 302)]
    assert message in response.content.decode()
    assert "govuk-notification-banner--success" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == end
    expected_reason = reason or services.WORKFLOW_ACTIONS[action]
    assert_history(recommendation, by=staff, old=start, new=end, reason=expected_reason)


def test_regional_lead_says_ready_for_closure(lead, recommendation) -> None:
    response = post(
        lead, "change_status", recommendation, workflow("request_closure", "All actions done."), follow=True
    )
    assert "ready for closure" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == Status.AWAITING_CLOSURE
    assert_history(recommendation, by=lead, old=Status.OPEN, new=Status.AWAITING_CLOSURE, reason="All actions done.")


def test_hmpps_lead_says_national_item_ready_for_closure(hmpps_lead, national) -> None:
    response = post(hmpps_lead, "change_status", national, workflow("request_closure"))
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.status == Status.AWAITING_CLOSURE
    assert latest_history(national).history_user == hmpps_lead


def test_supersede_links_the_repeated_recommendation(staff, national) -> None:
    later = make_inspection(type="thematic", title="Vetting: a follow-up inspection", published_on=TODAY)
    repeated = make_recommendation(later, addressee=Addressee.HMPPS, text="Complete vetting before people start.")
    data = workflow("supersede", "Repeated in the 2026 follow-up.", superseded_by=repeated)
    response = post(staff, "change_status", national, data, follow=True)
    page = response.content.decode()
    national.refresh_from_db()
    assert national.status == Status.SUPERSEDED
    assert national.superseded_by == repeated
    assert f'href="{url("detail", repeated)}"' in page
    assert repeated.reference in page
    assert_history(national, by=staff, old=Status.OPEN, new=Status.SUPERSEDED, reason="Repeated in the 2026 follow-up.")


# --- refused steps: 403 for the role, 400 for the workflow or a missing reason; nothing changes ---


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.OPEN, "close_implemented"),
        (Status.OPEN, "close_not_implemented"),
        (Status.OPEN, "supersede"),
        (Status.AWAITING_CLOSURE, "decline_closure"),
        (Status.AWAITING_CLOSURE, "close_implemented"),
        (Status.CLOSED_IMPLEMENTED, "reopen"),
    ],
)
def test_regional_lead_cannot_decide(staff, lead, recommendation, start, action) -> None:
    put_in(recommendation, start, staff, lead)
    before = snapshot(recommendation)
    response = post(lead, "change_status", recommendation, workflow(action, "Please", superseded_by=None))
    assert response.status_code == 403
    assert "You cannot" in response.content.decode()
    assert snapshot(recommendation) == before


def test_hmpps_lead_cannot_close(hmpps_lead, national) -> None:
    before = snapshot(national)
    response = post(hmpps_lead, "change_status", national, workflow("close_implemented"))
    assert response.status_code == 403
    assert "close as implemented" in response.content.decode()
    assert snapshot(national) == before


@pytest.mark.parametrize(
    ("start", "action", "who", "says"),
    [
        (Status.OPEN, "reopen", Role.INSPECTORATE, "not possible while the recommendation is open"),
        (Status.OPEN, "decline_closure", Role.INSPECTORATE, "not possible while the recommendation is open"),
        (Status.CLOSED_IMPLEMENTED, "close_implemented", Role.INSPECTORATE, "not possible"),
        (Status.AWAITING_CLOSURE, "request_closure", Role.REGIONAL_LEAD, "awaiting closure decision"),
        (Status.CLOSED_IMPLEMENTED, "request_closure", Role.REGIONAL_LEAD, "not possible"),
    ],
)
def test_steps_the_workflow_does_not_allow(staff, lead, recommendation, start, action, who, says) -> None:
    put_in(recommendation, start, staff, lead)
    before = snapshot(recommendation)
    person = staff if who == Role.INSPECTORATE else lead
    response = post(person, "change_status", recommendation, workflow(action, "A reason"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert says in page
    assert snapshot(recommendation) == before


@pytest.mark.parametrize("action", ["close_not_implemented", "supersede", "decline_closure", "reopen"])
def test_decisions_need_a_reason(staff, lead, recommendation, action) -> None:
    start = {"decline_closure": Status.AWAITING_CLOSURE, "reopen": Status.CLOSED_IMPLEMENTED}.get(action, Status.OPEN)
    put_in(recommendation, start, staff, lead)
    before = snapshot(recommendation)
    response = post(staff, "change_status", recommendation, workflow(action, "  "))
    assert response.status_code == 400
    assert '<a href="#id_workflow-reason">Give a reason for this decision.</a>' in response.content.decode()
    assert snapshot(recommendation) == before


def test_supersede_needs_the_recommendation_that_replaces_it(staff, national) -> None:
    before = snapshot(national)
    response = post(staff, "change_status", national, workflow("supersede", "Repeated"))
    assert response.status_code == 400
    assert 'href="#id_workflow-superseded_by"' in response.content.decode()
    assert snapshot(national) == before


def test_unknown_step_is_refused(staff, recommendation) -> None:
    before = snapshot(recommendation)
    response = post(staff, "change_status", recommendation, workflow("delete"))
    assert response.status_code == 400
    assert "Choose what to do." in response.content.decode()
    assert snapshot(recommendation) == before


# --- response ---


def test_lead_records_agreement(lead, recommendation) -> None:
    data = {"response-response": "agreed", "response-reason": ""}
    response = post(lead, "record_response", recommendation, data, follow=True)
    assert "Response recorded" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.response == "agreed"
    assert recommendation.responded_at is not None
    row = latest_history(recommendation)
    assert (row.history_user, row.response, row.history_change_reason) == (lead, "agreed", "Response: Agreed")


@pytest.mark.parametrize("answer", ["partly_agreed", "not_agreed"])
def test_disagreement_needs_a_reason(lead, recommendation, answer) -> None:
    before = snapshot(recommendation)
    response = post(lead, "record_response", recommendation, {"response-response": answer})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#id_response-reason">Say why the recommendation is only partly agreed or not agreed.</a>' in page
    assert snapshot(recommendation) == before


def test_disagreement_with_reason_is_recorded(hmpps_lead, national) -> None:
    data = {"response-response": "not_agreed", "response-reason": "Vetting is a Cabinet Office matter."}
    assert post(hmpps_lead, "record_response", national, data).status_code == 302
    national.refresh_from_db()
    assert (national.response, national.response_reason) == ("not_agreed", "Vetting is a Cabinet Office matter.")


def test_response_must_be_chosen(lead, recommendation) -> None:
    response = post(lead, "record_response", recommendation, {"response-response": "awaiting"})
    assert response.status_code == 400
    assert 'href="#id_response-response_0"' in response.content.decode()


# --- judgement and follow-up: the Inspectorate only ---


def test_inspectorate_sets_judgement(staff, recommendation) -> None:
    data = {"judgement-judgement": "reasonable", "judgement-reason": "Audit shows improvement."}
    response = post(staff, "set_judgement", recommendation, data, follow=True)
    assert "Judgement recorded" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.judgement == "reasonable"
    row = latest_history(recommendation)
    assert (row.history_user, row.history_change_reason) == (staff, "Audit shows improvement.")


@pytest.mark.parametrize("persona", ["lead", "hmpps_lead"])
def test_leads_cannot_touch_the_judgement(request, recommendation, national, persona) -> None:
    person = request.getfixturevalue(persona)
    target = recommendation if persona == "lead" else national
    before = snapshot(target)
    response = post(person, "set_judgement", target, {"judgement-judgement": "good"})
    assert response.status_code == 403
    assert "Only Inspectorate staff" in response.content.decode()
    assert snapshot(target) == before


def test_inspectorate_records_follow_up(staff, recommendation) -> None:
    data = {"follow_up-kind": "meeting", **date_fields("follow_up-activity_date", TODAY), "follow_up-notes": "Met"}
    response = post(staff, "record_follow_up", recommendation, data, follow=True)
    assert "Follow-up activity recorded" in response.content.decode()
    activity = recommendation.follow_ups.get()
    assert (activity.kind, activity.activity_date, activity.conducted_by) == ("meeting", TODAY, staff)


def test_follow_up_needs_a_real_date(staff, recommendation) -> None:
    data = {"follow_up-kind": "visit", "follow_up-activity_date_day": "31", "follow_up-activity_date_month": "2"}
    data["follow_up-activity_date_year"] = "2026"
    response = post(staff, "record_follow_up", recommendation, data)
    assert response.status_code == 400
    assert 'href="#id_follow_up-activity_date_day"' in response.content.decode()
    assert not recommendation.follow_ups.exists()


def test_lead_cannot_record_follow_up(lead, recommendation) -> None:
    before = snapshot(recommendation)
    data = {"follow_up-kind": "meeting", **date_fields("follow_up-activity_date", TODAY)}
    assert post(lead, "record_follow_up", recommendation, data).status_code == 403
    assert snapshot(recommendation) == before


# --- owner and target date ---


def test_inspectorate_assigns_owner_and_target_date(staff, lead, recommendation) -> None:
    undated(recommendation)
    data = {"owner-owner": str(lead.pk), **date_fields("owner-target_date", TODAY)}
    response = post(staff, "assign_owner", recommendation, data, follow=True)
    assert "Owner and target date saved" in response.content.decode()
    recommendation.refresh_from_db()
    assert (recommendation.owner, recommendation.target_date) == (lead, TODAY)
    assert latest_history(recommendation).history_user == staff


def test_moving_the_target_date_needs_a_reason(staff, recommendation) -> None:
    Recommendation.objects.filter(pk=recommendation.pk).update(target_date=TODAY)
    before = snapshot(recommendation)
    later = TODAY + datetime.timedelta(days=60)
    response = post(staff, "assign_owner", recommendation, date_fields("owner-target_date", later))
    assert response.status_code == 400
    assert '<a href="#id_owner-reason">Give a reason for moving the target date.</a>' in response.content.decode()
    assert snapshot(recommendation) == before
    data = {**date_fields("owner-target_date", later), "owner-reason": "Recruitment freeze until May."}
    assert post(staff, "assign_owner", recommendation, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.target_date == later
    assert latest_history(recommendation).history_change_reason == "Recruitment freeze until May."


def test_saving_nothing_new_is_refused(staff, recommendation) -> None:
    undated(recommendation)
    response = post(staff, "assign_owner", recommendation, {"owner-owner": ""})
    assert response.status_code == 400
    assert "Change the owner or the target date" in response.content.decode()


def test_lead_cannot_assign_owner(lead, recommendation) -> None:
    before = snapshot(recommendation)
    assert post(lead, "assign_owner", recommendation, {"owner-owner": str(lead.pk)}).status_code == 403
    assert snapshot(recommendation) == before


# --- action plan ---


def test_lead_adds_and_completes_actions(lead, recommendation) -> None:
    data = {"action-description": "Train all staff", "action-responsible": "Learning team"}
    response = post(
        lead, "add_action", recommendation, {**data, **date_fields("action-target_date", TODAY)}, follow=True
    )
    assert "Action added to the plan" in response.content.decode()
    item = recommendation.actions.get()
    assert (item.description, item.responsible, item.target_date, item.created_by) == (
        "Train all staff",
        "Learning team",
        TODAY,
        lead,
    )
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC)):
        response = post(lead, "complete_action", recommendation, {}, item.pk, follow=True)
    assert "Action marked as done" in response.content.decode()
    item.refresh_from_db()
    assert item.completed_on == datetime.date(2026, 3, 5)
    again = post(lead, "complete_action", recommendation, {}, item.pk)
    assert again.status_code == 400
    assert "already done" in again.content.decode()


def test_action_needs_a_description(lead, recommendation) -> None:
    response = post(lead, "add_action", recommendation, {"action-description": ""})
    assert response.status_code == 400
    assert '<a href="#id_action-description">' in response.content.decode()
    assert not recommendation.actions.exists()


def test_action_of_another_recommendation_is_not_found(lead, recommendation) -> None:
    other = make_recommendation(recommendation.inspection)
    item = services.action_plan_item_add(recommendation=other, by=lead, description="Elsewhere")
    assert post(lead, "complete_action", recommendation, {}, item.pk).status_code == 404
    item.refresh_from_db()
    assert item.completed_on is None


# --- target date change requests ---


def ask(lead, recommendation, day: datetime.date, reason: str = "Recruitment is delayed.") -> Any:
    data = {**date_fields("date_request-proposed_date", day), "date_request-reason": reason}
    return post(lead, "request_target_date", recommendation, data, follow=True)


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
def test_lead_asks_and_inspectorate_approves(staff, lead, recommendation) -> None:
    undated(recommendation)
    services.recommendation_set_target_date(recommendation=recommendation, target_date=TODAY, by=staff)
    new_date = datetime.date(2026, 9, 30)
    response = ask(lead, recommendation, new_date)
    assert "sent to the Inspectorate" in response.content.decode()
    change_request = TargetDateChangeRequest.objects.get()
    assert (change_request.status, change_request.requested_by, change_request.proposed_date) == (
        TargetDateRequestStatus.PENDING,
        lead,
        new_date,
    )
    assert 'id="pending-date-request"' in client_page(staff, recommendation)
    decision = {"date_decision-decision": "approve", "date_decision-note": ""}
    response = post(staff, "decide_target_date", recommendation, decision, change_request.pk, follow=True)
    assert "Request approved" in response.content.decode()
    recommendation.refresh_from_db()
    change_request.refresh_from_db()
    assert recommendation.target_date == new_date
    assert (change_request.status, change_request.decided_by) == (TargetDateRequestStatus.APPROVED, staff)
    row = latest_history(recommendation)
    assert row.history_user == staff
    assert "Recruitment is delayed." in row.history_change_reason
    assert (previous_history(recommendation).target_date, row.target_date) == (TODAY, new_date)


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
def test_inspectorate_rejects_with_a_note(staff, lead, recommendation) -> None:
    undated(recommendation)
    services.recommendation_set_target_date(recommendation=recommendation, target_date=TODAY, by=staff)
    ask(lead, recommendation, datetime.date(2026, 9, 30))
    change_request = TargetDateChangeRequest.objects.get()
    before = snapshot(recommendation)
    no_note = post(staff, "decide_target_date", recommendation, {"date_decision-decision": "reject"}, change_request.pk)
    assert no_note.status_code == 400
    assert '<a href="#id_date_decision-note">Say why the request is rejected.</a>' in no_note.content.decode()
    assert snapshot(recommendation) == before
    decision = {"date_decision-decision": "reject", "date_decision-note": "The plan shows it can be done by then."}
    response = post(staff, "decide_target_date", recommendation, decision, change_request.pk, follow=True)
    assert "Request rejected" in response.content.decode()
    change_request.refresh_from_db()
    recommendation.refresh_from_db()
    assert change_request.status == TargetDateRequestStatus.REJECTED
    assert change_request.decision_note == "The plan shows it can be done by then."
    assert recommendation.target_date == TODAY
    again = post(staff, "decide_target_date", recommendation, decision, change_request.pk)
    assert again.status_code == 400
    assert "already been decided" in again.content.decode()


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
def test_target_date_request_rules(staff, lead, recommendation) -> None:
    past = ask(lead, recommendation, datetime.date(2026, 1, 1))
    assert past.status_code == 400
    assert "today or in the future" in past.content.decode()
    no_reason = ask(lead, recommendation, datetime.date(2026, 9, 1), reason="")
    assert no_reason.status_code == 400
    assert ask(lead, recommendation, datetime.date(2026, 9, 1)).status_code == 200  # followed to the page
    second = ask(lead, recommendation, datetime.date(2026, 10, 1))
    assert second.status_code == 400
    assert "already waiting for a decision" in second.content.decode()
    assert TargetDateChangeRequest.objects.count() == 1


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
def test_lead_cannot_decide_a_request(staff, lead, recommendation) -> None:
    ask(lead, recommendation, datetime.date(2026, 9, 30))
    change_request = TargetDateChangeRequest.objects.get()
    before = snapshot(recommendation)
    decision = {"date_decision-decision": "approve"}
    assert post(lead, "decide_target_date", recommendation, decision, change_request.pk).status_code == 403
    assert snapshot(recommendation) == before


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
def test_request_of_another_recommendation_is_not_found(staff, lead, recommendation) -> None:
    other = make_recommendation(recommendation.inspection, target_date=TARGET_DATE)
    change_request = services.target_date_change_request(
        recommendation=other, by=lead, proposed_date=datetime.date(2026, 9, 30), reason="Delay"
    )
    decision = {"date_decision-decision": "approve"}
    assert post(staff, "decide_target_date", recommendation, decision, change_request.pk).status_code == 404
    change_request.refresh_from_db()
    assert change_request.status == TargetDateRequestStatus.PENDING


def test_every_change_keeps_who_when_and_why(staff, lead, recommendation) -> None:
    """Page, bulk (admin action) and service changes all leave a history row with who, when, from, to and why."""
    post(lead, "change_status", recommendation, workflow("request_closure", "Done"))
    services.recommendations_bulk_transition(
        recommendations=[Recommendation.objects.get(pk=recommendation.pk)],
        action="close_implemented",
        by=staff,
        reason="Bulk closure after review",
    )
    rows = list(recommendation.history.order_by("history_date", "history_id"))
    assert [(row.status, row.history_user, row.history_change_reason) for row in rows[1:]] == [
        (Status.AWAITING_CLOSURE, lead, "Done"),
        (Status.CLOSED_IMPLEMENTED, staff, "Bulk closure after review"),
    ]
    assert all(row.history_date <= timezone.now() for row in rows)


def client_page(user: User, recommendation: Recommendation) -> str:
    return client_for(user).get(url("detail", recommendation)).content.decode()


def test_a_change_that_fails_comes_back_on_its_own_page(staff, recommendation) -> None:
    data = {"judgement-judgement": "no-such-judgement", "judgement-reason": "Typed before the mistake"}
    response = post(staff, "set_judgement", recommendation, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Judge progress" in page
    assert '<h1 class="govuk-heading-l">Judge progress</h1>' in page
    assert 'class="govuk-error-summary"' in page
    assert "Typed before the mistake" in page
    assert 'class="moj-timeline"' not in page  # the form's page, not the recommendation page


def test_supersede_that_fails_keeps_the_list_to_choose_from(staff, national) -> None:
    response = post(staff, "change_status", national, workflow("supersede", "Repeated"))
    assert response.status_code == 400
    assert 'name="workflow-superseded_by"' in response.content.decode()
