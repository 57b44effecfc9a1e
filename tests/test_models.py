"""Model rules: every named constraint holds in the database, target dates never move silently, owners are kept."""

import datetime
import functools
import zoneinfo
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import ContextualFact, DomainRating, Inspection, InspectionType, Rating, Score
from recommendations.models import (
    Addressee,
    Recommendation,
    Response,
    Status,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from tests.factories import make_inspection, make_pdu, make_recommendation, make_region, make_user

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def assert_refused(write: Callable[[], object], constraint: str = "") -> None:
    """The database refuses the write; CHECK failures name their constraint on SQLite and PostgreSQL alike."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    assert constraint in str(refused.value)


# --- inspections ---


def test_pdu_names_are_unique_within_a_region() -> None:
    pdu = make_pdu()
    assert_refused(lambda: pdu.region.pdus.create(name=pdu.name))
    make_region("N59").pdus.create(name=pdu.name)  # the same name elsewhere is fine


def test_an_imported_report_is_stored_once() -> None:
    make_inspection(source_digest="a" * 64)
    assert_refused(lambda: make_inspection(source_digest="a" * 64))
    make_inspection(source_digest="")
    make_inspection(source_digest="")  # hand-entered inspections have no digest


def test_only_rated_inspection_types_carry_an_overall_rating() -> None:
    make_inspection(overall_rating=Rating.GOOD)
    assert_refused(
        lambda: make_inspection(type=InspectionType.THEMATIC, overall_rating=Rating.GOOD),
        "inspection_rating_only_for_rated_types",
    )
    assert_refused(
        lambda: make_inspection(type=InspectionType.PUBLIC_PROTECTION, overall_rating=Rating.INADEQUATE),
        "inspection_rating_only_for_rated_types",
    )


def test_regional_inspections_need_a_region_and_pdu_inspections_a_pdu() -> None:
    assert_refused(
        lambda: Inspection.objects.create(reference="no-region", type=InspectionType.REGIONAL, title="x"),
        "inspection_regional_types_have_region",
    )
    assert_refused(lambda: make_inspection(type=InspectionType.PDU), "inspection_pdu_type_has_pdu")
    make_inspection(type=InspectionType.PDU, pdu=make_pdu())
    make_inspection(type=InspectionType.THEMATIC)  # national work has no region


def test_fieldwork_cannot_end_before_it_starts() -> None:
    assert_refused(
        lambda: make_inspection(
            fieldwork_started_on=datetime.date(2025, 3, 10), fieldwork_ended_on=datetime.date(2025, 3, 9)
        ),
        "inspection_fieldwork_in_order",
    )
    make_inspection(fieldwork_started_on=datetime.date(2025, 3, 10), fieldwork_ended_on=datetime.date(2025, 3, 10))


def test_domain_ratings_are_unique_by_domain_and_position() -> None:
    inspection = make_inspection()
    DomainRating.objects.create(inspection=inspection, position=1, domain="Leadership", rating=Rating.GOOD)
    assert_refused(
        lambda: DomainRating.objects.create(inspection=inspection, position=2, domain="Leadership", rating=Rating.GOOD)
    )
    assert_refused(
        lambda: DomainRating.objects.create(inspection=inspection, position=1, domain="Staffing", rating=Rating.GOOD)
    )


def test_scores_are_unique_and_percentages_between_0_and_100() -> None:
    inspection = make_inspection()
    Score.objects.create(inspection=inspection, position=1, question="Is risk assessed?", percentage_yes=100)
    assert_refused(
        lambda: Score.objects.create(inspection=inspection, position=2, question="Is risk assessed?", percentage_yes=5)
    )
    assert_refused(lambda: Score.objects.create(inspection=inspection, position=1, question="Other", percentage_yes=5))
    for wrong in (-1, "100.01"):
        assert_refused(
            functools.partial(
                Score.objects.create, inspection=inspection, position=9, question="Q", percentage_yes=wrong
            ),
            "score_percentage_in_range",
        )


def test_contextual_facts_are_unique_by_position_and_label_with_category() -> None:
    inspection = make_inspection()
    ContextualFact.objects.create(inspection=inspection, position=1, label="Staff", category="PO", value="10")
    ContextualFact.objects.create(inspection=inspection, position=2, label="Staff", category="PSO", value="12")
    assert_refused(
        lambda: ContextualFact.objects.create(
            inspection=inspection, position=3, label="Staff", category="PO", value="1"
        )
    )
    assert_refused(lambda: ContextualFact.objects.create(inspection=inspection, position=1, label="Cases", value="1"))


# --- accounts ---


def test_a_regional_lead_belongs_to_a_region_and_nobody_else_to_one() -> None:
    assert_refused(
        lambda: User.objects.create(username="lost", role=Role.REGIONAL_LEAD, region=None),
        "user_region_matches_role",
    )
    for role in (Role.HMPPS_LEAD, Role.INSPECTORATE):

        def placed(role: str = role) -> User:
            return User.objects.create(username=f"placed-{role}", role=role, region=make_region())

        assert_refused(placed, "user_region_matches_role")
    make_user(Role.HMPPS_LEAD)  # other roles have none


# --- recommendations ---


def test_recommendation_numbers_are_unique_per_addressee_and_positive() -> None:
    first = make_recommendation()
    assert_refused(lambda: make_recommendation(first.inspection, number=first.number))
    make_recommendation(first.inspection, addressee=Addressee.HMPPS, number=first.number)
    assert_refused(lambda: make_recommendation(number=0), "recommendation_number_positive")


def test_regional_recommendations_need_their_region_and_pdu() -> None:
    assert_refused(lambda: make_recommendation(region=None), "recommendation_regional_has_region")
    assert_refused(lambda: make_recommendation(addressee=Addressee.PDU, pdu=None), "recommendation_pdu_has_pdu")
    make_recommendation(addressee=Addressee.HMPPS, region=None)


def test_closed_at_matches_the_status() -> None:
    recommendation = make_recommendation()
    rows = Recommendation.objects.filter(pk=recommendation.pk)
    assert_refused(lambda: rows.update(status=Status.CLOSED_IMPLEMENTED), "recommendation_closed_at_matches_status")
    assert_refused(lambda: rows.update(closed_at=timezone.now()), "recommendation_closed_at_matches_status")
    rows.update(status=Status.SUPERSEDED, closed_at=timezone.now())


def test_a_disagreement_has_a_reason() -> None:
    recommendation = make_recommendation()
    rows = Recommendation.objects.filter(pk=recommendation.pk)
    for response in (Response.PARTLY_AGREED, Response.NOT_AGREED):
        assert_refused(functools.partial(rows.update, response=response), "recommendation_disagreement_has_reason")
    rows.update(response=Response.AGREED)
    rows.update(response=Response.NOT_AGREED, response_reason="The budget is national.")


def test_a_recommendation_is_not_superseded_by_itself() -> None:
    recommendation = make_recommendation()
    rows = Recommendation.objects.filter(pk=recommendation.pk)
    assert_refused(lambda: rows.update(superseded_by=recommendation), "recommendation_not_superseded_by_itself")


def test_target_date_change_requests_hold_their_rules() -> None:
    recommendation, lead, staff = make_recommendation(), make_user(Role.REGIONAL_LEAD), make_user()

    def request(**fields: object) -> TargetDateChangeRequest:
        values = {"proposed_date": datetime.date(2026, 9, 30), "reason": "Vetting backlog", **fields}
        return TargetDateChangeRequest.objects.create(recommendation=recommendation, requested_by=lead, **values)

    assert_refused(lambda: request(reason=""), "target_date_request_has_reason")
    assert_refused(lambda: request(decided_by=staff), "target_date_request_decision_matches_status")
    assert_refused(
        lambda: request(status=TargetDateRequestStatus.APPROVED), "target_date_request_decision_matches_status"
    )
    decided = {"decided_by": staff, "decided_at": timezone.now()}
    assert_refused(
        lambda: request(status=TargetDateRequestStatus.REJECTED, **decided), "target_date_request_rejection_has_note"
    )
    request(status=TargetDateRequestStatus.REJECTED, decision_note="Too late", **decided)
    request()
    assert_refused(request)  # one pending request at a time


# --- target dates never move without a reason ---


def test_moving_a_target_date_without_a_reason_is_refused_by_save_and_full_clean() -> None:
    make_recommendation(target_date=datetime.date(2026, 6, 30))
    recommendation = Recommendation.objects.get()
    recommendation.target_date = datetime.date(2026, 12, 31)

    with pytest.raises(ValidationError) as refused:
        recommendation.save()
    assert refused.value.message_dict == {"target_date": ["Give a reason for moving the target date."]}
    with pytest.raises(ValidationError):
        recommendation.full_clean()
    assert Recommendation.objects.get().target_date == datetime.date(2026, 6, 30)
    assert recommendation.history.count() == 1


def test_a_target_date_moves_with_a_reason_and_is_set_the_first_time_without_one() -> None:
    make_recommendation()
    recommendation = Recommendation.objects.get()
    recommendation.target_date = datetime.date(2026, 6, 30)
    recommendation.save()  # setting the first date needs no reason

    recommendation.target_date = datetime.date(2026, 12, 31)
    recommendation._change_reason = "Agreed at the review"
    recommendation.save()

    latest = recommendation.history.latest("history_date")
    assert (latest.target_date, latest.history_change_reason) == (datetime.date(2026, 12, 31), "Agreed at the review")
    recommendation.target_date = datetime.date(2027, 1, 31)
    recommendation._change_reason = " "
    with pytest.raises(ValidationError):
        recommendation.save()  # a blank reason is no reason, even after a saved move


# --- owners and overdue ---


def test_a_user_who_owns_recommendations_cannot_be_deleted() -> None:
    owner = make_user()
    make_recommendation(owner=owner)
    with pytest.raises(ProtectedError):
        owner.delete()
    assert Recommendation.objects.filter(owner=owner).exists()


@time_machine.travel(datetime.datetime(2026, 3, 2, 0, 30, tzinfo=LONDON), tick=False)
def test_overdue_means_active_and_past_the_target_date_in_london() -> None:
    inspection = make_inspection()
    late = make_recommendation(inspection, target_date=datetime.date(2026, 3, 1))
    due_today = make_recommendation(inspection, target_date=datetime.date(2026, 3, 2))
    undated = make_recommendation(inspection)
    awaiting = make_recommendation(inspection, target_date=datetime.date(2026, 1, 1), status=Status.AWAITING_CLOSURE)
    make_recommendation(
        inspection, target_date=datetime.date(2026, 1, 1), status=Status.CLOSED_IMPLEMENTED, closed_at=timezone.now()
    )

    assert set(Recommendation.objects.overdue()) == {late, awaiting}
    # F(): is_overdue is the queryset's annotation, not a field of the model.
    flags = dict(Recommendation.objects.with_overdue_flag().values_list("pk", F("is_overdue")))
    assert {pk for pk, overdue in flags.items() if overdue} == {late.pk, awaiting.pk}
    assert not flags[due_today.pk] and not flags[undated.pk]
    # With an explicit day (the reminder sweep passes one), the same rule on that day.
    assert set(Recommendation.objects.overdue(today=datetime.date(2026, 3, 3))) == {late, due_today, awaiting}
    assert late.days_overdue() == 1 and due_today.days_overdue() == 0


def test_reference_and_addressee_name() -> None:
    inspection = make_inspection(reference="N57-RI-2025")
    to_pdu = make_recommendation(inspection, addressee=Addressee.PDU)
    to_hmpps = make_recommendation(inspection, addressee=Addressee.HMPPS, number=3)

    assert (to_pdu.reference, to_hmpps.reference) == ("N57-RI-2025/P1", "N57-RI-2025/H3")
    assert to_pdu.pdu is not None
    assert to_pdu.addressee_name == to_pdu.pdu.name
    assert to_hmpps.addressee_name == "HMPPS"


@pytest.mark.django_db
def test_lists_read_neither_the_reports_text_nor_its_summary() -> None:
    make_recommendation()
    with CaptureQueriesContext(connection) as queries:
        rows = list(Recommendation.objects.for_lists())
        assert rows[0].inspection.title and rows[0].region and rows[0].region.name  # what lists show, in the same query
    assert len(queries) == 1
    assert "source_text" not in queries[0]["sql"] and '"summary"' not in queries[0]["sql"]


@pytest.mark.django_db
def test_a_report_on_one_region_makes_no_recommendation_to_another() -> None:
    from tests.factories import SOUTH_CENTRAL

    kent, south_central = make_region(), make_region(SOUTH_CENTRAL)
    regional = make_recommendation(make_inspection(kent))
    regional.region = south_central
    with pytest.raises(ValidationError) as refused:
        regional.full_clean()
    assert "region" in refused.value.error_dict
    thematic = make_inspection(type=InspectionType.THEMATIC)
    national = make_recommendation(thematic, region=south_central)
    national.full_clean()  # a national report may speak to any region
