"""A published inspection whose recommendations carry everything the public pages must never show (names, notes,
evidence, progress, follow-up, action plans, date requests), and an inspection that is not published."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import Inspection
from recommendations.models import (
    ActionPlanItem,
    Addressee,
    FollowUpActivity,
    Judgement,
    Recommendation,
    Response,
    Status,
    TargetDateChangeRequest,
)
from recommendations.services import progress_update_record
from tests.factories import make_inspection, make_recommendation, make_region, make_user

# Words that appear only in what follows a recommendation up: none of them may reach a public page.
SECRETS = (
    "Wilhelmina",  # the owner's first name
    "Quarrington",  # the owner's last name
    "wquarrington",  # the owner's username
    "Bartholomew Inspectorson",  # the report's lead inspector
    "Summary naming Chief Inspector Featherstonehaugh",  # the inspection's summary
    "Response reason about budget cuts",
    "Progress text about the vetting backlog",
    "https://evidence.example.org/secret-plan",
    "secret-evidence.pdf",
    "Follow-up notes from the meeting",
    "Follow-up outcome judged weak",
    "Action plan item: retrain the team",
    "Responsible: Ophelia Team",
    "Date request reason: sickness absence",
    "Unpublished inspection of Lower Wessex",  # an inspection that is not on the public pages
    "Unpublished recommendation about approved premises",
)


@dataclass
class PublicWorld:
    staff: User
    owner: User
    published: Inspection
    unpublished: Inspection
    regional: Recommendation
    national: Recommendation
    hidden: Recommendation


@pytest.fixture
def public_world(db, settings, tmp_path) -> PublicWorld:
    settings.MEDIA_ROOT = tmp_path
    staff = make_user(Role.INSPECTORATE, username="staff-person", first_name="Isla", last_name="Inspector")
    owner = make_user(
        Role.REGIONAL_LEAD,
        region=make_region(),
        username="wquarrington",
        first_name="Wilhelmina",
        last_name="Quarrington",
    )
    published = make_inspection(
        reference="KSS-PUB-2025",
        title="Regional inspection of Kent, Surrey and Sussex",
        lead_inspector="Bartholomew Inspectorson",
        summary="Summary naming Chief Inspector Featherstonehaugh",
        source_url="https://www.justiceinspectorates.gov.uk/hmiprobation/kss-2025",
    )
    unpublished = make_inspection(
        reference="UNPUB-2025",
        title="Unpublished inspection of Lower Wessex",
        lead_inspector="Bartholomew Inspectorson",
    )
    regional = make_recommendation(
        published,
        text="Strengthen the vetting of staff in approved premises.",
        owner=owner,
        response=Response.PARTLY_AGREED,
        response_reason="Response reason about budget cuts",
        judgement=Judgement.REASONABLE,
        target_date=datetime.date(2026, 3, 1),
    )
    national = make_recommendation(
        published,
        addressee=Addressee.HMPPS,
        region=None,
        text="Publish national guidance on information sharing.",
        status=Status.CLOSED_IMPLEMENTED,
        closed_at=timezone.now(),
        response=Response.AGREED,
        judgement=Judgement.GOOD,
    )
    hidden = make_recommendation(unpublished, text="Unpublished recommendation about approved premises", owner=owner)
    _follow_up(regional, owner=owner, staff=staff)
    Inspection.objects.filter(pk=published.pk).update(
        published_to_public_at=timezone.now(), published_to_public_by=staff
    )
    return PublicWorld(staff, owner, published, unpublished, regional, national, hidden)


def _follow_up(recommendation: Recommendation, *, owner: User, staff: User) -> None:
    """Everything that follows `recommendation` up, each carrying one of SECRETS."""
    progress_update_record(
        recommendation=recommendation,
        progress="in_progress",
        text="Progress text about the vetting backlog",
        evidence_url="https://evidence.example.org/secret-plan",
        evidence_file=ContentFile(b"%PDF-1.4 secret", name="secret-evidence.pdf"),
        by=owner,
    )
    FollowUpActivity.objects.create(
        recommendation=recommendation,
        kind="meeting",
        activity_date=datetime.date(2026, 1, 10),
        conducted_by=staff,
        notes="Follow-up notes from the meeting",
        outcome="Follow-up outcome judged weak",
    )
    ActionPlanItem.objects.create(
        recommendation=recommendation,
        description="Action plan item: retrain the team",
        responsible="Responsible: Ophelia Team",
        created_by=owner,
    )
    TargetDateChangeRequest.objects.create(
        recommendation=recommendation,
        requested_by=owner,
        proposed_date=datetime.date(2026, 9, 1),
        reason="Date request reason: sickness absence",
    )
