"""Items that wait on the Inspectorate's decision: the owner is not chased, and a late decision reaches its lead."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from accounts.models import User
from inspections.models import Region
from recommendations import services
from recommendations.models import Addressee, Recommendation
from reminders.models import Digest, DigestItem, ReminderKind, ReminderPolicy
from reminders.policy import Recipient, Rules, Waiting, decision_late, due_reminders, waiting_decisions
from reminders.sweep import Outcome, create_digests, run_sweep, send_digest
from tests.reminders.support import (
    SITE_URL,
    OwnedItem,
    assert_in_both,
    kinds_by_offset,
    make_inspection,
    make_person,
    make_recommendation,
    parts,
)

K = ReminderKind
LONDON = ZoneInfo("Europe/London")
DAY = datetime.timedelta(days=1)
TARGET = datetime.date(2026, 6, 17)  # a Wednesday
ASKED = datetime.date(2026, 6, 1)  # the day the owner asked the Inspectorate for something


# --- the rules, as plain Python ---


def test_nothing_is_asked_of_the_owner_while_closure_is_requested() -> None:
    closure = Waiting(region_id=None, closure_since=ASKED)
    published = TARGET - 56 * DAY
    item: OwnedItem = {"target_date": TARGET, "published_on": published, "awaiting_response": True}
    assert kinds_by_offset(TARGET, Rules(), **item)  # without the request there would be plenty
    asked: OwnedItem = {**item, "waiting": closure}
    assert kinds_by_offset(TARGET, Rules(), **asked) == {}


def test_a_pending_target_date_request_stops_the_target_date_reminders_not_a_response_owed() -> None:
    request = Waiting(region_id=None, date_request_since=ASKED, proposed_date=TARGET + 90 * DAY)
    assert kinds_by_offset(TARGET, Rules(), target_date=TARGET, waiting=request) == {}
    published = TARGET - 56 * DAY
    item: OwnedItem = {"target_date": TARGET, "published_on": published, "awaiting_response": True, "waiting": request}
    owed = kinds_by_offset(TARGET, Rules(), **item)
    assert owed == {week * 7: {K.RESPONSE_OVERDUE} for week in range(15)}


def test_a_decision_is_late_after_the_policy_s_days_told_the_first_day_then_as_often_as_overdue() -> None:
    told = [n for n in range(60) if decision_late(Rules(), ASKED + n * DAY, ASKED)]
    assert told == [15, 21, 28, 35, 42, 49, 56]  # 14 days to decide; late on day 15; then weekly (days late 7, 14…)
    assert [
        n for n in range(60) if decision_late(Rules(decision_due_days=5, repeat_every=0), ASKED + n * DAY, ASKED)
    ] == [6]
    assert not any(decision_late(Rules(decision_due_days=0), ASKED + n * DAY, ASKED) for n in range(400))


# --- through the database ---


def made_earlier(**fields: Any) -> Recommendation:
    """A recommendation created (its first history row) in January, before anything is asked about it."""
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=LONDON), tick=False):
        return make_recommendation(**fields)  # as tests.factories.make_recommendation


def ask_for_closure(recommendation: Recommendation, by: User, on: datetime.date) -> None:
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(10), LONDON), tick=False):
        services.recommendation_transition(recommendation=recommendation, action="request_closure", by=by)


def ask_for_a_new_date(recommendation: Recommendation, by: User, on: datetime.date, proposed: datetime.date) -> None:
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(10), LONDON), tick=False):
        services.target_date_change_request(
            recommendation=recommendation, by=by, proposed_date=proposed, reason="Funding arrives in the autumn."
        )


def owner_items(owner: User, day: datetime.date) -> dict[int, set[str]]:
    return {pk: set(kinds) for pk, kinds in due_reminders(day).get(Recipient(owner.pk, owner.email), {}).items()}


@pytest.mark.django_db
def test_the_owner_is_not_chased_about_items_waiting_on_the_inspectorate(
    owner: User, lead: User, policy: ReminderPolicy
) -> None:
    closure = made_earlier(owner=owner, target_date=TARGET - 14 * DAY)
    new_date = made_earlier(owner=owner, target_date=TARGET - 14 * DAY)
    plain = made_earlier(owner=owner, target_date=TARGET - 14 * DAY)
    ask_for_closure(closure, owner, TARGET - 3 * DAY)
    ask_for_a_new_date(new_date, owner, TARGET - 3 * DAY, TARGET + 60 * DAY)
    assert owner_items(owner, TARGET) == {plain.pk: {K.STILL_OVERDUE}}  # 14 days overdue, all three
    escalation_day = TARGET + 14 * DAY  # 28 days overdue: only the item waiting on nobody escalates
    assert due_reminders(escalation_day)[Recipient(lead.pk, lead.email)] == {plain.pk: {K.ESCALATION}}


@pytest.mark.django_db
def test_a_late_decision_reaches_the_region_lead_and_a_national_one_the_escalation_contact(
    owner: User, lead: User, region: Region, policy: ReminderPolicy
) -> None:
    policy.escalation_contact_email = "decisions@example.test"
    policy.save()
    closure = made_earlier(owner=owner, target_date=TARGET + 60 * DAY)
    new_date = made_earlier(owner=owner, target_date=TARGET + 60 * DAY)
    ask_for_closure(closure, owner, ASKED)
    ask_for_a_new_date(new_date, owner, ASKED - DAY, TARGET)
    hmpps = make_person(role="hmpps_lead")
    national = made_earlier(
        owner=hmpps, target_date=None, inspection=make_inspection(type="thematic"), addressee=Addressee.HMPPS
    )
    Recommendation.objects.filter(pk=national.pk).update(region=None)
    ask_for_closure(Recommendation.objects.get(pk=national.pk), hmpps, ASKED)
    lead_is, contact_is = Recipient(lead.pk, lead.email), Recipient(None, "decisions@example.test")
    assert {lead_is: {new_date.pk: {K.DATE_REQUEST_WAITING}}} == _due(ASKED + 14 * DAY)
    due = _due(ASKED + 15 * DAY)
    assert due == {lead_is: {closure.pk: {K.CLOSURE_WAITING}}, contact_is: {national.pk: {K.CLOSURE_WAITING}}}
    assert _due(ASKED + 16 * DAY) == {}
    # Decided: nothing more, ever.
    services.recommendation_transition(recommendation=closure, action="close_implemented", by=lead)
    assert lead_is not in _due(ASKED + 21 * DAY)


def _due(day: datetime.date) -> dict[Recipient, dict[int, set[str]]]:
    return {who: {pk: set(kinds) for pk, kinds in items.items()} for who, items in due_reminders(day).items()}


@pytest.mark.django_db
def test_the_sweep_tells_the_lead_what_waits_and_since_when_once_a_day(
    owner: User, lead: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    # On the day of the sweep both would be "Still overdue" (14 and 7 days) for their owner, were they not waiting.
    closure = made_earlier(owner=owner, target_date=ASKED + DAY, text="Review every risk of harm.")
    new_date = made_earlier(owner=owner, target_date=ASKED + 8 * DAY, text="Train every officer.")
    ask_for_closure(closure, owner, ASKED)
    ask_for_a_new_date(new_date, owner, ASKED, datetime.date(2026, 9, 30))
    morning = datetime.datetime.combine(ASKED + 15 * DAY, datetime.time(7), LONDON)
    run_sweep(now=morning)
    run_sweep(now=morning.replace(hour=18))  # again the same day: nothing more
    [message] = mailoutbox
    assert message.to == [lead.email]
    assert message.subject.startswith("2 recommendations need attention (2 waiting for your decision) ")
    for part in parts(message):
        assert "waiting for your decision (2)" in part.lower()
    assert_in_both(
        message,
        closure.reference,
        "Closure asked for on 1 June 2026 (15 days ago)",
        f"https://tracker.example.test/recommendations/{closure.pk}/",
        new_date.reference,
        "New target date of 30 September 2026 asked for on 1 June 2026 (15 days ago)",
        f"https://tracker.example.test/recommendations/{new_date.pk}/",
    )
    assert "Still overdue" not in parts(message)[0]
    assert not Digest.objects.filter(recipient=owner).exists()
    assert sorted(DigestItem.objects.values_list("recommendation_id", "kind")) == sorted(
        [(closure.pk, K.CLOSURE_WAITING), (new_date.pk, K.DATE_REQUEST_WAITING)]
    )


@pytest.mark.django_db
def test_what_changed_between_the_sweep_and_the_send_is_not_sent(
    owner: User, lead: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    """A request made after the sweep stops the owner's reminder; a decision taken after it, the lead's."""
    overdue = made_earlier(owner=owner, target_date=ASKED + DAY)
    new_date = made_earlier(owner=owner, target_date=ASKED + 60 * DAY)
    ask_for_a_new_date(new_date, owner, ASKED, ASKED + 90 * DAY)
    sweep_day = ASKED + 15 * DAY  # the first one overdue 14 days; the request late by a day
    morning = datetime.datetime.combine(sweep_day, datetime.time(7), LONDON)
    create_digests(sweep_day, now=morning)
    owner_digest, lead_digest = Digest.objects.get(recipient=owner), Digest.objects.get(recipient=lead)
    ask_for_closure(overdue, owner, sweep_day)
    request = new_date.target_date_requests.get()
    services.target_date_change_decide(change_request=request, by=lead, approve=False, note="Not yet.")
    assert send_digest(owner_digest.pk, now=morning) is Outcome.CANCELLED
    assert send_digest(lead_digest.pk, now=morning) is Outcome.CANCELLED
    assert mailoutbox == [] and not DigestItem.objects.exists()


@pytest.mark.django_db
def test_a_closure_waits_since_it_was_last_asked_for(owner: User, lead: User, policy: ReminderPolicy) -> None:
    item = made_earlier(owner=owner, target_date=TARGET)
    ask_for_closure(item, owner, ASKED)
    with time_machine.travel(datetime.datetime.combine(ASKED + 3 * DAY, datetime.time(10), LONDON), tick=False):
        services.recommendation_transition(recommendation=item, action="decline_closure", by=lead, reason="No proof.")
    ask_for_closure(item, owner, ASKED + 5 * DAY)
    with time_machine.travel(datetime.datetime.combine(ASKED + 8 * DAY, datetime.time(10), LONDON), tick=False):
        services.recommendation_set_target_date(recommendation=item, target_date=TARGET + DAY, by=lead, reason="Typo.")
    # Asked at 00:30 in London (BST): still the day before in UTC. The London day counts.
    request_at = datetime.datetime.combine(ASKED + 6 * DAY, datetime.time(0, 30), LONDON)
    with time_machine.travel(request_at, tick=False):
        services.target_date_change_request(recommendation=item, by=owner, proposed_date=TARGET + 9 * DAY, reason="x")
    assert waiting_decisions() == {
        item.pk: Waiting(
            region_id=item.region_id,
            closure_since=ASKED + 5 * DAY,
            date_request_since=ASKED + 6 * DAY,
            proposed_date=TARGET + 9 * DAY,
            date_request_id=item.target_date_requests.get().pk,
        )
    }
    assert waiting_decisions([item.pk + 1]) == {}


@pytest.mark.django_db
def test_a_late_decision_links_the_lead_to_the_decision_page(
    owner: User, lead: User, policy: ReminderPolicy, mailoutbox: list[EmailMultiAlternatives], client: Client
) -> None:
    closure = made_earlier(owner=owner, target_date=TARGET + 60 * DAY)
    new_date = made_earlier(owner=owner, target_date=TARGET + 30 * DAY)
    ask_for_closure(closure, owner, ASKED)
    ask_for_a_new_date(new_date, owner, ASKED, TARGET + 90 * DAY)
    request = new_date.target_date_requests.get()

    run_sweep(now=datetime.datetime.combine(ASKED + 15 * DAY, datetime.time(7), LONDON))

    [message] = [message for message in mailoutbox if message.to == [lead.email]]
    decide_closure = f"{SITE_URL}/recommendations/{closure.pk}/workflow/"
    decide_date = f"{SITE_URL}/recommendations/{new_date.pk}/target-date-requests/{request.pk}/decide/"
    body, html = parts(message)
    assert f"Decide whether to close it: {decide_closure}" in body and f'<a href="{decide_closure}"' in html
    assert f"Decide on the new target date: {decide_date}" in body and f'<a href="{decide_date}"' in html
    assert "Add a progress update" not in body  # that is the owner's to do
    client.force_login(lead)
    for url in (decide_closure, decide_date):
        assert client.get(url.removeprefix(SITE_URL)).status_code == 200, url
