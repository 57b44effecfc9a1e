"""Screenshots of the main pages at desktop (1280 by 900) and mobile (375 by 812) widths, for people to look at.

They go to test-artifacts/screenshots/ (git ignores it; CI can keep it as an artefact). The test also checks what a
screenshot cannot: only a data table may make a page wider than the window (WCAG 1.4.10 lets two-dimensional
content scroll both ways), and a table inside a scrolling box (MOJ's scrollable pane) not even that.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import Inspection
from tests.browser.support import DESKTOP, MOBILE, Demo, OpenPage, earlier_inspection, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# How far the page, and the widest data table that is not inside a box of its own that scrolls, reach past the window.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => ['auto', 'scroll'].includes(getComputedStyle(element).overflowX);
  const unboxed = Array.from(document.querySelectorAll('main table')).filter((table) => {
    for (let parent = table.parentElement; parent && parent.tagName !== 'MAIN'; parent = parent.parentElement) {
      if (scrolls(parent)) return false;
    }
    return true;
  });
  const tables = Math.max(0, ...unboxed.map((table) => table.getBoundingClientRect().right - width));
  return {page: document.documentElement.scrollWidth - width, tables: Math.ceil(tables)};
}"""


def sideways_overflow(page: Page) -> int:
    """CSS pixels by which the page is wider than the window, beyond what its unboxed data tables need."""
    overflow: dict[str, int] = page.evaluate(OVERFLOW)  # {"page": ..., "tables": ...}
    return max(0, overflow["page"] - overflow["tables"])


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_main_pages(open_page: OpenPage, demo: Demo, viewport: dict[str, int]) -> None:
    earlier_inspection(demo)  # so that the region's page shows outcomes at the next inspection
    anonymous, lead, staff = (open_page(who, viewport=viewport) for who in (None, demo.kss_lead, demo.staff))
    Inspection.objects.filter(pk=demo.kss_inspection.pk).update(published_to_public_at=timezone.now())
    pages = [
        ("login", anonymous, "/accounts/login/"),
        ("my-actions", lead, "/my-actions/"),
        ("recommendations", staff, "/recommendations/"),
        ("recommendation", staff, f"/recommendations/{demo.kss_recommendation.pk}/"),
        ("inspection", staff, f"/inspections/{demo.kss_inspection.pk}/"),
        ("dashboard", staff, "/dashboard/"),
        ("public-inspections", anonymous, "/public/"),
        ("public-inspection", anonymous, f"/public/inspections/{demo.kss_inspection.pk}/"),
        ("region", staff, f"/regions/{demo.kss_inspection.region_id}/"),
    ]
    too_wide = []
    for name, page, url in pages:
        page.goto(url)
        screenshot(page, name)
        if overflow := sideways_overflow(page):
            too_wide.append(f"{name} is {overflow}px wider than the window, and not because of a table")
    assert not too_wide, "Pages that scroll sideways: " + "; ".join(too_wide)


def test_the_list_filter_is_behind_a_button_on_a_phone(open_page: OpenPage, demo: Demo) -> None:
    """On a narrow screen MOJ's filter is a panel over the list, so it starts closed and opens from a button."""
    page = open_page(demo.staff, viewport=MOBILE)
    page.goto("/recommendations/")
    search = page.get_by_label("Search")
    expect(search).to_be_hidden()
    expect(page.locator("main table")).to_be_visible()

    page.get_by_role("button", name="Show filter").click()
    expect(search).to_be_visible()
    screenshot(page, "recommendations-filter-open")
    page.get_by_role("button", name="Close").click()
    expect(search).to_be_hidden()
    expect(page.get_by_role("button", name="Show filter")).to_be_focused()
