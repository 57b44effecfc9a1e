"""Users across the roles: Inspectorate staff (~5%), HMPPS leads (~2.5%), regional leads spread over the regions."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from bench.dbload import insert_rows
from inspections.models import Region

BENCH_PASSWORD = "bench-password-2026"
FIRST_NAMES = ("Aisha", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamid", "Isla", "Jack", "Kiran", "Leah")
LAST_NAMES = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Foster", "Green", "Hughes", "Iqbal", "Jones", "Khan")
USER_FIELDS = (
    "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined", "role", "region",
)  # fmt: skip

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class PduCount(TypedDict):
        pdu_count: int

    RegionWithPdus = WithAnnotations[Region, PduCount]  # annotated with its number of PDUs (generator.py)


@dataclass
class People:
    """Ids of the generated users by role, for owners, authors and history users."""

    inspectorate: list[int] = field(default_factory=list)
    hmpps: list[int] = field(default_factory=list)
    regional: dict[int, list[int]] = field(default_factory=dict)  # region id -> lead ids
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@cache
def password_hash() -> str:
    # One fixed salt: the same hash for every user and every run (hashing 2,000 times would take minutes).
    return make_password(BENCH_PASSWORD, salt="benchsalt0123456")


def generate_people(
    rng: random.Random, total: int, regions: Sequence["RegionWithPdus"], now: datetime.datetime
) -> People:
    n_inspectorate = max(2, round(total * 0.05))
    n_hmpps = max(1, round(total * 0.025))
    people = People(regional={region.pk: [] for region in regions})
    roles = [Role.INSPECTORATE] * n_inspectorate + [Role.HMPPS_LEAD] * n_hmpps
    roles += [Role.REGIONAL_LEAD] * (total - len(roles))
    weights = [max(1, region.pdu_count) for region in regions]
    first_regional = n_inspectorate + n_hmpps + 1
    for user_id, role in enumerate(roles, start=1):
        region = _region_for(role, user_id - first_regional, rng, regions, weights)
        people.rows.append(_user_row(rng, user_id, role, region, now))
        _file(people, user_id, role, region)
    insert_rows(User, USER_FIELDS, people.rows)
    return people


def _region_for(
    role: str, regional_index: int, rng: random.Random, regions: Sequence[Region], weights: list[int]
) -> Region | None:
    if role != Role.REGIONAL_LEAD:
        return None
    # Every region gets at least one lead, then the rest in proportion to its number of PDUs.
    if regional_index < len(regions):
        return regions[regional_index]
    return rng.choices(regions, weights)[0]


def _user_row(
    rng: random.Random, user_id: int, role: str, region: Region | None, now: datetime.datetime
) -> tuple[Any, ...]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    username = "bench.admin" if user_id == 1 else f"{role.replace('_', '-')}.{user_id:05d}"
    joined = now - datetime.timedelta(days=rng.randrange(30, 3650))
    last_login = now - datetime.timedelta(hours=rng.randrange(1, 2000))
    is_staff = role == Role.INSPECTORATE
    region_id = region.pk if region else None
    return (
        user_id, password_hash(), last_login, user_id == 1, username, first, last, f"{username}@example.gov.uk",
        is_staff, True, joined, role, region_id,
    )  # fmt: skip


def _file(people: People, user_id: int, role: str, region: Region | None) -> None:
    if role == Role.INSPECTORATE:
        people.inspectorate.append(user_id)
    elif role == Role.HMPPS_LEAD:
        people.hmpps.append(user_id)
    elif region is not None:
        people.regional[region.pk].append(user_id)
