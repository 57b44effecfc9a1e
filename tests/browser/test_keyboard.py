"""Keyboard only: the skip link, the list's filters, a form on the recommendation page, and focus after errors.

Nothing here clicks: focus moves with Tab, and Enter or Space act on what has it.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import Demo, OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOST_TABS = 150


def tab_to(page: Page, target: Locator) -> int:
    """Press Tab until `target` has focus; how many presses it took. Fails if Tab never reaches it."""
    for presses in range(1, MOST_TABS + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {MOST_TABS} presses")


def expect_javascript_started(page: Page) -> None:
    """GOV.UK Frontend only initialises its components when base.html's inline script marks the body."""
    expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.kss_lead)
    page.goto("/my-actions/")
    expect_javascript_started(page)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # visible once focused
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#main-content a").first).to_be_focused()  # the next stop is inside the main content


def test_filters_can_be_filled_and_applied_with_the_keyboard(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.staff)
    page.goto("/recommendations/")
    total = page.locator("main table tbody tr").count()

    tab_to(page, page.get_by_label("Search"))
    page.keyboard.type("information")
    tab_to(page, page.get_by_role("checkbox", name="Open", exact=True))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Apply filters").last)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"\?.*q=information.*&status=open"))
    expect(page.get_by_text(re.compile(r"(match|matches) these filters"))).to_be_visible()
    rows = page.locator("main table tbody tr")
    assert 0 < rows.count() < total
    for text in rows.all_inner_texts():
        assert "Open" in text


def test_the_response_form_can_be_completed_with_the_keyboard(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.kss_lead)
    page.goto(f"/recommendations/{demo.kss_recommendation.pk}/")
    expect_javascript_started(page)

    tab_to(page, page.get_by_role("link", name="Record the response"))
    page.keyboard.press("Enter")  # the form's page of its own
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the response")
    expect_javascript_started(page)
    section = page.locator("main form")
    tab_to(page, section.get_by_label("Agreed", exact=True))  # Tab enters a radio group at its first option
    page.keyboard.press("Space")
    expect(section.get_by_label("Agreed", exact=True)).to_be_checked()
    page.keyboard.press("ArrowDown")  # arrows move within the group, checking as they go
    expect(section.get_by_label("Partly agreed")).to_be_focused()
    expect(section.get_by_label("Partly agreed")).to_be_checked()
    tab_to(page, section.get_by_label("Reason"))
    page.keyboard.type("The region agrees the aim but not the deadline.")
    tab_to(page, section.get_by_role("button", name="Save response"))
    page.keyboard.press("Enter")

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Response recorded")
    expect(banner).to_be_focused()  # GOV.UK Frontend moves focus to a success banner after a change
    expect(page.locator("#axes")).to_contain_text("Partly agreed")


def test_focus_moves_to_the_error_summary_and_its_links_lead_to_the_fields(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(demo.kss_lead)
    page.goto(f"/recommendations/{demo.kss_recommendation.pk}/")

    tab_to(page, page.get_by_role("link", name="Add a progress update"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a progress update")
    expect_javascript_started(page)
    section = page.locator("main form")
    tab_to(page, section.get_by_role("button", name="Add update"))
    page.keyboard.press("Enter")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect_javascript_started(page)
    expect(page).to_have_title(re.compile("^Error: "))
    expect(summary.get_by_role("link")).to_have_text(
        ["Choose how far implementation has got.", "Describe the progress made."]
    )

    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Not started")).to_be_focused()  # the first radio of the question in error
