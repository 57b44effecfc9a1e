"""Many recommendations at once (bulk_create, no history rows) for the query-count and export-size tests."""

import datetime
import itertools

from django.utils import timezone

from inspections.models import Inspection, InspectionType
from recommendations.models import Addressee, Recommendation, Status

from .conftest import World

PER_INSPECTION = 50
_batch = itertools.count(1)


def bulk_recommendations(world: World, count: int, first_number: int = 1) -> list[Recommendation]:
    """`count` recommendations cycling through regions A and B and HMPPS, open/awaiting/closed, owners (nobody,
    lead A, staff, the HMPPS lead) and target dates (overdue, within 30 days, later, none)."""
    batch = next(_batch)
    today = timezone.localdate()
    dates = (
        today - datetime.timedelta(days=40),
        today + datetime.timedelta(days=10),
        today + datetime.timedelta(days=90),
        None,
    )
    statuses = (Status.OPEN, Status.OPEN, Status.AWAITING_CLOSURE, Status.CLOSED_IMPLEMENTED)
    owners = (None, world.lead_a, world.staff, world.hmpps)
    kinds = (
        (world.inspection_a.region, Addressee.REGION),
        (world.inspection_b.region, Addressee.REGION),
        (None, Addressee.HMPPS),
        (world.inspection_a.region, Addressee.REGION),
    )
    inspections = _inspections(world, batch, count)
    rows = []
    for index in range(count):
        region, addressee = kinds[index % 4]
        status = statuses[(index // 4) % 4]
        inspection = inspections[index // PER_INSPECTION]
        rows.append(
            Recommendation(
                inspection=inspection,
                addressee=addressee,
                region=region,
                number=first_number + index,
                text=f"Bulk recommendation {batch}-{index}: improve the quality of work",
                owner=owners[(index // 2) % 4] if addressee != Addressee.HMPPS else (None, world.hmpps)[index % 2],
                status=status,
                closed_at=timezone.now() if status == Status.CLOSED_IMPLEMENTED else None,
                target_date=dates[(index // 3) % 4],
                priority=index % 5 == 0,
            )
        )
    return Recommendation.objects.bulk_create(rows, batch_size=500)


def _inspections(world: World, batch: int, count: int) -> list[Inspection]:
    """Inspections to hang the rows on (their region does not matter: each row carries its own)."""
    needed = count // PER_INSPECTION + 1
    return Inspection.objects.bulk_create(
        Inspection(
            reference=f"BULK-{batch}-{number}",
            type=InspectionType.THEMATIC,
            title=f"Bulk thematic inspection {batch}-{number}",
            published_on=datetime.date(2025, 1, 1),
        )
        for number in range(needed)
    )
