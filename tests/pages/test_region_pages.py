"""The region pages: rates, ageing and slippage (with CSV), outcomes at the next inspection (scores before and after,
drawn as an accessible SVG chart with the same figures in a table), the dashboard's rates, and the leads' links."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from accounts.models import Role
from inspections.models import Inspection, InspectionType, Score
from recommendations import services
from recommendations.charts import BAR_SPACE, LABEL_WIDTH
from recommendations.models import Judgement
from tests.factories import make_inspection, make_recommendation, make_user

from .conftest import Login, World

pytestmark = pytest.mark.django_db


def _scores(inspection: Inspection, *percentages: str) -> None:
    for position, (question, value) in enumerate(zip(("Assessment", "Planning"), percentages, strict=True), 1):
        Score.objects.create(inspection=inspection, position=position, question=question, percentage_yes=value)


@pytest.fixture
def reinspected(world: World) -> Inspection:
    """Region A inspected before world.inspection_a (published 1 June 2025), with one recommendation implemented,
    judged good progress, and one still open."""
    earlier = make_inspection(
        world.region_a, reference="A-REG-2022", title="Region A, 2022", published_on=datetime.date(2022, 6, 1)
    )
    _scores(earlier, "51.50", "70")
    _scores(world.inspection_a, "62", "65.5")
    done = make_recommendation(earlier, text="Improve risk assessments")
    make_recommendation(earlier, text="Recruit more probation officers")
    services.recommendation_set_judgement(recommendation=done, judgement=Judgement.GOOD, by=world.staff, reason="Seen")
    with time_machine.travel(datetime.datetime(2022, 9, 1, 12, tzinfo=datetime.UTC)):  # within 6 months
        services.recommendation_transition(
            recommendation=done, action="close_implemented", by=world.staff, reason="Evidence seen"
        )
    return earlier


def _page(login: Login, user, url: str) -> html.HtmlElement:
    response = login(user).get(url)
    assert response.status_code == 200
    return html.fromstring(response.content)


def _rows(page: html.HtmlElement, table_id: str) -> list[list[str]]:
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in page.xpath(f'//table[@id="{table_id}"]/tbody/tr')
    ]


def test_outcomes_show_each_key_question_before_and_after_with_the_change(world, login, reinspected):
    page = _page(login, world.lead_a, reverse("recommendations:region", args=[world.region_a.pk]))

    assert _rows(page, "scores-table") == [
        ["Assessment", "51.50%", "62.00%", "Up 10.50 points"],
        ["Planning", "70.00%", "65.50%", "Down 4.50 points"],
    ]
    headers = [" ".join(th.itertext()).strip() for th in page.xpath('//table[@id="scores-table"]//thead//th')]
    assert headers[1:] == ["A-REG-2022 Jun 2022", "A-REG-2025 Jun 2025", "Change since the inspection before"]


def test_an_inspection_that_scored_nothing_is_not_charted_and_a_question_compares_with_its_last_score(
    world, login, reinspected
):
    make_inspection(world.region_a, reference="A-PDU-2024", published_on=datetime.date(2024, 1, 1))  # no scores
    between = make_inspection(world.region_a, reference="A-REG-2023", published_on=datetime.date(2023, 6, 1))
    Score.objects.create(inspection=between, position=1, question="Assessment", percentage_yes="55")
    page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_a.pk]))

    assert _rows(page, "scores-table") == [
        ["Assessment", "51.50%", "55.00%", "62.00%", "Up 7.00 points"],
        ["Planning", "70.00%", "Not scored", "65.50%", "Down 4.50 points"],  # against 2022, its last score
    ]


def test_the_chart_is_an_accessible_image_of_the_tables_figures(world, login, reinspected):
    page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_a.pk]))

    [svg] = page.xpath('//*[local-name()="svg"][.//*[@id="scores-chart-title"]]')
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "scores-chart-title scores-chart-desc"
    assert "Key question scores" in svg.xpath('./*[local-name()="title"]')[0].text
    assert "same figures as the table" in svg.xpath('./*[local-name()="desc"]')[0].text
    widths = [int(rect.get("width")) for rect in svg.xpath('.//*[local-name()="rect"]')]
    expected = [Decimal("51.5"), Decimal("62"), Decimal("70"), Decimal("65.5")]  # question by question, oldest first
    assert widths == [round(BAR_SPACE * float(value) / 100) for value in expected]
    assert {rect.get("x") for rect in svg.xpath('.//*[local-name()="rect"]')} == {str(LABEL_WIDTH)}
    labels = [text.text for text in svg.xpath('.//*[local-name()="text"]')]
    assert "51.5%" in labels and "65.5%" in labels and "Jun 2022" in labels


def test_earlier_reports_say_how_their_recommendations_ended_and_the_last_judgement(world, login, reinspected):
    page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_a.pk]))

    [earlier] = _rows(page, "earlier-reports")
    # Report, recommendations, implemented, not implemented, superseded, still open, then by judgement.
    assert earlier[:6] == ["A-REG-2022, 1 Jun 2022", "2", "1", "0", "0", "1"]
    assert earlier[6:] == ["1", "0", "0", "0", "1"]  # not yet assessed, no meaningful, insufficient, reasonable, good
    previous = _rows(page, "previous-report")
    assert [(row[0], row[2], row[3]) for row in previous] == [
        ("A-REG-2022/R1", "Closed: implemented", "Good progress"),
        ("A-REG-2022/R2", "Open", "Not yet assessed"),
    ]


def test_a_region_inspected_once_has_no_outcomes_yet(world, login):
    page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_b.pk]))
    assert "inspected once or not at all" in page.text_content()
    assert not page.xpath('//table[@id="scores-table"]')


def test_a_lead_sees_only_their_regions_recommendations_in_its_rates(world, login, reinspected):
    make_recommendation(world.inspection_a, addressee="hmpps", region=world.region_a, text="National, made here")
    page = _page(login, world.lead_a, reverse("recommendations:region", args=[world.region_a.pk]))

    rows = _rows(page, "rates-by-region")
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("Kent, Surrey and Sussex", "2022", "2"),
        ("Kent, Surrey and Sussex", "2025", "1"),  # rec_a; not the HMPPS one, which the region does not answer for
    ]
    assert rows[0][3:] == ["50% (1)", "50% (1)", "50% (1)"]


def test_the_region_csv_has_the_same_figures(world, login, reinspected):
    url = reverse("recommendations:region_figures", args=[world.region_a.pk, "implementation-rates-by-region"])
    response = login(world.lead_a).get(url)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["Region", "Year of publication", "Recommendations", "Implemented within 6 months"]
    assert lines[1][:4] == ["Kent, Surrey and Sussex", "2022", "2", "1"]
    assert login(world.lead_a).get(url.replace("by-region", "by-nothing")).status_code == 404


def test_the_dashboard_shows_rates_by_region_and_addressee(world, login, reinspected):
    page = _page(login, world.staff, reverse("recommendations:dashboard"))

    labels = {row[0] for row in _rows(page, "rates-by-region")}
    assert labels == {"Kent, Surrey and Sussex", "South Central", "No region (national work)"}
    assert {row[0] for row in _rows(page, "rates-by-addressee")} == {"Region", "HMPPS"}
    links = page.xpath('//a[contains(@href, "/dashboard/figures/")]/@href')
    assert len(links) == 6


def test_leads_find_their_page_in_the_navigation(world, login):
    def navigation(user) -> dict[str, str]:
        page = _page(login, user, reverse("recommendations:my_actions"))
        return {
            a.text_content().strip(): a.get("href")
            for a in page.xpath('//nav//a[@class="govuk-service-navigation__link"]')
        }

    assert navigation(world.lead_a)["Your region"] == reverse("recommendations:region", args=[world.region_a.pk])
    assert navigation(world.hmpps)["National figures"] == reverse("recommendations:national")
    staff = navigation(world.staff)
    assert staff["Regions"] == reverse("recommendations:regions") and "Your region" not in staff


def test_the_national_page_shows_the_hmpps_recommendations(world, login):
    page = _page(login, world.hmpps, reverse("recommendations:national"))
    assert [row[:3] for row in _rows(page, "rates-by-addressee")] == [["HMPPS", "2025", "1"]]


def test_regions_lists_all_twelve_for_staff(world, login):
    page = _page(login, make_user(Role.INSPECTORATE), reverse("recommendations:regions"))
    assert len(page.xpath('//a[contains(@href, "/regions/") and not(contains(@href, "national"))]')) >= 12


def test_the_previous_reports_list_is_bounded(world, login, reinspected, settings):
    from recommendations import region_selectors

    for _ in range(3):
        make_recommendation(reinspected)
    limit = region_selectors.PREVIOUS_REPORT_ROWS
    region_selectors.PREVIOUS_REPORT_ROWS = 2
    try:
        page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_a.pk]))
    finally:
        region_selectors.PREVIOUS_REPORT_ROWS = limit
    assert len(_rows(page, "previous-report")) == 2
    assert (
        page.xpath(f'//a[@href="/recommendations/?inspection={reinspected.pk}"]')[0].text
        == "All 5 recommendations of this report"
    )


def test_an_inspection_type_without_region_is_not_an_earlier_report(world, login):
    make_inspection(type=InspectionType.THEMATIC, reference="T-2020", published_on=datetime.date(2020, 1, 1))
    page = _page(login, world.staff, reverse("recommendations:region", args=[world.region_a.pk]))
    assert "inspected once or not at all" in page.text_content()


def test_outcomes_are_kept_until_a_judgement_or_a_score_changes(
    world, login, reinspected, django_capture_on_commit_callbacks
):
    """The outcomes are read once for the region and scope, and afresh when a change commits (core/shared_cache.py)."""
    url = reverse("recommendations:region", args=[world.region_a.pk])
    client = login(world.lead_a)
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert client.get(url).context["outcomes"] == first.context["outcomes"]
    assert len(kept) < 7  # session, user, region, figures and outcomes kept: no outcomes query
    open_one = reinspected.recommendations.get(text="Recruit more probation officers")
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendation_set_judgement(
            recommendation=open_one, judgement=Judgement.REASONABLE, by=world.staff, reason="Seen"
        )
    previous = _rows(_page(login, world.lead_a, url), "previous-report")
    assert ("A-REG-2022/R2", "Open", "Reasonable progress") in [(row[0], row[2], row[3]) for row in previous]
    with django_capture_on_commit_callbacks(execute=True):
        Score.objects.filter(inspection=world.inspection_a, question="Planning").update(percentage_yes="99")
        Score.objects.get(inspection=world.inspection_a, question="Planning").save()  # as the admin saves one
    assert "99" in login(world.lead_a).get(url).content.decode()
