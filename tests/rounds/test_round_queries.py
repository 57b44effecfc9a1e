""" "Update your recommendations" runs as many queries for 40 items as for 3, shown or sent back with errors: the
page reads the owner's items in one query and no form runs a query of its own. Saving costs the same few queries
per item saved (the progress update service's, and the return)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from recommendations.models import Recommendation, UpdateRound
from tests.factories import make_inspection, make_recommendations, make_user

from .conftest import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _owner_with(count: int) -> tuple[User, UpdateRound, list[Recommendation]]:
    lead = make_user(Role.REGIONAL_LEAD)
    items = make_recommendations(count, make_inspection(), owner=lead)
    staff = make_user(Role.INSPECTORATE)
    update_round = UpdateRound.objects.create(
        name="Quarter 3 2026 returns", due_date=timezone.localdate() + datetime.timedelta(days=7), opened_by=staff
    )
    return lead, update_round, items


def _queries(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    return len(captured), response.status_code


def _measure(client: Client, count: int) -> dict[str, tuple[int, int]]:
    lead, update_round, items = _owner_with(count)
    client.force_login(lead, backend=MODEL_BACKEND)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    shown = {f"item-{item.pk}-progress": item.progress for item in items}  # every item as it was shown
    halfway = {f"item-{item.pk}-progress": "completed" for item in items}  # every item: no text, an error
    no_change = {f"item-{item.pk}-no_change": "on" for item in items}
    return {
        "page": _queries(client, "get", url),
        "nothing said": _queries(client, "post", url, shown),
        "every item in error": _queries(client, "post", url, halfway),
        "every item saved": _queries(client, "post", url, no_change),
    }


def test_the_update_page_runs_the_same_queries_for_3_and_40_items(client: Client) -> None:
    few, many = _measure(client, 3), _measure(client, 40)
    print(few, many)
    for case in ("page", "nothing said", "every item in error"):
        assert few[case] == many[case], case
        assert few[case][0] <= 15
    assert few["page"][1] == 200 and few["every item in error"][1] == 400
    saved_few, saved_many = few["every item saved"][0], many["every item saved"][0]
    per_item = (saved_many - saved_few) / 37
    assert per_item == int(per_item) and per_item <= 10, (saved_few, saved_many)
