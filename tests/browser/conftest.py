"""Real-browser tests: headless Debian Chromium driven by Playwright against pytest-django's live server.

One browser for the whole session; each test opens its own contexts (fresh cookies, storage and viewport) through
the ``open_page`` factory. Every page a test opens is watched (watch.py): console errors, uncaught exceptions,
Content Security Policy violations and failed requests for fonts, images, stylesheets and scripts fail the test.

Playwright's sync API keeps an asyncio loop running in the main thread while it is started, and Django refuses ORM
calls from a thread with a running loop (SynchronousOnlyOperation). So the browser session sets
DJANGO_ALLOW_ASYNC_UNSAFE while it runs, and the browser tests are moved to the end of the run so that no other
test runs beside that loop.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from accounts.models import User
from recommendations.demo import load_demo
from recommendations.models import Addressee, Recommendation
from tests.browser.support import DESKTOP, Demo, OpenPage, give_session
from tests.browser.watch import Watcher

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make test installs it), not a Playwright download
# Chromium's background services try to reach Google and fail on a closed network; these flags keep it quiet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000  # for each action and expectation; a loaded 2-core CI machine needs more than Playwright's 5 s


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering (database tests first)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: see the module docstring."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test installs it)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {
        db.alias: db._test_serialized_contents for db in connections.all() if hasattr(db, "_test_serialized_contents")
    }
    try:
        with sync_playwright() as playwright:
            # Started, Playwright runs the main thread's code in another context, where Django hands out new
            # connection objects. They lack the copy of the migrated data (regions, themes, the reminder policy)
            # that serialized_rollback puts back after each flush, so give it to them.
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents  # type: ignore[attr-defined]  # Django sets it on test databases; the stubs do not declare it
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Browser, live_server: Any) -> Iterator[OpenPage]:
    """open_page(user=None, viewport=DESKTOP, **context_options): a page in a new context, signed in as `user`.

    Signing in here copies a session made by Django's test client into the context (the journeys sign in
    through the form instead). At teardown, anything a watcher saw on any of the test's pages fails the test.
    """
    contexts: list[tuple[BrowserContext, Watcher]] = []

    def make(user: User | None = None, viewport: ViewportSize | None = None, **options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=viewport or DESKTOP, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watcher = Watcher()
        watcher.attach(context)
        contexts.append((context, watcher))
        if user is not None:
            give_session(context, user, live_server.url)
        return context.new_page()

    yield make
    problems = [problem for _, watcher in contexts for problem in watcher.problems]
    for context, _ in contexts:
        context.close()
    if problems:
        pytest.fail("The browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def demo(transactional_db: None) -> Demo:
    """The demo data (`manage.py load_demo`), committed so that the live server's threads see it."""
    load_demo()
    users = {user.username: user for user in User.objects.all()}
    regional = Recommendation.objects.filter(addressee=Addressee.REGION).select_related("inspection")
    kss = regional.filter(region__code="N57", inspection__reference__startswith="N57-PP").order_by("number").first()
    sc = regional.filter(region__code="N59").order_by("number").first()
    assert kss is not None and sc is not None, "the demo data has both"
    return Demo(
        staff=users["inspectorate"],
        kss_lead=users["kss.lead"],
        sc_lead=users["sc.lead"],
        kss_recommendation=kss,
        sc_recommendation=sc,
        kss_inspection=kss.inspection,
    )
