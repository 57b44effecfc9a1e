"""Personas for the page tests: Inspectorate staff, a regional lead in region A and one in region B, an HMPPS
lead, and one recommendation of each kind (region A, region B, HMPPS) on its own inspection."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import Role, User
from inspections.models import Inspection, InspectionType, Region
from recommendations.models import Addressee, Recommendation
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

from .queue import queue as queue  # a fixture of several modules' tests

MODEL_BACKEND = "accounts.backends.ModelBackend"


@dataclass
class World:
    region_a: Region
    region_b: Region
    staff: User
    lead_a: User
    lead_b: User
    hmpps: User
    inspection_a: Inspection
    inspection_b: Inspection
    national: Inspection
    rec_a: Recommendation
    rec_b: Recommendation
    rec_h: Recommendation


@pytest.fixture
def world(db: None) -> World:
    region_a, region_b = make_region(), make_region(SOUTH_CENTRAL)
    inspection_a = make_inspection(region_a, reference="A-REG-2025", title="Region A inspection")
    inspection_b = make_inspection(region_b, reference="B-REG-2025", title="Region B inspection")
    national = make_inspection(type=InspectionType.THEMATIC, reference="NAT-2025", title="National thematic")
    return World(
        region_a=region_a,
        region_b=region_b,
        staff=make_user(Role.INSPECTORATE),
        lead_a=make_user(Role.REGIONAL_LEAD, region=region_a),
        lead_b=make_user(Role.REGIONAL_LEAD, region=region_b),
        hmpps=make_user(Role.HMPPS_LEAD),
        inspection_a=inspection_a,
        inspection_b=inspection_b,
        national=national,
        rec_a=make_recommendation(inspection_a, text="Region A does the thing"),
        rec_b=make_recommendation(inspection_b, text="Region B does the thing"),
        rec_h=make_recommendation(national, addressee=Addressee.HMPPS, region=None, text="HMPPS does the thing"),
    )


# The `login` fixture: signs a person in on the test client (None: nobody) and returns the client.
Login = Callable[[User | None], Client]


@pytest.fixture
def login(client: Client) -> Login:
    """login(user) signs `user` in on the test client (None leaves it anonymous) and returns the client."""

    def sign_in(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in
