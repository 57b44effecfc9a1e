"""Inspectorate staff put inspections on the public pages, and take them off, in the admin: who and when is kept and
shown in the inspection list; a report not yet published stays off; nobody else may do it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from inspections.models import Inspection
from inspections.services import inspections_publish_to_public, inspections_withdraw_from_public
from tests.factories import make_inspection, make_staff, make_user

CHANGELIST = reverse("admin:inspections_inspection_changelist")


def _act(client: Client, action: str, *inspections: Inspection) -> str:
    data = {"action": action, "_selected_action": [str(inspection.pk) for inspection in inspections]}
    response = client.post(CHANGELIST, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_staff_publish_and_withdraw_with_the_admin_actions(staff_client: Client, staff) -> None:
    report = make_inspection(title="Inspection of Greater Manchester")
    page = _act(staff_client, "publish_to_public", report)
    assert "1 inspection put on the public pages." in page
    report.refresh_from_db()
    assert report.published_to_public_by == staff
    assert report.published_to_public_at is not None
    assert timezone.now() - report.published_to_public_at < datetime.timedelta(minutes=1)

    listed = staff_client.get(CHANGELIST).content.decode()
    assert "On the public pages since" in listed and "Put on the public pages by" in listed
    assert "Isla Inspector" in listed  # who put it there, in the list
    yes = staff_client.get(CHANGELIST, {"published_to_public_at__isnull": "False"}).content.decode()
    assert "Inspection of Greater Manchester" in yes and "By on the public pages" in yes

    # Publishing again keeps the first date and person.
    first = report.published_to_public_at
    assert "0 inspections put on the public pages." in _act(staff_client, "publish_to_public", report)
    report.refresh_from_db()
    assert report.published_to_public_at == first

    assert "1 inspection taken off the public pages." in _act(staff_client, "withdraw_from_public", report)
    report.refresh_from_db()
    assert report.published_to_public_at is None and report.published_to_public_by is None


@pytest.mark.django_db
@pytest.mark.parametrize("published_on", [None, "tomorrow"])
def test_a_report_not_yet_published_stays_off(staff_client: Client, published_on: str | None) -> None:
    date = timezone.localdate() + datetime.timedelta(days=1) if published_on else None
    report = make_inspection(published_on=date)
    page = _act(staff_client, "publish_to_public", report)
    assert "0 inspections put on the public pages." in page
    assert "1 inspection left off: a report goes on the public pages only from its publication date." in page
    report.refresh_from_db()
    assert report.published_to_public_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REGIONAL_LEAD, Role.HMPPS_LEAD])
def test_only_inspectorate_staff_publish(role: str) -> None:
    lead = make_user(role, is_staff=True)
    report = make_inspection()
    reports = Inspection.objects.filter(pk=report.pk)
    with pytest.raises(PermissionDenied):
        inspections_publish_to_public(inspections=reports, by=lead)
    inspections_publish_to_public(inspections=reports, by=make_staff())
    with pytest.raises(PermissionDenied):
        inspections_withdraw_from_public(inspections=reports, by=lead)
    assert reports.get().published_to_public_at is not None


@pytest.mark.django_db
def test_the_fields_are_read_only_on_the_inspection_page(staff_client: Client) -> None:
    report = make_inspection()
    page = staff_client.get(reverse("admin:inspections_inspection_change", args=[report.pk])).content.decode()
    assert "Public pages" in page
    assert 'name="published_to_public_at"' not in page and 'name="published_to_public_by"' not in page
