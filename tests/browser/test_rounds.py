"""Update rounds in a real browser: staff open a round from the app, a lead returns on "Update your
recommendations" (one item in error, the other saved), staff see the count; axe-core on every page and state."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from recommendations.models import ProgressUpdate, Recommendation, RoundReturn, UpdateRound
from recommendations.rounds import update_round_open
from tests.browser.support import MOBILE, Demo, OpenPage
from tests.browser.test_accessibility import Checker
from tests.browser.test_layout import page_overflow, unlabelled_wide_tables

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def open_a_round(page: Page, checker: Checker, due: datetime.date) -> None:
    page.goto("/my-actions/")
    page.get_by_role("link", name="Update rounds").click()
    expect(page.get_by_role("heading", name="Update rounds", level=1)).to_be_visible()
    checker.check(page, "update rounds, none yet")
    page.get_by_role("button", name="Open a round").click()
    checker.check(page, "open a round")
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    checker.check(page, "open a round, with errors")
    page.get_by_label("Name").fill("Quarter 3 2026 returns")
    fieldset = page.get_by_role("group", name="Due date")
    fieldset.get_by_label("Day").fill(str(due.day))
    fieldset.get_by_label("Month").fill(str(due.month))
    fieldset.get_by_label("Year").fill(str(due.year))
    page.get_by_label("Some regions").check()
    checker.check(page, "open a round, some regions revealed")
    page.get_by_label("Kent, Surrey and Sussex").check()
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Round opened")
    checker.check(page, "a round just opened")


def return_two_items(page: Page, checker: Checker, first: Recommendation, second: Recommendation) -> None:
    page.goto("/my-actions/")
    banner = page.locator(".govuk-notification-banner").first
    expect(banner).to_contain_text("Quarter 3 2026 returns")
    checker.check(page, "My actions with a round's banner")
    banner.get_by_role("link", name="Update your recommendations").click()
    expect(page.get_by_role("heading", name="Update your recommendations")).to_be_visible()
    checker.check(page, "update your recommendations")
    page.locator(f"#item-{first.pk}").get_by_label("Completed").check()
    page.locator(f"#item-{first.pk}").get_by_label("What has been done").fill("Protocol signed by all forces.")
    page.locator(f"#item-{second.pk}").get_by_label("Link to evidence").fill("not a link")
    page.locator(f"#item-{second.pk}").get_by_label("What has been done").fill("See the link.")
    page.get_by_role("button", name="Save updates").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(second.reference)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 update saved")
    checker.check(page, "update your recommendations, one saved and one in error")
    summary.get_by_role("link").first.click()
    expect(page.locator(f"#id_item-{second.pk}-evidence_url")).to_be_focused()


def test_staff_open_a_round_a_lead_returns_and_staff_see_the_count(open_page: OpenPage, demo: Demo) -> None:
    checker = Checker()
    staff = open_page(demo.staff)
    open_a_round(staff, checker, timezone.localdate() + datetime.timedelta(days=21))
    update_round = UpdateRound.objects.get()
    owned = Recommendation.objects.active().filter(owner=demo.kss_lead, region__code="N57").order_by("target_date")
    first, second = (item for item in update_round.items().filter(pk__in=owned.values("pk"))[:2])

    lead = open_page(demo.kss_lead)
    return_two_items(lead, checker, first, second)
    assert ProgressUpdate.objects.filter(recommendation=first, text="Protocol signed by all forces.").exists()
    assert not ProgressUpdate.objects.filter(recommendation=second, text="See the link.").exists()
    assert list(RoundReturn.objects.values_list("recommendation", flat=True)) == [first.pk]

    staff.reload()
    table = staff.locator("#round-progress")
    expect(table.get_by_role("row", name="Kent, Surrey and Sussex")).to_contain_text("1")
    checker.check(staff, "a round with a return")
    staff.get_by_role("button", name="Remind owners still to return").click()
    expect(staff.locator(".govuk-notification-banner--success")).to_contain_text("Reminder sent to 1 owner")
    staff.get_by_role("button", name="Close the round").click()
    expect(staff.locator(".govuk-notification-banner--success")).to_contain_text("Round closed")
    checker.check(staff, "a closed round")
    staff.get_by_role("link", name="Back to update rounds").click()
    checker.check(staff, "update rounds, one closed")

    lead.goto(f"/rounds/{update_round.pk}/update/")
    expect(lead.locator("#round-closed")).to_be_visible()
    checker.check(lead, "update your recommendations, round closed")
    response = open_page(demo.sc_lead).goto(f"/rounds/{update_round.pk}/update/")
    assert response is not None and response.status == 404
    checker.assert_clean()


def test_the_round_pages_fit_a_phone(open_page: OpenPage, demo: Demo) -> None:
    due = timezone.localdate() + datetime.timedelta(days=21)
    update_round = update_round_open(by=demo.staff, name="Quarter 3 2026 returns", due_date=due, scope="all")
    pages = [
        (demo.kss_lead, f"/rounds/{update_round.pk}/update/"),
        (demo.staff, f"/rounds/{update_round.pk}/"),
        (demo.staff, "/rounds/"),
        (demo.staff, "/rounds/new/"),
    ]
    for person, url in pages:
        page = open_page(person, viewport=MOBILE)
        page.goto(url)
        assert page_overflow(page) <= 0, f"{url} is {page_overflow(page)}px wider than the window"
        assert not unlabelled_wide_tables(page), url
