"""Recommendations with realistic final states: most old ones closed, about 10% of all overdue.

Each recommendation's final state is decided here; the timeline generator then tells the story that leads to it,
so that the last history row always matches the recommendation row.
"""

import datetime
import itertools
import random
from dataclasses import dataclass
from typing import Any

from bench.dbload import insert_rows
from bench.gen_inspections import InspectionInfo
from bench.gen_people import People
from inspections.models import InspectionType, ProbationDeliveryUnit
from recommendations.comparison_keys import comparison_key
from recommendations.models import Addressee, Judgement, Progress, Recommendation, Response, Status

OVERDUE_SHARE = 0.10
DAY = datetime.timedelta(days=1)
# Recommendations per report relative to each other, and who they are addressed to, by type of inspection.
TYPE_WEIGHT = {"thematic": 1.5, "regional": 1.2, "public_protection": 1.0, "pdu": 0.6, "youth_justice": 0.5}
ADDRESSEE_MIX: dict[str, dict[str, int]] = {
    InspectionType.PUBLIC_PROTECTION: {"region": 55, "pdu": 25, "hmpps": 15, "moj": 5},
    InspectionType.REGIONAL: {"region": 55, "pdu": 25, "hmpps": 15, "moj": 5},
    InspectionType.PDU: {"pdu": 80, "region": 10, "hmpps": 10},
    InspectionType.THEMATIC: {"hmpps": 65, "moj": 30, "other": 5},
    InspectionType.YOUTH_JUSTICE: {"other": 80, "moj": 20},
}
VERBS = ("Improve", "Review", "Strengthen", "Make sure that", "Develop", "Put in place", "Monitor")
SUBJECTS = (
    "the quality of risk of harm assessments",
    "information sharing with the police and children's services",
    "recruitment and retention of probation officers",
    "training in professional curiosity for new staff",
    "access to accredited programmes and interventions",
    "approved premises capacity and placements",
    "performance metrics and quality assurance",
    "work with victims and the victim contact scheme",
    "management of people involved in gangs and county lines",
)
REC_FIELDS = (
    "id", "inspection", "addressee", "region", "pdu", "addressee_other", "number", "text", "owner", "status",
    "target_date", "response", "response_reason", "responded_at", "progress", "judgement", "priority",
    "superseded_by", "closed_at", "created_at", "updated_at", "closure_requested_at", "comparison_key",
    "last_updated_at",
)  # fmt: skip


@dataclass(slots=True)
class Rec:
    id: int
    inspection_id: int
    published_on: datetime.date
    addressee: str
    region_id: int | None
    pdu_id: int | None
    number: int
    owner_id: int | None
    created_at: datetime.datetime
    initial_target: datetime.date
    target: datetime.date | None = None
    status: str = Status.OPEN
    response: str = Response.AWAITING
    response_reason: str = ""
    responded_at: datetime.datetime | None = None
    progress: str = Progress.NOT_STARTED
    judgement: str = ""
    priority: bool = False
    closed_at: datetime.datetime | None = None
    addressee_other: str = ""
    text: str = ""


def generate_recommendations(
    rng: random.Random,
    count: int,
    inspections: list[InspectionInfo],
    pdus: list[ProbationDeliveryUnit],
    people: People,
    as_of: datetime.date,
) -> list[Rec]:
    owners = _OwnerPicker(rng, people)
    pdus_by_region = {key: list(group) for key, group in itertools.groupby(pdus, key=lambda pdu: pdu.region_id)}
    recs: list[Rec] = []
    for inspection, size in zip(inspections, _sizes(rng, count, inspections), strict=True):
        recs += _for_inspection(rng, inspection, size, len(recs) + 1, pdus_by_region, owners)
    overdue = _pick_overdue(rng, recs, as_of)
    for rec in recs:
        _decide_fate(rng, rec, rec.id in overdue, as_of)
    insert_rows(Recommendation, REC_FIELDS, (_row(rec, as_of) for rec in recs))
    _insert_themes(rng, recs)
    return recs


def _sizes(rng: random.Random, count: int, inspections: list[InspectionInfo]) -> list[int]:
    """Split `count` over the inspections by weight, exactly (largest remainders, ties broken by the seed)."""
    weights = [TYPE_WEIGHT[inspection.type] * rng.uniform(0.7, 1.3) for inspection in inspections]
    total = sum(weights)
    shares = [count * weight / total for weight in weights]
    sizes = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - sizes[i], reverse=True)
    for index in by_remainder[: count - sum(sizes)]:
        sizes[index] += 1
    return sizes


class _OwnerPicker:
    """Owners of the right role; within a region a few leads own much more than the rest (a realistic skew)."""

    def __init__(self, rng: random.Random, people: People) -> None:
        self.rng, self.people = rng, people
        self.cum = {
            region_id: list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(leads))))
            for region_id, leads in people.regional.items()
        }

    def pick(self, addressee: str, region_id: int | None) -> int | None:
        if (
            addressee in (Addressee.REGION, Addressee.PDU)
            and region_id is not None
            and self.people.regional.get(region_id)
        ):
            return self.rng.choices(self.people.regional[region_id], cum_weights=self.cum[region_id])[0]
        if addressee in (Addressee.HMPPS, Addressee.MOJ):
            return self.rng.choice(self.people.hmpps)
        return self.rng.choice(self.people.inspectorate)


def _for_inspection(
    rng: random.Random,
    inspection: InspectionInfo,
    size: int,
    first_id: int,
    pdus_by_region: dict[int, list[ProbationDeliveryUnit]],
    owners: _OwnerPicker,
) -> list[Rec]:
    mix = ADDRESSEE_MIX[inspection.type]
    addressees = sorted(rng.choices(list(mix), list(mix.values()), k=size), key=list(Addressee.values).index)
    numbers: dict[str, int] = {}
    recs: list[Rec] = []
    for rec_id, addressee in enumerate(addressees, start=first_id):
        numbers[addressee] = numbers.get(addressee, 0) + 1
        pdu_id = _pdu_for(rng, addressee, inspection, pdus_by_region)
        created = datetime.datetime.combine(inspection.published_on, datetime.time(10), tzinfo=datetime.UTC)
        created += datetime.timedelta(minutes=rng.randrange(0, 3 * 24 * 60))
        initial = inspection.published_on + DAY * rng.randrange(180, 540)
        owner = owners.pick(addressee, inspection.region_id) if rng.random() > 0.03 else None
        rec = Rec(rec_id, inspection.id, inspection.published_on, addressee, inspection.region_id, pdu_id,
                  numbers[addressee], owner, created, initial)  # fmt: skip
        rec.priority = rng.random() < 0.1
        rec.text = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)}, and report on progress to the Inspectorate."
        rec.addressee_other = "Youth Justice Partnership Board" if addressee == Addressee.OTHER else ""
        recs.append(rec)
    return recs


def _pdu_for(
    rng: random.Random,
    addressee: str,
    inspection: InspectionInfo,
    pdus_by_region: dict[int, list[ProbationDeliveryUnit]],
) -> int | None:
    if addressee != Addressee.PDU:
        return None
    if inspection.pdu_id is not None:
        return inspection.pdu_id
    assert inspection.region_id is not None, "only a regional or PDU inspection addresses a PDU"
    return rng.choice(pdus_by_region[inspection.region_id]).pk


def _age_weight(age_days: int) -> float:
    return 1.0 if age_days < 365 else (1.6 if age_days < 3 * 365 else 0.35)


def _pick_overdue(rng: random.Random, recs: list[Rec], as_of: datetime.date) -> set[int]:
    """Exactly OVERDUE_SHARE of all, weighted to the middle-aged (weighted sampling without replacement)."""
    keyed = [
        (rng.random() ** (1 / _age_weight((as_of - rec.published_on).days)), rec.id)
        for rec in recs
        if (as_of - rec.published_on).days > 45
    ]
    keyed.sort(reverse=True)
    return {rec_id for _, rec_id in keyed[: round(len(recs) * OVERDUE_SHARE)]}


def _decide_fate(rng: random.Random, rec: Rec, overdue: bool, as_of: datetime.date) -> None:
    age = (as_of - rec.published_on).days
    if overdue:
        _make_active(rng, rec, _past_target(rng, rec, as_of))
    elif rng.random() < (0.8 if age < 365 else (0.3 if age < 3 * 365 else 0.02)):
        future = as_of + DAY * rng.randrange(1, 365)
        _make_active(rng, rec, rec.initial_target if rec.initial_target > as_of else future)
    else:
        _make_closed(rng, rec, as_of)
    _respond(rng, rec, as_of)


def _past_target(rng: random.Random, rec: Rec, as_of: datetime.date) -> datetime.date:
    if rec.initial_target < as_of:
        moved = min(rec.initial_target + DAY * rng.randrange(1, 60), as_of - DAY)
        return rec.initial_target if rng.random() < 0.7 else moved
    earliest = rec.published_on + DAY * 30
    rec.initial_target = earliest + DAY * rng.randrange(0, max(1, (as_of - earliest).days))
    return rec.initial_target if rng.random() < 0.7 else as_of - DAY * rng.randrange(1, 15)


def _make_active(rng: random.Random, rec: Rec, target: datetime.date) -> None:
    rec.target = target
    rec.status = Status.AWAITING_CLOSURE if rng.random() < 0.2 else Status.OPEN
    rec.progress = rng.choice((Progress.NOT_STARTED, Progress.IN_PROGRESS, Progress.IN_PROGRESS))
    if rec.status == Status.AWAITING_CLOSURE:
        rec.progress = Progress.COMPLETED
    rec.judgement = rng.choice(("", "", Judgement.INSUFFICIENT, Judgement.REASONABLE))


def _make_closed(rng: random.Random, rec: Rec, as_of: datetime.date) -> None:
    rec.status = rng.choices(
        (Status.CLOSED_IMPLEMENTED, Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED), (75, 15, 10)
    )[0]
    rec.target = rec.initial_target if rng.random() < 0.8 else rec.initial_target + DAY * rng.randrange(30, 180)
    span = max(1, (as_of - rec.created_at.date()).days - 1)
    rec.closed_at = rec.created_at + DAY * rng.randrange(min(60, span), span + 1) + datetime.timedelta(hours=3)
    implemented = rec.status == Status.CLOSED_IMPLEMENTED
    rec.progress = Progress.COMPLETED if implemented else Progress.IN_PROGRESS
    rec.judgement = Judgement.GOOD if implemented else rng.choice((Judgement.NO_MEANINGFUL, Judgement.INSUFFICIENT))


def _respond(rng: random.Random, rec: Rec, as_of: datetime.date) -> None:
    if (as_of - rec.published_on).days < 60 and rec.status != Status.CLOSED_IMPLEMENTED and rng.random() < 0.5:
        return  # still awaiting the addressee's response
    rec.response = rng.choices((Response.AGREED, Response.PARTLY_AGREED, Response.NOT_AGREED), (85, 10, 5))[0]
    if rec.response != Response.AGREED:
        rec.response_reason = "Resources are committed elsewhere until the next spending review."
    rec.responded_at = rec.created_at + DAY * rng.randrange(1, 45)
    rec.responded_at = min(rec.responded_at, rec.closed_at or rec.responded_at)


def _row(rec: Rec, as_of: datetime.date) -> tuple[Any, ...]:
    updated = rec.closed_at or datetime.datetime.combine(as_of, datetime.time(8), tzinfo=datetime.UTC)
    return (
        rec.id, rec.inspection_id, rec.addressee, rec.region_id, rec.pdu_id, rec.addressee_other, rec.number,
        rec.text, rec.owner_id, rec.status, rec.target, rec.response, rec.response_reason, rec.responded_at,
        rec.progress, rec.judgement, rec.priority, None, rec.closed_at, rec.created_at, updated,
        _closure_asked(rec, updated), comparison_key(rec.text),
        rec.created_at,  # last_updated_at: from the timeline once made (generator.py)
    )  # fmt: skip


def _closure_asked(rec: Rec, updated: datetime.datetime) -> datetime.datetime | None:
    """Closure asked for up to two months before the last change, so that the queue has an order to keep."""
    return updated - DAY * (rec.id % 60) if rec.status == Status.AWAITING_CLOSURE else None


def _insert_themes(rng: random.Random, recs: list[Rec]) -> None:
    from recommendations.models import Theme

    theme_ids = list(Theme.objects.order_by("name").values_list("pk", flat=True))
    through = Recommendation.themes.through
    rows = ((rec.id, theme_id) for rec in recs for theme_id in rng.sample(theme_ids, rng.choice((1, 1, 2))))
    numbered = ((number, rec_id, theme_id) for number, (rec_id, theme_id) in enumerate(rows, start=1))
    insert_rows(through, ("id", "recommendation", "theme"), numbered)
