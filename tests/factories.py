"""Small factories for tests: plain functions with sensible defaults, overridable by keyword.

Regions and their PDUs are seeded by a migration, so `make_region` looks them up instead of creating them.
"""

import datetime
import itertools
from typing import Any

from accounts.models import Role, User
from inspections.models import Inspection, InspectionType, ProbationDeliveryUnit, Region
from recommendations.models import Addressee, Recommendation

_sequence = itertools.count(1)

KENT_SURREY_SUSSEX = "N57"
SOUTH_CENTRAL = "N59"


def make_region(code: str = KENT_SURREY_SUSSEX) -> Region:
    return Region.objects.get(code=code)


def make_pdu(region: Region | None = None) -> ProbationDeliveryUnit:
    pdu = (region or make_region()).pdus.order_by("name").first()
    assert pdu is not None, "make_region makes its PDUs"
    return pdu


def make_user(role: str = Role.INSPECTORATE, region: Region | None = None, **fields: Any) -> User:
    """A user of `role`; regional leads get Kent, Surrey and Sussex unless told otherwise."""
    number = next(_sequence)
    if role == Role.REGIONAL_LEAD and region is None:
        region = make_region()
    fields.setdefault("username", f"{role}-{number}")
    fields.setdefault("first_name", role.replace("_", " ").title())
    fields.setdefault("last_name", f"Person {number}")
    return User.objects.create_user(role=role, region=region, password=fields.pop("password", None), **fields)


def make_staff(**fields: Any) -> User:
    """Inspectorate staff who may use the admin (is_staff) without being a superuser."""
    return make_user(Role.INSPECTORATE, is_staff=True, **fields)


def make_inspection(region: Region | None = None, **fields: Any) -> Inspection:
    """A published regional inspection (Kent, Surrey and Sussex unless told otherwise)."""
    number = next(_sequence)
    fields.setdefault("type", InspectionType.REGIONAL)
    fields.setdefault("reference", f"INSP-{number}")
    fields.setdefault("title", f"Regional inspection {number}")
    fields.setdefault("published_on", datetime.date(2025, 6, 1))
    fields.setdefault("lead_inspector", "Helen Davies")
    if region is None and fields["type"] != InspectionType.THEMATIC:
        region = make_region()
    return Inspection.objects.create(region=region, **fields)


def make_recommendation(inspection: Inspection | None = None, **fields: Any) -> Recommendation:
    """An open recommendation to the inspection's region, numbered after the last one for that addressee."""
    inspection = inspection or make_inspection()
    fields.setdefault("addressee", Addressee.REGION)
    if fields["addressee"] in (Addressee.REGION, Addressee.PDU):
        fields.setdefault("region", inspection.region)
    if fields["addressee"] == Addressee.PDU:
        fields.setdefault("pdu", make_pdu(fields["region"]))
    if "number" not in fields:
        fields["number"] = inspection.recommendations.filter(addressee=fields["addressee"]).count() + 1
    fields.setdefault("text", f"Improve the quality of work, point {fields['number']}.")
    return Recommendation.objects.create(inspection=inspection, **fields)


def make_recommendations(count: int, inspection: Inspection | None = None, **fields: Any) -> list[Recommendation]:
    inspection = inspection or make_inspection()
    return [make_recommendation(inspection, **fields) for _ in range(count)]
