"""The filters' options (recommendations/filter_options.py) are kept in the shared Redis for each scope, and read
afresh once a recommendation, an inspection, a region or a theme changes and the change commits."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import filter_options
from recommendations.models import Theme
from tests.factories import make_inspection, make_recommendation

from .conftest import Login, World

LIST = reverse("recommendations:list")
CHANGES = reverse("recommendations:whats_changed")

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., Any]  # pytest-django's django_capture_on_commit_callbacks


def _queries(read: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


def test_options_are_read_once_then_kept(world: World) -> None:
    assert _queries(lambda: filter_options.regions_and_themes(world.staff)) == 1
    assert _queries(lambda: filter_options.regions_and_themes(world.staff)) == 0
    assert _queries(lambda: filter_options.newest_inspections(world.staff, None)) == 1
    assert _queries(lambda: filter_options.newest_inspections(world.staff, None)) == 0


def test_each_scope_keeps_its_own(world: World) -> None:
    """A lead's options are their region's, whoever filled the cache first."""
    everything = filter_options.regions_and_themes(world.staff)["region"]
    assert {pk for pk, _ in everything} >= {world.region_a.pk, world.region_b.pk}
    assert filter_options.regions_and_themes(world.lead_a)["region"] == [(world.region_a.pk, world.region_a.name)]
    assert filter_options.regions_and_themes(world.lead_b)["region"] == [(world.region_b.pk, world.region_b.name)]
    offered_b = {pk for pk, _, _ in filter_options.newest_inspections(world.lead_b, None)}
    assert offered_b == {world.inspection_b.pk}


def test_a_new_report_is_offered_once_it_commits(
    world: World, login: Login, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client = login(world.staff)
    assert "Newly imported report" not in client.get(LIST).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_recommendation(make_inspection(world.region_a, title="Newly imported report"))
    assert "Newly imported report" in client.get(LIST).content.decode()
    assert "Newly imported report" in client.get(CHANGES).content.decode()


def test_a_change_not_committed_leaves_the_kept_options(world: World, login: Login) -> None:
    """Inside the test's transaction nothing commits: the options kept before are still what is read (the move
    waits for the commit, so a rolled-back import never shows)."""
    client = login(world.staff)
    client.get(LIST)
    make_inspection(world.region_a, title="Rolled back report")
    assert "Rolled back report" not in client.get(LIST).content.decode()


def test_renamed_region_and_new_theme_are_offered(
    world: World, login: Login, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client = login(world.lead_a)
    client.get(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        world.region_a.name = "Renamed region"
        world.region_a.save()
        Theme.objects.create(name="A brand new theme")
    page = client.get(LIST).content.decode()
    assert "Renamed region" in page
    assert "A brand new theme" in page
