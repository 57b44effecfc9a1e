"""Scoping holds on every path: who may own a recommendation, who may lead a region for the Inspectorate, what may
supersede a recommendation, and that nothing but reopening changes a closed one, whether the change comes through
the services, the admin's bulk actions, the admin's forms or the recommendation page's forms."""

import datetime
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from inspections.models import InspectionType, Region
from recommendations import permissions, services
from recommendations.forms import OwnerForm, WorkflowForm
from recommendations.models import Addressee, Recommendation, Status
from recommendations.services import WorkflowError
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user
from tests.support.admin_forms import change_form_data, change_url

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recommendations_recommendation_changelist"


@pytest.fixture
def kss_lead() -> User:
    return make_user(Role.REGIONAL_LEAD, first_name="Kim", last_name="Kent")


@pytest.fixture
def sc_lead() -> User:
    return make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL), first_name="Sam", last_name="Central")


@pytest.fixture
def hmpps_lead() -> User:
    return make_user(Role.HMPPS_LEAD, first_name="Hari", last_name="National")


@pytest.fixture
def regional() -> Recommendation:
    """A recommendation to Kent, Surrey and Sussex."""
    return make_recommendation(text="Kent, Surrey and Sussex improves its risk assessments.")


@pytest.fixture
def national() -> Recommendation:
    inspection = make_inspection(type=InspectionType.THEMATIC, title="A thematic inspection of vetting")
    return make_recommendation(inspection, addressee=Addressee.HMPPS, text="HMPPS completes vetting in time.")


def state(recommendation: Recommendation) -> dict[str, Any]:
    """What a refused change must leave as it was: the row, its history and its related rows."""
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    return {
        "row": Recommendation.objects.filter(pk=recommendation.pk).values().get(),
        "history": fresh.history.count(),
        "progress_updates": fresh.progress_updates.count(),
        "actions": list(fresh.actions.values_list("pk", "completed_on")),
        "follow_ups": fresh.follow_ups.count(),
        "date_requests": list(fresh.target_date_requests.values_list("pk", "status")),
    }


def refused(recommendation: Recommendation, change: Callable[[], object], error: type[Exception]) -> str:
    """`change` raises `error` and leaves the recommendation as it was; the error's message."""
    before = state(recommendation)
    with pytest.raises(error) as raised:
        change()
    assert state(recommendation) == before
    return " ".join(getattr(raised.value, "messages", [str(raised.value)]))


# --- the one rule: who may own (and so see) a recommendation ---

# A recommendation and someone who may not see it: another region's lead, a regional lead for a national one...
OUTSIDERS = [("regional", "sc_lead"), ("regional", "hmpps_lead"), ("national", "kss_lead")]


def test_who_may_own_is_who_may_see(regional, national, staff, kss_lead, sc_lead, hmpps_lead) -> None:
    gone = make_user(Role.REGIONAL_LEAD, is_active=False)
    superuser = User.objects.create_superuser("chief", "chief@example.org", None, role=Role.HMPPS_LEAD)
    for recommendation, owners in (
        (regional, {staff, kss_lead, superuser}),
        (national, {staff, hmpps_lead, superuser}),
    ):
        for person in (staff, kss_lead, sc_lead, hmpps_lead, gone, superuser):
            assert permissions.may_own(recommendation, person) == (person in owners), (recommendation, person)
            assert permissions.can_view(recommendation, person) == (person in owners), (recommendation, person)
        assert set(permissions.eligible_owners(recommendation)) == owners


@pytest.mark.parametrize(
    ("which", "outsider"), [("regional", "sc_lead"), ("regional", "hmpps_lead"), ("national", "kss_lead")]
)
def test_the_services_refuse_an_owner_who_cannot_see_it(request, staff, which: str, outsider: str) -> None:
    recommendation, owner = request.getfixturevalue(which), request.getfixturevalue(outsider)

    message = refused(
        recommendation,
        lambda: services.recommendation_assign_owner(recommendation=recommendation, owner=owner, by=staff),
        WorkflowError,
    )

    assert f"{owner} cannot own this recommendation" in message


def test_the_bulk_service_refuses_the_whole_batch_for_an_owner_who_cannot_see_one(
    regional, national, staff, kss_lead
) -> None:
    refused(
        national,
        lambda: services.recommendations_bulk_assign_owner(
            recommendations=[regional, national], owner=kss_lead, by=staff
        ),
        WorkflowError,
    )
    assert Recommendation.objects.get(pk=regional.pk).owner is None


def test_the_model_refuses_an_owner_who_cannot_see_it(regional, sc_lead, kss_lead) -> None:
    regional.owner = sc_lead
    with pytest.raises(ValidationError) as raised:
        regional.full_clean()
    assert "owner" in raised.value.message_dict
    regional.owner = kss_lead
    regional.full_clean()


def test_moving_a_recommendation_away_from_its_owner_is_refused(regional, staff, kss_lead) -> None:
    services.recommendation_assign_owner(recommendation=regional, owner=kss_lead, by=staff)
    moved = Recommendation.objects.get(pk=regional.pk)
    moved.addressee, moved.region = Addressee.HMPPS, None
    with pytest.raises(ValidationError) as raised:
        moved.full_clean()
    assert "owner" in raised.value.message_dict


def test_an_owner_who_has_left_keeps_old_work_but_gets_nothing_new(regional, staff, kss_lead) -> None:
    services.recommendation_assign_owner(recommendation=regional, owner=kss_lead, by=staff)
    User.objects.filter(pk=kss_lead.pk).update(is_active=False)
    kept = Recommendation.objects.get(pk=regional.pk)
    services.recommendation_set_target_date(recommendation=kept, target_date=datetime.date(2026, 9, 30), by=staff)
    assert Recommendation.objects.get(pk=regional.pk).owner_id == kss_lead.pk
    other = make_recommendation(regional.inspection)
    message = refused(
        other,
        lambda: services.recommendation_assign_owner(
            recommendation=other, owner=User.objects.get(pk=kss_lead.pk), by=staff
        ),
        WorkflowError,
    )
    assert "An owner must be an active user." in message


# --- the admin's bulk action ---


def _act(client: Client, action: str, rows: list[Recommendation], **fields: object) -> Any:
    data = {"action": action, "_selected_action": [r.pk for r in rows], **fields}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_the_bulk_action_offers_only_people_who_can_see_every_selected_row(
    staff_client, regional, national, staff, kss_lead, sc_lead, hmpps_lead
) -> None:
    regional_page = _act(staff_client, "assign_owner", [regional], index=0).content.decode()
    mixed_page = _act(staff_client, "assign_owner", [regional, national], index=0).content.decode()

    assert "Kim Kent" in regional_page and "Isla Inspector" in regional_page
    assert "Sam Central" not in regional_page and "Hari National" not in regional_page
    assert "Isla Inspector" in mixed_page
    assert "Kim Kent" not in mixed_page and "Hari National" not in mixed_page


def test_the_bulk_action_refuses_another_regions_lead_and_changes_nothing(staff_client, regional, sc_lead) -> None:
    before = state(regional)

    page = _act(staff_client, "assign_owner", [regional], apply="yes", owner=sc_lead.pk, reason="")

    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert state(regional) == before


# --- the admin's change forms ---


@pytest.mark.parametrize(
    ("which", "outsider"), [("regional", "sc_lead"), ("regional", "hmpps_lead"), ("national", "kss_lead")]
)
def test_the_admin_form_refuses_an_owner_who_cannot_see_it(request, staff_client, which: str, outsider: str) -> None:
    recommendation, owner = request.getfixturevalue(which), request.getfixturevalue(outsider)
    before = state(recommendation)

    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, owner=owner.pk))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["owner"]
    assert state(recommendation) == before


def test_the_admin_form_accepts_the_regions_lead(staff_client, regional, kss_lead) -> None:
    response = staff_client.post(change_url(regional), change_form_data(regional, owner=kss_lead.pk))

    assert response.status_code == 302
    assert Recommendation.objects.get(pk=regional.pk).owner == kss_lead


def test_the_admin_owner_search_offers_only_people_who_can_see_it(
    staff_client, regional, staff, kss_lead, sc_lead, hmpps_lead
) -> None:
    page = staff_client.get(change_url(regional)).content.decode()
    select = page[page.index('name="owner"') :]
    search_url = select.split('data-ajax--url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    path, _, query = search_url.partition("?")
    search = {"app_label": "recommendations", "model_name": "recommendation", "field_name": "owner", "term": ""}

    found = staff_client.get(path, {**dict(parse_qsl(query)), **search}).json()["results"]

    assert {int(result["id"]) for result in found} == {staff.pk, kss_lead.pk}


def _inspection_data(recommendation: Recommendation, row: dict[str, object]) -> dict[str, object]:
    """The report's change form with `recommendation` as its one inline row, changed by `row`."""
    inspection = recommendation.inspection
    assert inspection.published_on is not None  # make_inspection publishes it
    data: dict[str, object] = {
        "reference": inspection.reference,
        "type": inspection.type,
        "title": inspection.title,
        "region": inspection.region_id,
        "pdu": "",
        "lead_inspector": inspection.lead_inspector,
        "source_url": "",
        "published_on": inspection.published_on.strftime("%d/%m/%Y"),
        "overall_rating": "",
        "summary": "",
        "follow_up_promise": "",
    }
    for prefix in ("domain_ratings", "scores", "facts"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    fields = {
        "id": recommendation.pk,
        "inspection": inspection.pk,
        "addressee": recommendation.addressee,
        "number": recommendation.number,
        "text": recommendation.text,
        "owner": recommendation.owner_id or "",
        "target_date": "",
        "change_reason": "",
        **row,
    }
    data.update({"recommendations-TOTAL_FORMS": 1, "recommendations-INITIAL_FORMS": 1})
    data.update({f"recommendations-0-{name}": value for name, value in fields.items()})
    return data


def test_the_report_inline_refuses_an_owner_who_cannot_see_the_recommendation(staff_client, regional, sc_lead) -> None:
    before = state(regional)

    response = staff_client.post(
        reverse("admin:inspections_inspection_change", args=[regional.inspection_id]),
        _inspection_data(regional, {"owner": sc_lead.pk}),
    )

    assert response.status_code == 200
    assert "Sam Central cannot own this recommendation" in response.content.decode()
    assert state(regional) == before


# --- superseded by: a recommendation the same people answer for ---


def test_the_admin_form_refuses_a_replacement_from_another_region(staff_client, regional, staff) -> None:
    elsewhere = make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)))
    same_region = make_recommendation(make_inspection())
    before = state(regional)

    response = staff_client.post(change_url(regional), change_form_data(regional, superseded_by=elsewhere.pk))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["superseded_by"]
    assert state(regional) == before
    accepted = staff_client.post(change_url(regional), change_form_data(regional, superseded_by=same_region.pk))
    assert accepted.status_code == 302


@pytest.mark.parametrize("replacement", ["another_region", "national"])
def test_superseding_with_a_recommendation_others_answer_for_is_refused(regional, national, staff, replacement) -> None:
    other = national if replacement == "national" else make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)))

    message = refused(
        regional,
        lambda: services.recommendation_transition(
            recommendation=regional, action="supersede", by=staff, reason="Repeated", superseded_by=other
        ),
        ValidationError,
    )

    assert "answered by the same people" in message


def test_the_workflow_form_offers_and_accepts_only_replacements_in_scope(regional, national, staff) -> None:
    elsewhere = make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)))
    same_region = make_recommendation(make_inspection())
    data = {"workflow-action": "supersede", "workflow-reason": "Repeated"}

    form = WorkflowForm({**data, "workflow-superseded_by": str(elsewhere.pk)}, recommendation=regional)
    assert not form.is_valid() and "superseded_by" in form.errors
    assert set(WorkflowForm(recommendation=regional).candidates) == {same_region}
    assert WorkflowForm({**data, "workflow-superseded_by": str(same_region.pk)}, recommendation=regional).is_valid()


# --- the region's Inspectorate lead ---


def _region_data(region: Region, lead: User) -> dict[str, object]:
    return {
        "name": region.name,
        "code": region.code,
        "inspectorate_lead": lead.pk,
        "pdus-TOTAL_FORMS": 0,
        "pdus-INITIAL_FORMS": 0,
    }


@pytest.mark.parametrize("who", ["kss_lead", "sc_lead", "hmpps_lead"])
def test_a_regions_inspectorate_lead_must_be_inspectorate_staff(request, staff_client, who: str) -> None:
    region, person = make_region(), request.getfixturevalue(who)
    url = reverse("admin:inspections_region_change", args=[region.pk])

    response = staff_client.post(url, _region_data(region, person))

    assert response.status_code == 200
    assert "The Inspectorate lead must be active Inspectorate staff." in response.content.decode()
    assert Region.objects.get(pk=region.pk).inspectorate_lead is None


def test_inspectorate_staff_lead_a_region(staff_client, staff) -> None:
    region = make_region()
    lead = make_user(Role.INSPECTORATE, first_name="Lena", last_name="Lead")
    url = reverse("admin:inspections_region_change", args=[region.pk])

    assert staff_client.post(url, _region_data(region, lead)).status_code == 302
    assert Region.objects.get(pk=region.pk).inspectorate_lead == lead


def test_the_region_lead_search_offers_only_inspectorate_staff(staff_client, staff, kss_lead, hmpps_lead) -> None:
    search = {"app_label": "inspections", "model_name": "region", "field_name": "inspectorate_lead", "term": ""}

    found = staff_client.get(reverse("admin:autocomplete"), search).json()["results"]

    assert {int(result["id"]) for result in found} == {staff.pk}


def test_the_model_refuses_a_regional_lead_as_inspectorate_lead(sc_lead) -> None:
    region = make_region()
    region.inspectorate_lead = sc_lead
    with pytest.raises(ValidationError) as raised:
        region.full_clean()
    assert "inspectorate_lead" in raised.value.message_dict


# --- the recommendation page's owner form ---


def test_the_owner_form_refuses_another_regions_lead(regional, kss_lead, sc_lead) -> None:
    refused_form = OwnerForm({"owner-owner": str(sc_lead.pk)}, recommendation=regional)
    accepted_form = OwnerForm({"owner-owner": str(kss_lead.pk)}, recommendation=regional)

    assert not refused_form.is_valid() and "owner" in refused_form.errors
    assert accepted_form.is_valid()


# --- closed and superseded recommendations: nothing changes but reopening ---


@pytest.fixture
def closed(regional, staff) -> Recommendation:
    services.recommendation_transition(recommendation=regional, action="close_implemented", by=staff)
    return Recommendation.objects.get(pk=regional.pk)


@pytest.fixture
def superseded(regional, staff) -> Recommendation:
    replacement = make_recommendation(make_inspection())
    services.recommendation_transition(
        recommendation=regional, action="supersede", by=staff, reason="Repeated", superseded_by=replacement
    )
    return Recommendation.objects.get(pk=regional.pk)


def _changes(staff: User, lead: User) -> dict[str, Callable[[Recommendation], object]]:
    def complete(recommendation: Recommendation) -> object:
        item = recommendation.actions.first()
        assert item is not None, "every recommendation changed here has an action"
        return services.action_plan_item_complete(item=item, by=lead)

    when = datetime.date(2027, 1, 31)
    return {
        "response": lambda r: services.recommendation_record_response(recommendation=r, response="agreed", by=lead),
        "progress": lambda r: services.progress_update_record(
            recommendation=r, by=lead, progress="completed", text="x"
        ),
        "action": lambda r: services.action_plan_item_add(recommendation=r, by=lead, description="Train the team"),
        "complete_action": complete,
        "date_request": lambda r: services.target_date_change_request(
            recommendation=r, by=lead, proposed_date=when, reason="Later"
        ),
        "follow_up": lambda r: services.follow_up_record(
            recommendation=r, by=staff, kind="meeting", activity_date=when
        ),
        "judgement": lambda r: services.recommendation_set_judgement(recommendation=r, judgement="good", by=staff),
        "owner": lambda r: services.recommendation_assign_owner(recommendation=r, owner=lead, by=staff),
        "target_date": lambda r: services.recommendation_set_target_date(recommendation=r, target_date=when, by=staff),
        "bulk_owner": lambda r: services.recommendations_bulk_assign_owner(recommendations=[r], owner=lead, by=staff),
        "bulk_target_date": lambda r: services.recommendations_bulk_set_target_date(
            recommendations=[r], target_date=when, by=staff
        ),
    }


CHANGES = list(_changes(User(), User()))  # only the names: nobody is asked to change anything here


@pytest.mark.parametrize("status", ["closed", "superseded"])
@pytest.mark.parametrize("change", CHANGES)
def test_the_services_refuse_every_change_to_a_closed_recommendation(
    request, staff, kss_lead, status: str, change: str
) -> None:
    recommendation = request.getfixturevalue(status)
    if change == "complete_action":  # an action added while it was open
        recommendation.actions.create(position=1, description="Train the team", created_by=kss_lead)

    message = refused(recommendation, lambda: _changes(staff, kss_lead)[change](recommendation), WorkflowError)

    assert "reopen it first" in message


def _give_a_target_date(recommendation: Recommendation) -> None:
    """A lead asks to move only a target date there is."""
    recommendation.target_date = datetime.date(2026, 12, 31)
    Recommendation.objects.filter(pk=recommendation.pk).update(target_date=recommendation.target_date)


def test_a_pending_date_request_is_not_decided_on_a_closed_recommendation(regional, staff, kss_lead) -> None:
    _give_a_target_date(regional)
    change_request = services.target_date_change_request(
        recommendation=regional, by=kss_lead, proposed_date=datetime.date(2027, 1, 31), reason="Later"
    )
    services.recommendation_transition(recommendation=regional, action="close_implemented", by=staff)
    change_request.recommendation = Recommendation.objects.get(pk=regional.pk)

    refused(
        change_request.recommendation,
        lambda: services.target_date_change_decide(change_request=change_request, by=staff, approve=False, note="No"),
        WorkflowError,
    )


def test_staff_reopen_a_closed_recommendation_and_then_change_it(closed, staff, kss_lead) -> None:
    services.recommendation_transition(recommendation=closed, action="reopen", by=staff, reason="It came back")
    services.recommendation_record_response(recommendation=closed, response="agreed", by=kss_lead)
    assert Recommendation.objects.get(pk=closed.pk).status == Status.OPEN


def test_a_lead_cannot_reopen(closed, kss_lead) -> None:
    refused(
        closed,
        lambda: services.recommendation_transition(
            recommendation=closed, action="reopen", by=kss_lead, reason="Not done"
        ),
        PermissionDenied,
    )


def test_bulk_actions_on_a_closed_row_change_nothing(staff_client, closed, regional, kss_lead) -> None:
    open_one = make_recommendation(regional.inspection)
    before = state(open_one), state(closed)

    done = _act(staff_client, "assign_owner", [open_one, closed], apply="yes", owner=kss_lead.pk, reason="")

    messages = [str(message) for message in done.context["messages"]]
    assert any(message.startswith("Nothing was changed:") and "reopen it first" in message for message in messages)
    assert (state(open_one), state(closed)) == before


DIRECT_POSTS = {
    "record_response": {"response-response": "agreed"},
    "add_progress_update": {"progress-progress": "completed", "progress-text": "All done"},
    "add_action": {"action-description": "Train the team"},
}


@pytest.mark.parametrize("status", ["closed", "superseded"])
@pytest.mark.parametrize("name", list(DIRECT_POSTS))
def test_direct_posts_to_a_closed_recommendation_are_refused(request, kss_lead, status: str, name: str) -> None:
    recommendation = request.getfixturevalue(status)
    client = Client()
    client.force_login(kss_lead, backend="accounts.backends.ModelBackend")
    before = state(recommendation)

    response = client.post(reverse(f"recommendations:{name}", args=[recommendation.pk]), DIRECT_POSTS[name])

    assert response.status_code == 400
    assert "This recommendation is closed" in response.content.decode()
    assert state(recommendation) == before


@pytest.mark.parametrize("status", ["closed", "superseded"])
def test_a_closed_recommendations_page_offers_staff_only_reopening(request, staff, status: str) -> None:
    recommendation = request.getfixturevalue(status)
    client = Client()
    client.force_login(staff, backend="accounts.backends.ModelBackend")

    page = client.get(reverse("recommendations:detail", args=[recommendation.pk])).content.decode()

    assert set(re.findall(r'<a class="govuk-link" id="change-([a-z_]+)"', page)) == {"change_status"}
    assert reverse("recommendations:assign_owner", args=[recommendation.pk]) not in page


def test_a_pending_date_request_on_a_closed_recommendation_is_refused_on_the_page(regional, staff, kss_lead) -> None:
    _give_a_target_date(regional)
    change_request = services.target_date_change_request(
        recommendation=regional, by=kss_lead, proposed_date=datetime.date(2027, 1, 31), reason="Later"
    )
    services.recommendation_transition(recommendation=regional, action="close_implemented", by=staff)
    client = Client()
    client.force_login(staff, backend="accounts.backends.ModelBackend")
    before = state(regional)

    response = client.post(
        reverse("recommendations:decide_target_date", args=[regional.pk, change_request.pk]),
        {"date_decision-decision": "approve"},
    )

    assert response.status_code == 400
    assert "This recommendation is closed" in response.content.decode()
    assert state(regional) == before


def test_the_admin_change_form_shows_a_closed_recommendation_read_only(staff_client, closed, kss_lead) -> None:
    closed.actions.create(position=1, description="Train the team", created_by=kss_lead)
    before = state(closed)

    page = staff_client.get(change_url(closed))
    response = staff_client.post(change_url(closed), change_form_data(closed, owner=kss_lead.pk, judgement="good"))

    assert page.status_code == 200
    assert 'name="owner"' not in page.content.decode() and 'name="actions-0-description"' not in page.content.decode()
    open_page = staff_client.get(change_url(make_recommendation(closed.inspection))).content.decode()
    assert 'name="owner"' in open_page  # the same page lets an open one change
    assert response.status_code == 403
    assert state(closed) == before


def test_the_report_inline_refuses_changes_to_a_closed_recommendation(staff_client, closed) -> None:
    data = _inspection_data(closed, {"text": "Rewritten after closure"})
    before = state(closed)

    response = staff_client.post(reverse("admin:inspections_inspection_change", args=[closed.inspection_id]), data)

    assert response.status_code == 200
    assert "This recommendation is closed: reopen it first to change it." in response.content.decode()
    assert state(closed) == before


def test_the_admin_replacement_search_offers_only_recommendations_answered_alike(staff_client, regional) -> None:
    same_region = make_recommendation(make_inspection())
    make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)))
    make_recommendation(make_inspection(type=InspectionType.THEMATIC), addressee=Addressee.HMPPS)
    page = staff_client.get(change_url(regional)).content.decode()
    select = page[page.index('name="superseded_by"') :]
    search_url = select.split('data-ajax--url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    path, _, query = search_url.partition("?")
    search = {"app_label": "recommendations", "model_name": "recommendation", "field_name": "superseded_by"}

    found = staff_client.get(path, {**dict(parse_qsl(query)), **search, "term": ""}).json()["results"]

    assert {int(result["id"]) for result in found} == {same_region.pk}


# --- a person's role and region: nobody is left owning what they can no longer see ---


@pytest.fixture
def superuser_client() -> Client:
    """Superusers manage people (Inspectorate staff have no permission on users)."""
    client = Client()
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", None))
    return client


def _user_data(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": user.role,
        "region": user.region_id or "",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "09:00:00",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "changes",
    [{"region": "south_central"}, {"role": Role.HMPPS_LEAD, "region": ""}],
    ids=["moved to another region", "made an HMPPS lead"],
)
def test_a_lead_who_owns_open_work_keeps_the_scope_to_see_it(
    superuser_client, regional, staff, kss_lead, changes
) -> None:
    services.recommendation_assign_owner(recommendation=regional, owner=kss_lead, by=staff)
    if changes.get("region") == "south_central":
        changes = {**changes, "region": make_region(SOUTH_CENTRAL).pk}
    url = reverse("admin:accounts_user_change", args=[kss_lead.pk])

    response = superuser_client.post(url, _user_data(kss_lead, **changes))

    assert response.status_code == 200
    assert "Kim Kent owns 1 open recommendation they could not see" in response.content.decode()
    fresh = User.objects.get(pk=kss_lead.pk)
    assert (fresh.role, fresh.region_id) == (kss_lead.role, kss_lead.region_id)


def test_a_lead_who_owns_nothing_open_moves_and_one_who_leaves_is_deactivated(
    superuser_client, regional, staff, kss_lead, sc_lead
) -> None:
    services.recommendation_assign_owner(recommendation=regional, owner=kss_lead, by=staff)
    moved = superuser_client.post(
        reverse("admin:accounts_user_change", args=[sc_lead.pk]), _user_data(sc_lead, region=make_region().pk)
    )
    left = superuser_client.post(
        reverse("admin:accounts_user_change", args=[kss_lead.pk]), _user_data(kss_lead, is_active=None)
    )

    assert (moved.status_code, left.status_code) == (302, 302)
    assert User.objects.get(pk=sc_lead.pk).region == make_region()
    assert not User.objects.get(pk=kss_lead.pk).is_active


def test_the_report_inline_refuses_moving_a_recommendation_away_from_its_owner(
    staff_client, regional, staff, kss_lead
) -> None:
    services.recommendation_assign_owner(recommendation=regional, owner=kss_lead, by=staff)
    regional.superseded_by = make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)))  # left from old data
    Recommendation.objects.filter(pk=regional.pk).update(superseded_by=regional.superseded_by)
    before = state(regional)

    response = staff_client.post(
        reverse("admin:inspections_inspection_change", args=[regional.inspection_id]),
        _inspection_data(regional, {"owner": kss_lead.pk, "addressee": Addressee.HMPPS}),
    )

    assert response.status_code == 200
    assert "Kim Kent cannot own this recommendation" in response.content.decode()
    assert state(regional) == before
