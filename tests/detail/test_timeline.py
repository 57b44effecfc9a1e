"""The one timeline: every kind of event, newest first, shown on the page."""

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recommendations import services
from recommendations.timeline import build_timeline, recommendation_record
from tests.detail.conftest import client_for, undated, url

pytestmark = pytest.mark.django_db


# After anything the fixtures created (at the real time), so that the story is the newest part of the timeline.
START = (timezone.now() + datetime.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def at(day: int) -> time_machine.travel:
    return time_machine.travel(START + datetime.timedelta(days=day), tick=False)


def day(number: int) -> datetime.date:
    return (START + datetime.timedelta(days=number)).date()


def build_story(recommendation, staff, lead) -> None:
    """One of each kind of entry, on successive days."""
    with at(2):
        services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=staff)
    with at(3):
        services.recommendation_record_response(recommendation=recommendation, response="agreed", by=lead)
    with at(4):
        services.action_plan_item_add(recommendation=recommendation, by=lead, description="Train all staff")
    with at(5):
        pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan")
        services.progress_update_record(
            recommendation=recommendation, by=lead, progress="in_progress", text="Half trained", evidence_file=pdf
        )
    with at(6):
        services.follow_up_record(
            recommendation=recommendation,
            by=staff,
            kind="meeting",
            activity_date=day(6),
            outcome="Good",
        )
    with at(7):
        services.target_date_change_request(
            recommendation=recommendation, by=lead, proposed_date=datetime.date(2026, 12, 1), reason="Delay"
        )
    with at(8):
        change_request = recommendation.target_date_requests.get()
        services.target_date_change_decide(change_request=change_request, by=staff, approve=False, note="No")
    with at(9):
        services.recommendation_set_judgement(recommendation=recommendation, judgement="reasonable", by=staff)
    with at(10):
        services.recommendation_transition(recommendation=recommendation, action="request_closure", by=lead)


EXPECTED_NEWEST_FIRST = [
    ("change", "Status: Awaiting closure decision"),
    ("change", "Judgement: Reasonable progress"),
    ("date_decision", "Request to move the target date rejected"),
    ("date_request", "Asked to move the target date to 1 December 2026"),
    ("follow_up", "Follow-up: Meeting"),
    ("progress", "Progress update: In progress"),
    ("action", "Action added to the plan"),
    ("change", "Response: Agreed"),
    ("change", "Owner: Rhys Regional"),
]


def test_timeline_has_each_kind_newest_first(staff, lead, recommendation) -> None:
    build_story(recommendation, staff, lead)
    entries = build_timeline(recommendation_record(recommendation))
    kinds_and_titles = [(entry.kind, entry.title) for entry in entries]
    # The "Recommendation added" entry (real creation time) is left out: only the story's order matters here.
    story = [item for item in kinds_and_titles if item[0] != "created"]
    assert story == EXPECTED_NEWEST_FIRST
    judgement = next(entry for entry in entries if entry.title == "Judgement: Reasonable progress")
    assert judgement.by == str(staff)  # by name: the timeline reads names, not people
    assert [(item.old, item.new) for item in judgement.changes] == [("Not yet assessed", "Reasonable progress")]


def test_page_shows_the_timeline_in_order_with_evidence(staff, lead, recommendation) -> None:
    build_story(recommendation, staff, lead)
    page = client_for(staff).get(url("detail", recommendation)).content.decode()
    timeline = page[page.index('class="moj-timeline"') :]
    kinds = re.findall(r'<div class="moj-timeline__item" data-kind="([a-z_]+)">', timeline)
    assert [kind for kind in kinds if kind != "created"] == [kind for kind, _ in EXPECTED_NEWEST_FIRST]
    update = recommendation.progress_updates.get()
    assert f'href="{url("evidence_file", recommendation, update.pk)}"' in timeline
    assert "Reason:</span> Delay" in timeline
    assert "Reason:</span> No" in timeline
    assert "by Ingrid Inspector" in timeline
    assert f'<time datetime="{day(6):%Y-%m-%d}">{day(6):%-d %B %Y}</time>' in timeline


def test_reminders_appear_in_the_timeline(staff, recommendation, lead) -> None:
    from reminders.models import Digest, DigestItem, DigestStatus, ReminderKind

    sent = timezone.now() + datetime.timedelta(minutes=5)
    digest = Digest.objects.create(
        recipient=lead,
        email="lead@example.org",
        period=sent.date(),
        status=DigestStatus.SENT,
        sent_at=sent,
        created_at=sent,
    )
    DigestItem.objects.create(digest=digest, recommendation=recommendation, kind=ReminderKind.OVERDUE)
    unsent = Digest.objects.create(recipient=staff, email="s@example.org", period=sent.date(), created_at=sent)
    DigestItem.objects.create(digest=unsent, recommendation=recommendation, kind=ReminderKind.ESCALATION)

    entries = build_timeline(recommendation_record(recommendation))

    reminders = [entry for entry in entries if entry.kind == "reminder"]
    assert len(reminders) == 1  # a digest not (yet) sent is not on the timeline
    assert entries[0] is reminders[0]
    assert reminders[0].title == "Reminder sent: First day overdue"
    assert reminders[0].details == (("Sent to", str(lead)),)


def test_superseded_by_change_names_the_recommendation(staff, national) -> None:
    from tests.factories import make_recommendation

    repeated = make_recommendation(national.inspection, addressee=national.addressee)
    services.recommendation_transition(
        recommendation=national, action="supersede", by=staff, reason="Repeated", superseded_by=repeated
    )
    entries = build_timeline(recommendation_record(national))
    change = next(entry for entry in entries if entry.kind == "change")
    superseded = next(item for item in change.changes if item.field == "superseded_by_id")
    assert superseded.new == repeated
    assert change.reason == "Repeated"


def test_target_date_moves_come_from_history(staff, recommendation) -> None:
    from recommendations.timeline import target_date_history
    from tests.factories import make_recommendation

    recommendation = make_recommendation(recommendation.inspection)  # made without a target date: none in history
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=datetime.date(2026, 6, 1), by=staff
    )
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=datetime.date(2026, 9, 1), by=staff, reason="Late start"
    )
    moves = target_date_history(recommendation_record(recommendation))
    assert [(move.old, move.new, move.reason, move.by) for move in moves] == [
        (datetime.date(2026, 6, 1), datetime.date(2026, 9, 1), "Late start", str(staff)),
        (None, datetime.date(2026, 6, 1), "Target date set", str(staff)),
    ]


# --- a long timeline: the page shows the latest entries, each source read only in part ---


def build_long_story(recommendation, staff, lead, rounds: int = 12) -> None:
    """Every kind of entry, interleaved over `rounds` two-day rounds; date requests are decided days later."""
    pending = None
    for n in range(rounds):
        start = START + datetime.timedelta(days=2 * n)
        with time_machine.travel(start, tick=False):
            services.recommendation_assign_owner(recommendation=recommendation, owner=(lead, staff)[n % 2], by=staff)
        with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
            services.progress_update_record(
                recommendation=recommendation, by=lead, progress="in_progress", text=f"Update {n}"
            )
        if n % 3 == 0:
            with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
                services.follow_up_record(
                    recommendation=recommendation, by=staff, kind="meeting", activity_date=(start.date())
                )
                services.action_plan_item_add(recommendation=recommendation, by=lead, description=f"Step {n}")
        if n % 4 == 0:
            with time_machine.travel(start + datetime.timedelta(hours=3), tick=False):
                pending = services.target_date_change_request(
                    recommendation=recommendation, by=lead, proposed_date=day(400 + n), reason=f"Reason {n}"
                )
        if n % 4 == 2 and pending is not None:
            with time_machine.travel(start + datetime.timedelta(hours=4), tick=False):
                services.target_date_change_decide(change_request=pending, by=staff, approve=False, note="No")


def shape(entries) -> list[tuple[Any, ...]]:
    return [(entry.kind, entry.title, entry.at, entry.text) for entry in entries]


def test_a_limited_record_gives_exactly_the_newest_entries_of_the_whole_timeline(staff, lead, recommendation) -> None:
    build_long_story(recommendation, staff, lead)
    everything = build_timeline(recommendation_record(recommendation))
    assert len(everything) >= 35
    for limit in (1, 5, 13, 20, len(everything) - 1, len(everything), len(everything) + 5):
        record = recommendation_record(recommendation, limit=limit)
        assert shape(build_timeline(record)) == shape(everything[:limit]), limit
        assert record.total == len(everything)
    assert recommendation_record(recommendation).total is None  # read whole: nothing to count


def test_target_date_history_is_whole_whatever_the_timeline_shows(staff, lead, recommendation) -> None:
    from recommendations.timeline import target_date_history

    undated(recommendation)

    with at(1):
        services.recommendation_set_target_date(recommendation=recommendation, target_date=day(300), by=staff)
    build_long_story(recommendation, staff, lead)
    moves = target_date_history(recommendation_record(recommendation, limit=3))
    assert [move.new for move in moves] == [day(300)]


def test_the_page_shows_the_latest_entries_with_a_link_to_all(staff, lead, recommendation, monkeypatch) -> None:
    import recommendations.views.detail as detail_view

    build_long_story(recommendation, staff, lead)
    total = len(build_timeline(recommendation_record(recommendation)))
    monkeypatch.setattr(detail_view, "TIMELINE_LIMIT", 5)
    client = client_for(staff)
    page = client.get(url("detail", recommendation)).content.decode()
    assert page.count('class="moj-timeline__item"') == 5
    assert f"Showing the latest 5 of {total} entries." in page
    href = url("detail", recommendation) + "?timeline=all#timeline"
    link = f'<a class="govuk-link" href="{href}">Show all {total} entries</a>'
    assert link in page
    everything = client.get(url("detail", recommendation), {"timeline": "all"}).content.decode()
    assert everything.count('class="moj-timeline__item"') == total
    assert "Show all" not in everything


def test_a_short_timeline_has_no_link(staff, recommendation) -> None:
    page = client_for(staff).get(url("detail", recommendation)).content.decode()
    assert "moj-timeline__item" in page
    assert "Show all" not in page


def test_entries_give_their_dates_as_moj_timeline_writes_them() -> None:
    """The timestamp in the current time zone (London), or the day of a dated entry; MOJ's mojDate filter writes
    it as the page shows it (on the hour without minutes, as MOJ Frontend does)."""
    from config.templating import moj_date
    from recommendations.timeline import TimelineEntry

    summer = TimelineEntry(at=datetime.datetime(2026, 7, 3, 13, 5, tzinfo=datetime.UTC), kind="change", title="T")
    assert (summer.timestamp, summer.date_type) == ("2026-07-03T14:05:00+01:00", "datetime")
    assert moj_date(summer.timestamp, summer.date_type) == "3 July 2026 at 2:05pm"
    midnight = TimelineEntry(at=datetime.datetime(2026, 1, 9, 0, 30, tzinfo=datetime.UTC), kind="change", title="T")
    assert moj_date(midnight.timestamp, midnight.date_type) == "9 January 2026 at 12:30am"
    on_the_hour = TimelineEntry(at=datetime.datetime(2026, 1, 9, 12, 0, tzinfo=datetime.UTC), kind="change", title="T")
    assert moj_date(on_the_hour.timestamp, on_the_hour.date_type) == "9 January 2026 at 12pm"
    day = timezone.make_aware(datetime.datetime(2026, 3, 27))
    dated = TimelineEntry(at=day, kind="follow_up", title="T", day_only=True)
    assert (dated.timestamp, dated.date_type) == ("2026-03-27", "date")
    assert moj_date(dated.timestamp, dated.date_type) == "27 March 2026"
    assert moj_date(summer.timestamp, "shortdatetime") == "3 Jul 2026 at 2:05pm"
    assert moj_date(summer.timestamp, "time") == "2:05pm"
    assert moj_date(summer.timestamp, "") == summer.timestamp  # no kind: the timestamp as given, as MOJ's does


def test_each_source_is_one_query_sliced_to_the_limit(staff, lead, recommendation) -> None:
    """The history, one query for each other kind of entry and one for the people the changes name, however long
    the timeline: each source newest first and cut to the entries the page can show (the action plan is shown
    whole, in a table of its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build_long_story(recommendation, staff, lead)
    with CaptureQueriesContext(connection) as limited:
        recommendation_record(recommendation, limit=5)
    with CaptureQueriesContext(connection) as whole:
        recommendation_record(recommendation)
    assert len(limited) == len(whole) == 7
    sliced = [query["sql"] for query in limited if re.search(r"\bLIMIT 5\b", query["sql"])]
    assert len(sliced) == 4  # progress updates, follow-ups, date requests, reminders sent
    assert not any("LIMIT" in query["sql"] for query in whole)


def test_a_progress_update_is_one_entry(lead, recommendation) -> None:
    """The progress it sets is saved with it: the update is the entry, not a "Progress" change beside it."""
    services.progress_update_record(recommendation=recommendation, by=lead, progress="in_progress", text="Started")
    record = recommendation_record(recommendation, limit=10)
    entries = [entry for entry in build_timeline(record) if entry.kind != "created"]
    assert [(entry.kind, entry.title) for entry in entries] == [("progress", "Progress update: In progress")]
    assert record.total == len(build_timeline(record))  # "Showing the latest n of total" counts entries shown


def test_progress_changed_another_way_is_still_a_change(staff, recommendation) -> None:
    recommendation.progress = "in_progress"
    recommendation._change_reason = "Corrected from the report"
    recommendation.save()
    change = next(entry for entry in build_timeline(recommendation_record(recommendation)) if entry.kind == "change")
    assert (change.title, change.reason) == ("Progress: In progress", "Corrected from the report")


def test_a_response_reads_response_agreed_without_a_reason_restating_it(staff, lead, recommendation) -> None:
    services.recommendation_record_response(recommendation=recommendation, response="agreed", by=lead)
    services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=staff)
    page = client_for(staff).get(url("detail", recommendation)).content.decode()
    timeline = page[page.index('class="moj-timeline"') :]
    assert '<h3 class="moj-timeline__title">Response: Agreed</h3>' in timeline
    assert "Previously: Awaiting response" in timeline
    assert "Owner: Rhys Regional" in timeline
    assert "Reason:" not in timeline  # not "Reason: Response: Agreed", nor "Reason: Owner set to Rhys Regional"
    assert "Response changed" not in timeline


def test_a_reason_a_person_gave_is_kept(staff, lead, recommendation) -> None:
    services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=staff, reason="Knows the area")
    change = next(entry for entry in build_timeline(recommendation_record(recommendation)) if entry.kind == "change")
    assert (change.title, change.reason) == ("Owner: Rhys Regional", "Knows the area")
