"""The figures of the dashboard and the region pages: made by beat (recommendations/figures_refresh.py) into the
shared Redis, read from there by every page, and made by a page only when none are kept. Against the real Redis."""

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.celery import app
from inspections.models import Region
from recommendations import permissions, region_selectors, tasks
from recommendations.figures_refresh import refresh_figures
from recommendations.models import Addressee, Recommendation
from tests.factories import make_pdu, make_recommendation
from tests.support.kept_figures import forget_kept_figures

from .conftest import Login, World

pytestmark = pytest.mark.django_db

MADE_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # 09:00 in London (GMT)


def _get(client: Client, url: str) -> tuple[int, Any]:
    """(queries run, the response's context) of a page read."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.context


def _pages(world: World) -> list[tuple[str, str, str]]:
    """(persona, URL, the context name of its figures) of each page with kept figures."""
    region = reverse("recommendations:region", args=[world.region_a.pk])
    return [
        ("staff", reverse("recommendations:dashboard"), "dashboard"),
        ("staff", region, "kept"),
        ("lead_a", region, "kept"),
        ("staff", reverse("recommendations:national"), "kept"),
        ("hmpps", reverse("recommendations:national"), "kept"),
    ]


def test_beat_makes_every_pages_figures_and_the_pages_only_read_them(world: World, login: Login) -> None:
    for persona, url, name in _pages(world):
        with time_machine.travel(MADE_AT, tick=False):
            assert refresh_figures() == 2 + Region.objects.count()
        client = login(getattr(world, persona))
        with time_machine.travel(MADE_AT + datetime.timedelta(minutes=3), tick=False):
            kept_queries, context = _get(client, url)
            assert context[name].as_at == MADE_AT, (persona, url)  # beat's, not made now
            assert "Figures as of 09:00 (3 minutes ago)" in client.get(url).content.decode()
            forget_kept_figures()  # as an emptied Redis: the page makes them itself
            made_queries, context = _get(client, url)
        assert context[name].as_at == MADE_AT + datetime.timedelta(minutes=3)
        assert kept_queries < made_queries, (persona, url, kept_queries, made_queries)


def test_beat_sees_what_was_added_since_its_last_run(world: World, login: Login) -> None:
    refresh_figures()
    total = login(world.staff).get(reverse("recommendations:dashboard")).context["dashboard"].totals["open"]
    make_recommendation(world.inspection_a, text="Made after beat's first run")
    assert login(world.staff).get(reverse("recommendations:dashboard")).context["dashboard"].totals["open"] == total
    refresh_figures()  # and again: running it twice only makes them twice
    refresh_figures()
    assert login(world.staff).get(reverse("recommendations:dashboard")).context["dashboard"].totals["open"] == total + 1


def test_a_miss_is_made_by_the_page_and_kept_for_every_reader(world: World, login: Login) -> None:
    region = reverse("recommendations:region", args=[world.region_a.pk])
    made_queries, made = _get(login(world.lead_a), region)
    kept_queries, kept = _get(login(world.staff), region)  # another person (or web worker): the same figures
    assert kept["kept"].as_at == made["kept"].as_at
    assert kept_queries == made_queries - 3  # rates by region and addressee, open by age, slippage


def test_the_task_runs_the_refresh_and_beat_runs_the_task() -> None:
    app.loader.import_default_modules()
    assert "recommendations.refresh_figures" in app.tasks
    assert tasks.refresh_figures.apply().get() == Region.objects.count() + 2  # in this process: no worker
    entry = app.conf.beat_schedule["figures-refresh"]
    assert entry["task"] == "recommendations.refresh_figures"
    assert entry["schedule"].run_every.total_seconds() == settings.FIGURES_REFRESH_SECONDS == 300


def test_everyone_who_may_open_a_region_or_the_national_page_sees_all_of_its_set(world: World) -> None:
    """The figures are kept once per page, not per person (region_selectors): that holds only while everyone let in
    sees every recommendation the page counts."""
    pdu = make_pdu(world.region_a)
    make_recommendation(world.inspection_a, addressee=Addressee.PDU, pdu=pdu, text="A PDU does the thing")
    make_recommendation(world.national, addressee=Addressee.MOJ, region=None, text="The MoJ does the thing")
    people = [world.staff, world.lead_a, world.lead_b, world.hmpps]
    for region in (world.region_a, world.region_b):
        whole = set(region_selectors.region_set(region).values_list("pk", flat=True))
        readers = [person for person in people if permissions.may_see_region(person, region.pk)]
        assert len(readers) == 2 and len(whole) == Recommendation.objects.filter(region=region).count()
        for person in readers:
            assert set(region_selectors.region_recommendations(person, region).values_list("pk", flat=True)) == whole
    whole = set(region_selectors.national_set().values_list("pk", flat=True))
    readers = [person for person in people if permissions.may_see_national(person)]
    assert readers == [world.staff, world.hmpps] and len(whole) == 2
    for person in readers:
        assert set(region_selectors.national_recommendations(person).values_list("pk", flat=True)) == whole
