"""What is due for whom, and on which day (the London day, across the clock changes)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from inspections.models import Region
from recommendations.models import Status
from reminders.models import Digest, DigestItem, Frequency, ReminderKind, ReminderPolicy
from reminders.policy import Recipient, Rules, digest_dates, due_reminders, escalates
from reminders.sweep import run_sweep
from tests.reminders.support import kinds_by_offset, make_inspection, make_person, make_recommendation, prefer

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
TARGET = datetime.date(2026, 6, 17)  # a Wednesday
K = ReminderKind


def test_owner_reminders_fire_30_7_and_1_days_before_the_first_day_overdue_then_weekly_and_never_else() -> None:
    expected = {-30: {K.DUE_SOON}, -7: {K.DUE_SOON}, -1: {K.DUE_SOON}, 1: {K.OVERDUE}}
    expected |= {week * 7: {K.STILL_OVERDUE} for week in range(1, 15)}
    assert kinds_by_offset(TARGET, Rules(), target_date=TARGET) == expected


def test_the_policy_row_changes_the_days() -> None:
    rules = Rules(days_before=frozenset({14}), first_day_overdue=False, repeat_every=0)
    assert kinds_by_offset(TARGET, rules, target_date=TARGET) == {-14: {K.DUE_SOON}}


def test_escalation_only_on_the_day_it_is_28_days_overdue() -> None:
    days = [offset for offset in range(-100, 101) if escalates(Rules(), TARGET + offset * DAY, TARGET)]
    assert days == [28]
    assert not escalates(Rules(escalate_after=0), TARGET + 28 * DAY, TARGET)
    assert not escalates(Rules(), TARGET, None)


def test_response_reminder_8_weeks_after_publication_then_weekly_while_awaiting() -> None:
    published = TARGET - 56 * DAY
    awaiting = kinds_by_offset(TARGET, Rules(), target_date=None, published_on=published, awaiting_response=True)
    assert awaiting == {week * 7: {K.RESPONSE_OVERDUE} for week in range(15)}
    assert kinds_by_offset(TARGET, Rules(), target_date=None, published_on=published, awaiting_response=False) == {}


def test_a_digest_on_a_chosen_day_holds_every_day_since_the_previous_one() -> None:
    monday, tuesday, saturday = datetime.date(2026, 6, 15), datetime.date(2026, 6, 16), datetime.date(2026, 6, 13)
    working_days = frozenset(range(5))
    assert digest_dates(working_days, tuesday) == (tuesday,)
    assert digest_dates(working_days, monday) == (monday - 2 * DAY, monday - DAY, monday)
    assert digest_dates(working_days, saturday) == ()
    assert digest_dates(frozenset({0}), monday) == tuple(monday - n * DAY for n in range(6, -1, -1))
    assert digest_dates(frozenset({0}), tuesday) == ()


# --- the same rules through the database: who gets what, on which day ---


def owner_days(user: User, start: datetime.date, end: datetime.date) -> dict[datetime.date, dict[int, set[str]]]:
    """{day: {recommendation id: kinds}} of what `user` is due, day by day."""
    found = {}
    day = start
    while day <= end:
        mine = {recipient: items for recipient, items in due_reminders(day).items() if recipient.user_id == user.pk}
        if mine:
            found[day] = {pk: set(kinds) for items in mine.values() for pk, kinds in items.items()}
        day += DAY
    return found


def test_each_reminder_reaches_the_owner_on_its_day_and_only_then(owner: User, policy: ReminderPolicy) -> None:
    item = make_recommendation(owner=owner, target_date=TARGET)
    got = owner_days(owner, TARGET - 40 * DAY, TARGET + 22 * DAY)
    expected = {TARGET + offset * DAY: {item.pk: {K.DUE_SOON}} for offset in (-30, -7, -1)}
    expected[TARGET + DAY] = {item.pk: {K.OVERDUE}}
    expected |= {TARGET + offset * DAY: {item.pk: {K.STILL_OVERDUE}} for offset in (7, 14, 21)}
    assert got == expected


def test_escalation_goes_to_the_region_lead_and_the_named_contact_on_day_28(
    owner: User, lead: User, region: Region, policy: ReminderPolicy
) -> None:
    contact = make_person(role="inspectorate", email="deputy@example.test")
    policy.escalation_contact_user = contact
    policy.save()
    item = make_recommendation(owner=owner, target_date=TARGET)
    for offset in (27, 29):
        assert all(item.pk not in items or K.ESCALATION not in items[item.pk] for items in _due(offset).values())
    due = _due(28)
    assert due[Recipient(lead.pk, lead.email)] == {item.pk: {K.ESCALATION}}
    assert due[Recipient(contact.pk, contact.email)] == {item.pk: {K.ESCALATION}}
    assert due[Recipient(owner.pk, owner.email)] == {item.pk: {K.STILL_OVERDUE}}  # day 28 is also a weekly one


def test_an_escalation_contact_can_be_a_bare_address(owner: User, policy: ReminderPolicy) -> None:
    policy.escalation_contact_email = "Escalations@Example.test"
    policy.escalate_to_region_lead = False
    policy.save()
    item = make_recommendation(owner=None, target_date=TARGET)  # nobody owns it: it still escalates
    assert _due(28) == {Recipient(None, "escalations@example.test"): {item.pk: {K.ESCALATION}}}


def _due(offset: int) -> dict[Recipient, dict[int, set[str]]]:
    return {recipient: dict(items) for recipient, items in due_reminders(TARGET + offset * DAY).items()}


def test_response_reminder_while_awaiting_8_weeks_after_publication(owner: User, policy: ReminderPolicy) -> None:
    published = datetime.date(2026, 4, 1)
    inspection = make_inspection(published_on=published)
    awaiting = make_recommendation(owner=owner, target_date=None, inspection=inspection, response="awaiting")
    make_recommendation(owner=owner, target_date=None, inspection=inspection, response="agreed")
    got = owner_days(owner, published + 50 * DAY, published + 70 * DAY)
    assert got == {published + days * DAY: {awaiting.pk: {K.RESPONSE_OVERDUE}} for days in (56, 63, 70)}


@pytest.mark.parametrize("status", [Status.CLOSED_IMPLEMENTED, Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED])
def test_closed_and_superseded_never_trigger_anything(
    owner: User, lead: User, policy: ReminderPolicy, status: str
) -> None:
    policy.escalation_contact_email = "escalations@example.test"
    policy.save()
    inspection = make_inspection(published_on=TARGET - 56 * DAY)
    make_recommendation(owner=owner, target_date=TARGET, inspection=inspection, status=status, response="awaiting")
    for offset in (-30, -7, -1, 0, 1, 7, 14, 28):  # every day something would fire for an open one (0: the response)
        assert due_reminders(TARGET + offset * DAY) == {}, offset


def test_weekly_digest_only_on_its_day_with_the_week_s_reminders(owner: User, policy: ReminderPolicy) -> None:
    prefer(owner, frequency=Frequency.WEEKLY, weekly_day=0)
    item = make_recommendation(owner=owner, target_date=TARGET)  # 7 days before: Wednesday 10 June
    got = owner_days(owner, TARGET - 8 * DAY, TARGET + 6 * DAY)
    monday, next_monday = datetime.date(2026, 6, 15), datetime.date(2026, 6, 22)
    assert got == {monday: {item.pk: {K.DUE_SOON}}, next_monday: {item.pk: {K.DUE_SOON, K.OVERDUE}}}


def test_working_days_by_default_weekend_reminders_wait_for_monday(region: Region, policy: ReminderPolicy) -> None:
    person = make_person(region=region)  # no preference row: daily, Monday to Friday
    saturday = datetime.date(2026, 6, 13)
    item = make_recommendation(owner=person, target_date=saturday + 7 * DAY)
    assert owner_days(person, saturday - DAY, saturday + 3 * DAY) == {saturday + 2 * DAY: {item.pk: {K.DUE_SOON}}}


def test_escalations_reach_the_inspectorate_whatever_anyone_prefers(
    owner: User, lead: User, policy: ReminderPolicy
) -> None:
    prefer(owner, frequency=Frequency.WEEKLY, weekly_day=0)
    prefer(lead, frequency=Frequency.WEEKLY, weekly_day=0)
    wednesday = datetime.date(2026, 6, 17)
    item = make_recommendation(owner=owner, target_date=wednesday - 28 * DAY)
    due = due_reminders(wednesday)
    assert {recipient.user_id for recipient in due} == {lead.pk}  # not the weekly owner, not on a Wednesday
    assert due[Recipient(lead.pk, lead.email)] == {item.pk: {K.ESCALATION}}


def test_inactive_owners_get_nothing(owner: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TARGET)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert due_reminders(TARGET - 7 * DAY) == {}


def test_the_number_of_queries_does_not_grow_with_items(owner: User, lead: User, policy: ReminderPolicy) -> None:
    make_recommendation(owner=owner, target_date=TARGET)
    with CaptureQueriesContext(connection) as few:
        due_reminders(TARGET + 28 * DAY)
    for _ in range(30):
        make_recommendation(owner=owner, target_date=TARGET)
    # And some whose closure was asked for 15 days before: the decision is a day late, the lead is told.
    with time_machine.travel(datetime.datetime.combine(TARGET + 13 * DAY, datetime.time(12), LONDON)):
        for _ in range(10):
            make_recommendation(owner=owner, target_date=TARGET, status=Status.AWAITING_CLOSURE)
    with CaptureQueriesContext(connection) as many:
        due = due_reminders(TARGET + 28 * DAY)
    assert len(due[Recipient(lead.pk, lead.email)]) == 31 + 10
    assert len(many) == len(few) <= 7


# --- "today" is the London date: runs just after midnight, either side of the clock changes ---


def sweep_at(instant: datetime.datetime) -> dict[str, set[str]]:
    """Run the sweep with the clock at `instant`; {email: kinds} of the digests it made, all for one period."""
    with time_machine.travel(instant, tick=False):
        result = run_sweep(enqueue=lambda digest_ids: None)
    found: dict[str, set[str]] = {}
    for email, kind, period in DigestItem.objects.filter(digest_id__in=result.created).values_list(
        "digest__email", "kind", "digest__period"
    ):
        assert period == instant.astimezone(LONDON).date()
        found.setdefault(email, set()).add(kind)
    return found


def test_target_on_the_sunday_the_clocks_go_back(owner: User, policy: ReminderPolicy) -> None:
    target = datetime.date(2026, 10, 25)  # BST ends at 02:00 that morning
    make_recommendation(owner=owner, target_date=target)
    # 23:30 UTC on Friday 23 is 00:30 BST on Saturday 24: one day before in London (two in UTC).
    assert sweep_at(datetime.datetime(2026, 10, 23, 23, 30, tzinfo=UTC)) == {owner.email: {K.DUE_SOON}}
    # 23:30 UTC on Sunday 25 is 23:30 GMT: still the target date itself, nothing is due.
    assert sweep_at(datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == {}
    # 00:30 on Monday 26 in London (GMT, the same instant in UTC): the first day overdue.
    assert sweep_at(datetime.datetime(2026, 10, 26, 0, 30, tzinfo=LONDON)) == {owner.email: {K.OVERDUE}}
    assert Digest.objects.filter(recipient=owner).count() == 2


def test_target_on_the_sunday_the_clocks_go_forward(owner: User, policy: ReminderPolicy) -> None:
    target = datetime.date(2026, 3, 29)  # BST starts at 01:00 that morning
    make_recommendation(owner=owner, target_date=target)
    # 23:30 UTC on Sunday 29 is already 00:30 BST on Monday 30 in London: the first day overdue.
    assert sweep_at(datetime.datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == {owner.email: {K.OVERDUE}}
    # 00:30 on Sunday 29 is still GMT (the change is at 01:00 UTC): the target date itself, nothing due.
    assert sweep_at(datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == {}


def test_a_sweep_covers_the_days_since_the_last_one_up_to_a_week() -> None:
    from reminders.policy import CATCH_UP_DAYS, days_to_cover

    today = datetime.date(2026, 6, 17)
    assert days_to_cover(today, None) == (today,)  # nothing ever ran: nothing is owed
    assert days_to_cover(today, today - DAY) == (today,)
    assert days_to_cover(today, today) == (today,)  # a second sweep the same day
    assert days_to_cover(today, today - 3 * DAY) == (today - 2 * DAY, today - DAY, today)
    longest = days_to_cover(today, today - 30 * DAY)
    assert len(longest) == CATCH_UP_DAYS + 1 and longest[-1] == today
