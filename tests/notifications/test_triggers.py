"""Who is told of what, by every path that records the event: the services (the pages call them), the admin's forms,
inlines and bulk actions, and the report import (command and admin). Nobody is told of their own action, and
telling the same event again tells nobody twice."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from recommendations import services
from recommendations.importing import import_report
from recommendations.models import Addressee, FollowUpKind, Notification, NotificationKind, Recommendation, Status
from tests.factories import SOUTH_CENTRAL, make_recommendation, make_recommendations, make_region, make_user
from tests.support.admin_forms import change_form_data, change_url
from tests.test_report_parser import KENT, seed

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recommendations_recommendation_changelist"


def _told(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient username, title) of every notification, oldest first."""
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.title) for n in rows]


@pytest.fixture
def lead():
    return make_user(Role.REGIONAL_LEAD, username="kim")


# --- owners ---


def test_the_new_owner_is_told_with_a_link_to_the_recommendation(staff, lead):
    recommendation = make_recommendation()
    services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=staff)

    (told,) = Notification.objects.all()
    assert (told.recipient, told.kind) == (lead, NotificationKind.OWNER_ASSIGNED)
    assert told.title == f"You are now the owner of {recommendation.reference}"
    assert told.body == recommendation.text
    assert told.get_absolute_url() == reverse("recommendations:detail", args=[recommendation.pk])
    assert told.key.startswith("owner:")


def test_nobody_is_told_of_making_themselves_owner_or_of_a_save_that_keeps_the_owner(staff, lead):
    recommendation = make_recommendation()
    services.recommendation_assign_owner(recommendation=recommendation, owner=staff, by=staff)
    assert not Notification.objects.exists()
    services.recommendation_assign_owner(recommendation=recommendation, owner=lead, by=staff)
    services.recommendation_set_target_date(
        recommendation=recommendation, target_date=datetime.date(2027, 1, 1), by=staff
    )
    assert len(_told()) == 1


def test_owner_set_in_the_admin_form_is_told(staff_client, lead):
    recommendation = make_recommendation()
    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, owner=lead.pk))
    assert response.status_code == 302
    assert _told() == [("kim", f"You are now the owner of {recommendation.reference}")]


def test_owner_set_by_the_admin_bulk_action_is_told_once_for_each(staff_client, lead):
    rows = make_recommendations(3)
    data = {"action": "assign_owner", "_selected_action": [r.pk for r in rows], "apply": "yes", "owner": lead.pk}
    staff_client.post(reverse(CHANGELIST), data, follow=True)
    staff_client.post(reverse(CHANGELIST), data, follow=True)  # the same owner again: no new event
    assert sorted(_told()) == sorted(("kim", f"You are now the owner of {r.reference}") for r in rows)


# --- closure decisions ---


def _awaiting_closure(lead: User, owner: User | None = None) -> Recommendation:
    recommendation = make_recommendation(owner=owner or lead)
    services.recommendation_transition(recommendation=recommendation, action="request_closure", by=lead)
    return recommendation


def test_a_closure_decision_is_told_to_who_asked_and_the_owner_with_its_reason(staff, lead):
    owner = make_user(Role.REGIONAL_LEAD, username="olu")
    recommendation = _awaiting_closure(lead, owner=owner)
    services.recommendation_transition(
        recommendation=recommendation, action="close_not_implemented", by=staff, reason="No evidence of delivery"
    )
    told = list(Notification.objects.filter(kind=NotificationKind.CLOSURE_DECIDED).order_by("recipient__username"))
    assert [n.recipient.username for n in told] == ["kim", "olu"]
    for notification in told:
        assert "closed as not implemented" in notification.title
        assert notification.body == "Decision: Closed as not implemented.\nReason: No evidence of delivery"


def test_a_declined_closure_is_told(staff, lead):
    recommendation = _awaiting_closure(lead)
    services.recommendation_transition(
        recommendation=recommendation, action="decline_closure", by=staff, reason="Two actions are still open"
    )
    (told,) = Notification.objects.filter(kind=NotificationKind.CLOSURE_DECIDED)
    assert told.recipient == lead
    assert "Closure declined" in told.body and "Two actions are still open" in told.body


def test_closure_decided_by_the_admin_bulk_action_is_told(staff_client, lead):
    rows = [_awaiting_closure(lead) for _ in range(2)]
    data = {"action": "set_status", "_selected_action": [r.pk for r in rows], "apply": "yes"}
    staff_client.post(
        reverse(CHANGELIST), {**data, "step": "close_implemented", "reason": "Evidence seen"}, follow=True
    )
    assert rows[0].__class__.objects.get(pk=rows[0].pk).status == Status.CLOSED_IMPLEMENTED
    told = Notification.objects.filter(kind=NotificationKind.CLOSURE_DECIDED)
    assert sorted(n.recommendation_id or 0 for n in told) == sorted(r.pk for r in rows)
    assert all(n.recipient == lead and "Reason: Evidence seen" in n.body for n in told)


def test_a_closure_without_a_request_tells_nobody_of_a_closure_request(staff, lead):
    recommendation = make_recommendation(owner=lead)
    services.recommendation_transition(recommendation=recommendation, action="close_implemented", by=staff)
    assert not Notification.objects.filter(kind=NotificationKind.CLOSURE_DECIDED).exists()


# --- target date requests ---


def test_a_date_request_decision_is_told_to_who_asked_and_the_owner(staff, lead):
    owner = make_user(Role.REGIONAL_LEAD, username="olu")
    recommendation = make_recommendation(owner=owner, target_date=datetime.date(2026, 6, 30))
    asked = services.target_date_change_request(
        recommendation=recommendation, by=lead, proposed_date=datetime.date(2026, 9, 30), reason="Recruitment"
    )
    services.target_date_change_decide(change_request=asked, by=staff, approve=True)
    told = Notification.objects.filter(kind=NotificationKind.DATE_REQUEST_DECIDED).order_by("recipient__username")
    assert [n.recipient.username for n in told] == ["kim", "olu"]
    assert all("approved" in n.title and n.body == "New target date: 30 September 2026." for n in told)


def test_a_rejected_date_request_says_why_and_the_asker_who_owns_it_is_told_once(staff, lead):
    recommendation = make_recommendation(owner=lead, target_date=datetime.date(2026, 6, 30))
    asked = services.target_date_change_request(
        recommendation=recommendation, by=lead, proposed_date=datetime.date(2026, 9, 30), reason="Recruitment"
    )
    services.target_date_change_decide(change_request=asked, by=staff, approve=False, note="Too late to move")
    (told,) = Notification.objects.filter(kind=NotificationKind.DATE_REQUEST_DECIDED)
    assert (told.recipient, told.body) == (lead, "Reason: Too late to move")
    assert "rejected" in told.title


# --- follow-up activity ---


def test_follow_up_is_told_to_the_owner(staff, lead):
    recommendation = make_recommendation(owner=lead)
    activity = services.follow_up_record(
        recommendation=recommendation,
        by=staff,
        kind=FollowUpKind.VISIT,
        activity_date=datetime.date(2026, 3, 2),
        notes="Met the team",
    )
    (told,) = Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_RECORDED)
    assert (told.recipient, told.key) == (lead, f"follow-up:{activity.pk}")
    assert told.body == "Visit on 2 March 2026.\nMet the team"


def test_follow_up_recorded_by_its_owner_or_with_no_owner_tells_nobody(staff):
    services.follow_up_record(
        recommendation=make_recommendation(owner=staff),
        by=staff,
        kind=FollowUpKind.VISIT,
        activity_date=datetime.date(2026, 3, 2),
    )
    services.follow_up_record(
        recommendation=make_recommendation(),
        by=staff,
        kind=FollowUpKind.LETTER,
        activity_date=datetime.date(2026, 3, 2),
    )
    assert not Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_RECORDED).exists()


def test_follow_up_added_in_the_admin_inline_is_told(staff_client, lead):
    recommendation = make_recommendation(owner=lead)
    rows = {
        "follow_ups-TOTAL_FORMS": 1,
        "follow_ups-0-kind": FollowUpKind.VISIT,
        "follow_ups-0-activity_date": "02/03/2026",
    }
    response = staff_client.post(change_url(recommendation), change_form_data(recommendation, **rows))
    assert response.status_code == 302
    assert _told(NotificationKind.FOLLOW_UP_RECORDED) == [
        ("kim", f"Follow-up activity recorded on {recommendation.reference}")
    ]


# --- reports ---


def test_an_imported_report_is_told_to_its_regions_leads_and_the_hmpps_leads(staff):
    kent_lead = make_user(Role.REGIONAL_LEAD, username="kent")
    make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL), username="south")
    make_user(Role.HMPPS_LEAD, username="hmpps")
    make_user(Role.HMPPS_LEAD, username="gone", is_active=False)

    inspection = import_report(text=seed(KENT), published_on=datetime.date(2025, 10, 14), user=staff).inspection
    import_report(text=seed(KENT), published_on=datetime.date(2025, 10, 14), user=staff)  # again: nothing new

    told = {n.recipient.username: n for n in Notification.objects.filter(kind=NotificationKind.REPORT_IMPORTED)}
    assert set(told) == {"kent", "hmpps"}
    regional = inspection.recommendations.filter(addressee__in=[Addressee.REGION, Addressee.PDU]).count()
    assert told["kent"].body == f"{regional} recommendation{'s' if regional != 1 else ''} for your region."
    assert told["kent"].recipient == kent_lead
    assert told["hmpps"].get_absolute_url() == reverse("inspections:detail", args=[inspection.pk])
    assert told["hmpps"].title == f"New inspection report: {inspection.title}"


def test_the_import_command_tells_the_leads_too(tmp_path):
    make_user(Role.REGIONAL_LEAD, username="kent")
    path = tmp_path / "kent.txt"
    path.write_text(seed(KENT), encoding="utf-8")
    call_command("import_report", str(path), "--published", "2025-10-14", "--confirm-warnings")
    assert [name for name, _ in _told(NotificationKind.REPORT_IMPORTED)] == ["kent"]


def test_the_admin_import_tells_the_leads(staff_client: Client):
    make_user(Role.REGIONAL_LEAD, username="kent")
    url = reverse("admin:inspections_inspection_import")
    data = {"report_text": seed(KENT), "published_on": "2025-10-14", "confirm": "yes", "confirm_warnings": "on"}
    staff_client.post(url, data)
    assert [name for name, _ in _told(NotificationKind.REPORT_IMPORTED)] == ["kent"]
