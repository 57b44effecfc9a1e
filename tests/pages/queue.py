"""A queue of questions waiting for the Inspectorate (the dashboard's "Waiting for you", the list's filter)."""

import datetime
from typing import TYPE_CHECKING

import pytest
import time_machine

from accounts.models import User
from recommendations import services
from recommendations.models import Recommendation
from tests.factories import make_recommendation

if TYPE_CHECKING:  # conftest.py offers this module's fixture
    from .conftest import World


def request_move(recommendation: Recommendation, by: User, asked_at: datetime.datetime) -> None:
    with time_machine.travel(asked_at, tick=False):
        services.target_date_change_request(
            recommendation=recommendation, by=by, proposed_date=datetime.date(2026, 3, 31), reason="Staff left"
        )


def ask_for_closure(recommendation: Recommendation, by: User, asked_at: datetime.datetime) -> None:
    with time_machine.travel(asked_at, tick=False):
        services.recommendation_transition(recommendation=recommendation, action="request_closure", by=by)


@pytest.fixture
def queue(world: "World") -> dict[str, Recommendation]:
    """Three questions waiting, asked on 1, 3 and 2 July, one recommendation asking both; one decided already."""
    made = {
        "date_first": world.rec_a,
        "closure_third": make_recommendation(world.inspection_a),
        "both_second": world.rec_h,
        "decided": make_recommendation(world.inspection_a),
    }
    for recommendation in made.values():  # only a date that is set can be asked to move (a first needs no reason)
        if recommendation.target_date is None:
            recommendation.target_date = datetime.date(2026, 1, 31)
            recommendation.save()
    july = datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC)
    request_move(made["date_first"], world.lead_a, july)
    ask_for_closure(made["closure_third"], world.lead_a, july + datetime.timedelta(days=2))
    ask_for_closure(made["both_second"], world.hmpps, july + datetime.timedelta(days=1))
    request_move(made["both_second"], world.hmpps, july + datetime.timedelta(days=4))
    request_move(made["decided"], world.lead_a, july - datetime.timedelta(days=9))
    decided = made["decided"].target_date_requests.get()
    services.target_date_change_decide(change_request=decided, by=world.staff, approve=False, note="No")
    return made
