"""Home, My actions and the recommendation list: what each persona sees, the filters, sorting and pages."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from inspections.models import Inspection
from recommendations.models import Addressee, Recommendation, Response, Status, Theme
from tests.factories import make_inspection, make_recommendation, make_user

from .conftest import Login, World

LIST = "recommendations:list"


def references(response) -> list[str]:
    """The references of the recommendations shown in a list response, in order."""
    return [str(row) for row in response.context["page"].object_list]


def close(recommendation, status: str = Status.CLOSED_IMPLEMENTED) -> None:
    type(recommendation).objects.filter(pk=recommendation.pk).update(status=status, closed_at=timezone.now())


# --- home ---


@pytest.mark.django_db
def test_home_sends_staff_to_the_dashboard_and_leads_to_their_actions(world: World, login: Login) -> None:
    assert login(world.staff).get("/")["Location"] == reverse("recommendations:dashboard")
    for lead in (world.lead_a, world.hmpps):
        assert login(lead).get("/")["Location"] == reverse("recommendations:my_actions")


@pytest.mark.django_db
def test_home_sends_anonymous_people_to_sign_in(world: World, login: Login) -> None:
    response = login(None).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- My actions ---


@pytest.fixture
def lead_actions(world: World) -> dict[str, Recommendation]:
    """Recommendations around lead A on 1 July 2025 (London), one for each way an item can fall."""
    today = datetime.date(2025, 7, 1)
    inspection = world.inspection_a
    other_person = make_user(Role.INSPECTORATE)
    made = {
        # Due on 30 June: overdue in London from 00:00 BST on 1 July, while it is still 30 June in UTC.
        "overdue": make_recommendation(inspection, owner=world.lead_a, target_date=today - datetime.timedelta(days=1)),
        "soon": make_recommendation(inspection, target_date=today + datetime.timedelta(days=30)),
        "later": make_recommendation(inspection, owner=world.lead_a, target_date=today + datetime.timedelta(days=31)),
        "no_date": make_recommendation(inspection),
        "awaiting": make_recommendation(inspection, owner=world.lead_a, status=Status.AWAITING_CLOSURE),
        "closed": make_recommendation(inspection, owner=world.lead_a, target_date=today),
        "someone_elses": make_recommendation(inspection, owner=other_person, target_date=today),
        "other_region": make_recommendation(world.inspection_b, target_date=today),
    }
    close(made["closed"])
    return made


def _group(response, key: str) -> list[str]:
    group = next(group for group in response.context["groups"] if group.key == key)
    assert group.count == len(group.rows)
    return [str(row) for row in group.rows]


@pytest.mark.django_db
def test_my_actions_groups_a_leads_items_by_london_date(
    world: World, login: Login, lead_actions: dict[str, Recommendation]
) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC), tick=False):
        response = login(world.lead_a).get(reverse("recommendations:my_actions"))
    assert response.status_code == 200
    ref = {key: str(value) for key, value in lead_actions.items()}
    assert _group(response, "overdue") == [ref["overdue"]]
    assert _group(response, "soon") == [ref["soon"]]
    assert set(_group(response, "later")) == {ref["later"], ref["no_date"], str(world.rec_a)}
    assert _group(response, "awaiting") == [ref["awaiting"]]
    everything = {row for group in response.context["groups"] for row in (str(r) for r in group.rows)}
    assert not everything & {ref["closed"], ref["someone_elses"], ref["other_region"], str(world.rec_b)}
    page = response.content.decode()
    assert "Overdue (1)" in page and "that nobody owns yet" in page


@pytest.mark.django_db
def test_my_actions_puts_every_item_in_exactly_one_group(
    world: World, login: Login, lead_actions: dict[str, Recommendation]
) -> None:
    response = login(world.lead_a).get(reverse("recommendations:my_actions"))
    shown = [str(row) for group in response.context["groups"] for row in group.rows]
    assert len(shown) == len(set(shown))
    # rec_a (no owner, no date) is unowned in lead A's region, so it is theirs to pick up.
    assert str(world.rec_a) in shown


@pytest.mark.django_db
def test_my_actions_for_staff_lists_only_what_they_own(world: World, login: Login) -> None:
    owned = make_recommendation(world.inspection_b, owner=world.staff)
    response = login(world.staff).get(reverse("recommendations:my_actions"))
    shown = [str(row) for group in response.context["groups"] for row in group.rows]
    assert shown == [str(owned)]
    assert "Open recommendations you own." in response.content.decode()


@pytest.mark.django_db
def test_my_actions_for_the_hmpps_lead_lists_national_items_only(world: World, login: Login) -> None:
    moj = make_recommendation(world.national, addressee=Addressee.MOJ, region=None)
    response = login(world.hmpps).get(reverse("recommendations:my_actions"))
    shown = {str(row) for group in response.context["groups"] for row in group.rows}
    assert shown == {str(world.rec_h), str(moj)}


# --- the list: scope ---


@pytest.mark.django_db
def test_list_shows_each_persona_only_their_scope(world: World, login: Login) -> None:
    expected = {
        "staff": {world.rec_a, world.rec_b, world.rec_h},
        "lead_a": {world.rec_a},
        "lead_b": {world.rec_b},
        "hmpps": {world.rec_h},
    }
    for persona, recommendations in expected.items():
        response = login(getattr(world, persona)).get(reverse(LIST))
        assert set(references(response)) == {str(r) for r in recommendations}, persona


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["region", "inspection", "owner"])
def test_filtering_for_another_regions_objects_shows_nothing(world: World, login: Login, field: str) -> None:
    world.rec_b.owner = world.lead_b
    world.rec_b.save()
    value = {"region": world.region_b.pk, "inspection": world.inspection_b.pk, "owner": world.lead_b.pk}[field]
    response = login(world.lead_a).get(reverse(LIST), {field: value})
    assert response.status_code == 200
    assert references(response) == []
    assert field in response.context["form"].errors
    assert "Region B does the thing" not in response.content.decode()


@pytest.mark.django_db
def test_filter_choices_come_from_the_persons_scope(world: World, login: Login) -> None:
    world.rec_b.owner = world.lead_b
    world.rec_b.save()
    form = login(world.lead_a).get(reverse(LIST)).context["form"]
    assert [value for value, _ in form.fields["region"].choices] == ["", world.region_a.pk]
    assert list(form.fields["inspection"].queryset) == [world.inspection_a]
    assert list(form.fields["owner"].queryset) == []
    staff_form = login(world.staff).get(reverse(LIST)).context["form"]
    assert set(staff_form.fields["inspection"].queryset) == {world.inspection_a, world.inspection_b, world.national}
    # Staff see everything: anyone may be chosen as the owner to filter by (owning nothing simply matches nothing).
    assert {world.lead_a, world.lead_b, world.staff} <= set(staff_form.fields["owner"].queryset)


@pytest.mark.django_db
def test_the_form_class_shared_by_every_request_accepts_nothing_in_scope_until_a_form_is_given_a_scope(
    world: World,
) -> None:
    from recommendations.filters import RecommendationFilter

    shared = RecommendationFilter(request=None).get_form_class()
    assert RecommendationFilter(request=None).get_form_class() is shared  # built once a process
    chosen = {"region": world.region_a.pk, "inspection": world.inspection_a.pk, "owner": world.lead_a.pk}
    form = shared(chosen)
    assert not form.is_valid()
    assert set(form.errors) == set(chosen)


def select_options(page: str, name: str) -> list[tuple[str, str]]:
    """(value, text) of each option of the select called `name` in the page."""
    select = re.search(rf"<select[^>]* name=\"{name}\"[^>]*>(.*?)</select>", page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


@pytest.mark.django_db
def test_the_inspection_select_offers_the_newest_reports_in_scope_and_the_chosen_one(
    world: World, login: Login
) -> None:
    from recommendations.filter_options import INSPECTION_OPTIONS

    newest: list[Inspection] = []
    for number in range(INSPECTION_OPTIONS + 5):
        published = datetime.date(2026, 1, 1) + datetime.timedelta(days=number)
        inspection = make_inspection(world.region_a, reference=f"A-{number}", published_on=published)
        make_recommendation(inspection)
        newest.insert(0, inspection)
    client = login(world.lead_a)
    offered = [value for value, _ in select_options(client.get(reverse(LIST)).content.decode(), "inspection")]
    assert offered == ["", *(str(inspection.pk) for inspection in newest[:INSPECTION_OPTIONS])]
    oldest = newest[-1]
    page = client.get(reverse(LIST), {"inspection": oldest.pk}).content.decode()
    assert f'<option value="{oldest.pk}" selected>A-0: ' in page
    assert len(select_options(page, "inspection")) == INSPECTION_OPTIONS + 2
    # Another region's report is never offered, even when asked for.
    page = client.get(reverse(LIST), {"inspection": world.inspection_b.pk}).content.decode()
    assert str(world.inspection_b.pk) not in dict(select_options(page, "inspection"))


@pytest.mark.django_db
def test_a_chosen_region_narrows_the_inspections_offered(world: World, login: Login) -> None:
    page = login(world.staff).get(reverse(LIST), {"region": world.region_b.pk}).content.decode()
    assert [value for value, _ in select_options(page, "inspection")] == ["", str(world.inspection_b.pk)]


@pytest.mark.django_db
def test_the_owner_select_offers_nobody_and_the_chosen_person_not_everyone(world: World, login: Login) -> None:
    for _ in range(5):
        make_recommendation(world.inspection_a, owner=make_user(Role.REGIONAL_LEAD, region=world.region_a))
    client = login(world.staff)
    assert select_options(client.get(reverse(LIST)).content.decode(), "owner") == [
        ("", "Anyone"),
        ("null", "Nobody (unassigned)"),
    ]
    owner = make_user(Role.REGIONAL_LEAD, region=world.region_a, first_name="Priya", last_name="Shah")
    owned = make_recommendation(world.inspection_a, owner=owner)
    response = client.get(reverse(LIST), {"owner": owner.pk})
    assert select_options(response.content.decode(), "owner")[-1] == (str(owner.pk), "Priya Shah")
    assert references(response) == [str(owned)]


@pytest.mark.django_db
def test_owner_name_finds_owners_by_any_part_of_their_name(world: World, login: Login) -> None:
    owner = make_user(Role.REGIONAL_LEAD, region=world.region_a, first_name="Priya", last_name="Shah", username="ps1")
    owned = make_recommendation(world.inspection_a, owner=owner)
    make_recommendation(world.inspection_a, owner=world.lead_a)
    client = login(world.staff)

    def shown(text: str) -> set[str]:
        return set(references(client.get(reverse(LIST), {"owner_name": text})))

    assert shown("priya") == shown("SHAH") == shown("ps1") == shown("Priya Shah") == {str(owned)}
    assert shown("Priya Jones") == set()
    selected = client.get(reverse(LIST), {"owner_name": "shah"}).context["selected"]
    assert [(item.label, item.tags[0][0]) for item in selected] == [("Owner's name", "shah")]


@pytest.mark.django_db
def test_owner_name_never_reaches_outside_the_persons_scope(world: World, login: Login) -> None:
    world.rec_b.owner = world.lead_b
    world.rec_b.save()
    assert references(login(world.lead_a).get(reverse(LIST), {"owner_name": world.lead_b.last_name})) == []


# --- the list: each filter ---


@pytest.fixture
def varied(world: World) -> dict[str, Recommendation]:
    """Region A recommendations that differ in one way each, for the staff's list."""
    today = timezone.localdate()
    theme = Theme.objects.get(name="Victims")
    made = {
        "overdue": make_recommendation(world.inspection_a, target_date=today - datetime.timedelta(days=3)),
        "awaiting": make_recommendation(world.inspection_a, status=Status.AWAITING_CLOSURE),
        "agreed": make_recommendation(world.inspection_a, response=Response.AGREED),
        "owned": make_recommendation(world.inspection_a, owner=world.lead_a),
        "priority": make_recommendation(world.inspection_a, priority=True),
        "pdu": make_recommendation(world.inspection_a, addressee=Addressee.PDU),
        "due_in_august": make_recommendation(world.inspection_a, target_date=today + datetime.timedelta(days=400)),
        "themed": make_recommendation(world.inspection_a, text="Victim contact must improve"),
    }
    made["themed"].themes.add(theme)
    return made


@pytest.mark.django_db
def test_each_filter_narrows_the_list(world: World, login: Login, varied: dict[str, Recommendation]) -> None:
    client = login(world.staff)
    far = varied["due_in_august"].target_date
    assert far is not None

    def shown(**params: str | int) -> set[str]:
        return set(references(client.get(reverse(LIST), params)))

    assert shown(status="awaiting_closure") == {str(varied["awaiting"])}
    assert shown(response="agreed") == {str(varied["agreed"])}
    assert shown(owner=world.lead_a.pk) == {str(varied["owned"])}
    assert str(varied["owned"]) not in shown(owner="null")
    assert shown(overdue="yes") == {str(varied["overdue"])}
    assert str(varied["overdue"]) not in shown(overdue="no")
    assert shown(priority="yes") == {str(varied["priority"])}
    assert shown(addressee="pdu") == {str(varied["pdu"])}
    assert shown(addressee="hmpps") == {str(world.rec_h)}
    assert shown(region=world.region_b.pk) == {str(world.rec_b)}
    assert shown(inspection=world.national.pk) == {str(world.rec_h)}
    assert shown(due_after=far.strftime("%d/%m/%Y")) == {str(varied["due_in_august"])}
    assert shown(due_after=far.isoformat(), due_before=far.isoformat()) == {str(varied["due_in_august"])}
    assert str(varied["due_in_august"]) not in shown(due_before=(far - datetime.timedelta(days=1)).isoformat())
    assert shown(theme=Theme.objects.get(name="Victims").pk) == {str(varied["themed"])}


@pytest.mark.django_db
def test_free_text_searches_text_report_title_and_reference(
    world: World, login: Login, varied: dict[str, Recommendation]
) -> None:
    client = login(world.staff)

    def shown(text: str) -> set[str]:
        return set(references(client.get(reverse(LIST), {"q": text})))

    assert shown("victim CONTACT") == {str(varied["themed"])}
    assert shown("national thematic") == {str(world.rec_h)}
    assert shown("B-REG-2025") == {str(world.rec_b)}
    assert shown(str(varied["owned"])) == {str(varied["owned"])}
    assert shown("nothing like this") == set()


@pytest.mark.django_db
def test_a_date_that_is_not_a_date_shows_an_error_not_everything(world: World, login: Login) -> None:
    response = login(world.staff).get(reverse(LIST), {"due_before": "31/02/2026"})
    assert references(response) == []
    assert "govuk-error-summary" in response.content.decode()


# --- the list: sorting and pages ---


@pytest.mark.django_db
def test_sorting_by_target_date_both_ways_keeps_empty_dates_last(world: World, login: Login) -> None:
    today = timezone.localdate()
    early = make_recommendation(world.inspection_a, target_date=today)
    late = make_recommendation(world.inspection_a, target_date=today + datetime.timedelta(days=9))
    client = login(world.lead_a)
    assert references(client.get(reverse(LIST), {"sort": "target_date"})) == [str(early), str(late), str(world.rec_a)]
    assert references(client.get(reverse(LIST), {"sort": "-target_date"})) == [str(late), str(early), str(world.rec_a)]


@pytest.mark.django_db
def test_last_updated_is_a_sortable_column_of_short_dates(world: World, login: Login) -> None:
    """The list's seventh column: when something was last recorded on each one, "7 Dec 2026", sortable both ways."""
    now = timezone.now()
    for days, recommendation in ((3, world.rec_h), (40, world.rec_a), (1, world.rec_b)):
        Recommendation.objects.filter(pk=recommendation.pk).touch(now - datetime.timedelta(days=days))
    client = login(world.staff)
    oldest_first = [str(world.rec_a), str(world.rec_h), str(world.rec_b)]
    assert references(client.get(reverse(LIST), {"sort": "last_updated"})) == oldest_first
    response = client.get(reverse(LIST), {"sort": "-last_updated"})
    assert references(response) == oldest_first[::-1]
    page = response.content.decode()
    assert re.search(r'aria-sort="descending"><a [^>]*href="\?sort=last_updated">Last updated<', page)
    day = timezone.localdate(now - datetime.timedelta(days=40))
    assert f'<td class="govuk-table__cell">{day.day} {day:%b %Y}</td>' in page  # a cell of its own, not a line
    assert "Last updated " not in page  # under the text, as it was before it had a column


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort", ["reference", "-reference", "status", "-status", "region", "owner", "-owner", "last_updated"]
)
def test_every_whitelisted_sort_works(world: World, login: Login, sort: str) -> None:
    response = login(world.staff).get(reverse(LIST), {"sort": sort})
    assert response.status_code == 200
    assert len(references(response)) == 3


@pytest.mark.django_db
def test_sorting_by_reference_orders_inspection_then_addressee_then_number(world: World, login: Login) -> None:
    second = make_recommendation(world.inspection_a)
    response = login(world.staff).get(reverse(LIST), {"sort": "reference"})
    assert references(response) == sorted([str(world.rec_a), str(second), str(world.rec_b), str(world.rec_h)])


@pytest.mark.django_db
def test_an_unknown_sort_falls_back_to_the_default(world: World, login: Login) -> None:
    response = login(world.staff).get(reverse(LIST), {"sort": "text; DROP TABLE"})
    assert response.status_code == 200
    assert len(references(response)) == 3


@pytest.mark.django_db
def test_pages_of_25_keep_the_filters_and_sort_in_every_link(world: World, login: Login) -> None:
    inspection = make_inspection(world.region_a)
    for _ in range(30):
        make_recommendation(inspection)
    query: dict[str, str | int] = {"status": "open", "sort": "-reference", "page": 2}
    response = login(world.lead_a).get(reverse(LIST), query)
    assert len(references(response)) == 31 - 25
    page = response.content.decode()
    assert 'href="?status=open&amp;sort=-reference&amp;page=1"' in page
    assert "/recommendations/export.csv?status=open&amp;sort=-reference" in page
    assert "/recommendations/export.xlsx?status=open&amp;sort=-reference" in page
    assert re.search(r'name="sort" value="-reference"', page)


@pytest.mark.django_db
def test_the_filter_form_is_a_get_form_with_an_apply_button(world: World, login: Login) -> None:
    page = login(world.staff).get(reverse(LIST)).content.decode()
    assert re.search(r'<form class="moj-filter"[^>]* method="get"', page)
    assert "Apply filters" in page
    assert "moj-filter-layout" in page


@pytest.mark.django_db
def test_status_tags_carry_words_and_colour(world: World, login: Login) -> None:
    world.rec_a.target_date = timezone.localdate() - datetime.timedelta(days=1)
    world.rec_a.save()
    page = login(world.lead_a).get(reverse(LIST)).content.decode()
    assert '<strong class="govuk-tag">Open</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["recommendations:list", "recommendations:my_actions", "recommendations:export_csv"])
def test_pages_refuse_post(world: World, login: Login, name: str) -> None:
    assert login(world.staff).post(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_selected_filters_are_listed_each_with_a_link_that_removes_it(world: World, login: Login) -> None:
    params = {"status": ["open", "awaiting_closure"], "owner": "null", "q": "thing", "sort": "region", "page": "1"}
    response = login(world.staff).get(reverse(LIST), params)
    selected = {item.label: item.tags for item in response.context["selected"]}
    assert [text for text, _ in selected["Status"]] == ["Open", "Awaiting closure decision"]
    assert selected["Status"][0][1] == "?status=awaiting_closure&owner=null&q=thing&sort=region"
    assert selected["Owner"] == [("Nobody (unassigned)", "?status=open&status=awaiting_closure&q=thing&sort=region")]
    assert selected["Search"] == [("thing", "?status=open&status=awaiting_closure&owner=null&sort=region")]
    assert "moj-filter__tag" in response.content.decode()


@pytest.mark.django_db
def test_sort_links_keep_every_value_of_a_multiple_choice_filter(world: World, login: Login) -> None:
    response = login(world.staff).get(reverse(LIST), {"status": ["open", "awaiting_closure"], "sort": "status"})
    column = response.context["sort_columns"]["status"]
    assert column["href"] == "?status=open&status=awaiting_closure&sort=-status"
    assert column["aria_sort"] == "ascending"
    assert response.context["sort_columns"]["owner"]["aria_sort"] == "none"


# --- the Inspectorate's queue: waiting for a decision ---


@pytest.mark.django_db
def test_waiting_for_a_decision_lists_the_queue_oldest_request_first(
    world: World, login: Login, queue: dict[str, Recommendation]
) -> None:
    client = login(world.staff)
    both = client.get(reverse(LIST), {"waiting": ["target_date", "closure"]})
    assert references(both) == [str(queue[key]) for key in ("date_first", "both_second", "closure_third")]
    dates = client.get(reverse(LIST), {"waiting": "target_date"})
    assert references(dates) == [str(queue["date_first"]), str(queue["both_second"])]
    closures = client.get(reverse(LIST), {"waiting": "closure"})
    assert references(closures) == [str(queue["both_second"]), str(queue["closure_third"])]
    assert dict(closures.context["sort_columns"])["target_date"]["aria_sort"] == "none"
    by_date = client.get(reverse(LIST), {"waiting": "closure", "sort": "-target_date"})
    assert references(by_date)[0] == str(queue["closure_third"])  # a sort chosen still applies


@pytest.mark.django_db
def test_waiting_for_a_decision_stays_in_the_persons_scope(
    world: World, login: Login, queue: dict[str, Recommendation]
) -> None:
    shown = references(login(world.lead_a).get(reverse(LIST), {"waiting": ["target_date", "closure"]}))
    assert shown == [str(queue["date_first"]), str(queue["closure_third"])]
    assert references(login(world.lead_b).get(reverse(LIST), {"waiting": "closure"})) == []


@pytest.mark.django_db
def test_the_queue_exports_in_the_same_order(world: World, login: Login, queue: dict[str, Recommendation]) -> None:
    response = login(world.staff).get(reverse("recommendations:export_csv"), {"waiting": "closure"})
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    assert body.index(str(queue["both_second"])) < body.index(str(queue["closure_third"]))
    assert str(queue["date_first"]) not in body


@pytest.mark.django_db
def test_the_count_agrees_with_its_number(world: World, login: Login) -> None:
    client = login(world.staff)

    def count_line(**filters: str) -> str:
        page = client.get(reverse(LIST), filters).content.decode()
        found = re.search(r"<p class=\"govuk-body\"><strong>\d+</strong>[^<]*</p>", page)
        assert found, filters
        return " ".join(found.group(0).split())

    assert "<strong>1</strong> recommendation matches these filters." in count_line(q="B-REG-2025")
    assert "match these filters" not in count_line(q="B-REG-2025")
    assert "<strong>3</strong> recommendations match these filters." in count_line(q="2025")
    assert count_line().endswith("<strong>3</strong> recommendations.</p>")  # no filters: nothing to match
