"""The list's baked count and pages (recommendations/listing.py) are the ORM's, for every filter and person."""

import datetime
import itertools
import random

import pytest
from django.core.paginator import Paginator
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Role
from recommendations import selectors
from recommendations.listing import BakedListing, QuerysetListing, listing_of
from recommendations.models import Addressee, Response, Status, Theme
from tests.factories import make_pdu, make_recommendation, make_user

from .conftest import World

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def many(world: World) -> World:
    """Sixty recommendations that differ in every way the filters look at, spread over both regions and HMPPS."""
    pick = random.Random(7)
    theme = Theme.objects.get(name="Victims")
    owners = [world.lead_a, world.lead_b, world.hmpps, make_user(Role.INSPECTORATE), None]
    pdus = {world.region_a: make_pdu(world.region_a), world.region_b: make_pdu(world.region_b)}
    for number in range(60):
        inspection = pick.choice([world.inspection_a, world.inspection_b, world.national])
        region = inspection.region or pick.choice([world.region_a, world.region_b])
        addressee = pick.choice([Addressee.REGION, Addressee.PDU, Addressee.HMPPS])
        made = make_recommendation(
            inspection,
            addressee=addressee,
            region=None if addressee == Addressee.HMPPS else region,
            pdu=pdus[region] if addressee == Addressee.PDU else None,
            owner=pick.choice(owners),
            status=pick.choice([Status.OPEN, Status.OPEN, Status.AWAITING_CLOSURE]),
            response=(response := pick.choice(Response.values)),
            response_reason="" if response in (Response.AWAITING, Response.AGREED) else "Not this year",
            priority=pick.random() < 0.3,
            target_date=pick.choice([None, TODAY + datetime.timedelta(days=pick.randint(-90, 90))]),
            text=f"Recommendation {number}",
        )
        if pick.random() < 0.4:
            made.themes.add(theme)
        if pick.random() < 0.2:
            type(made).objects.filter(pk=made.pk).update(status=Status.CLOSED_IMPLEMENTED, closed_at=timezone.now())
    return world


def _filters(world: World) -> list[dict[str, object]]:
    theme = Theme.objects.get(name="Victims")
    return [
        {},
        {"region": world.region_a.pk},
        {"region": world.region_b.pk, "status": ["open", "awaiting_closure"], "addressee": ["region", "pdu"]},
        {"status": ["open", "open"]},  # the same value twice is one value
        {"status": Status.values, "response": ["agreed", "partly_agreed"]},
        {"inspection": world.national.pk, "addressee": "hmpps"},
        {"owner": world.lead_a.pk},
        {"owner": "null", "overdue": "yes"},
        {"overdue": "no", "priority": "yes"},
        {"priority": "no", "theme": theme.pk},
        {"due_after": "01/03/2026", "due_before": "2026-04-30"},
        {"due_after": "2026-03-10", "overdue": "yes"},
        {"theme": theme.pk, "region": world.region_a.pk, "owner": "null", "status": "open"},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff", "lead_a", "lead_b", "hmpps"])
def test_the_baked_list_is_the_orms_for_every_filter_sort_and_page(many: World, persona: str) -> None:
    user = getattr(many, persona)
    compared = 0
    for params, sort in itertools.product(_filters(many), ["target_date", "-owner", "region", "-status", "reference"]):
        request = RequestFactory().get("/", {**params, "sort": sort})
        request.user = user
        found = selectors.recommendations_filtered(request)
        baked = listing_of(found, user, TODAY)
        if not found.filterset.is_valid():  # a region or report outside the person's scope: nothing, by the ORM
            assert isinstance(baked, QuerysetListing) and baked.count() == 0, params
            continue
        assert isinstance(baked, BakedListing), params
        found.filterset.today = TODAY
        orm = QuerysetListing(found.queryset)
        assert baked.count() == orm.count(), (persona, params)
        for number in (1, 2, 3):  # pages of 7, the last one short or empty
            assert _page(baked, number) == _page(orm, number), (persona, params, sort, number)
        compared += orm.count()
    assert compared > 0


def _page(listing: BakedListing | QuerysetListing, number: int) -> list[tuple]:
    page = Paginator(listing, 7).get_page(number)
    return [(row.pk, row.reference, row.region_name, row.owner_name, row.status_tags) for row in page.object_list]


@pytest.mark.django_db
def test_overdue_counts_from_the_day_of_each_view_not_the_day_the_query_was_baked(many: World) -> None:
    request = RequestFactory().get("/", {"overdue": "yes"})
    request.user = many.staff
    found = selectors.recommendations_filtered(request)
    counts = [listing_of(found, many.staff, TODAY + datetime.timedelta(days)).count() for days in (-100, 0, 100)]
    assert counts[0] < counts[1] < counts[2]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"q": "Recommendation 1"}, {"owner_name": "lead"}, {"region": "999999"}])
def test_typed_searches_and_invalid_filters_are_read_through_the_orm(many: World, params: dict) -> None:
    request = RequestFactory().get("/", params)
    request.user = many.staff
    assert isinstance(listing_of(selectors.recommendations_filtered(request), many.staff), QuerysetListing)
