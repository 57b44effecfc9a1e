"""What's changed (recommendations/changes.py): the timeline's events since a date, for what the person may see."""

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.dates import short_date
from recommendations import services
from recommendations.models import Recommendation, TargetDateChangeRequest
from recommendations.services import VISIT_GAP

from .conftest import Login, World

URL = reverse("recommendations:whats_changed")
# Tomorrow at 9am (UTC, which is UK time in winter): after the world's recommendations were added, and close enough
# that the test client's session has not expired.
START = (timezone.now() + datetime.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
SINCE = f"?since={START:%d/%m/%Y}"
DAY = f"{START.day} {START:%B %Y}"


def _events(client, query: str = "") -> list[tuple[str, str]]:
    """(kind, reference) of each entry shown, newest first."""
    response = client.get(URL + query)
    assert response.status_code == 200
    return [(event.entry.kind, event.recommendation.reference) for event in response.context["events"]]


def _everything_on(world: World, recommendation: Recommendation) -> None:
    """One of each kind of event, through the services, an hour apart."""
    lead = (
        world.lead_a
        if recommendation == world.rec_a
        else world.lead_b
        if recommendation == world.rec_b
        else world.hmpps
    )
    steps: list[Callable[[], object]] = [
        lambda: services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=world.staff),
        lambda: services.recommendation_record_response(recommendation=recommendation, response="agreed", by=lead),
        lambda: services.progress_update_record(
            recommendation=recommendation, by=lead, progress="in_progress", text="Under way"
        ),
        lambda: services.follow_up_record(
            recommendation=recommendation, by=world.staff, kind="visit", activity_date=datetime.date(2027, 2, 1)
        ),
        lambda: services.recommendation_set_target_date(
            recommendation=recommendation, target_date=datetime.date(2027, 6, 1), by=world.staff
        ),
        lambda: services.target_date_change_request(
            recommendation=recommendation, by=lead, proposed_date=datetime.date(2027, 9, 1), reason="Staff left"
        ),
        lambda: services.target_date_change_decide(
            change_request=TargetDateChangeRequest.objects.get(recommendation=recommendation),
            by=world.staff,
            approve=False,
            note="No",
        ),
        lambda: services.action_plan_item_add(recommendation=recommendation, by=lead, description="Train staff"),
    ]
    for hour, step in enumerate(steps, start=1):
        with time_machine.travel(START + datetime.timedelta(hours=hour), tick=False):
            recommendation.refresh_from_db()
            step()


@pytest.mark.django_db
def test_staff_see_every_kind_of_event_newest_first_each_linking_to_its_recommendation(
    world: World, login: Login
) -> None:
    _everything_on(world, world.rec_a)
    client = login(world.staff)
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        response = client.get(URL + SINCE)
    kinds = [event.entry.kind for event in response.context["events"]]
    # The progress the update set is the update's entry, not a change as well (as on the timeline).
    assert kinds == ["action", "date_decision", "date_request", "change", "follow_up", "progress", "change", "change"]
    assert response.context["pages"] is None  # one page: no Previous or Next
    html = response.content.decode()
    assert f'href="{reverse("recommendations:detail", args=[world.rec_a.pk])}">{world.rec_a.reference}</a>' in html
    assert "Date of the activity" in html and "1 February 2027" in html  # a follow-up says its own date
    assert f"Since {DAY}" in html


@pytest.mark.django_db
def test_each_lead_sees_only_the_events_in_their_scope(world: World, login: Login) -> None:
    for recommendation in (world.rec_a, world.rec_b, world.rec_h):
        _everything_on(world, recommendation)
    since = SINCE
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        assert {ref for _, ref in _events(login(world.lead_a), since)} == {world.rec_a.reference}
        assert {ref for _, ref in _events(login(world.lead_b), since)} == {world.rec_b.reference}
        assert {ref for _, ref in _events(login(world.hmpps), since)} == {world.rec_h.reference}
        everything = _events(login(world.staff), since)
    assert {ref for _, ref in everything} == {world.rec_a.reference, world.rec_b.reference, world.rec_h.reference}


@pytest.mark.django_db
def test_filters_by_region_report_and_kind(world: World, login: Login) -> None:
    for recommendation in (world.rec_a, world.rec_b, world.rec_h):
        _everything_on(world, recommendation)
    since = SINCE
    client = login(world.staff)
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        assert {ref for _, ref in _events(client, f"{since}&region={world.region_b.pk}")} == {world.rec_b.reference}
        assert {ref for _, ref in _events(client, f"{since}&inspection={world.national.pk}")} == {world.rec_h.reference}
        found = _events(client, f"{since}&kind=progress&kind=date_decision")
        assert sorted(kind for kind, _ in found) == ["date_decision"] * 3 + ["progress"] * 3
        # A lead cannot choose another region: the choice is refused, and nothing outside their scope is shown.
        response = login(world.lead_a).get(URL + f"{since}&region={world.region_b.pk}")
    assert response.context["form"].errors["region"]
    assert {event.recommendation.pk for event in response.context["events"]} <= {world.rec_a.pk}


@pytest.mark.django_db
def test_by_default_it_shows_what_happened_since_the_previous_visit(world: World, login: Login) -> None:
    client = login(world.lead_a)
    with time_machine.travel(START, tick=False):
        response = client.get(URL)  # a first visit: the last 7 days
        assert "In the last 7 days" in response.content.decode()
    with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
        services.progress_update_record(recommendation=world.rec_a, by=world.lead_a, progress="in_progress", text="1")
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        response = client.get(URL)
        assert f"Since your last visit, {DAY} at 9:00am" in response.content.decode()
        assert _events(client) == [("progress", world.rec_a.reference)]  # a second view within the visit: the same
    with time_machine.travel(START + datetime.timedelta(days=1) + VISIT_GAP, tick=False):
        assert _events(client) == []  # a new visit: since the one before, when nothing had happened since
        assert _events(client, SINCE) == [("progress", world.rec_a.reference)]


@pytest.mark.django_db
def test_pages_of_25(world: World, login: Login) -> None:
    with time_machine.travel(START, tick=False):
        for number in range(30):
            services.progress_update_record(
                recommendation=world.rec_a, by=world.lead_a, progress="in_progress", text=str(number)
            )
    client = login(world.staff)
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        first = client.get(URL + SINCE)
        second = client.get(URL + SINCE + "&page=2")
        assert client.get(URL + SINCE + "&page=3").status_code == 404
    assert len(first.context["events"]) == 25 and len(second.context["events"]) == 5
    since = f"{START:%d/%m/%Y}"
    assert first.context["pages"] == {"next": {"href": "?" + urlencode({"since": since, "page": 2})}}
    assert second.context["pages"] == {"previous": {"href": "?" + urlencode({"since": since, "page": 1})}}
    assert "Showing changes 26 to 30, newest first" in second.content.decode()


@pytest.mark.django_db
def test_a_date_in_the_future_is_refused_in_words(world: World, login: Login) -> None:
    response = login(world.staff).get(URL + "?since=1/1/2999")
    assert "Changes since must be today or in the past" in response.content.decode()


@pytest.mark.django_db
def test_the_list_updated_since_agrees_with_whats_changed(world: World, login: Login) -> None:
    """ "Updated since" on the list and What's changed since the same day find the same recommendations."""
    _everything_on(world, world.rec_a)
    with time_machine.travel(START - datetime.timedelta(days=3), tick=False):
        services.progress_update_record(recommendation=world.rec_b, by=world.lead_b, progress="in_progress", text="Old")
    client = login(world.staff)
    with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
        page = client.get(reverse("recommendations:list") + f"?updated_since={START:%d/%m/%Y}")
        listed = page.context["rows"]
        changed = set(Recommendation.objects.updated_since(START.date()).values_list("pk", flat=True))
        feed = {event.recommendation.pk for event in client.get(URL + SINCE).context["events"]}
    assert {row.pk for row in listed} == changed == feed == {world.rec_a.pk}
    assert f'<td class="govuk-table__cell">{short_date(START.date())}</td>' in page.content.decode()  # Last updated
    assert timezone.localdate(Recommendation.objects.get(pk=world.rec_a.pk).last_updated_at) == START.date()


@pytest.mark.django_db
def test_each_filter_chosen_has_a_link_that_removes_it(world: World, login: Login) -> None:
    since = timezone.localdate().strftime("%d/%m/%Y")
    query: dict[str, str | int] = {"since": since, "region": world.region_a.pk, "kind": "progress"}
    selected = login(world.staff).get(URL, query).context["selected"]
    removed = {category.label: [href for _, href in category.tags] for category in selected}
    assert removed == {
        "Changes since": ["?" + urlencode({"region": world.region_a.pk, "kind": "progress"})],
        "Region": ["?" + urlencode({"since": since, "kind": "progress"})],
        "Kind of change": ["?" + urlencode({"since": since, "region": world.region_a.pk})],
    }
