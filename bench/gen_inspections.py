"""Ten years of inspections of every type, with the ratings, scores and contextual facts of each report.

Each region has a public protection inspection and a regional inspection every two years (in alternate years),
about a fifth of PDUs are inspected each year, and there are thematic and youth justice inspections every year.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.dbload import insert_rows
from inspections.models import (
    RATED_TYPES,
    ContextualFact,
    DomainRating,
    Inspection,
    InspectionType,
    ProbationDeliveryUnit,
    Rating,
    Region,
    Score,
)

THEMATICS_PER_YEAR = 6
YOUTH_JUSTICE_PER_YEAR = 12
PDU_SHARE_PER_YEAR = 0.2
QUESTIONS = (
    "Does assessment focus sufficiently on keeping other people safe?",
    "Does planning focus sufficiently on keeping other people safe?",
    "Does implementation and delivery of services effectively support the safety of other people?",
    "Is enough done to engage the person on probation?",
    "Were domestic abuse enquiries made with the police?",
    "Were safeguarding enquiries made with children's services?",
    "Does reviewing focus sufficiently on keeping other people safe?",
    "Was the risk of serious harm classification reasonable?",
)
DOMAINS = ("Leadership", "Staff", "Services", "Information and facilities", "Assessment", "Planning")
FACTS = (
    ("Caseload", "", "on 30 June"),
    ("Probation officers in post", "PO", "on 31 March"),
    ("Probation services officers in post", "PSO", "on 31 March"),
    ("Vacancy rate", "", "on 31 March"),
    ("Staff sickness absence (days per person)", "", "in the year"),
    ("Cases with a completed risk assessment", "", "in the quarter"),
)
INSPECTION_FIELDS = (
    "id", "reference", "type", "title", "region", "pdu", "fieldwork_started_on", "fieldwork_ended_on",
    "published_on", "cases_inspected", "overall_rating", "lead_inspector", "summary", "follow_up_promise",
    "source_url", "source_text", "source_digest", "created_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class Planned:
    type: str
    years_ago: int
    region: Region | None = None
    pdu: ProbationDeliveryUnit | None = None


@dataclass(frozen=True)
class InspectionInfo:
    id: int
    type: str
    region_id: int | None
    pdu_id: int | None
    published_on: datetime.date


def generate_inspections(
    rng: random.Random, count: int, regions: Sequence[Region], pdus: list[ProbationDeliveryUnit], as_of: datetime.date
) -> list[InspectionInfo]:
    planned = _schedule(rng, regions, pdus, years=10)
    if count < len(planned):
        planned = [planned[i] for i in sorted(rng.sample(range(len(planned)), count))]
    rows, infos = [], []
    for inspection_id, plan in enumerate(planned, start=1):
        row = _inspection_row(rng, inspection_id, plan, as_of)
        rows.append(row)
        infos.append(InspectionInfo(inspection_id, plan.type, row[4], row[5], row[8]))
    insert_rows(Inspection, INSPECTION_FIELDS, rows)
    _insert_findings(rng, infos)
    return infos


def _schedule(
    rng: random.Random, regions: Sequence[Region], pdus: list[ProbationDeliveryUnit], years: int
) -> list[Planned]:
    planned = []
    for ago in range(years - 1, -1, -1):
        for index, region in enumerate(regions):
            kind = InspectionType.PUBLIC_PROTECTION if (ago + index) % 2 else InspectionType.REGIONAL
            planned.append(Planned(kind, ago, region))
        sample = rng.sample(pdus, round(len(pdus) * PDU_SHARE_PER_YEAR))
        planned += [Planned(InspectionType.PDU, ago, pdu.region, pdu) for pdu in sample]
        planned += [Planned(InspectionType.THEMATIC, ago) for _ in range(THEMATICS_PER_YEAR)]
        youth = range(YOUTH_JUSTICE_PER_YEAR)
        planned += [Planned(InspectionType.YOUTH_JUSTICE, ago, rng.choice(regions)) for _ in youth]
    return planned


def _inspection_row(rng: random.Random, inspection_id: int, plan: Planned, as_of: datetime.date) -> tuple[Any, ...]:
    published = as_of - datetime.timedelta(days=plan.years_ago * 365 + rng.randrange(3, 365))
    fieldwork_end = published - datetime.timedelta(days=rng.randrange(60, 120))
    fieldwork_start = fieldwork_end - datetime.timedelta(days=rng.randrange(5, 20))
    created = datetime.datetime.combine(published, datetime.time(9, 30), tzinfo=datetime.UTC)
    where = plan.pdu.name if plan.pdu else (plan.region.name if plan.region else "England and Wales")
    label = InspectionType(plan.type).label
    rating = rng.choice(Rating.values) if plan.type in RATED_TYPES else ""
    year = published.year
    return (
        inspection_id, f"bench-{inspection_id:05d}-{plan.type.replace('_', '-')}-{year}", plan.type,
        f"{label}: {where} ({year})", plan.region.pk if plan.region else None,
        plan.pdu.pk if plan.pdu else None, fieldwork_start, fieldwork_end, published, rng.randrange(40, 200),
        rating, f"Lead inspector {inspection_id % 37}", f"Summary of {label.lower()} findings for {where}. " * 4,
        "We will follow up the recommendations within 12 months.",
        f"https://example.gov.uk/inspections/{inspection_id}", "", "", created, created,
    )  # fmt: skip


def _insert_findings(rng: random.Random, infos: list[InspectionInfo]) -> None:
    scores: list[tuple[Any, ...]] = []
    facts: list[tuple[Any, ...]] = []
    domain_ratings: list[tuple[Any, ...]] = []
    for info in infos:
        if info.type != InspectionType.THEMATIC:
            for position, question in enumerate(QUESTIONS, start=1):
                percentage = Decimal(rng.randrange(2000, 9800)) / 100
                scores.append((len(scores) + 1, info.id, position, question, percentage))
        for position, (label, category, period) in enumerate(FACTS, start=1):
            value, when = f"{rng.randrange(10, 16000):,}", f"{period} {info.published_on.year}"
            facts.append((len(facts) + 1, info.id, position, label, category, value, when))
        if info.type in RATED_TYPES:
            for position, domain in enumerate(DOMAINS, start=1):
                domain_ratings.append((len(domain_ratings) + 1, info.id, position, domain, rng.choice(Rating.values)))
    insert_rows(Score, ("id", "inspection", "position", "question", "percentage_yes"), scores)
    insert_rows(ContextualFact, ("id", "inspection", "position", "label", "category", "value", "period"), facts)
    insert_rows(DomainRating, ("id", "inspection", "position", "domain", "rating"), domain_ratings)
