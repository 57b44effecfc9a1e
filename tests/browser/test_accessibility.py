"""axe-core (WCAG 2.0/2.1/2.2, A and AA) on every page and state, in a real browser with JavaScript running.

Each test walks one person's pages on the demo data and checks them all, then reports every state that had
violations at once. The page watcher (conftest.py) fails the test too on console errors, CSP violations and
failed requests.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from inspections.models import Region
from recommendations import services
from recommendations.models import RecurrenceLink
from tests.browser.support import (
    Demo,
    OpenPage,
    axe_violations,
    describe_violations,
    earlier_inspection,
    plan_an_action,
)
from tests.browser.watch import Watcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Checker:
    """Runs axe on a page in a named state and keeps what it finds, so that one run reports every state."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.states: list[str] = []

    def check(self, page: Page, state: str) -> None:
        self.states.append(state)
        if violations := axe_violations(page):
            self.failures.append(f"== {state} ({page.url})\n{describe_violations(violations)}")

    def assert_clean(self) -> None:
        assert not self.failures, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(self.failures)


def test_the_checks_catch_planted_problems(browser: Browser, live_server: Any) -> None:
    """The checks themselves: an unlabelled field is an axe violation, an inline script a CSP violation."""
    context = browser.new_context(base_url=live_server.url)
    watcher = Watcher()
    watcher.attach(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate("""() => {
      document.querySelector('main').append(document.createElement('input'));
      const script = document.createElement('script');
      script.textContent = 'window.planted = true';
      document.body.append(script);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "label" in {violation["id"] for violation in axe_violations(page)}
    assert page.evaluate("window.planted") is None  # the policy blocked the script
    context.close()
    assert [problem for problem in watcher.problems if problem.startswith("CSP violation: script-src")]


def test_sign_in_page(open_page: OpenPage, demo: Demo) -> None:
    checker = Checker()
    page = open_page()
    page.goto("/accounts/login/")
    checker.check(page, "sign-in page")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    checker.check(page, "sign-in page with errors")
    checker.assert_clean()


def test_inspectorate_pages(open_page: OpenPage, demo: Demo) -> None:
    checker = Checker()
    page = open_page(demo.staff)
    recommendation = demo.kss_recommendation

    page.goto("/my-actions/")
    expect(page.get_by_role("heading", name="My actions")).to_be_visible()
    checker.check(page, "My actions, empty (staff own nothing)")

    page.goto("/recommendations/")
    checker.check(page, "recommendations list, unfiltered")
    page.get_by_label("Search").fill("information sharing")
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.get_by_text(re.compile(r"(match|matches) these filters"))).to_be_visible()
    checker.check(page, "recommendations list, filtered")
    page.goto("/recommendations/?q=no-such-words-anywhere")
    expect(page.get_by_text("No recommendations match")).to_be_visible()
    checker.check(page, "recommendations list, no results")
    page.goto("/recommendations/?due_after=not-a-date")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    checker.check(page, "recommendations list, filter error")

    page.goto(f"/recommendations/{recommendation.pk}/")
    expect(page.locator(".moj-timeline__item").first).to_be_visible()
    checker.check(page, "recommendation page with its timeline")
    check_change_pages(page, checker)

    page.goto(f"/recommendations/{recommendation.pk}/")
    page.get_by_role("link", name="Judge progress").click()
    page.get_by_label("Reasonable").check()
    page.get_by_role("button", name="Save judgement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    checker.check(page, "recommendation page with a success banner")

    page.get_by_role("link", name="Record follow-up activity").click()
    page.get_by_role("button", name="Record activity").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    checker.check(page, "follow-up page with a form error")

    page.goto(f"/inspections/{recommendation.inspection_id}/")
    checker.check(page, "inspection page (ratings, scores chart, facts, recommendations)")
    page.goto("/inspections/")
    checker.check(page, "inspections list")
    page.goto("/dashboard/")
    checker.check(page, "dashboard")
    # The demo's two seed reports make the vetting recommendation twice: suggested on import, staff confirm it on
    # the recurring recommendations page (any other suggestion with the service), and it is a recurring one.
    vetting = RecurrenceLink.objects.order_by("-score", "pk").first()
    assert vetting is not None
    page.goto(f"/recommendations/{vetting.later_id}/")
    expect(page.locator(f"#suggestion-{vetting.pk}")).to_be_visible()
    checker.check(page, "recommendation page with suggested repeats")
    services.recurrences_decide(links=RecurrenceLink.objects.exclude(pk=vetting.pk), repeat=True, by=demo.staff)
    page.goto("/recurring/")
    checker.check(page, "recurring recommendations with suggested repeats")
    page.locator(f"#confirm-{vetting.pk}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_role("heading", name="Made 2 times", exact=False).first).to_be_visible()
    checker.check(page, "recurring recommendations with a success banner")
    page.goto("/whats-changed/")  # the demo's events, and those just recorded above
    expect(page.locator(".moj-timeline__item").first).to_be_visible()
    checker.check(page, "what's changed")
    page.goto("/whats-changed/?since=1/1/2999")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    checker.check(page, "what's changed with a date error")
    page.goto("/reminders/preferences/")
    checker.check(page, "reminder preferences")
    page.goto("/notifications/")
    expect(page.get_by_text("You have no notifications.")).to_be_visible()
    checker.check(page, "notifications, none")
    checker.assert_clean()


def test_regional_lead_pages(open_page: OpenPage, demo: Demo) -> None:
    checker = Checker()
    page = open_page(demo.kss_lead)
    recommendation = demo.kss_recommendation

    page.goto("/my-actions/")
    expect(page.locator(".govuk-table").first).to_be_visible()
    checker.check(page, "My actions with items")

    page.goto(f"/recommendations/{recommendation.pk}/")
    checker.check(page, "recommendation page, the lead's view")
    check_change_pages(page, checker)
    page.goto(f"/recommendations/{recommendation.pk}/")
    page.get_by_role("link", name="Record the response").click()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    checker.check(page, "response page with an error")

    # The demo made the lead the owner of their region's recommendations: each told to them.
    page.goto("/notifications/")
    expect(page.locator(".govuk-tag", has_text="Unread").first).to_be_visible()
    checker.check(page, "notifications, unread")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    checker.check(page, "notifications, all read")
    page.locator("main h2 a").first.click()
    expect(page.locator(".moj-timeline__item").first).to_be_visible()

    page.goto("/reminders/preferences/")
    page.get_by_label("Weekly, on one day").check()
    checker.check(page, "reminder preferences, weekly chosen")
    page.get_by_role("button", name="Save preferences").click()
    checker.check(page, "reminder preferences after saving without a day")

    response = page.goto("/dashboard/")
    assert response is not None and response.status == 403
    checker.check(page, "403 page")
    response = page.goto(f"/recommendations/{demo.sc_recommendation.pk}/")
    assert response is not None and response.status == 404
    checker.check(page, "404 page")
    checker.assert_clean()


def test_action_plan_pages(open_page: OpenPage, demo: Demo) -> None:
    """An inspection's and a region's action plan, for staff and for the region's lead, and the links to them."""
    plan_an_action(demo)
    checker = Checker()
    region_id = demo.kss_inspection.region_id
    for person in (demo.staff, demo.kss_lead):
        page = open_page(person)
        page.goto(f"/inspections/{demo.kss_inspection.pk}/")
        page.get_by_role("link", name="Action plan", exact=True).click()
        expect(page.get_by_role("heading", level=1, name="Action plan")).to_be_visible()
        expect(page.locator("main table")).to_contain_text("Recruit a vetting officer")
        checker.check(page, f"inspection's action plan ({person.username})")
        page.goto(f"/regions/{region_id}/action-plan/")
        expect(page.locator("main table")).to_contain_text("Owner: Head of public protection")
        checker.check(page, f"region's action plan ({person.username})")
    page.goto(f"/recommendations/?region={region_id}")
    page.get_by_role("link", name="Action plan of the region's open recommendations").click()
    expect(page).to_have_url(f"/regions/{region_id}/action-plan/")
    response = open_page(demo.sc_lead).goto(f"/regions/{region_id}/action-plan/")
    assert response is not None and response.status == 404
    checker.assert_clean()


def check_change_pages(page: Page, checker: Any) -> None:
    """Open every change the recommendation page on screen links to, and check each page."""
    changes = page.locator("#change-links a")
    for url in [changes.nth(n).get_attribute("href") for n in range(changes.count())]:
        page.goto(f"{url}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        checker.check(page, f"change page {url}")


def test_region_pages(open_page: OpenPage, demo: Demo) -> None:
    checker = Checker()
    earlier_inspection(demo)
    region = demo.kss_inspection.region
    assert region is not None
    page = open_page(demo.staff)
    page.goto("/regions/")
    checker.check(page, "regions")
    page.get_by_role("link", name=region.name).click()
    expect(page.get_by_role("img", name=re.compile("Key question scores"))).to_be_visible()
    checker.check(page, "region page with outcomes at the next inspection")
    page.goto("/regions/national/")
    checker.check(page, "national figures")

    lead = open_page(demo.kss_lead)
    lead.goto("/my-actions/")
    lead.get_by_role("link", name="Your region").click()
    expect(lead.get_by_role("heading", name=region.name)).to_be_visible()
    checker.check(lead, "region page, the lead's view")
    south_central = Region.objects.get(code="N59")
    response = lead.goto(f"/regions/{south_central.pk}/")
    assert response is not None and response.status == 404
    checker.assert_clean()
