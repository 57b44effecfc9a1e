"""Every page runs the same number of queries for 10 recommendations as for 1,000, and never more than 15."""

import datetime

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.shared_cache import forget_kept_records
from inspections.models import Inspection, InspectionType, Score
from recommendations.models import Recommendation, UpdateRound
from tests.support.kept_figures import forget_kept_figures

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
    changes = f"?region={world.region_a.pk}&inspection={world.inspection_a.pk}&since=1/1/2000"
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
        *_action_plans(world),
        (
            "recommendation page with suggested repeats (staff)",
            "staff",
            reverse("recommendations:detail", args=[world.rec_a.pk]),
        ),
        ("regions (staff)", "staff", reverse("recommendations:regions")),
        ("region page (staff)", "staff", reverse("recommendations:region", args=[world.region_a.pk])),
        ("region page (regional lead)", "lead_a", reverse("recommendations:region", args=[world.region_a.pk])),
        ("national page (HMPPS lead)", "hmpps", reverse("recommendations:national")),
        *(
            (
                f"{table} CSV (regional lead)",
                "lead_a",
                reverse("recommendations:region_figures", args=[world.region_a.pk, table]),
            )
            for table in ("implementation-rates-by-addressee", "target-date-slippage-by-region")
        ),
        ("rates CSV (staff)", "staff", reverse("recommendations:dashboard_figures", args=["open-by-age-by-region"])),
        (
            "national CSV (HMPPS lead)",
            "hmpps",
            reverse("recommendations:national_figures", args=["open-by-age-by-addressee"]),
        ),
        # The public pages, read afresh (each measure forgets what the shared cache kept of them).
        ("public pages' inspections (anonymous)", "anonymous", reverse("public:home")),
        ("public implementation rates (anonymous)", "anonymous", reverse("public:rates")),
        ("public inspection page (anonymous)", "anonymous", reverse("public:inspection", args=[world.inspection_a.pk])),
        ("public national inspection (anonymous)", "anonymous", reverse("public:inspection", args=[world.national.pk])),
        ("public inspection page (staff)", "staff", reverse("public:inspection", args=[world.inspection_a.pk])),
        ("what's changed (staff)", "staff", reverse("recommendations:whats_changed")),
        ("what's changed (HMPPS lead)", "hmpps", reverse("recommendations:whats_changed")),
        ("what's changed with filters (regional lead)", "lead_a", reverse("recommendations:whats_changed") + changes),
        ("what's changed, one kind (staff)", "staff", reverse("recommendations:whats_changed") + "?kind=progress"),
        ("notifications (regional lead)", "lead_a", reverse("recommendations:notifications")),
        ("notifications page 1 (staff)", "staff", reverse("recommendations:notifications") + "?page=1"),
        ("update rounds (staff)", "staff", reverse("recommendations:round_list")),
        ("update round (staff)", "staff", reverse("recommendations:round_detail", args=[update_round.pk])),
        ("update your recommendations (regional lead)", "lead_a", round_update),
        ("update your recommendations (HMPPS lead)", "hmpps", round_update),
    ]


def _action_plans(world: World) -> list[tuple[str, str, str]]:
    """Each action plan in its three forms: an inspection's (for staff and a lead) and a region's."""
    inspection, region = [world.inspection_a.pk], [world.region_a.pk]
    pages = []
    for form, label in (("", "page"), ("_docx", "Word"), ("_xlsx", "Excel")):
        pages += [
            (
                f"inspection action plan, {label} (staff)",
                "staff",
                reverse(f"inspections:action_plan{form}", args=inspection),
            ),
            (
                f"inspection action plan, {label} (lead)",
                "lead_a",
                reverse(f"inspections:action_plan{form}", args=inspection),
            ),
            (
                f"region action plan, {label} (lead)",
                "lead_a",
                reverse(f"recommendations:region_action_plan{form}", args=region),
            ),
        ]
    return pages


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)  # the export's rows are read while it streams
    return len(captured)


def _measure(world: World, login: Login) -> dict[str, int]:
    forget_kept_figures()  # the dashboard's and the region pages' figures are made afresh at both sizes
    counts = {}
    for label, persona, url in _pages(world):
        forget_kept_records()
        counts[label] = _count_queries(login(getattr(world, persona, None)), url)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_rows(world: World, login: Login) -> None:
    Inspection.objects.filter(pk__in=[world.inspection_a.pk, world.national.pk]).update(
        published_to_public_at=timezone.now()
    )
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
    # Once made (by the page, or beat), the dashboard's two grouped counts and five queries of rates are read from
    # the shared cache.
    assert _count_queries(login(world.staff), reverse("recommendations:dashboard")) == large["dashboard"] - 7
    # And a region's three.
    region = reverse("recommendations:region", args=[world.region_a.pk])
    assert _count_queries(login(world.staff), region) == large["region page (staff)"] - 3


@pytest.mark.django_db
def test_public_pages_come_from_the_shared_cache_once_read(world: World, login: Login) -> None:
    Inspection.objects.filter(pk=world.inspection_a.pk).update(published_to_public_at=timezone.now())
    client = login(None)
    for url in (
        reverse("public:home"),
        reverse("public:inspection", args=[world.inspection_a.pk]),
        reverse("public:rates"),
    ):
        assert _count_queries(client, url) > 0
        assert _count_queries(client, url) == 0, url  # nobody is signed in: not even a session is read


def _attach_to_pages(world: World, rows: list[Recommendation]) -> None:
    """Put the rows on the inspections whose pages are measured, so those pages grow too."""
    from recommendations.models import Addressee

    regional = [row.pk for row in rows if row.addressee == Addressee.REGION]
    national = [row.pk for row in rows if row.addressee == Addressee.HMPPS]
    Recommendation.objects.filter(pk__in=regional[1::2]).update(inspection=world.inspection_a)
    Recommendation.objects.filter(pk__in=regional[::2]).update(inspection=_earlier_inspection(world))
    Recommendation.objects.filter(pk__in=national).update(inspection=world.national)
    _confirm_repeats(world, regional + national)
    _suggest_repeats(world, regional + national)
    _plan_actions(world, regional + national)
    _record_events(world, rows)
    _notify(world, rows)


def _plan_actions(world: World, pks: list[int]) -> None:
    """Two actions on every row, so that the action plans grow too."""
    from recommendations.models import ActionPlanItem

    ActionPlanItem.objects.bulk_create(
        ActionPlanItem(recommendation_id=pk, position=position, description="Act", created_by=world.staff)
        for pk in pks
        for position in (1, 2)
    )


def _earlier_inspection(world: World) -> Inspection:
    """An earlier inspection of region A, both with scores, so that its page shows outcomes at the next one."""
    earlier, _ = Inspection.objects.get_or_create(
        reference="A-REG-2022",
        defaults={
            "type": InspectionType.REGIONAL,
            "title": "Region A, earlier",
            "region": world.region_a,
            "published_on": datetime.date(2022, 5, 1),
        },
    )
    for position, question in enumerate(("Assessment", "Planning", "Implementation"), start=1):
        for inspection, score in ((earlier, 50 + position), (world.inspection_a, 60 + position)):
            Score.objects.get_or_create(
                inspection=inspection, position=position, question=question, defaults={"percentage_yes": score}
            )
    return earlier


def _notify(world: World, rows: list[Recommendation]) -> None:
    """A notification about each row for the lead and for staff, half of them read, so the Notifications page and
    every page's unread count in the header grow too."""
    from recommendations.models import Notification, NotificationKind

    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=NotificationKind.OWNER_ASSIGNED,
            key=f"count:{person.pk}:{row.pk}",
            title=f"You are now the owner of recommendation {row.pk}",
            body=row.text,
            recommendation=row,
            read_at=now if index % 2 else None,
        )
        for person in (world.lead_a, world.staff)
        for index, row in enumerate(rows)
    )


def _confirm_repeats(world: World, pks: list[int]) -> None:
    """Confirmed repeats between neighbouring rows, so that the recurring recommendations page grows too."""
    from recommendations.models import RecurrenceLink, RecurrenceState

    decided = {"state": RecurrenceState.CONFIRMED, "decided_by": world.staff, "decided_at": timezone.now()}
    RecurrenceLink.objects.bulk_create(
        RecurrenceLink(earlier_id=earlier, later_id=later, score=90, **decided)
        for earlier, later in zip(pks[::2], pks[1::2], strict=False)
    )


def _suggest_repeats(world: World, pks: list[int]) -> None:
    """Likely repeats of one recommendation waiting for a decision, so that its page and the suggestions on the
    recurring recommendations page grow too."""
    from recommendations.models import RecurrenceLink

    RecurrenceLink.objects.bulk_create(RecurrenceLink(earlier=world.rec_a, later_id=later, score=80) for later in pks)


def _record_events(world: World, rows: list[Recommendation]) -> None:
    """Every kind of event on each row, so that What's changed grows too: its creation and a change (history rows),
    a progress update, a follow-up activity, a decided request to move its target date and a completed action."""
    from simple_history.utils import bulk_update_with_history

    from recommendations.models import (
        ActionPlanItem,
        FollowUpActivity,
        ProgressUpdate,
        TargetDateChangeRequest,
        TargetDateRequestStatus,
    )

    history = Recommendation.history.model
    now, today = timezone.now(), timezone.localdate()
    history.objects.bulk_create(
        history(
            **{
                f.attname: getattr(row, f.attname)
                for f in history.instance_type._meta.fields
                if f.attname
                in {
                    "id",
                    "inspection_id",
                    "addressee",
                    "number",
                    "status",
                    "response",
                    "progress",
                    "judgement",
                    "priority",
                    "owner_id",
                    "target_date",
                    "region_id",
                    "pdu_id",
                    "addressee_other",
                    "response_reason",
                }
            },
            history_date=now,
            history_type="+",
            history_user=world.staff,
        )
        for row in rows
    )
    for row in rows:
        row.judgement = "reasonable"  # not a field the list's filters above look at
    bulk_update_with_history(rows, Recommendation, ["judgement"], default_user=world.staff)
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(recommendation=row, author=world.lead_a, progress="in_progress", text="Going") for row in rows
    )
    FollowUpActivity.objects.bulk_create(
        FollowUpActivity(recommendation=row, kind="visit", activity_date=today, conducted_by=world.staff)
        for row in rows
    )
    TargetDateChangeRequest.objects.bulk_create(
        TargetDateChangeRequest(
            recommendation=row,
            requested_by=world.lead_a,
            proposed_date=today,
            reason="Later",
            status=TargetDateRequestStatus.APPROVED,
            decided_by=world.staff,
            decided_at=now,
        )
        for row in rows
    )
    ActionPlanItem.objects.bulk_create(
        ActionPlanItem(recommendation=row, description="Do it", created_by=world.lead_a, completed_on=today)
        for row in rows
    )
