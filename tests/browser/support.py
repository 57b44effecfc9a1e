"""Helpers for the browser tests: viewports, the demo data's shape, sessions, screenshots, axe-core checks,
signing in through the form, and small files to upload."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from accounts.models import User
from inspections.models import Inspection, Score
from recommendations.models import Addressee, Recommendation

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
MOBILE: ViewportSize = {"width": 375, "height": 812}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
MODEL_BACKEND = "accounts.backends.ModelBackend"

OpenPage = Callable[..., Page]  # the open_page fixture: open_page(user=None, viewport=DESKTOP, **context_options)


@dataclass(frozen=True)
class Demo:
    """The demo data (`manage.py load_demo`): its users and the recommendations the tests look at."""

    staff: User
    kss_lead: User
    sc_lead: User
    kss_recommendation: Recommendation  # addressed to Kent, Surrey and Sussex, owned by kss_lead
    sc_recommendation: Recommendation  # addressed to South Central
    kss_inspection: Inspection


def give_session(context: BrowserContext, user: User, url: str) -> None:
    """Gives the browser a signed-in session for `user`, made by Django's test client, as a cookie."""
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": url}])


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/, named after the page and the viewport width."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOT_DIR / f"{name}-{'mobile' if width < 640 else 'desktop'}.png"
    page.screenshot(path=path, full_page=True)
    return path


# WCAG 2.0, 2.1 and 2.2 at levels A and AA, named explicitly so that a new axe release cannot widen or narrow it.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now, less GOV.UK Frontend's one known exception."""
    found = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    violations = []
    for violation in found:
        nodes = [node for node in violation["nodes"] if not _govuk_conditional_reveal(violation["id"], node)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


def _govuk_conditional_reveal(rule: str, node: dict[str, Any]) -> bool:
    """aria-expanded on a radio or checkbox that reveals a conditional question.

    GOV.UK Frontend's Radios and Checkboxes set it on purpose: screen readers announce it and user research found
    it helps, although ARIA 1.2 does not list it for those roles (alphagov/govuk-frontend#979, a known issue
    they keep). Only that attribute on those inputs is let through; any other finding of the rule still fails.
    """
    inputs = ("govuk-radios__input", "govuk-checkboxes__input")
    if rule != "aria-allowed-attr" or not any(name in node["html"] for name in inputs):
        return False
    messages = [check["message"] for check in node["all"] + node["any"] + node["none"]]
    return bool(messages) and all(
        message.startswith("ARIA attribute is not allowed: aria-expanded=") for message in messages
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(str(part) for part in node['target'])}")
            if node.get("failureSummary"):
                lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page, state: str) -> None:
    """No WCAG 2.2 A/AA violation that axe-core can find; prints each rule, impact, target and help on failure."""
    violations = axe_violations(page)
    assert not violations, f"axe-core found violations on {state} ({page.url}):\n{describe_violations(violations)}"


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the GOV.UK sign-in page, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def small_pdf(folder: Path, name: str = "evidence.pdf") -> Path:
    """A tiny but well-formed one-page PDF (it starts with the %PDF magic bytes that the upload check reads)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = folder / name
    path.write_bytes(body)
    return path


def earlier_inspection(demo: Demo) -> Inspection:
    """An earlier inspection of the demo's Kent, Surrey and Sussex, with the same key questions scored lower and a
    recommendation, so that the region's page shows outcomes at the next inspection (chart and tables)."""
    latest = demo.kss_inspection
    earlier = Inspection.objects.create(
        reference="N57-PP-2021",
        type=latest.type,
        title="Earlier public protection inspection",
        region=latest.region,
        published_on=datetime.date(2021, 9, 1),
    )
    for score in Score.objects.filter(inspection=latest):
        Score.objects.create(
            inspection=earlier,
            position=score.position,
            question=score.question,
            percentage_yes=score.percentage_yes / 2,
        )
    Recommendation.objects.create(
        inspection=earlier, addressee=Addressee.REGION, region=latest.region, number=1, text="Improve assessments"
    )
    return earlier
