"""Pages without JavaScript, and printed pages.

The list's filters are a plain GET form, so they work with JavaScript switched off. On paper the header,
navigation, filters and controls go; the content stays, with a title, the date and the filters in use, and on the
list, the dashboard and the action plans without the links' addresses; an action plan prints on landscape pages.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import Demo, OpenPage, plan_an_action, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HIDDEN_ON_PAPER = {
    "skip link": ".govuk-skip-link",
    "header": ".govuk-template__header",
    "service navigation": ".govuk-service-navigation",
    "footer": ".govuk-template__footer",
}


def display(page: Page, selector: str) -> str:
    shown: str = page.locator(selector).first.evaluate("element => getComputedStyle(element).display")
    return shown


def assert_hidden_on_paper(page: Page, selectors: dict[str, str]) -> None:
    shown = [f"{name} ({selector})" for name, selector in selectors.items() if display(page, selector) != "none"]
    assert not shown, f"Printed with {page.url}: {', '.join(shown)}"


def test_the_list_filters_without_javascript(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.staff, java_script_enabled=False)
    page.goto("/recommendations/")
    expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))
    expect(page.get_by_role("heading", name="Filter", exact=True)).to_be_visible()  # not folded away
    total = page.locator("main table tbody tr").count()

    page.get_by_label("Search").fill("vetting")
    page.get_by_label("HMPPS").check()
    page.get_by_role("button", name="Apply filters").first.click()

    expect(page).to_have_url(re.compile(r"\?.*q=vetting.*&addressee=hmpps"))
    expect(page.get_by_text(re.compile(r"(match|matches) these filters"))).to_be_visible()
    rows = page.locator("main table tbody tr")
    assert 0 < rows.count() < total
    for text in rows.all_inner_texts():
        assert "vetting" in text.lower() and "To HMPPS" in text


def test_printing_hides_the_page_furniture_and_the_filters(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.staff)
    page.emulate_media(media="print")

    page.goto("/recommendations/")
    assert_hidden_on_paper(page, {**HIDDEN_ON_PAPER, "filters": ".moj-filter-layout__filter"})
    expect(page.locator("main table")).to_be_visible()

    page.goto(f"/recommendations/{demo.kss_recommendation.pk}/")
    assert_hidden_on_paper(
        page, {**HIDDEN_ON_PAPER, "back link": ".govuk-back-link", "forms": ".app-no-print:has(> #changes)"}
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".moj-timeline")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)  # no control is left visible on paper
    screenshot(page, "recommendation-print")


# Links in main whose printed ::after shows anything (GOV.UK prints a link's address after its text).
LINK_TARGETS_ON_PAPER = """() => Array.from(document.querySelectorAll('main a'))
  .filter((link) => !['none', 'normal'].includes(getComputedStyle(link, '::after').content))
  .map((link) => link.textContent.trim() + ' ' + getComputedStyle(link, '::after').content)"""


def test_printing_the_list_and_the_dashboard_gives_the_title_date_and_filters(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.staff, viewport={"width": 794, "height": 1123})  # an A4 page's CSS width
    page.emulate_media(media="print")
    printed_on = f"Printed on {timezone.localdate():%-d %B %Y}"

    page.goto("/recommendations/?status=open&addressee=hmpps")
    expect(page.get_by_role("heading", level=1, name="Recommendations")).to_be_visible()
    heading = page.locator("main .app-print-only")
    expect(heading).to_be_visible()
    expect(heading).to_contain_text(printed_on)
    expect(heading).to_contain_text("Status: Open")
    expect(heading).to_contain_text("Addressee: HMPPS")
    assert page.evaluate(LINK_TARGETS_ON_PAPER) == []
    pane = page.locator("main .moj-scrollable-pane")
    assert pane.evaluate("pane => pane.scrollWidth <= pane.clientWidth"), "the table is cut off at the page's edge"
    screenshot(page, "recommendations-print")

    page.goto("/recommendations/")
    expect(page.locator("main .app-print-only")).to_contain_text("Filters: none.")

    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    expect(page.locator("main .app-print-only")).to_contain_text(printed_on)
    assert page.evaluate(LINK_TARGETS_ON_PAPER) == []
    screenshot(page, "dashboard-print")

    page.emulate_media(media="screen")
    expect(page.locator("main .app-print-only")).to_be_hidden()  # the screen has the same facts elsewhere


def test_printing_an_action_plan_gives_a_landscape_table_that_fits(open_page: OpenPage, demo: Demo) -> None:
    plan_an_action(demo)
    # What Chromium prints on a landscape A4 page (1123 by 794 CSS pixels) inside its default 1 cm margins.
    page = open_page(demo.staff, viewport={"width": 1047, "height": 718})
    page.emulate_media(media="print")

    for url in (
        f"/inspections/{demo.kss_inspection.pk}/action-plan/",
        f"/regions/{demo.kss_inspection.region_id}/action-plan/",
    ):
        page.goto(url)
        assert_hidden_on_paper(
            page, {**HIDDEN_ON_PAPER, "back link": ".govuk-back-link", "downloads": "main .app-no-print"}
        )
        expect(page.get_by_role("heading", level=1, name="Action plan")).to_be_visible()
        expect(page.locator("main .app-print-only")).to_contain_text(f"Printed on {timezone.localdate():%-d %B %Y}")
        expect(page.locator("main table")).to_contain_text("Recruit a vetting officer")
        assert page.evaluate(LINK_TARGETS_ON_PAPER) == []
        region = page.locator("main .app-table-region")
        assert region.evaluate("box => box.scrollWidth <= box.clientWidth"), f"{url}: the table is cut off on paper"
        # The page asks for landscape A4 (frontend/_print.scss): 842 x 595 points, wider than high.
        pdf = page.pdf(prefer_css_page_size=True)
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert box is not None and round(float(box[1])) == 842 and round(float(box[2])) == 595, box
    screenshot(page, "action-plan-print")
