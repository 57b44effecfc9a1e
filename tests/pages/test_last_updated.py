"""Every service that records an event on a recommendation moves its last_updated_at (the list's "Last updated"),
and the migration fills it from what was recorded before."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from recommendations import services
from recommendations.models import ActionPlanItem, Recommendation, TargetDateChangeRequest

from .conftest import World

LATER = timezone.now() + datetime.timedelta(hours=5)


def _pending(world: World) -> TargetDateChangeRequest:
    return services.target_date_change_request(
        recommendation=world.rec_a, by=world.lead_a, proposed_date=datetime.date(2030, 1, 1), reason="Later"
    )


def _dated(world: World) -> None:
    services.recommendation_set_target_date(
        recommendation=world.rec_a, target_date=datetime.date(2029, 1, 1), by=world.staff
    )


def _dated_and_pending(world: World) -> TargetDateChangeRequest:
    _dated(world)
    return _pending(world)


def _action(world: World) -> ActionPlanItem:
    return services.action_plan_item_add(recommendation=world.rec_a, by=world.lead_a, description="Train")


# (what it records, anything needed first, the recording itself)
EVENTS: dict[str, tuple[Callable[[World], Any], Callable[[World, Any], Any]]] = {
    "owner": (
        lambda w: None,
        lambda w, _: services.recommendation_assign_owner(recommendation=w.rec_a, owner=w.lead_a, by=w.staff),
    ),
    "target date": (lambda w: None, lambda w, _: _dated(w)),
    "response": (
        lambda w: None,
        lambda w, _: services.recommendation_record_response(recommendation=w.rec_a, response="agreed", by=w.lead_a),
    ),
    "judgement": (
        lambda w: None,
        lambda w, _: services.recommendation_set_judgement(recommendation=w.rec_a, judgement="good", by=w.staff),
    ),
    "workflow": (
        lambda w: None,
        lambda w, _: services.recommendation_transition(recommendation=w.rec_a, action="request_closure", by=w.lead_a),
    ),
    "progress, same progress": (
        lambda w: None,
        lambda w, _: services.progress_update_record(
            recommendation=w.rec_a, by=w.lead_a, progress="not_started", text="Nothing yet"
        ),
    ),
    "follow-up": (
        lambda w: None,
        lambda w, _: services.follow_up_record(
            recommendation=w.rec_a, by=w.staff, kind="visit", activity_date=datetime.date(2020, 1, 1)
        ),
    ),
    "action added": (lambda w: None, lambda w, _: _action(w)),
    "action completed": (_action, lambda w, item: services.action_plan_item_complete(item=item, by=w.lead_a)),
    "date request": (_dated, lambda w, _: _pending(w)),
    "date request rejected": (
        _dated_and_pending,
        lambda w, asked: services.target_date_change_decide(change_request=asked, by=w.staff, approve=False, note="No"),
    ),
    "date request approved": (
        _dated_and_pending,
        lambda w, asked: services.target_date_change_decide(change_request=asked, by=w.staff, approve=True),
    ),
    "bulk owner": (
        lambda w: None,
        lambda w, _: services.recommendations_bulk_assign_owner(recommendations=[w.rec_a], owner=w.lead_a, by=w.staff),
    ),
    "bulk status": (
        lambda w: None,
        lambda w, _: services.recommendations_bulk_transition(
            recommendations=[w.rec_a], action="close_implemented", by=w.staff
        ),
    ),
    "bulk target date": (
        lambda w: None,
        lambda w, _: services.recommendations_bulk_set_target_date(
            recommendations=[w.rec_a], target_date=datetime.date(2029, 1, 1), by=w.staff
        ),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("event", EVENTS)
def test_every_service_that_records_an_event_moves_last_updated(world: World, event: str) -> None:
    before, record = EVENTS[event]
    needed = before(world)
    world.rec_a.refresh_from_db()
    with time_machine.travel(LATER, tick=False):
        record(world, needed)
    assert Recommendation.objects.get(pk=world.rec_a.pk).last_updated_at == LATER
    assert Recommendation.objects.get(pk=world.rec_b.pk).last_updated_at < LATER  # and only on that one


@pytest.mark.django_db
def test_the_migration_fills_it_from_the_latest_recorded_event(world: World) -> None:
    from django.apps import apps

    from recommendations.last_updated import fill_last_updated

    with time_machine.travel(LATER, tick=False):
        services.progress_update_record(recommendation=world.rec_a, by=world.lead_a, progress="in_progress", text="1")
    Recommendation.objects.update(last_updated_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    fill_last_updated(apps)
    rows = dict(Recommendation.objects.values_list("pk", "last_updated_at"))
    assert rows[world.rec_a.pk] == LATER
    assert rows[world.rec_b.pk] == Recommendation.history.filter(id=world.rec_b.pk).latest("history_date").history_date
