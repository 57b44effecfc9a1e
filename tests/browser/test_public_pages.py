"""The public pages in a real browser: no WCAG 2.2 AA violation axe-core can find (the list, an inspection, not
found, too many requests), usable with the keyboard alone, no wider than a phone, no sign-in links."""

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import Inspection
from tests.browser.support import MOBILE, Demo, OpenPage, assert_accessible
from tests.browser.test_keyboard import expect_javascript_started, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def published(demo: Demo) -> Inspection:
    """The demo's Kent, Surrey and Sussex inspection, on the public pages."""
    Inspection.objects.filter(pk=demo.kss_inspection.pk).update(published_to_public_at=timezone.now())
    return demo.kss_inspection


def test_the_public_pages_are_accessible(open_page: OpenPage, published: Inspection, settings: Any) -> None:
    settings.PUBLIC_PAGES_RATE_LIMIT = "5/h"  # the last page below is the sixth: too many
    page = open_page()
    page.goto("/public/")
    expect(page.get_by_role("heading", name="Progress on inspection recommendations", level=1)).to_be_visible()
    _assert_public_layout(page)
    assert_accessible(page, "public pages: published inspections")

    page.get_by_role("link", name=published.title).click()
    expect(page.get_by_role("heading", name=published.title)).to_be_visible()
    expect(page.locator("table caption").first).to_contain_text("To the region")
    assert_accessible(page, "public pages: an inspection")

    page.get_by_role("link", name="Implementation rates", exact=True).click()
    expect(page.get_by_role("heading", name="Implementation rates", level=1)).to_be_visible()
    expect(page.locator("#rates-by-region")).to_contain_text("Kent, Surrey and Sussex")
    assert_accessible(page, "public pages: implementation rates")

    unpublished = Inspection.objects.filter(published_to_public_at__isnull=True).first()
    assert unpublished is not None
    response = page.goto(f"/public/inspections/{unpublished.pk}/")
    assert response is not None and response.status == 404
    _assert_public_layout(page)
    assert_accessible(page, "public pages: not found")

    # The browser keeps /public/ for a minute (Cache-Control): new addresses, so that each request reaches the site.
    page.goto("/public/?again=1")
    response = page.goto("/public/?again=2")
    assert response is not None and response.status == 429
    expect(page.get_by_role("heading", name="Sorry, there have been too many requests")).to_be_visible()
    _assert_public_layout(page)
    assert_accessible(page, "public pages: too many requests")


def test_the_public_pages_work_with_the_keyboard_alone(open_page: OpenPage, published: Inspection) -> None:
    page = open_page()
    page.goto("/public/")
    expect_javascript_started(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    tab_to(page, page.get_by_role("link", name=published.title))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=published.title)).to_be_visible()
    # The table of recommendations scrolls inside its own focusable region on a narrow screen.
    tab_to(page, page.get_by_role("region", name=re.compile("^To the region")))
    page.reload()  # focus back at the top: the back link comes before the main content
    tab_to(page, page.get_by_role("link", name="All published inspections"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/public/$"))


def test_the_public_pages_fit_a_phone(open_page: OpenPage, published: Inspection) -> None:
    page = open_page(viewport=MOBILE)
    for url in ("/public/", f"/public/inspections/{published.pk}/", "/public/implementation-rates/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} is {overflow} px wider than a phone"
        assert_accessible(page, f"public pages at 375 px: {url}")


def _assert_public_layout(page: Page) -> None:
    """The public service's own header and navigation, and nothing of the signed-in service."""
    header = page.locator("header")
    expect(header.get_by_role("link", name="Progress on inspection recommendations")).to_be_visible()
    expect(header.get_by_role("link", name="Published inspections", exact=True)).to_have_count(1)
    expect(header.get_by_role("link", name="Implementation rates", exact=True)).to_have_count(1)
    for private in ("Sign out", "Change password", "My actions", "Dashboard", "Sign in"):
        expect(page.get_by_text(private, exact=True)).to_have_count(0)
