"""Services: every change is checked against the role and the workflow, and kept in the history with who and why."""

import datetime
import zoneinfo
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from recommendations import services
from recommendations.models import (
    Addressee,
    Judgement,
    Progress,
    Recommendation,
    Response,
    Status,
)
from recommendations.services import WorkflowError
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
JUNE_30 = datetime.date(2026, 6, 30)


@pytest.fixture
def staff() -> User:
    return make_user(Role.INSPECTORATE)


@pytest.fixture
def kss_lead() -> User:
    """The lead of Kent, Surrey and Sussex, the region the factories' recommendations are addressed to."""
    return make_user(Role.REGIONAL_LEAD)


@pytest.fixture
def other_lead() -> User:
    return make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL))


@pytest.fixture
def hmpps_lead() -> User:
    return make_user(Role.HMPPS_LEAD)


@pytest.fixture
def recommendation() -> Recommendation:
    return make_recommendation(target_date=JUNE_30)


def latest(recommendation: Recommendation):
    return recommendation.history.order_by("-history_id").first()


def assert_unchanged(recommendation: Recommendation, refuse: Callable[[], object], error: type[Exception]) -> None:
    """`refuse` raises `error`, and the recommendation and its history stay as they were in the database."""
    before = Recommendation.objects.filter(pk=recommendation.pk).values().get()
    history = recommendation.history.count()
    with pytest.raises(error):
        refuse()
    assert Recommendation.objects.filter(pk=recommendation.pk).values().get() == before
    assert recommendation.history.count() == history


# --- owner and target date ---


def test_assigning_an_owner_is_kept_with_who_and_why(recommendation: Recommendation, staff: User) -> None:
    owner = make_user(first_name="Olu", last_name="Owner")

    services.recommendation_assign_owner(recommendation=recommendation, owner=owner, by=staff, reason="New lead")

    row = latest(recommendation)
    assert (row.owner_id, row.history_user, row.history_change_reason) == (owner.pk, staff, "New lead")
    services.recommendation_assign_owner(recommendation=recommendation, owner=None, by=staff)
    assert latest(recommendation).history_change_reason == "Owner set to nobody"


def test_owners_are_active_and_assigned_by_the_inspectorate(
    recommendation: Recommendation, staff: User, kss_lead: User
) -> None:
    gone = make_user(is_active=False)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_assign_owner(recommendation=recommendation, owner=gone, by=staff),
        WorkflowError,
    )
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_assign_owner(recommendation=recommendation, owner=kss_lead, by=kss_lead),
        PermissionDenied,
    )


def test_a_target_date_is_set_freely_and_moved_only_with_a_reason(staff: User) -> None:
    recommendation = make_recommendation()
    services.recommendation_set_target_date(recommendation=recommendation, target_date=JUNE_30, by=staff)
    assert (latest(recommendation).target_date, latest(recommendation).history_change_reason) == (
        JUNE_30,
        "Target date set",
    )

    later = datetime.date(2026, 9, 30)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_set_target_date(recommendation=recommendation, target_date=later, by=staff),
        WorkflowError,
    )
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=later, by=staff, reason="Vetting backlog"
    )
    row = latest(recommendation)
    assert (row.target_date, row.history_user, row.history_change_reason) == (later, staff, "Vetting backlog")


@pytest.mark.parametrize("who", ["kss_lead", "other_lead", "hmpps_lead"])
def test_only_the_inspectorate_sets_target_dates(
    recommendation: Recommendation, who: str, request: pytest.FixtureRequest
) -> None:
    person = request.getfixturevalue(who)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_set_target_date(
            recommendation=recommendation, target_date=datetime.date(2026, 9, 30), by=person, reason="Please"
        ),
        PermissionDenied,
    )


# --- the workflow ---

# (step, status before, status after); every step is open to Inspectorate staff.
STEPS = [
    ("request_closure", Status.OPEN, Status.AWAITING_CLOSURE),
    ("decline_closure", Status.AWAITING_CLOSURE, Status.OPEN),
    ("close_implemented", Status.OPEN, Status.CLOSED_IMPLEMENTED),
    ("close_implemented", Status.AWAITING_CLOSURE, Status.CLOSED_IMPLEMENTED),
    ("close_not_implemented", Status.OPEN, Status.CLOSED_NOT_IMPLEMENTED),
    ("supersede", Status.AWAITING_CLOSURE, Status.SUPERSEDED),
    ("reopen", Status.CLOSED_IMPLEMENTED, Status.OPEN),
    ("reopen", Status.SUPERSEDED, Status.OPEN),
]


def _put_in(recommendation: Recommendation, status: str, by: User) -> None:
    path = {
        Status.OPEN: [],
        Status.AWAITING_CLOSURE: ["request_closure"],
        Status.CLOSED_IMPLEMENTED: ["close_implemented"],
        Status.SUPERSEDED: ["supersede"],
    }[Status(status)]
    for step in path:
        services.recommendation_transition(recommendation=recommendation, action=step, by=by, reason="Setting up")


@pytest.mark.parametrize(("step", "before", "after"), STEPS)
def test_inspectorate_staff_take_every_step(
    recommendation: Recommendation, staff: User, step: str, before: str, after: str
) -> None:
    _put_in(recommendation, before, staff)
    replacement = make_recommendation(recommendation.inspection) if step == "supersede" else None

    services.recommendation_transition(
        recommendation=recommendation, action=step, by=staff, reason=f"Decided: {step}", superseded_by=replacement
    )

    recommendation.refresh_from_db()
    assert recommendation.status == after
    assert (recommendation.closed_at is None) == (after in (Status.OPEN, Status.AWAITING_CLOSURE))
    assert recommendation.superseded_by == replacement
    row = latest(recommendation)
    assert (row.status, row.history_user, row.history_change_reason) == (after, staff, f"Decided: {step}")


def test_the_regions_lead_asks_for_closure(recommendation: Recommendation, kss_lead: User) -> None:
    services.recommendation_transition(recommendation=recommendation, action="request_closure", by=kss_lead)

    recommendation.refresh_from_db()
    assert recommendation.status == Status.AWAITING_CLOSURE
    row = latest(recommendation)
    assert (row.history_user, row.history_change_reason) == (kss_lead, "Ask for closure")


def test_the_hmpps_lead_asks_for_closure_of_national_recommendations(hmpps_lead: User) -> None:
    national = make_recommendation(make_inspection(type="thematic"), addressee=Addressee.HMPPS)
    services.recommendation_transition(recommendation=national, action="request_closure", by=hmpps_lead)
    national.refresh_from_db()
    assert national.status == Status.AWAITING_CLOSURE


@pytest.mark.parametrize("who", ["other_lead", "hmpps_lead"])
def test_leads_cannot_ask_for_closure_of_others_recommendations(
    recommendation: Recommendation, who: str, request: pytest.FixtureRequest
) -> None:
    person = request.getfixturevalue(who)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_transition(recommendation=recommendation, action="request_closure", by=person),
        PermissionDenied,
    )


@pytest.mark.parametrize("step", ["close_implemented", "close_not_implemented", "supersede", "decline_closure"])
def test_a_lead_cannot_decide(recommendation: Recommendation, kss_lead: User, staff: User, step: str) -> None:
    _put_in(recommendation, Status.AWAITING_CLOSURE, staff)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_transition(recommendation=recommendation, action=step, by=kss_lead, reason="x"),
        PermissionDenied,
    )


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.OPEN, "reopen"),
        (Status.OPEN, "decline_closure"),
        (Status.CLOSED_IMPLEMENTED, "close_not_implemented"),
        (Status.CLOSED_IMPLEMENTED, "request_closure"),
        (Status.SUPERSEDED, "close_implemented"),
        (Status.OPEN, "delete"),
    ],
)
def test_steps_the_workflow_does_not_allow_are_refused(
    recommendation: Recommendation, staff: User, status: str, step: str
) -> None:
    _put_in(recommendation, status, staff)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_transition(recommendation=recommendation, action=step, by=staff, reason="x"),
        WorkflowError,
    )


@pytest.mark.parametrize("step", ["close_not_implemented", "supersede", "reopen", "decline_closure"])
def test_decisions_need_a_reason(recommendation: Recommendation, staff: User, step: str) -> None:
    _put_in(recommendation, Status.SUPERSEDED if step == "reopen" else Status.AWAITING_CLOSURE, staff)
    assert_unchanged(
        recommendation,
        lambda: services.recommendation_transition(recommendation=recommendation, action=step, by=staff, reason=" "),
        WorkflowError,
    )


# --- response, judgement, progress ---


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 15, tzinfo=LONDON), tick=False)
def test_the_regions_lead_records_the_response(recommendation: Recommendation, kss_lead: User) -> None:
    services.recommendation_record_response(
        recommendation=recommendation, response=Response.PARTLY_AGREED, by=kss_lead, reason="Budget is national"
    )

    recommendation.refresh_from_db()
    assert (recommendation.response, recommendation.response_reason) == (Response.PARTLY_AGREED, "Budget is national")
    assert recommendation.responded_at == datetime.datetime(2026, 3, 2, 9, 15, tzinfo=LONDON)
    row = latest(recommendation)
    assert (row.response, row.history_user, row.history_change_reason) == (
        Response.PARTLY_AGREED,
        kss_lead,
        "Response: Partly agreed",
    )


def test_responses_are_refused_without_a_reason_or_from_outside(
    recommendation: Recommendation, kss_lead: User, other_lead: User, hmpps_lead: User
) -> None:
    def respond(response: str, by: User, reason: str = "") -> Callable[[], None]:
        return lambda: services.recommendation_record_response(
            recommendation=recommendation, response=response, by=by, reason=reason
        )

    assert_unchanged(recommendation, respond(Response.NOT_AGREED, kss_lead), WorkflowError)
    assert_unchanged(recommendation, respond(Response.AWAITING, kss_lead), WorkflowError)
    assert_unchanged(recommendation, respond(Response.AGREED, other_lead), PermissionDenied)
    assert_unchanged(recommendation, respond(Response.AGREED, hmpps_lead), PermissionDenied)


def test_the_inspectorate_judges_progress(recommendation: Recommendation, staff: User, kss_lead: User) -> None:
    services.recommendation_set_judgement(recommendation=recommendation, judgement=Judgement.REASONABLE, by=staff)

    row = latest(recommendation)
    assert (row.judgement, row.history_user, row.history_change_reason) == (
        Judgement.REASONABLE,
        staff,
        "Judgement: Reasonable progress",
    )
    judge = services.recommendation_set_judgement
    assert_unchanged(
        recommendation,
        lambda: judge(recommendation=recommendation, judgement=Judgement.GOOD, by=kss_lead),
        PermissionDenied,
    )
    assert_unchanged(
        recommendation,
        lambda: judge(recommendation=recommendation, judgement=Judgement.NOT_ASSESSED, by=staff),
        WorkflowError,
    )


def test_a_progress_update_is_kept_and_changes_the_progress_once(
    recommendation: Recommendation, kss_lead: User, other_lead: User
) -> None:
    services.progress_update_record(
        recommendation=recommendation, by=kss_lead, progress=Progress.IN_PROGRESS, text="Recruited two staff"
    )
    services.progress_update_record(
        recommendation=recommendation, by=kss_lead, progress=Progress.IN_PROGRESS, text="Training booked"
    )

    assert set(recommendation.progress_updates.values_list("text", "author")) == {
        ("Training booked", kss_lead.pk),
        ("Recruited two staff", kss_lead.pk),
    }
    progress_rows = [r for r in recommendation.history.all() if r.progress == Progress.IN_PROGRESS]
    assert len(progress_rows) == 1  # the second update did not change the progress
    assert (progress_rows[0].history_user, progress_rows[0].history_change_reason) == (
        kss_lead,
        "Progress: In progress",
    )
    assert_unchanged(
        recommendation,
        lambda: services.progress_update_record(
            recommendation=recommendation, by=other_lead, progress=Progress.COMPLETED, text="Done"
        ),
        PermissionDenied,
    )


# --- bulk changes: one history row per recommendation, or nothing ---


def test_bulk_owner_assignment_writes_one_history_row_each(staff: User) -> None:
    rows = make_recommendation(), make_recommendation(), make_recommendation()
    owner = make_user()

    assert services.recommendations_bulk_assign_owner(recommendations=rows, owner=owner, by=staff, reason="Rota") == 3

    for row in rows:
        assert row.history.count() == 2
        assert (latest(row).owner_id, latest(row).history_user, latest(row).history_change_reason) == (
            owner.pk,
            staff,
            "Rota",
        )


def test_bulk_owner_assignment_by_a_lead_changes_nothing(kss_lead: User) -> None:
    rows = [make_recommendation(), make_recommendation()]
    assert_unchanged(
        rows[0],
        lambda: services.recommendations_bulk_assign_owner(recommendations=rows, owner=kss_lead, by=kss_lead),
        PermissionDenied,
    )
    assert not Recommendation.objects.filter(owner__isnull=False).exists()


def test_bulk_transition_writes_one_history_row_each(staff: User) -> None:
    rows = [make_recommendation(), make_recommendation()]

    services.recommendations_bulk_transition(recommendations=rows, action="close_implemented", by=staff, reason="Seen")

    for row in Recommendation.objects.all():
        assert row.status == Status.CLOSED_IMPLEMENTED and row.closed_at is not None
        assert (latest(row).status, latest(row).history_user, latest(row).history_change_reason) == (
            Status.CLOSED_IMPLEMENTED,
            staff,
            "Seen",
        )


def test_bulk_transition_refuses_the_whole_batch_if_one_row_cannot_take_the_step(staff: User) -> None:
    ready = make_recommendation()
    services.recommendation_transition(recommendation=ready, action="request_closure", by=staff)
    not_ready = make_recommendation()
    rows = list(Recommendation.objects.order_by("pk"))

    assert_unchanged(
        ready,
        lambda: services.recommendations_bulk_transition(recommendations=rows, action="decline_closure", by=staff),
        WorkflowError,
    )
    assert Recommendation.objects.get(pk=not_ready.pk).status == Status.OPEN
    assert not_ready.history.count() == 1


def test_bulk_target_date_moves_with_a_reason_and_refuses_without(staff: User, kss_lead: User) -> None:
    dated, undated = make_recommendation(target_date=JUNE_30), make_recommendation()
    later = datetime.date(2026, 9, 30)

    def bulk(by: User, reason: str = "") -> Callable[[], int]:
        rows = list(Recommendation.objects.filter(pk__in=[dated.pk, undated.pk]))
        return lambda: services.recommendations_bulk_set_target_date(
            recommendations=rows, target_date=later, by=by, reason=reason
        )

    assert_unchanged(dated, bulk(staff), WorkflowError)
    assert_unchanged(undated, bulk(staff), WorkflowError)  # the batch is refused as a whole
    assert_unchanged(dated, bulk(kss_lead, "Please"), PermissionDenied)

    assert bulk(staff, "Vetting backlog")() == 2

    for row in (dated, undated):
        assert (latest(row).target_date, latest(row).history_user, latest(row).history_change_reason) == (
            later,
            staff,
            "Vetting backlog",
        )
    services.recommendations_bulk_set_target_date(
        recommendations=[make_recommendation()], target_date=later, by=staff
    )  # a first date needs no reason


# --- follow-up and action plans ---


def test_follow_up_is_recorded_by_the_inspectorate_only(recommendation: Recommendation, staff: User) -> None:
    activity = services.follow_up_record(
        recommendation=recommendation, by=staff, kind="meeting", activity_date=JUNE_30, notes=" Met the lead "
    )
    assert (activity.conducted_by, activity.notes) == (staff, "Met the lead")
    with pytest.raises(PermissionDenied):
        services.follow_up_record(
            recommendation=recommendation, by=make_user(Role.REGIONAL_LEAD), kind="meeting", activity_date=JUNE_30
        )


def test_the_regions_lead_keeps_the_action_plan(
    recommendation: Recommendation, kss_lead: User, other_lead: User
) -> None:
    first = services.action_plan_item_add(recommendation=recommendation, by=kss_lead, description="Recruit")
    second = services.action_plan_item_add(recommendation=recommendation, by=kss_lead, description="Train")
    services.action_plan_item_complete(item=first, by=kss_lead, completed_on=JUNE_30)

    first.refresh_from_db()
    assert (first.position, second.position, first.completed_on) == (1, 2, JUNE_30)
    with pytest.raises(PermissionDenied):
        services.action_plan_item_add(recommendation=recommendation, by=other_lead, description="Meddle")


@pytest.mark.django_db
def test_no_request_to_move_a_target_date_there_is_not() -> None:
    region = make_region()
    lead = make_user(Role.REGIONAL_LEAD, region=region)
    recommendation = make_recommendation(make_inspection(region), target_date=None)
    with pytest.raises(WorkflowError, match="There is no target date to move yet"):
        services.target_date_change_request(
            recommendation=recommendation, by=lead, proposed_date=datetime.date(2099, 1, 1), reason="Later"
        )
