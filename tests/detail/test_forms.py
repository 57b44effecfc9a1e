"""The page's forms validate only; these are their rules, without the views."""

import datetime

import pytest
import time_machine

from accounts.models import Role, User
from recommendations import permissions
from recommendations.forms import (
    OwnerField,
    OwnerForm,
    ResponseForm,
    TargetDateDecisionForm,
    TargetDateRequestForm,
    WorkflowForm,
)
from recommendations.models import Addressee, Recommendation
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

pytestmark = pytest.mark.django_db


def dated(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@pytest.mark.parametrize(
    ("answer", "reason", "valid"),
    [
        ("agreed", "", True),
        ("partly_agreed", "", False),
        ("partly_agreed", "   ", False),
        ("partly_agreed", "Only the training part", True),
        ("not_agreed", "", False),
        ("not_agreed", "Outside our control", True),
        ("awaiting", "", False),
        ("", "", False),
    ],
)
def test_response_rules(answer, reason, valid) -> None:
    form = ResponseForm({"response-response": answer, "response-reason": reason})
    assert form.is_valid() is valid


@pytest.mark.parametrize(
    ("action", "reason", "valid"),
    [
        ("request_closure", "", True),
        ("close_implemented", "", True),
        ("close_not_implemented", "", False),
        ("close_not_implemented", "Policy changed", True),
        ("decline_closure", "", False),
        ("reopen", "", False),
        ("reopen", "It came back", True),
        ("supersede", "Repeated", False),  # no recommendation chosen
        ("explode", "", False),
    ],
)
def test_workflow_rules(recommendation, action, reason, valid) -> None:
    form = WorkflowForm({"workflow-action": action, "workflow-reason": reason}, recommendation=recommendation)
    assert form.is_valid() is valid


def test_supersede_offers_the_same_addressee_newest_first(national) -> None:
    later = make_inspection(type="thematic", published_on=datetime.date(2026, 5, 1))
    repeated = make_recommendation(later, addressee=Addressee.HMPPS, text="Vetting again")
    to_moj = make_recommendation(later, addressee=Addressee.MOJ, text="Funding")
    regional = make_recommendation(text="A regional one")
    form = WorkflowForm(recommendation=national)
    offered = [value for value, _ in form.fields["superseded_by"].widget.choices if value]
    assert offered[:2] == [to_moj.pk, repeated.pk]
    assert national.pk not in offered
    assert regional.pk not in offered
    chosen = WorkflowForm(
        {"workflow-action": "supersede", "workflow-reason": "Repeated", "workflow-superseded_by": str(regional.pk)},
        recommendation=national,
    )
    assert not chosen.is_valid()
    assert chosen.errors["superseded_by"] == ["Choose a recommendation from the list."]


def owner_choices(recommendation: Recommendation) -> set[User]:
    field = OwnerForm(recommendation=recommendation).fields["owner"]
    assert isinstance(field, OwnerField)
    return set(field.queryset or [])


def test_owner_choices_are_people_who_can_see_it(recommendation, staff, lead, other_lead, hmpps_lead) -> None:
    offered = owner_choices(recommendation)
    assert offered == {staff, lead}
    assert all(permissions.can_view(recommendation, person) for person in offered)
    inactive = make_user(Role.INSPECTORATE, is_active=False)
    assert inactive not in owner_choices(recommendation)
    assert not OwnerForm({"owner-owner": str(other_lead.pk)}, recommendation=recommendation).is_valid()


def test_national_owner_choices(national, staff, lead, hmpps_lead) -> None:
    assert owner_choices(national) == {staff, hmpps_lead}


def test_owner_form_needs_a_reason_to_move_the_date(recommendation) -> None:
    recommendation.target_date = datetime.date(2026, 6, 30)
    moved = dated("owner-target_date", datetime.date(2026, 9, 30))
    assert not OwnerForm(moved, recommendation=recommendation).is_valid()
    assert OwnerForm({**moved, "owner-reason": "Delay"}, recommendation=recommendation).is_valid()
    first_time = make_recommendation(make_inspection(region=make_region(SOUTH_CENTRAL)))
    assert OwnerForm(dated("owner-target_date", datetime.date(2026, 9, 30)), recommendation=first_time).is_valid()


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC))
def test_target_date_request_rules() -> None:
    future = dated("date_request-proposed_date", datetime.date(2026, 9, 1))
    assert TargetDateRequestForm({**future, "date_request-reason": "Recruitment"}).is_valid()
    assert not TargetDateRequestForm(future).is_valid()
    past = dated("date_request-proposed_date", datetime.date(2026, 3, 1))
    assert not TargetDateRequestForm({**past, "date_request-reason": "Recruitment"}).is_valid()
    unreal = {"date_request-proposed_date_day": "31", "date_request-proposed_date_month": "2"}
    assert not TargetDateRequestForm({**unreal, "date_request-proposed_date_year": "2027"}).is_valid()


@pytest.mark.parametrize(
    ("decision", "note", "valid"),
    [("approve", "", True), ("reject", "", False), ("reject", "Plan shows it can be done", True), ("", "", False)],
)
def test_decision_rules(decision, note, valid) -> None:
    form = TargetDateDecisionForm({"date_decision-decision": decision, "date_decision-note": note})
    assert form.is_valid() is valid


@pytest.mark.parametrize(
    ("form_class", "prefix", "field", "name"),
    [
        ("OwnerForm", "owner", "target_date", "Target date"),
        ("ActionPlanItemForm", "action", "target_date", "Target date"),
        ("TargetDateRequestForm", "date_request", "proposed_date", "Proposed target date"),
        ("FollowUpForm", "follow_up", "activity_date", "Date of the activity"),
    ],
)
def test_date_errors_name_the_field(recommendation, form_class, prefix, field, name) -> None:
    from recommendations import forms

    options = {"recommendation": recommendation} if form_class == "OwnerForm" else {}
    unreal = {f"{prefix}-{field}_day": "31", f"{prefix}-{field}_month": "2", f"{prefix}-{field}_year": "2027"}
    form = getattr(forms, form_class)(unreal, **options)
    assert form.errors[field] == [f"{name} must be a real date"]
    form = getattr(forms, form_class)({f"{prefix}-{field}_year": "2027"}, **options)
    assert form.errors[field] == [f"{name} must include a day and month"]
    assert not any(message.startswith("Date must") for messages in form.errors.values() for message in messages)


def test_a_missing_date_is_asked_for_by_name() -> None:
    from recommendations.forms import FollowUpForm, TargetDateRequestForm

    assert TargetDateRequestForm({}).errors["proposed_date"] == ["Enter the proposed target date"]
    assert FollowUpForm({}).errors["activity_date"] == ["Enter the date of the activity"]
