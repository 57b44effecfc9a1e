"""Layout on a desk and on a phone, measured from the element boxes the browser lays out (not judged by eye).

At 1280 px the recommendations list shows every column, Status and Last updated included, without scrolling
sideways. At 375 px no page scrolls sideways as a whole: a table either fits or scrolls inside its own labelled,
focusable region (GOV.UK and WCAG 1.4.10 allow two-dimensional data to scroll inside its own box).
"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import DESKTOP, MOBILE, Demo, OpenPage, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The page's own sideways scroll: how far its content reaches past the window, in CSS pixels.
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Each data table in main that is wider than the window, and the scrolling box around it if there is one.
WIDE_TABLES = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => ['auto', 'scroll'].includes(getComputedStyle(element).overflowX);
  return Array.from(document.querySelectorAll('main table')).filter((table) => table.scrollWidth > width)
    .map((table) => {
      let box = table.parentElement;
      while (box && box.tagName !== 'MAIN' && !scrolls(box)) box = box.parentElement;
      const region = box && box.tagName !== 'MAIN' ? box : null;
      return {
        caption: table.caption ? table.caption.textContent.trim() : '(no caption)',
        role: region && region.getAttribute('role'),
        label: region && region.getAttribute('aria-label'),
        tabindex: region && region.getAttribute('tabindex'),
        right: region ? Math.ceil(region.getBoundingClientRect().right) : null,
      };
    });
}"""


# The table's column headers, the right edges of every header and cell, the pane's and the window's.
COLUMN_EDGES = """(pane) => {
  const cells = pane.querySelectorAll('thead th, tbody tr > *');
  return {
    headers: Array.from(pane.querySelectorAll('thead th'), (header) => header.textContent.trim()),
    rights: Array.from(cells, (cell) => cell.getBoundingClientRect().right),
    pane: pane.getBoundingClientRect().right,
    window: document.documentElement.clientWidth,
  };
}"""


def page_overflow(page: Page) -> int:
    overflow: int = page.evaluate(PAGE_OVERFLOW)
    return overflow


def unlabelled_wide_tables(page: Page) -> list[str]:
    """Tables wider than the window that do not scroll inside a labelled, focusable region within the window."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    problems = []
    for table in page.evaluate(WIDE_TABLES):
        region_ok = table["role"] == "region" and table["label"] and table["tabindex"] == "0"
        if not region_ok or table["right"] is None or table["right"] > width:
            problems.append(f"{table['caption']}: {table}")
    return problems


def test_the_list_shows_every_column_on_a_desk(open_page: OpenPage, demo: Demo) -> None:
    """Every column, Status and Last updated included, in the header and in every row, is inside the window and
    inside the table's pane, which does not scroll; and the page passes axe."""
    page = open_page(demo.staff, viewport=DESKTOP)
    page.goto("/recommendations/")
    expect(page.get_by_label("Search")).to_be_visible()  # the filter is open beside the list
    assert page_overflow(page) <= 0
    pane = page.locator("main .moj-scrollable-pane")
    assert pane.evaluate("pane => pane.scrollWidth <= pane.clientWidth"), "the table scrolls inside its pane"
    edges = pane.evaluate(COLUMN_EDGES)
    assert [header.split("(")[0].strip() for header in edges["headers"][-2:]] == ["Status", "Last updated"]
    limit = min(edges["window"], edges["pane"])
    assert edges["rights"] and max(edges["rights"]) <= limit, f"a column reaches {max(edges['rights'])}px of {limit}px"
    assert_accessible(page, "recommendations list at 1280px")


@pytest.mark.parametrize(
    "name",
    [
        "my-actions",
        "recommendations",
        "recommendation",
        "inspection",
        "dashboard",
        "inspections",
        "action-plan",
        "region",
        "whats-changed",
    ],
)
def test_no_page_scrolls_sideways_on_a_phone(open_page: OpenPage, demo: Demo, name: str) -> None:
    who = demo.kss_lead if name == "my-actions" else demo.staff
    url = {
        "my-actions": "/my-actions/",
        "recommendations": "/recommendations/",
        "recommendation": f"/recommendations/{demo.kss_recommendation.pk}/",
        "inspection": f"/inspections/{demo.kss_inspection.pk}/",
        "dashboard": "/dashboard/",
        "inspections": "/inspections/",
        "action-plan": f"/inspections/{demo.kss_inspection.pk}/action-plan/",
        "region": f"/regions/{demo.kss_inspection.region_id}/",
        "whats-changed": "/whats-changed/",
    }[name]
    page = open_page(who, viewport=MOBILE)
    page.goto(url)
    assert page_overflow(page) <= 0, f"{url} is {page_overflow(page)}px wider than the window"
    assert not unlabelled_wide_tables(page)
