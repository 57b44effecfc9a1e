"""The Inspectorate's dashboard: counts by region and addressee, and its three short lists."""

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.shared_cache import SHARED_CACHE
from recommendations import selectors, services
from recommendations.figures_refresh import refresh_figures
from recommendations.models import Addressee, Recommendation, Status
from tests.factories import make_inspection, make_recommendation
from tests.support.ports import free_port

from .conftest import Login, World
from .queue import ask_for_closure

DASHBOARD = "recommendations:dashboard"
TODAY = datetime.date(2025, 7, 15)


def set_state(
    recommendation: Recommendation, *, status: str = Status.OPEN, target: datetime.date | None = None
) -> None:
    closed_at = timezone.now() if status not in (Status.OPEN, Status.AWAITING_CLOSURE) else None
    Recommendation.objects.filter(pk=recommendation.pk).update(status=status, target_date=target, closed_at=closed_at)


@pytest.mark.django_db
def test_leads_are_refused_and_anonymous_people_sent_to_sign_in(world: World, login: Login) -> None:
    for lead in (world.lead_a, world.lead_b, world.hmpps):
        assert login(lead).get(reverse(DASHBOARD)).status_code == 403
    assert login(None).get(reverse(DASHBOARD)).status_code == 302


@pytest.fixture
def spread(world: World) -> dict[str, Recommendation]:
    """Region A: overdue, due this month, awaiting, closed. Region B: one overdue. HMPPS: one due later."""
    made = {
        "a_overdue": world.rec_a,
        "a_this_month": make_recommendation(world.inspection_a),
        "a_awaiting": make_recommendation(world.inspection_a),
        "a_closed": make_recommendation(world.inspection_a),
        "b_overdue": world.rec_b,
        "h_later": world.rec_h,
    }
    set_state(made["a_overdue"], target=TODAY - datetime.timedelta(days=100))
    set_state(made["a_this_month"], target=datetime.date(2025, 7, 31))
    set_state(made["a_awaiting"], status=Status.AWAITING_CLOSURE, target=datetime.date(2025, 7, 1))
    set_state(made["a_closed"], status=Status.CLOSED_NOT_IMPLEMENTED, target=TODAY - datetime.timedelta(days=300))
    set_state(made["b_overdue"], target=TODAY - datetime.timedelta(days=20))
    set_state(made["h_later"], target=datetime.date(2026, 1, 1))
    return made


@pytest.mark.django_db
def test_counts_by_region_and_by_addressee(world: World, spread: dict[str, Recommendation]) -> None:
    board = selectors.dashboard(world.staff, today=TODAY)
    by_region = {row["region__name"]: row for row in board.by_region}
    region_a = by_region[world.region_a.name]
    assert (region_a["open"], region_a["awaiting"], region_a["overdue"], region_a["closed"]) == (2, 1, 2, 1)
    # "Due this month" counts active items dated in July, overdue ones included.
    assert region_a["due_this_month"] == 2
    assert (by_region[world.region_b.name]["overdue"], by_region[None]["open"]) == (1, 1)
    by_addressee = {row["addressee"]: row for row in board.by_addressee}
    assert by_addressee[Addressee.REGION]["total"] == 5
    assert by_addressee[Addressee.HMPPS]["label"] == "HMPPS"
    assert board.totals["overdue"] == 3
    assert board.totals["awaiting"] == 1
    assert board.totals["closed"] == 1


@pytest.mark.django_db
def test_the_three_lists(world: World, spread: dict[str, Recommendation]) -> None:
    board = selectors.dashboard(world.staff, today=TODAY)
    assert [row.pk for row in board.oldest_overdue.rows] == [
        spread[key].pk for key in ("a_overdue", "b_overdue", "a_awaiting")
    ]
    assert {row.pk for row in board.due_this_month.rows} == {spread["a_this_month"].pk, spread["a_awaiting"].pk}
    assert [waiting.row.pk for waiting in board.waiting.rows] == [spread["a_awaiting"].pk]
    assert (board.oldest_overdue.count, board.due_this_month.count, board.waiting.count) == (3, 2, 1)
    assert board.month == (datetime.date(2025, 7, 1), datetime.date(2025, 7, 31))


@pytest.mark.django_db
def test_oldest_overdue_shows_ten_oldest_first(world: World) -> None:
    inspection = make_inspection(world.region_a)
    for days in range(1, 16):
        make_recommendation(inspection, target_date=TODAY - datetime.timedelta(days=days))
    overdue = selectors.dashboard(world.staff, today=TODAY).oldest_overdue
    oldest = overdue.rows
    assert len(oldest) == 10 and overdue.count == 15 and overdue.truncated
    dates = [r.target_date for r in oldest if r.target_date is not None]
    assert len(dates) == len(oldest) and dates == sorted(dates)
    assert oldest[0].target_date == TODAY - datetime.timedelta(days=15)


@pytest.mark.django_db
def test_the_page_shows_the_figures_and_when_they_were_taken(
    world: World, login: Login, spread: dict[str, Recommendation]
) -> None:
    response = login(world.staff).get(reverse(DASHBOARD))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Figures as of " in page and "(less than a minute ago)" in page
    assert world.region_a.name in page and "No region (national work)" in page
    assert "Waiting for you (1)" in page and "1 request for closure" in page


COUNTED_AT = datetime.datetime(2025, 7, 15, 9, 30, tzinfo=datetime.UTC)  # 10:30 in London (BST)


def _counted_then_one_more_awaiting(client: Client, world: World) -> selectors.Dashboard:
    """The dashboard viewed at COUNTED_AT (its figures made then), then one more recommendation awaiting closure."""
    with time_machine.travel(COUNTED_AT, tick=False):
        first: selectors.Dashboard = client.get(reverse(DASHBOARD)).context["dashboard"]
    make_recommendation(world.inspection_a, status=Status.AWAITING_CLOSURE)
    return first


@pytest.mark.django_db
def test_the_counts_are_kept_until_beat_makes_them_again_and_the_page_says_how_old_they_are(
    world: World, login: Login, spread: dict[str, Recommendation]
) -> None:
    client = login(world.staff)
    first = _counted_then_one_more_awaiting(client, world)
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=4, seconds=50), tick=False):
        response = client.get(reverse(DASHBOARD))
    kept = response.context["dashboard"]
    assert kept.totals == first.totals and kept.as_at == first.as_at
    # The lists are read fresh, and each heading counts the rows it stands for, from the same query.
    assert len(kept.waiting.rows) == kept.waiting.count == kept.waiting.closure_requests == 2
    assert "Waiting for you (2)" in response.content.decode()
    assert "Figures as of 10:30 (4 minutes ago): they are made again every 5 minutes" in response.content.decode()
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=5), tick=False):
        refresh_figures()  # beat's run
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=5, seconds=10), tick=False):
        response = client.get(reverse(DASHBOARD))
    assert response.context["dashboard"].totals["awaiting"] == first.totals["awaiting"] + 1
    assert "Figures as of 10:35 (less than a minute ago)" in response.content.decode()


@pytest.mark.django_db
def test_without_beat_the_page_makes_the_counts_again_once_they_are_two_periods_old(
    world: World, login: Login, spread: dict[str, Recommendation]
) -> None:
    client = login(world.staff)
    first = _counted_then_one_more_awaiting(client, world)
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=9, seconds=50), tick=False):
        assert client.get(reverse(DASHBOARD)).context["dashboard"].as_at == first.as_at
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=10, seconds=10), tick=False):
        response = client.get(reverse(DASHBOARD))
    assert response.context["dashboard"].totals["awaiting"] == first.totals["awaiting"] + 1
    assert "Figures as of 10:40 (less than a minute ago)" in response.content.decode()


@pytest.mark.django_db
def test_the_counts_are_made_again_on_a_new_day(world: World, spread: dict[str, Recommendation]) -> None:
    first = selectors.dashboard(world.staff, today=TODAY)
    assert selectors.dashboard(world.staff, today=TODAY).as_at == first.as_at
    assert selectors.dashboard(world.staff, today=TODAY + datetime.timedelta(days=1)).as_at != first.as_at


@pytest.mark.django_db
def test_a_shared_cache_that_does_not_answer_costs_only_a_fresh_count(
    world: World,
    login: Login,
    spread: dict[str, Recommendation],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    shared = settings.CACHES[SHARED_CACHE]
    settings.CACHES = {**settings.CACHES, SHARED_CACHE: {**shared, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    response = login(world.staff).get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert "Waiting for you (1)" in response.content.decode()
    assert "the shared cache did not answer; counting afresh" in caplog.text


def test_month_bounds_handle_december_and_february() -> None:
    assert selectors.month_bounds(datetime.date(2025, 12, 31)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    assert selectors.month_bounds(datetime.date(2028, 2, 1)) == (datetime.date(2028, 2, 1), datetime.date(2028, 2, 29))


@pytest.mark.django_db
def test_a_heading_counts_the_rows_it_lists_when_the_figures_are_older(
    world: World, login: Login, spread: dict[str, Recommendation]
) -> None:
    client = login(world.staff)
    with time_machine.travel(COUNTED_AT, tick=False):
        client.get(reverse(DASHBOARD))  # the figures are counted, and kept
    set_state(spread["h_later"], target=datetime.date(2025, 7, 20))  # now due this month too
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=2), tick=False):
        response = client.get(reverse(DASHBOARD))
    board = response.context["dashboard"]
    page = response.content.decode()
    assert board.totals["due_this_month"] == 2  # the kept figures, and the page says how old they are
    assert "Figures as of 10:30 (2 minutes ago)" in page and "may be older than the lists" in page
    assert len(board.due_this_month.rows) == board.due_this_month.count == 3
    assert "Due this month (3)" in page


@pytest.mark.django_db
def test_waiting_for_you_lists_the_questions_oldest_first_with_their_counts(
    world: World, login: Login, queue: dict[str, Recommendation]
) -> None:
    response = login(world.staff).get(reverse(DASHBOARD))
    waiting = response.context["dashboard"].waiting
    assert [row.row.pk for row in waiting.rows] == [
        queue[key].pk for key in ("date_first", "both_second", "closure_third")
    ]
    assert (waiting.count, waiting.target_date_requests, waiting.closure_requests) == (3, 2, 2)
    both = waiting.rows[1]
    assert both.closure_requested_at == datetime.datetime(2025, 7, 2, 9, tzinfo=datetime.UTC)
    assert both.date_request_at == datetime.datetime(2025, 7, 5, 9, tzinfo=datetime.UTC)
    page = response.content.decode()
    assert "Waiting for you (3)" in page
    assert "2 requests to move a target date" in page and "2 requests for closure" in page
    assert "?waiting=target_date" in page and "?waiting=closure" in page


@pytest.mark.django_db
def test_a_closure_asked_for_again_waits_from_the_new_request(world: World, queue: dict[str, Recommendation]) -> None:
    again = queue["closure_third"]
    services.recommendation_transition(recommendation=again, action="decline_closure", by=world.staff, reason="Not yet")
    ask_for_closure(again, world.lead_a, datetime.datetime(2025, 7, 10, 9, tzinfo=datetime.UTC))
    waiting = selectors.dashboard(world.staff).waiting
    assert [row.row.pk for row in waiting.rows][-1] == again.pk
    assert waiting.rows[-1].closure_requested_at == datetime.datetime(2025, 7, 10, 9, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_nothing_waiting_says_so(world: World, login: Login) -> None:
    page = login(world.staff).get(reverse(DASHBOARD)).content.decode()
    assert "Waiting for you (0)" in page and "No request is waiting for your decision." in page
