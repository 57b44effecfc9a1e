"""The admin as the Inspectorate's data-entry tool: pages, columns, filters, bulk actions, history and query counts."""

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from inspections.models import (
    ContextualFact,
    DomainRating,
    Inspection,
    InspectionType,
    ProbationDeliveryUnit,
    Rating,
    Region,
    Score,
)
from recommendations import admin_list as recommendations_list
from recommendations import services
from recommendations.models import (
    ActionPlanItem,
    Addressee,
    FollowUpActivity,
    FollowUpKind,
    Progress,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
)
from tests.factories import (
    SOUTH_CENTRAL,
    make_inspection,
    make_pdu,
    make_recommendation,
    make_recommendations,
    make_region,
    make_staff,
    make_user,
)
from tests.support.admin_forms import change_form_data, change_url, current_values

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 2)
CHANGELIST = "admin:recommendations_recommendation_changelist"
# Sessions, the user, the counts, the rows and the filters: constant, and at most the pages' bound (bench/report.py).
QUERY_CAP = 15


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", None))
    return client


@pytest.fixture
def today() -> object:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False) as traveller:
        yield traveller


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _history_rows(recommendation: Recommendation) -> list[Any]:  # simple_history's records: Any to mypy
    return list(recommendation.history.order_by("history_id"))


# --- every page of every registered model ---

MY_MODELS = (Region, ProbationDeliveryUnit, Inspection, Theme, Recommendation)


def _one_of_each() -> dict[type[Model], Model]:
    recommendation = make_recommendation(owner=make_user(), target_date=TODAY)
    theme, owner = Theme.objects.first(), recommendation.owner
    assert theme is not None and owner is not None  # a migration adds the themes
    return {
        Region: make_region(),
        ProbationDeliveryUnit: make_pdu(),
        Inspection: recommendation.inspection,
        Theme: theme,
        Recommendation: recommendation,
        User: owner,
    }


def test_every_registered_changelist_renders_for_a_superuser(superuser_client: Client) -> None:
    _one_of_each()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [*MY_MODELS, User])
def test_change_and_add_pages_render_for_a_superuser(superuser_client: Client, model: type[Model]) -> None:
    obj = _one_of_each()[model]
    opts = model._meta
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert superuser_client.get(change).status_code == 200
    assert superuser_client.get(add).status_code == 200


@pytest.mark.parametrize("model", [*MY_MODELS, User])
def test_inspectorate_staff_use_every_page_by_their_role(staff_client: Client, model: type[Model]) -> None:
    obj = _one_of_each()[model]
    opts = model._meta
    for name, args in (("changelist", []), ("add", []), ("change", [obj.pk]), ("history", [obj.pk])):
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
        assert staff_client.get(url).status_code == 200, url


def test_admin_pages_have_no_navigation_sidebar_and_the_index_lists_every_model(superuser_client: Client) -> None:
    changelist = superuser_client.get(reverse(CHANGELIST)).content.decode()
    index = superuser_client.get(reverse("admin:index"))

    assert 'id="nav-sidebar"' not in changelist
    for model in admin.site._registry:
        assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") in index.content.decode()


def test_themes_link_to_their_recommendations(staff_client: Client) -> None:
    theme = Theme.objects.create(name="Test & theme")
    make_recommendation().themes.add(theme)

    content = staff_client.get(reverse("admin:recommendations_theme_changelist")).content.decode()

    assert f'href="{reverse(CHANGELIST)}?themes__id__exact={theme.pk}"' in content


def test_regional_leads_are_sent_to_the_admin_login(client: Client) -> None:
    recommendation = make_recommendation()
    client.force_login(make_user(Role.REGIONAL_LEAD))
    for url in (reverse("admin:index"), reverse(CHANGELIST), reverse(f"{CHANGELIST[:-10]}change", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert recommendation.history.count() == 1


def test_a_lead_made_staff_by_mistake_still_cannot_see_recommendations(client: Client) -> None:
    client.force_login(make_user(Role.REGIONAL_LEAD, is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_inspection_list_offers_the_report_import(staff_client: Client) -> None:
    content = staff_client.get(reverse("admin:inspections_inspection_changelist")).content.decode()

    assert f'<a href="{reverse("admin:inspections_inspection_import")}" class="addlink">Import a report</a>' in content


# --- the recommendation list ---


def test_recommendation_list_shows_its_columns(staff_client: Client, today: object) -> None:
    owner = make_user(first_name="Olu", last_name="Owner")
    make_recommendation(owner=owner, target_date=datetime.date(2026, 1, 31), priority=True)
    response = staff_client.get(reverse(CHANGELIST))
    content = response.content.decode()
    for heading in ("Reference", "Region", "Addressee", "Owner", "Status", "Target date", "Overdue", "Priority"):
        assert f">{heading}</a>" in content or f">{heading}</span>" in content, heading
    row = response.context["cl"].result_list[0]
    assert row.reference in content
    assert "Olu Owner" in content
    assert "Kent, Surrey and Sussex" in content
    assert "Open" in content
    assert "31 Jan 2026" in content or "31 January 2026" in content
    assert 'alt="True"' in content  # overdue and priority icons


def test_overdue_filter_shows_only_overdue(staff_client: Client, today: object) -> None:
    inspection = make_inspection()
    late = make_recommendation(inspection, target_date=datetime.date(2026, 3, 1))
    make_recommendation(inspection, target_date=TODAY)
    make_recommendation(inspection, target_date=None)
    closed = make_recommendation(inspection, target_date=datetime.date(2026, 1, 1))
    services.recommendation_transition(recommendation=closed, action="close_implemented", by=make_staff())

    overdue = staff_client.get(reverse(CHANGELIST), {"overdue": "yes"}).context["cl"].result_list
    not_overdue = staff_client.get(reverse(CHANGELIST), {"overdue": "no"}).context["cl"].result_list

    assert [r.pk for r in overdue] == [late.pk]
    assert late.pk not in {r.pk for r in not_overdue}
    assert len(not_overdue) == 3


def test_filters_by_status_and_inspection_type(staff_client: Client) -> None:
    regional = make_recommendation()
    thematic = make_recommendation(make_inspection(type=InspectionType.THEMATIC), addressee="hmpps")
    services.recommendation_transition(recommendation=thematic, action="close_implemented", by=make_staff())

    by_type = staff_client.get(reverse(CHANGELIST), {"inspection__type": InspectionType.THEMATIC})
    by_status = staff_client.get(reverse(CHANGELIST), {"status__exact": Status.OPEN})

    assert [r.pk for r in by_type.context["cl"].result_list] == [thematic.pk]
    assert [r.pk for r in by_status.context["cl"].result_list] == [regional.pk]


def test_filters_by_region_and_theme_offer_their_names(staff_client: Client) -> None:
    theme = Theme.objects.create(name="Test & theme")
    themed = make_recommendation()
    themed.themes.add(theme)
    elsewhere = make_recommendation(make_inspection(region=make_region(SOUTH_CENTRAL)))

    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    by_theme = _changelist(staff_client, themes__id__exact=str(theme.pk))
    by_region = _changelist(staff_client, region__id__exact=str(elsewhere.region_id))

    assert f'?themes__id__exact={theme.pk}">Test &amp; theme</a>' in page
    assert elsewhere.region is not None
    assert f'?region__id__exact={elsewhere.region_id}">{elsewhere.region.name}</a>' in page
    assert [r.pk for r in by_theme.result_list] == [themed.pk]
    assert [r.pk for r in by_region.result_list] == [elsewhere.pk]


def _changelist(client: Client, **query: str):
    return client.get(reverse(CHANGELIST), query).context["cl"]


def test_search_finds_text_inspection_and_owner(staff_client: Client) -> None:
    owner = make_user(first_name="Priya", last_name="Patel")
    vetting = make_recommendation(text="Reduce vetting delays for new staff.", owner=owner)
    other = make_recommendation(make_inspection(reference="N59-PP-2025", title="South Central public protection"))

    def found(term: str) -> set[int]:
        return {r.pk for r in staff_client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list}

    assert found("vetting") == {vetting.pk}
    assert found("Patel") == {vetting.pk}
    assert found("N59-PP") == {other.pk}
    assert found("South Central public") == {other.pk}


def test_search_finds_a_full_reference(staff_client: Client) -> None:
    kent = make_inspection(reference="N57-PP-2025")
    first, second = make_recommendation(kent), make_recommendation(kent)
    national = make_recommendation(kent, addressee=Addressee.HMPPS)
    make_recommendation(make_inspection(reference="N57-PP-2025-2"))  # another report: its R1 is not N57-PP-2025/R1

    def found(term: str) -> set[int]:
        return {r.pk for r in _changelist(staff_client, q=term).result_list}

    assert (first.reference, national.reference) == ("N57-PP-2025/R1", "N57-PP-2025/H1")
    assert found("N57-PP-2025/R1") == {first.pk}
    assert found("n57-pp-2025/r2") == {second.pk}
    assert found("N57-PP-2025/H1") == {national.pk}
    assert found("N57-PP-2025/R1 quality") == {first.pk}  # and every other word as before
    assert found("N57-PP-2025/R9") == set()


def test_the_list_shows_each_recommendations_text_shortened(staff_client: Client) -> None:
    long_text = "Ensure that practitioners request and use domestic abuse information from the police " * 3
    make_recommendation(text=long_text)
    make_recommendation(text="Reduce vetting delays.")

    page = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert '<th scope="col" class="column-short_text">' in page
    assert '<td class="field-short_text">Reduce vetting delays.</td>' in page
    assert f'<td class="field-short_text">{long_text[:79]}…</td>' in page
    assert long_text not in page


def test_the_list_is_rendered_by_djangos_own_templates(staff_client: Client) -> None:
    make_recommendation()

    response = staff_client.get(reverse(CHANGELIST))

    used = {template.name for template in response.templates}
    assert {"admin/change_list.html", "admin/change_list_results.html", "admin/actions.html"} <= used
    # The one override: Django's pagination with "About" before an estimated count.
    assert {name for name in used if name and name.startswith("admin/recommendations/")} == {
        "admin/recommendations/recommendation/pagination.html"
    }


def test_rows_link_to_the_change_page_keeping_the_filters(staff_client: Client) -> None:
    recommendation = make_recommendation()

    content = staff_client.get(reverse(CHANGELIST), {"status__exact": Status.OPEN}).content.decode()

    change = reverse(f"{CHANGELIST[:-10]}change", args=[recommendation.pk])
    assert f'<a href="{change}?_changelist_filters=status__exact%3Dopen">{recommendation.reference}</a>' in content


def test_the_whole_table_is_counted_from_statistics_above_the_threshold(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_recommendations(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recommendations_recommendation")
    monkeypatch.setattr(recommendations_list, "ESTIMATE_FROM", 1)

    whole = staff_client.get(reverse(CHANGELIST))
    filtered = staff_client.get(reverse(CHANGELIST), {"status__exact": Status.OPEN})

    # PostgreSQL keeps the statistics; elsewhere (SQLite in development) the whole table is counted exactly.
    on_postgresql = connection.vendor == "postgresql"
    assert whole.context["cl"].paginator.estimated is on_postgresql
    assert ("About 3 recommendations" if on_postgresql else "3 recommendations") in whole.content.decode()
    assert not filtered.context["cl"].paginator.estimated
    assert "3 recommendations" in filtered.content.decode()
    assert "About" not in filtered.content.decode()


def test_a_small_table_is_counted_exactly(staff_client: Client) -> None:
    make_recommendations(2)

    response = staff_client.get(reverse(CHANGELIST))

    assert not response.context["cl"].paginator.estimated
    assert "2 recommendations" in response.content.decode()


def test_search_finds_what_djangos_search_finds(rf: RequestFactory, staff: User) -> None:
    owner = make_user(first_name="Priya", last_name="Patel", username="ppatel")
    make_recommendation(text="Reduce vetting delays for new staff.", owner=owner)
    make_recommendation(make_inspection(reference="N59-PP-2025", title="South Central public protection"))
    make_recommendation(text='Publish the "quality" audit.')
    model_admin = admin.site._registry[Recommendation]
    request = rf.get("/")
    request.user = staff
    everything = model_admin.get_queryset(request)

    for term in ("vetting", "ppatel", "PP-2025 staff", "south central", '"quality" audit', "'new staff'", "nothing"):
        ours, _ = model_admin.get_search_results(request, everything, term)
        django, _ = admin.ModelAdmin.get_search_results(model_admin, request, everything, term)
        assert {r.pk for r in ours} == {r.pk for r in django}, term


def test_the_list_offers_no_filter_counts(staff_client: Client) -> None:
    make_recommendation()

    response = staff_client.get(reverse(CHANGELIST), {"_facets": "True"})

    assert not response.context["cl"].add_facets
    assert "Show counts" not in response.content.decode()


# --- bulk actions ---


def _act(client: Client, action: str, rows: list[Recommendation], **fields: object):
    data = {"action": action, "_selected_action": [r.pk for r in rows], **fields}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_assign_owner_asks_then_assigns_every_row_with_history(staff_client: Client, staff: User) -> None:
    rows = make_recommendations(3)
    owner = make_user(Role.REGIONAL_LEAD, first_name="Kim", last_name="Kent")
    make_user(is_active=False, first_name="Gone", last_name="Away")

    page = _act(staff_client, "assign_owner", rows, index=0)
    assert page.templates[0].name == "admin/recommendations/recommendation/bulk_change.html"
    assert "Kim Kent (Regional lead, Kent, Surrey and Sussex)" in page.content.decode()
    assert "Gone Away" not in page.content.decode()
    assert Recommendation.objects.filter(owner__isnull=False).count() == 0

    done = _act(staff_client, "assign_owner", rows, apply="yes", owner=owner.pk, reason="New regional lead")

    assert "Assign an owner: 3 recommendations changed." in _messages(done)
    for row in rows:
        row.refresh_from_db()
        assert row.owner == owner
        latest = _history_rows(row)[-1]
        assert (latest.owner_id, latest.history_user, latest.history_change_reason) == (
            owner.pk,
            staff,
            "New regional lead",
        )


def test_set_status_closes_every_row_with_the_reason(staff_client: Client, staff: User) -> None:
    rows = make_recommendations(2)
    page = _act(staff_client, "set_status", rows, index=0)
    assert "Close as implemented" in page.content.decode()

    done = _act(staff_client, "set_status", rows, apply="yes", step="close_implemented", reason="Evidence reviewed")

    assert "Set status: 2 recommendations changed." in _messages(done)
    for row in rows:
        row.refresh_from_db()
        assert row.status == Status.CLOSED_IMPLEMENTED
        assert row.closed_at is not None
        latest = _history_rows(row)[-1]
        assert (latest.status, latest.history_user, latest.history_change_reason) == (
            Status.CLOSED_IMPLEMENTED,
            staff,
            "Evidence reviewed",
        )


def test_set_status_needs_a_reason(staff_client: Client) -> None:
    rows = make_recommendations(1)

    page = _act(staff_client, "set_status", rows, apply="yes", step="close_implemented", reason=" ")

    assert "This field is required." in page.content.decode()
    assert Recommendation.objects.get().status == Status.OPEN


def test_refused_bulk_transition_shows_an_error_and_changes_nothing(staff_client: Client) -> None:
    rows = make_recommendations(2)
    before = Recommendation.history.count()

    done = _act(staff_client, "set_status", rows, apply="yes", step="decline_closure", reason="Not yet")

    assert any(message.startswith("Nothing was changed:") for message in _messages(done))
    assert "is not possible while" in " ".join(_messages(done))
    assert set(Recommendation.objects.values_list("status", flat=True)) == {Status.OPEN}
    assert Recommendation.history.count() == before


def test_set_target_date_moves_dates_with_the_reason(staff_client: Client, staff: User) -> None:
    dated = make_recommendation(target_date=datetime.date(2026, 6, 30))
    undated = make_recommendation(dated.inspection)

    page = _act(staff_client, "set_target_date", [dated, undated], index=0)
    assert "New target date" in page.content.decode()

    done = _act(
        staff_client,
        "set_target_date",
        [dated, undated],
        apply="yes",
        target_date="30/09/2026",
        reason="Recruitment delayed by vetting",
    )

    assert "Set target date: 2 recommendations changed." in _messages(done)
    for row in (dated, undated):
        row.refresh_from_db()
        assert row.target_date == datetime.date(2026, 9, 30)
        latest = _history_rows(row)[-1]
        assert (latest.history_user, latest.history_change_reason) == (staff, "Recruitment delayed by vetting")


def test_set_target_date_without_a_reason_is_refused_on_the_page(staff_client: Client) -> None:
    dated = make_recommendation(target_date=datetime.date(2026, 6, 30))

    page = _act(staff_client, "set_target_date", [dated], apply="yes", target_date="30/09/2026", reason="")

    assert "Give a reason for moving the target date." in page.content.decode()
    dated.refresh_from_db()
    assert dated.target_date == datetime.date(2026, 6, 30)
    assert dated.history.count() == 1


# --- the change form: who and why ---


def test_moving_the_target_date_without_a_reason_shows_the_error_and_changes_nothing(staff_client: Client) -> None:
    recommendation = make_recommendation(target_date=datetime.date(2026, 6, 30))

    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, target_date="31/12/2026"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"change_reason": ["Give a reason for moving the target date."]}
    recommendation.refresh_from_db()
    assert recommendation.target_date == datetime.date(2026, 6, 30)
    assert recommendation.history.count() == 1


def test_moving_the_target_date_with_a_reason_saves_and_records_it(staff_client: Client, staff: User) -> None:
    recommendation = make_recommendation(target_date=datetime.date(2026, 6, 30))
    data = change_form_data(recommendation, target_date="31/12/2026", change_reason="Agreed at the March review")

    response = staff_client.post(change_url(recommendation), data)

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.target_date == datetime.date(2026, 12, 31)
    latest = _history_rows(recommendation)[-1]
    assert (latest.target_date, latest.history_user, latest.history_change_reason) == (
        datetime.date(2026, 12, 31),
        staff,
        "Agreed at the March review",
    )


def test_owner_change_without_a_reason_says_what_was_edited(staff_client: Client, staff: User) -> None:
    recommendation = make_recommendation()
    owner = make_user()

    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, owner=owner.pk))

    assert response.status_code == 302
    latest = _history_rows(recommendation)[-1]
    assert (latest.owner_id, latest.history_user) == (owner.pk, staff)
    assert latest.history_change_reason == "Edited in the admin (owner)"


def test_owners_are_found_by_name_and_must_be_active(staff_client: Client) -> None:
    recommendation = make_recommendation()
    active, gone = make_user(first_name="Olu", last_name="Owner"), make_user(first_name="Olu", is_active=False)
    search = {"app_label": "recommendations", "model_name": "recommendation", "field_name": "owner", "term": "Olu"}

    found = staff_client.get(reverse("admin:autocomplete"), search).json()["results"]
    refused = staff_client.post(change_url(recommendation), change_form_data(recommendation, owner=gone.pk))

    assert {"id": str(active.pk), "text": "Olu Owner"} in found
    assert refused.context["adminform"].form.errors == {"owner": ["An owner must be an active user."]}
    assert Recommendation.objects.get().owner is None


def test_a_response_entered_in_the_admin_is_dated_and_needs_its_reason(staff_client: Client, today: object) -> None:
    recommendation = make_recommendation()

    refused = staff_client.post(change_url(recommendation), change_form_data(recommendation, response="not_agreed"))
    saved = staff_client.post(
        change_url(recommendation),
        change_form_data(recommendation, response="partly_agreed", response_reason="Funding is national"),
    )

    assert "Say why the recommendation is only partly agreed or not agreed." in refused.content.decode()
    assert saved.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.responded_at == datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON)
    assert recommendation.last_updated_at == recommendation.responded_at  # an event, as the services record one
    assert _history_rows(recommendation)[-1].history_change_reason == "Edited in the admin (response, response reason)"


def test_follow_up_and_action_plan_rows_added_in_the_admin_are_signed(staff_client: Client, staff: User) -> None:
    recommendation = make_recommendation()
    rows = {
        "follow_ups-TOTAL_FORMS": 1,
        "follow_ups-0-kind": FollowUpKind.VISIT,
        "follow_ups-0-activity_date": "02/03/2026",
        "follow_ups-0-notes": "Met the regional lead",
        "actions-TOTAL_FORMS": 1,
        "actions-0-position": 1,
        "actions-0-description": "Recruit two vetting officers",
    }

    before = recommendation.last_updated_at
    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, **rows))

    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).last_updated_at > before  # "Last updated" moved
    assert recommendation.follow_ups.get().conducted_by == staff
    assert recommendation.actions.get().created_by == staff


def test_status_cannot_be_changed_through_the_form(staff_client: Client) -> None:
    recommendation = make_recommendation()

    staff_client.post(change_url(recommendation), change_form_data(recommendation, status=Status.CLOSED_IMPLEMENTED))

    recommendation.refresh_from_db()
    assert recommendation.status == Status.OPEN


def test_change_page_shows_the_history_table(staff_client: Client) -> None:
    recommendation = make_recommendation(target_date=datetime.date(2026, 6, 30))
    owner = make_user(first_name="Olu", last_name="Owner")
    boss = make_staff(first_name="Bea", last_name="Boss")
    services.recommendation_assign_owner(recommendation=recommendation, owner=owner, by=boss, reason="Leads KSS")
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=datetime.date(2026, 9, 30), by=boss, reason="Vetting backlog"
    )

    content = staff_client.get(change_url(recommendation)).content.decode()

    assert "Owner: none &rarr; Olu Owner" in content
    assert "Target date: 30 Jun 2026 &rarr; 30 Sep 2026" in content
    assert "Bea Boss" in content and "Leads KSS" in content and "Vetting backlog" in content


def test_old_versions_cannot_be_restored(staff_client: Client) -> None:
    recommendation = make_recommendation()
    version = recommendation.history.get()
    url = reverse("admin:recommendations_recommendation_simple_history", args=[recommendation.pk, version.pk])

    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"text": "rewritten"}).status_code == 403


# --- the inspection page: recommendations edited inline keep the same rules ---


def test_inline_recommendations_move_their_date_only_with_a_reason(staff_client: Client, staff: User) -> None:
    recommendation = make_recommendation(target_date=datetime.date(2026, 6, 30), owner=make_user())
    url = reverse("admin:inspections_inspection_change", args=[recommendation.inspection_id])
    data = current_values(staff_client.get(url))
    data["recommendations-0-target_date"] = "31/12/2026"

    refused = staff_client.post(url, data)

    assert refused.status_code == 200
    row_errors = refused.context["inline_admin_formsets"][-1].formset.errors[0]
    assert row_errors == {"change_reason": ["Give a reason for moving the target date."]}
    assert recommendation.history.count() == 1

    data["recommendations-0-change_reason"] = "Agreed with the region"
    before = Recommendation.objects.get(pk=recommendation.pk).last_updated_at
    assert staff_client.post(url, data).status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).last_updated_at > before  # "Last updated" moved

    row = _history_rows(recommendation)[-1]
    assert (row.target_date, row.history_user, row.history_change_reason) == (
        datetime.date(2026, 12, 31),
        staff,
        "Agreed with the region",
    )


def test_inline_recommendations_show_their_owner_and_status(staff_client: Client) -> None:
    recommendation = make_recommendation(owner=make_user(first_name="Olu", last_name="Owner"))
    url = reverse("admin:inspections_inspection_change", args=[recommendation.inspection_id])

    content = staff_client.get(url).content.decode()

    assert f'<option value="{recommendation.owner_id}" selected>Olu Owner</option>' in content
    assert recommendation.reference in content and "Open" in content


# --- query counts do not grow with rows ---


def _queries(client: Client, url: str, rows: int) -> int:
    """How many queries the page takes, after checking that it really shows `rows` rows."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if "cl" in response.context:
        assert len(response.context["cl"].result_list) == rows
    elif "page_obj" in response.context:  # the History page, 100 a page
        assert len(response.context["page_obj"]) == min(rows + 1, 100)
    else:
        shown = [len(inline.formset.forms) for inline in response.context["inline_admin_formsets"]]
        assert max(shown) == rows
    return len(queries.captured_queries)


def _recommendation_list(count: int) -> str:
    inspection = make_inspection(reference=f"LIST-{count}")
    owners = [make_user() for _ in range(3)]
    themes = list(Theme.objects.all()[:2])
    for number, recommendation in enumerate(make_recommendations(count, inspection, target_date=TODAY), start=1):
        recommendation.owner = owners[number % 3]
        recommendation._change_reason = "test"
        recommendation.save()
        recommendation.themes.set(themes)
    return reverse(CHANGELIST) + f"?q=LIST-{count}&all="


def _recommendation_page(count: int) -> str:
    recommendation = make_recommendation(owner=make_user(), superseded_by=make_recommendation())
    staff, people = make_staff(), [make_user() for _ in range(3)]
    for number in range(count):
        person = people[number % 3]
        services.recommendation_assign_owner(recommendation=recommendation, owner=person, by=staff, reason="rota")
        FollowUpActivity.objects.create(
            recommendation=recommendation, kind=FollowUpKind.MEETING, activity_date=TODAY, conducted_by=person
        )
        ProgressUpdate.objects.create(recommendation=recommendation, author=person, progress=Progress.IN_PROGRESS)
        ActionPlanItem.objects.create(recommendation=recommendation, description=f"Step {number}", created_by=person)
    return change_url(recommendation)


def _recommendation_history_page(count: int) -> str:
    recommendation = make_recommendation()
    staff, people = make_staff(), [make_user() for _ in range(3)]
    for number in range(count):
        services.recommendation_assign_owner(recommendation=recommendation, owner=people[number % 3], by=staff)
    return reverse("admin:recommendations_recommendation_history", args=[recommendation.pk])


def _inspection_list(count: int) -> str:
    for _ in range(count):
        make_recommendation(make_inspection(title=f"Listed{count}x inspection"))
    return reverse("admin:inspections_inspection_changelist") + f"?q=Listed{count}x&all="


def _inspection_page(count: int) -> str:
    inspection = make_inspection()
    people = [make_user() for _ in range(3)]
    for number in range(1, count + 1):
        make_recommendation(inspection, owner=people[number % 3], target_date=TODAY)
    # Rows without related objects to label: 10 against 20 shows growth as well as 200 would, much faster.
    for number in range(1, min(count, 20) + 1):
        DomainRating.objects.create(inspection=inspection, position=number, domain=f"D{number}", rating=Rating.GOOD)
        Score.objects.create(inspection=inspection, position=number, question=f"Q{number}", percentage_yes=50)
        ContextualFact.objects.create(inspection=inspection, position=number, label=f"F{number}", value="1")
    return reverse("admin:inspections_inspection_change", args=[inspection.pk])


def _region_list(count: int) -> str:
    for number in range(count):
        Region.objects.create(code=f"T{count}{number}", name=f"Zone {count}-{number}", inspectorate_lead=make_user())
    return reverse("admin:inspections_region_changelist") + f"?q=Zone+{count}-&all="


def _region_page(count: int) -> str:
    region = Region.objects.create(code=f"T{count}", name=f"Zone {count}", inspectorate_lead=make_user())
    ProbationDeliveryUnit.objects.bulk_create(ProbationDeliveryUnit(region=region, name=f"P{n}") for n in range(count))
    return reverse("admin:inspections_region_change", args=[region.pk])


def _pdu_list(count: int) -> str:
    region = Region.objects.create(code=f"T{count}", name=f"Zone {count}")
    ProbationDeliveryUnit.objects.bulk_create(ProbationDeliveryUnit(region=region, name=f"P{n}") for n in range(count))
    return reverse("admin:inspections_probationdeliveryunit_changelist") + f"?region__id__exact={region.pk}&all="


def _theme_list(count: int) -> str:
    Theme.objects.bulk_create(Theme(name=f"Topic {count}-{n}") for n in range(count))
    return reverse("admin:recommendations_theme_changelist") + f"?q=Topic+{count}-&all="


def _user_list(count: int) -> str:
    for number in range(count):
        make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL), last_name=f"Crowd{count}x{number}")
    return reverse("admin:accounts_user_changelist") + f"?q=Crowd{count}x&all="


PAGES: dict[str, Callable[[int], str]] = {
    "recommendation list": _recommendation_list,
    "recommendation page": _recommendation_page,
    "recommendation history": _recommendation_history_page,
    "inspection list": _inspection_list,
    "inspection page": _inspection_page,
    "region list": _region_list,
    "region page": _region_page,
    "PDU list": _pdu_list,
    "theme list": _theme_list,
    "user list": _user_list,
}


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_rows(superuser_client: Client, page: str) -> None:
    small, large = PAGES[page](10), PAGES[page](200)
    superuser_client.get(small)  # warm the content-type and permission caches

    counts = (_queries(superuser_client, small, 10), _queries(superuser_client, large, 200))

    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 10 rows, {counts[1]} for 200"
    assert counts[1] <= QUERY_CAP, f"{page}: {counts[1]} queries"


def test_a_search_by_full_reference_takes_as_many_queries_as_any_other(superuser_client: Client) -> None:
    url = _recommendation_list(10)
    superuser_client.get(url)  # warm the content-type and permission caches
    reference = Recommendation.objects.filter(inspection__reference="LIST-10").first()
    assert reference is not None

    by_word = _queries(superuser_client, url, 10)
    by_reference = _queries(superuser_client, reverse(CHANGELIST) + f"?q={reference.reference}", 1)

    assert by_reference == by_word <= QUERY_CAP
