"""The recommendation page: what each role sees, who may reach it, and that its cost does not grow with its history."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommendations import services
from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    ProgressUpdate,
    Recommendation,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
)
from recommendations.timeline import TIMELINE_LIMIT
from tests.detail.conftest import client_for, snapshot, undated, url

pytestmark = pytest.mark.django_db

# Every URL of a change, with the extra URL arguments it needs (filled in by `post_urls`).
POST_URLS = (
    "record_response",
    "add_progress_update",
    "add_action",
    "complete_action",
    "request_target_date",
    "decide_target_date",
    "record_follow_up",
    "set_judgement",
    "change_status",
    "assign_owner",
)


def post_urls(recommendation: Recommendation, staff, lead) -> dict[str, str]:
    item = services.action_plan_item_add(recommendation=recommendation, by=lead, description="Train staff")
    change_request = services.target_date_change_request(
        recommendation=recommendation,
        by=lead,
        proposed_date=timezone.localdate() + datetime.timedelta(days=90),
        reason="R",
    )
    extra = {"complete_action": (item.pk,), "decide_target_date": (change_request.pk,)}
    return {name: url(name, recommendation, *extra.get(name, ())) for name in POST_URLS}


def evidence_update(recommendation: Recommendation, lead) -> ProgressUpdate:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 evidence", content_type="application/pdf")
    return services.progress_update_record(
        recommendation=recommendation, by=lead, progress="in_progress", text="Plan", evidence_file=upload
    )


# --- who sees what ---


def test_page_shows_the_recommendation_and_its_axes(staff, recommendation) -> None:
    response = client_for(staff).get(url("detail", recommendation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Improve the quality of risk assessments." in page
    assert recommendation.inspection.title in page
    assert f'href="{reverse("inspections:detail", args=[recommendation.inspection.pk])}"' in page
    assert recommendation.region.name in page
    for label in ("Response", "Progress", "Inspectorate's judgement", "Closure"):
        assert label in html.unescape(page)
    for tag in ("Awaiting response", "Not started", "Not yet assessed", "Open"):
        assert re.search(rf'<strong class="govuk-tag[^"]*">{tag}</strong>', page), tag
    assert 'class="moj-timeline"' in page


def changes_on(page: str) -> set[str]:
    """The changes the page links to, in its "Make a change" list (each is a page of its own)."""
    return set(re.findall(r'<a class="govuk-link" id="change-([a-z_]+)"', page))


def test_the_page_holds_no_form_but_links_to_each_change(staff, recommendation) -> None:
    page = client_for(staff).get(url("detail", recommendation)).content.decode()
    assert changes_on(page) == {
        "change_status",
        "record_response",
        "add_progress_update",
        "add_action",
        "record_follow_up",
        "set_judgement",
        "assign_owner",
    }
    assert f'href="{url("record_response", recommendation)}"' in page
    assert "<form" not in page.split('id="main-content"')[-1]  # not even the people who could own it, or a select
    assert "<select" not in page
    # The summary list's "Change" links lead to the owner and target date page.
    assert page.count(f'href="{url("assign_owner", recommendation)}"') == 3
    assert 'Change<span class="govuk-visually-hidden"> target date</span>' in page


@pytest.mark.parametrize("persona", ["lead", "hmpps_lead"])
def test_leads_see_only_the_changes_they_can_make(request, recommendation, national, persona) -> None:
    person = request.getfixturevalue(persona)
    target = recommendation if persona == "lead" else national
    page = client_for(person).get(url("detail", target)).content.decode()
    assert changes_on(page) == {
        "change_status",
        "record_response",
        "add_progress_update",
        "add_action",
        "request_target_date",
    }
    assert "Say it is ready for closure" in page
    assert "govuk-summary-list__actions" not in page  # no "Change" link for the owner or target date


def test_each_change_has_a_page_of_its_own_with_its_form(staff, recommendation) -> None:
    client = client_for(staff)
    for name, field in [
        ("change_status", "workflow-action"),
        ("record_response", "response-response"),
        ("add_progress_update", "progress-progress"),
        ("add_action", "action-description"),
        ("record_follow_up", "follow_up-kind"),
        ("set_judgement", "judgement-judgement"),
        ("assign_owner", "owner-owner"),
    ]:
        response = client.get(url(name, recommendation))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert f'action="{url(name, recommendation)}"' in page, name
        assert f'name="{field}"' in page, name
        assert f'href="{url("detail", recommendation)}" class="govuk-back-link"' in page, name
        assert page.count("<h1") == 1, name


def test_the_workflow_page_offers_each_person_their_steps(staff, lead, recommendation) -> None:
    staff_page = client_for(staff).get(url("change_status", recommendation)).content.decode()
    assert "Close as implemented" in staff_page
    assert "Ask for closure" not in staff_page  # the Inspectorate closes directly
    assert 'name="workflow-superseded_by"' in staff_page
    lead_page = client_for(lead).get(url("change_status", recommendation)).content.decode()
    assert '<h1 class="govuk-heading-l">Say it is ready for closure</h1>' in lead_page
    assert "Ask for closure" in lead_page
    for forbidden in ("Close as implemented", "Reopen", "workflow-superseded_by"):
        # The list of every recommendation (to supersede with) would show items outside their scope.
        assert forbidden not in lead_page


def test_a_lead_is_refused_the_inspectorates_pages(lead, recommendation) -> None:
    before = snapshot(recommendation)
    for name in ("record_follow_up", "set_judgement", "assign_owner"):
        response = client_for(lead).get(url(name, recommendation))
        assert response.status_code == 403, name
        assert "Only Inspectorate staff can do this." in response.content.decode()
    assert snapshot(recommendation) == before


def test_closed_recommendation_offers_the_lead_nothing(staff, lead, recommendation) -> None:
    services.recommendation_transition(recommendation=recommendation, action="close_implemented", by=staff)
    page = client_for(lead).get(url("detail", recommendation)).content.decode()
    assert changes_on(page) == set()
    assert "Closed: implemented" in page
    assert client_for(lead).get(url("change_status", recommendation)).status_code == 403


def test_pending_request_replaces_the_request_link(staff, lead, recommendation) -> None:
    post_urls(recommendation, staff, lead)
    change_request = recommendation.target_date_requests.get()
    decide = url("decide_target_date", recommendation, change_request.pk)
    lead_page = client_for(lead).get(url("detail", recommendation)).content.decode()
    assert "request_target_date" not in changes_on(lead_page)
    assert 'id="pending-date-request"' in lead_page
    assert decide not in lead_page
    assert decide in client_for(staff).get(url("detail", recommendation)).content.decode()
    decision_page = client_for(staff).get(decide).content.decode()
    assert 'name="date_decision-decision"' in decision_page
    assert "Rhys Regional, on" in decision_page


def test_target_date_history_shows_each_move_with_its_reason(staff, recommendation) -> None:
    undated(recommendation)
    first, second = datetime.date(2026, 6, 30), datetime.date(2026, 12, 31)
    services.recommendation_set_target_date(recommendation=recommendation, target_date=first, by=staff)
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=second, by=staff, reason="Waiting for the new IT system"
    )
    page = client_for(staff).get(url("detail", recommendation)).content.decode()
    history = page[page.index('id="target-date-history"') : page.index('id="action-plan"')]
    assert "Waiting for the new IT system" in history
    assert history.index("31 Dec 2026") < history.index("Target date set")


# --- who may reach it ---


def test_sign_in_is_required(recommendation) -> None:
    response = Client().get(url("detail", recommendation))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert Client().post(url("set_judgement", recommendation), {"judgement-judgement": "good"}).status_code == 302


@pytest.mark.parametrize("outsider", ["other_lead", "hmpps_lead"])
def test_outsider_gets_404_everywhere(request, staff, lead, recommendation, outsider) -> None:
    person = request.getfixturevalue(outsider)
    urls = post_urls(recommendation, staff, lead)
    update = evidence_update(recommendation, lead)
    before = snapshot(recommendation)
    client = client_for(person)
    assert client.get(url("detail", recommendation)).status_code == 404
    assert client.get(url("evidence_file", recommendation, update.pk)).status_code == 404
    for name, address in urls.items():
        response = client.post(address, {"workflow-action": "request_closure", "response-response": "agreed"})
        assert response.status_code == 404, name
        if name != "complete_action":  # a button on the page: no page of its own
            assert client.get(address).status_code == 404, name
    assert snapshot(recommendation) == before


def test_regional_lead_cannot_see_national_items(lead, national) -> None:
    assert client_for(lead).get(url("detail", national)).status_code == 404


def test_other_methods_on_change_urls_are_refused(staff, lead, recommendation) -> None:
    urls = post_urls(recommendation, staff, lead)
    before = snapshot(recommendation)
    for name, address in urls.items():
        assert client_for(staff).put(address).status_code == 405, name
    # Marking an action as done is a button on the page: it has no page of its own.
    assert client_for(staff).get(urls["complete_action"]).status_code == 405
    assert snapshot(recommendation) == before


def test_post_without_csrf_token_is_refused(staff, recommendation) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff, backend="accounts.backends.ModelBackend")
    before = snapshot(recommendation)
    response = client.post(url("set_judgement", recommendation), {"judgement-judgement": "good"})
    assert response.status_code == 403
    assert snapshot(recommendation) == before


def test_unknown_recommendation_is_404(staff) -> None:
    assert client_for(staff).get(reverse("recommendations:detail", args=[999999])).status_code == 404


def test_admin_is_closed_to_leads(lead) -> None:
    response = client_for(lead).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- bounded queries ---


def fill_timeline(recommendation: Recommendation, staff, lead, entries: int) -> None:
    """About `entries` timeline entries, spread over every source the timeline reads."""
    per_source = max(1, entries // 5)
    now = timezone.now()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            recommendation=recommendation,
            author=lead,
            progress="in_progress",
            text=f"Update {n}",
            evidence_file=f"evidence/2026/03/file{n}.pdf",
            evidence_url="https://example.org/e",
            created_at=now - datetime.timedelta(hours=n),
        )
        for n in range(per_source)
    )
    FollowUpActivity.objects.bulk_create(
        FollowUpActivity(
            recommendation=recommendation,
            kind="meeting",
            conducted_by=staff,
            outcome="Fine",
            activity_date=now.date() - datetime.timedelta(days=n),
        )
        for n in range(per_source)
    )
    ActionPlanItem.objects.bulk_create(
        ActionPlanItem(recommendation=recommendation, position=n, description=f"Action {n}", created_by=lead)
        for n in range(per_source)
    )
    TargetDateChangeRequest.objects.bulk_create(
        TargetDateChangeRequest(
            recommendation=recommendation,
            requested_by=lead,
            proposed_date=now.date(),
            reason="Late",
            status=TargetDateRequestStatus.REJECTED,
            decided_by=staff,
            decided_at=now,
            decision_note="No",
        )
        for _ in range(per_source // 2 or 1)
    )
    owners = [staff, lead]
    for n in range(per_source):
        services.recommendation_assign_owner(recommendation=recommendation, owner=owners[n % 2], by=staff)


def page_queries(user, recommendation: Recommendation, query: str = "") -> tuple[int, str]:
    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("detail", recommendation) + query)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "lead"])
def test_queries_do_not_grow_with_the_timeline(request, staff, lead, recommendation, persona) -> None:
    small = recommendation
    large = Recommendation.objects.create(
        inspection=small.inspection, addressee=small.addressee, region=small.region, number=99, text="Large"
    )
    fill_timeline(small, staff, lead, 5)
    fill_timeline(large, staff, lead, 200)
    person = request.getfixturevalue(persona)
    small_count, small_page = page_queries(person, small)
    large_count, large_page = page_queries(person, large)
    all_count, all_page = page_queries(person, large, "?timeline=all")
    assert small_page.count("moj-timeline__item") < 15
    assert large_page.count("moj-timeline__item") == TIMELINE_LIMIT
    assert all_page.count("moj-timeline__item") >= 200
    print(f"{persona}: {small_count} queries with the small timeline, {large_count} with the large one")
    assert small_count == large_count
    assert large_count <= 15
    assert all_count <= large_count  # all of it: no count needed


def test_a_superseded_recommendation_links_to_the_one_that_replaced_it(staff, recommendation) -> None:
    """The page reads the replacement only when there is one (one more query), and the timeline names it by its
    reference (one more)."""
    replacement = Recommendation.objects.create(
        inspection=recommendation.inspection,
        addressee=recommendation.addressee,
        region=recommendation.region,
        number=98,
        text="Replacement",
    )
    plain_count, _ = page_queries(staff, recommendation)
    services.recommendation_transition(
        recommendation=recommendation, by=staff, action="supersede", reason="Repeated", superseded_by=replacement
    )
    count, page = page_queries(staff, recommendation)
    link = f'<a class="govuk-link" href="{url("detail", replacement)}">{replacement.reference}</a>'
    assert link in page
    assert count == plain_count + 2


def test_a_lead_confirms_closure_rather_than_choosing_one_option(lead, recommendation) -> None:
    page = client_for(lead).get(url("change_status", recommendation)).content.decode()
    assert '<h1 class="govuk-heading-l">Say it is ready for closure</h1>' in page
    assert 'type="radio"' not in page  # no one-option radio
    assert "What do you want to do?" not in page
    assert '<input type="hidden" name="workflow-action" value="request_closure"' in page
    assert "Ask for closure" in page  # the button
    assert "Reason (optional)" in page
    response = client_for(lead).post(url("change_status", recommendation), {"workflow-action": "request_closure"})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == "awaiting_closure"


def test_the_inspectorate_still_chooses_among_its_steps(staff, recommendation) -> None:
    page = client_for(staff).get(url("change_status", recommendation)).content.decode()
    assert page.count('type="radio"') > 1
    assert "What do you want to do?" in page


def test_no_asking_to_move_a_target_date_there_is_not(lead, recommendation) -> None:
    from recommendations.models import Recommendation

    Recommendation.objects.filter(pk=recommendation.pk).update(target_date=None)
    page = client_for(lead).get(url("detail", recommendation)).content.decode()
    assert "Ask to move the target date" not in page
    assert url("request_target_date", recommendation) not in page
    refused = client_for(lead).get(url("request_target_date", recommendation))
    assert refused.status_code == 403
    assert "There is no target date to move yet. The Inspectorate sets it." in refused.content.decode()
    posted = client_for(lead).post(
        url("request_target_date", recommendation),
        {"date_request-proposed_date_day": "1", "date_request-proposed_date_month": "1"}
        | {"date_request-proposed_date_year": "2099", "date_request-reason": "Later"},
    )
    assert posted.status_code == 403
    assert not recommendation.target_date_requests.exists()
