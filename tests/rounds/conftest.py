"""An update round's people: staff who run it, a lead in region A who owns two of its recommendations, a lead in
region B who owns one, the HMPPS lead who owns a national one."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import InspectionType, Region
from recommendations.models import Addressee, Recommendation, RoundScope, UpdateRound
from recommendations.rounds import update_round_open
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

MODEL_BACKEND = "accounts.backends.ModelBackend"


@dataclass
class People:
    region_a: Region
    region_b: Region
    staff: User
    lead_a: User
    lead_b: User
    hmpps: User
    rec_a1: Recommendation
    rec_a2: Recommendation
    rec_b: Recommendation
    rec_h: Recommendation


@pytest.fixture
def people(db: None) -> People:
    region_a, region_b = make_region(), make_region(SOUTH_CENTRAL)
    lead_a = make_user(Role.REGIONAL_LEAD, region=region_a, email="a@example.gov.uk")
    lead_b = make_user(Role.REGIONAL_LEAD, region=region_b, email="b@example.gov.uk")
    hmpps = make_user(Role.HMPPS_LEAD, email="h@example.gov.uk")
    inspection_a, inspection_b = make_inspection(region_a), make_inspection(region_b)
    national = make_inspection(type=InspectionType.THEMATIC)
    return People(
        region_a=region_a,
        region_b=region_b,
        staff=make_user(Role.INSPECTORATE),
        lead_a=lead_a,
        lead_b=lead_b,
        hmpps=hmpps,
        rec_a1=make_recommendation(inspection_a, owner=lead_a, text="Region A one"),
        rec_a2=make_recommendation(inspection_a, owner=lead_a, text="Region A two"),
        rec_b=make_recommendation(inspection_b, owner=lead_b, text="Region B one"),
        rec_h=make_recommendation(national, addressee=Addressee.HMPPS, region=None, owner=hmpps, text="HMPPS one"),
    )


def open_round(
    people: People,
    scope: str = RoundScope.ALL,
    regions: tuple[Region, ...] = (),
    *,
    name: str = "Quarter 3 2026 returns",
    due_date: datetime.date | None = None,
) -> UpdateRound:
    due = due_date or timezone.localdate() + datetime.timedelta(days=14)
    return update_round_open(by=people.staff, name=name, due_date=due, scope=scope, regions=regions)


@pytest.fixture
def signed_in(client: Client):
    def sign_in(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in
