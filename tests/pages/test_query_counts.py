"""Every page runs the same number of queries for 10 recommendations as for 1,000, and never more than 15."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Recommendation, UpdateRound

from .bulk import bulk_recommendations
from .conftest import Login, World

MAX_QUERIES = 15


def _pages(world: World) -> list[tuple[str, str, str]]:
    """(label, persona attribute, URL) for every page and export (an update round open for everyone's items)."""
    update_round = UpdateRound.objects.get_or_create(
        name="Quarter 3 2026 returns", defaults={"due_date": timezone.localdate(), "opened_by": world.staff}
    )[0]
    filtered = (
        f"?region={world.region_a.pk}&status=open&status=awaiting_closure&owner={world.lead_a.pk}"
        f"&q=quality&due_after=01/01/2000&priority=no&sort=-target_date"
    )
    round_update = reverse("recommendations:round_update", args=[update_round.pk])
    return [
        ("my actions (regional lead)", "lead_a", reverse("recommendations:my_actions")),
        ("my actions (HMPPS lead)", "hmpps", reverse("recommendations:my_actions")),
        ("my actions (staff)", "staff", reverse("recommendations:my_actions")),
        ("list (staff)", "staff", reverse("recommendations:list")),
        # Page 1: with 10 rows a page 2 does not exist (a 404, tests/pages/test_hostile_input.py).
        ("list page 1 with filters (regional lead)", "lead_a", reverse("recommendations:list") + filtered + "&page=1"),
        ("list with filters (staff)", "staff", reverse("recommendations:list") + filtered),
        ("CSV export with filters", "lead_a", reverse("recommendations:export_csv") + filtered),
        ("CSV export (staff)", "staff", reverse("recommendations:export_csv")),
        ("Excel export with filters", "lead_a", reverse("recommendations:export_xlsx") + filtered),
        ("inspection list (staff)", "staff", reverse("inspections:list")),
        ("inspection list (regional lead)", "lead_a", reverse("inspections:list")),
        ("inspection page (staff)", "staff", reverse("inspections:detail", args=[world.inspection_a.pk])),
        ("inspection page (HMPPS lead)", "hmpps", reverse("inspections:detail", args=[world.national.pk])),
        ("dashboard", "staff", reverse("recommendations:dashboard")),
        ("recurring recommendations (staff)", "staff", reverse("recommendations:recurring")),
        ("recurring recommendations (regional lead)", "lead_a", reverse("recommendations:recurring")),
        ("update rounds (staff)", "staff", reverse("recommendations:round_list")),
        ("update round (staff)", "staff", reverse("recommendations:round_detail", args=[update_round.pk])),
        ("update your recommendations (regional lead)", "lead_a", round_update),
        ("update your recommendations (HMPPS lead)", "hmpps", round_update),
    ]


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)  # the export's rows are read while it streams
    return len(captured)


def _measure(world: World, login: Login) -> dict[str, int]:
    cache.clear()  # the dashboard's counts are made afresh at both sizes
    return {label: _count_queries(login(getattr(world, persona)), url) for label, persona, url in _pages(world)}


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_rows(world: World, login: Login) -> None:
    # Owners for the update round's pages (the bulk rows give lead A a share of each batch).
    Recommendation.objects.filter(pk=world.rec_a.pk).update(owner=world.lead_a)
    Recommendation.objects.filter(pk=world.rec_h.pk).update(owner=world.hmpps)
    _attach_to_pages(world, bulk_recommendations(world, 10, first_number=100))
    small = _measure(world, login)
    _attach_to_pages(world, bulk_recommendations(world, 990, first_number=1000))
    large = _measure(world, login)

    print("\n".join(f"{label}: {small[label]} / {large[label]}" for label in small))
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
    # Within five minutes the dashboard's two grouped counts come from the cache.
    assert _count_queries(login(world.staff), reverse("recommendations:dashboard")) == large["dashboard"] - 2


def _attach_to_pages(world: World, rows: list[Recommendation]) -> None:
    """Put the rows on the inspections whose pages are measured, so those pages grow too."""
    from recommendations.models import Addressee

    regional = [row.pk for row in rows if row.addressee == Addressee.REGION]
    national = [row.pk for row in rows if row.addressee == Addressee.HMPPS]
    Recommendation.objects.filter(pk__in=regional).update(inspection=world.inspection_a)
    Recommendation.objects.filter(pk__in=national).update(inspection=world.national)
    _confirm_repeats(world, regional + national)


def _confirm_repeats(world: World, pks: list[int]) -> None:
    """Confirmed repeats between neighbouring rows, so that the recurring recommendations page grows too."""
    from recommendations.models import RecurrenceLink, RecurrenceState

    decided = {"state": RecurrenceState.CONFIRMED, "decided_by": world.staff, "decided_at": timezone.now()}
    RecurrenceLink.objects.bulk_create(
        RecurrenceLink(earlier_id=earlier, later_id=later, score=90, **decided)
        for earlier, later in zip(pks[::2], pks[1::2], strict=False)
    )
