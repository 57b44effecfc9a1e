"""Inspection list and page: who sees which inspection, and what the page shows of it."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from inspections.models import ContextualFact, DomainRating, Rating, Score
from recommendations.inspection_selectors import group_facts, visible_inspections
from recommendations.models import Addressee, Status
from tests.factories import make_inspection, make_recommendation

from .conftest import Login, World


@pytest.mark.django_db
def test_visible_inspections_for_each_persona(world: World) -> None:
    quiet_a = make_inspection(world.region_a, reference="A-QUIET")  # region A, nothing recommended yet
    national_to_region_b = make_inspection(reference="NAT-B", type="thematic")
    make_recommendation(national_to_region_b, addressee=Addressee.REGION, region=world.region_b)
    everything = {world.inspection_a, world.inspection_b, world.national, quiet_a, national_to_region_b}
    assert set(visible_inspections(world.staff)) == everything
    assert set(visible_inspections(world.lead_a)) == {world.inspection_a, quiet_a}
    assert set(visible_inspections(world.lead_b)) == {world.inspection_b, national_to_region_b}
    assert set(visible_inspections(world.hmpps)) == {world.national}


@pytest.mark.django_db
def test_the_list_is_scoped_and_counts_only_visible_recommendations(world: World, login: Login) -> None:
    make_recommendation(world.inspection_a, addressee=Addressee.HMPPS, region=None)  # not lead A's to see
    make_recommendation(world.inspection_a, status=Status.AWAITING_CLOSURE)
    response = login(world.lead_a).get(reverse("inspections:list"))
    rows = list(response.context["page"].object_list)
    assert rows == [world.inspection_a]
    assert (rows[0].recommendation_count, rows[0].active_count) == (2, 2)
    staff_rows = {row.pk: row for row in login(world.staff).get(reverse("inspections:list")).context["page"]}
    assert staff_rows[world.inspection_a.pk].recommendation_count == 3


@pytest.mark.django_db
def test_the_list_pages_by_25(world: World, login: Login) -> None:
    for number in range(30):
        make_inspection(world.region_a, reference=f"A-PAGE-{number}")
    client = login(world.lead_a)
    assert len(client.get(reverse("inspections:list")).context["page"].object_list) == 25
    assert len(client.get(reverse("inspections:list"), {"page": 2}).context["page"].object_list) == 31 - 25


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [
        ("lead_a", "inspection_a", "inspection_b"),
        ("lead_b", "inspection_b", "inspection_a"),
        ("hmpps", "national", "inspection_a"),
    ],
)
def test_an_inspection_outside_scope_is_not_found(
    world: World, login: Login, persona: str, own: str, other: str
) -> None:
    client = login(getattr(world, persona))
    assert client.get(reverse("inspections:detail", args=[getattr(world, own).pk])).status_code == 200
    assert client.get(reverse("inspections:detail", args=[getattr(world, other).pk])).status_code == 404


@pytest.fixture
def findings(world: World) -> None:
    inspection = world.inspection_a
    inspection.overall_rating = Rating.REQUIRES_IMPROVEMENT
    inspection.cases_inspected = 123
    inspection.source_url = "https://example.org/report"
    inspection.save()
    DomainRating.objects.create(inspection=inspection, position=1, domain="Leadership", rating=Rating.GOOD)
    Score.objects.create(
        inspection=inspection, position=1, question="Is risk assessed well?", percentage_yes=Decimal("41.5")
    )
    facts = [
        ("Caseload", "", "15,158", "on 30 June 2025"),
        ("Staff in post", "PO", "120", "on 30 June 2025"),
        ("Staff in post", "PSO", "98", "on 30 June 2025"),
        ("Vacancy rate", "", "12%", ""),
    ]
    for position, (label, category, value, period) in enumerate(facts, start=1):
        ContextualFact.objects.create(
            inspection=inspection, position=position, label=label, category=category, value=value, period=period
        )


@pytest.mark.django_db
def test_the_page_shows_details_ratings_scores_facts(world: World, login: Login, findings: None) -> None:
    response = login(world.lead_a).get(reverse("inspections:detail", args=[world.inspection_a.pk]))
    page = response.content.decode()
    for text in ("Region A inspection", "Requires improvement", "123", "Helen Davies", "https://example.org/report"):
        assert text in page
    assert "Leadership" in page and "Good" in page
    # The score is a table row with the number, and a bar drawn with an SVG attribute (no inline style).
    assert "Is risk assessed well?" in page and "41.5%" in page
    assert 'width="41.50%"' in page
    assert "style=" not in page
    groups = response.context["page"].facts
    assert [(group.label, [f.category for f in group.rows]) for group in groups] == [
        ("Caseload", []),
        ("Staff in post", ["PO", "PSO"]),
        ("Vacancy rate", []),
    ]
    assert "15,158" in page and "PSO" in page


@pytest.mark.django_db
def test_the_page_lists_only_recommendations_the_person_may_see(world: World, login: Login) -> None:
    national_part = make_recommendation(world.inspection_a, addressee=Addressee.HMPPS, region=None)
    lead_page = login(world.lead_a).get(reverse("inspections:detail", args=[world.inspection_a.pk]))
    shown = [row for group in lead_page.context["page"].recommendation_groups for row in group.rows]
    assert [row.pk for row in shown] == [world.rec_a.pk]
    staff_page = login(world.staff).get(reverse("inspections:detail", args=[world.inspection_a.pk]))
    titles = [group.title for group in staff_page.context["page"].recommendation_groups]
    assert titles == ["To the region and its probation delivery units", "To HMPPS and the Ministry of Justice"]
    assert str(national_part) in staff_page.content.decode()
    assert str(national_part) not in lead_page.content.decode()


@pytest.mark.django_db
def test_the_page_shows_fifty_recommendations_a_page_in_the_groups_order(world: World, login: Login) -> None:
    from recommendations.inspection_selectors import RECOMMENDATIONS_PAGE_SIZE

    inspection = world.inspection_a
    for _ in range(69):  # with rec_a: 70 to the region
        make_recommendation(inspection)
    for _ in range(40):
        make_recommendation(inspection, addressee=Addressee.HMPPS, region=None)
    client = login(world.staff)

    def shown(page: int | str) -> tuple[list[tuple[str, int]], Any]:
        response = client.get(reverse("inspections:detail", args=[inspection.pk]), {"page": page})
        groups = response.context["page"].recommendation_groups
        return [(group.title, len(group.rows)) for group in groups], response

    first, response = shown(1)
    assert first == [("To the region and its probation delivery units", RECOMMENDATIONS_PAGE_SIZE)]
    page = response.content.decode()
    assert "110 recommendations, 50 a page: this page shows 1 to 50." in page
    assert "<li>To the region and its probation delivery units: 70</li>" in page
    assert "<li>To HMPPS and the Ministry of Justice: 40</li>" in page
    assert 'href="?page=2"' in page
    second, _ = shown(2)
    assert second == [
        ("To the region and its probation delivery units", 20),
        ("To HMPPS and the Ministry of Justice", 30),
    ]
    assert shown(3)[0] == [("To HMPPS and the Ministry of Justice", 10)]
    assert shown("")[0] == first
    # A page that cannot exist is a 404 (tests/pages/test_hostile_input.py has the rest).
    assert client.get(reverse("inspections:detail", args=[inspection.pk]), {"page": 4}).status_code == 404


@pytest.mark.django_db
def test_a_lead_pages_through_only_what_they_may_see(world: World, login: Login) -> None:
    for _ in range(60):
        make_recommendation(world.inspection_a, addressee=Addressee.HMPPS, region=None)
    response = login(world.lead_a).get(reverse("inspections:detail", args=[world.inspection_a.pk]))
    assert response.context["page"].recommendations.paginator.count == 1
    assert "govuk-pagination" not in response.content.decode()


def test_group_facts_keeps_separate_groups_with_the_same_label_apart() -> None:
    facts = [
        ContextualFact(position=1, label="Staff", category="PO", value="1"),
        ContextualFact(position=2, label="Other", value="2"),
        ContextualFact(position=3, label="Staff", category="PO", value="3"),
    ]
    assert [len(group.rows) for group in group_facts(facts)] == [1, 0, 1]
