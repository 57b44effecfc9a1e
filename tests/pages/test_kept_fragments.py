"""The filter panels of the list and What's changed are rendered once for each scope and query and kept in the web
worker's memory until the records change (core/fragments.py)."""

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from core.fragments import FRAGMENTS_CACHE
from core.shared_cache import SHARED_CACHE
from recommendations.figures_refresh import refresh_figures
from tests.support.ports import free_port

from .conftest import Login, World

LIST = reverse("recommendations:list")
CHANGES = reverse("recommendations:whats_changed")
MADE_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
PANEL = re.compile(r'<form class="moj-filter".*?</form>', re.S)

pytestmark = pytest.mark.django_db


def _panel(client: Client, url: str, query: dict[str, Any] | None = None) -> str:
    response = client.get(url, query or {})
    assert response.status_code == 200
    found = PANEL.search(response.content.decode())
    assert found, "the page has its filter panel"
    return found.group(0)


def _spy_on_renders(monkeypatch: pytest.MonkeyPatch, module: str) -> list[str]:
    """The names of the templates `module`'s render_to_string renders from now on (spied on, it still renders)."""
    rendered: list[str] = []

    def spy(template_name: str, context: dict[str, Any]) -> str:
        rendered.append(template_name)
        return render_to_string(template_name, context)

    monkeypatch.setattr(f"{module}.render_to_string", spy)
    return rendered


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The filter panels rendered."""
    return _spy_on_renders(monkeypatch, "recommendations.views.lists")


@pytest.mark.parametrize("url", [LIST, CHANGES])
def test_a_panel_is_rendered_once_for_a_query_whatever_its_order_or_page(
    world: World, login: Login, renders: list[str], url: str
) -> None:
    client = login(world.staff)
    first = _panel(client, url, {"region": world.region_a.pk, "kind": ["progress", "created"]})
    again = _panel(client, url, {"kind": ["progress", "created"], "region": world.region_a.pk, "page": 1})
    assert again == first
    assert len(renders) == 1
    _panel(client, url, {"region": world.region_b.pk})
    assert len(renders) == 2


@pytest.mark.parametrize("url", [LIST, CHANGES])
def test_a_kept_panel_is_what_a_fresh_render_shows(world: World, login: Login, url: str) -> None:
    client = login(world.staff)
    query = {"region": world.region_a.pk, "status": ["open"], "kind": ["progress"], "sort": "-target_date"}
    kept = _panel(client, url, query)
    assert _panel(client, url, query) == kept
    caches[FRAGMENTS_CACHE].clear()
    assert _panel(client, url, query) == kept
    assert f'value="{world.region_a.pk}" selected' in kept


@pytest.mark.parametrize("url", [LIST, CHANGES])
def test_each_scope_has_a_panel_of_its_own(world: World, login: Login, url: str) -> None:
    everything = _panel(login(world.staff), url)
    assert world.region_a.name in everything and world.region_b.name in everything
    own = _panel(login(world.lead_a), url)
    assert world.region_a.name in own and world.region_b.name not in own
    other = _panel(login(world.lead_b), url)
    assert world.region_b.name in other and world.region_a.name not in other


def test_a_form_error_is_kept_with_its_query(world: World, login: Login) -> None:
    client = login(world.staff)
    query = {"due_after": "31/13/2026"}
    assert "govuk-error-message" in _panel(client, LIST, query)
    assert "govuk-error-message" in _panel(client, LIST, query)
    assert "govuk-error-message" not in _panel(client, LIST)


def test_a_shared_cache_that_does_not_answer_costs_only_a_render(
    world: World, login: Login, renders: list[str], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shared = settings.CACHES[SHARED_CACHE]
    settings.CACHES = {**settings.CACHES, SHARED_CACHE: {**shared, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    client = login(world.staff)
    assert world.region_a.name in _panel(client, LIST)
    assert world.region_a.name in _panel(client, LIST)
    assert len(renders) == 2  # nothing kept: no generation to keep it under
    assert "Fragments: the shared cache did not answer; rendering afresh" in caplog.text


def _without_tokens(page: str) -> str:
    """The page less what differs on every response (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|value)="[A-Za-z0-9_-]{20,}"', "", page)


@pytest.fixture
def section_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rates sections written."""
    return _spy_on_renders(monkeypatch, "recommendations.figures_html")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("staff", reverse("recommendations:dashboard")),
        ("lead_a", "region_a"),
        ("hmpps", reverse("recommendations:national")),
    ],
)
def test_a_rates_section_is_written_once_for_its_figures(
    world: World, login: Login, section_renders: list[str], persona: str, url: str
) -> None:
    if url == "region_a":
        url = reverse("recommendations:region", args=[world.region_a.pk])
    client = login(getattr(world, persona))
    with time_machine.travel(MADE_AT, tick=False):
        refresh_figures()
    with time_machine.travel(MADE_AT + datetime.timedelta(minutes=1), tick=False):
        first = _without_tokens(client.get(url).content.decode())
        assert _without_tokens(client.get(url).content.decode()) == first
    assert len(section_renders) == 1
    assert 'id="rates-by-addressee"' in first
    with time_machine.travel(MADE_AT + datetime.timedelta(minutes=5), tick=False):
        refresh_figures()  # beat's next run: new figures, a new section
    with time_machine.travel(MADE_AT + datetime.timedelta(minutes=6), tick=False):
        client.get(url)
    assert len(section_renders) == 2
