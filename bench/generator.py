"""The national-size data set, deterministic from a seed: same seed and `as_of` date, same rows (ids included)."""

import datetime
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Count

from bench import dbload
from bench.gen_inspections import generate_inspections
from bench.gen_people import generate_people
from bench.gen_recommendations import generate_recommendations
from bench.gen_timeline import generate_timelines
from inspections.models import ProbationDeliveryUnit, Region
from recommendations import target_date_moves
from recommendations.last_updated import fill_last_updated
from recommendations.models import Recommendation

FULL = {"recommendations": 100_000, "timeline": 1_000_000, "users": 2_000, "inspections": 500}
# Above this many recommendations, SQLite is refused: the benchmark means nothing there.
SQLITE_LIMIT = 5_000


@dataclass(frozen=True)
class GenConfig:
    seed: int = 1
    recommendations: int = FULL["recommendations"]
    timeline: int = FULL["timeline"]
    users: int = FULL["users"]
    inspections: int = FULL["inspections"]
    long_timelines: int = 5
    long_length: int = 500
    as_of: datetime.date = field(default_factory=datetime.date.today)

    @classmethod
    def scaled(cls, scale: float, as_of: datetime.date | None = None, **sizes: int | None) -> "GenConfig":
        """FULL scaled, then any of its `sizes` given (None: scaled)."""
        scaled = {name: max(1, round(value * scale)) for name, value in FULL.items()}
        scaled["users"] = max(scaled["users"], 30)  # every role and every region needs someone
        scaled["inspections"] = max(scaled["inspections"], 20)
        chosen = {**scaled, **{name: value for name, value in sizes.items() if value is not None}}
        return cls(
            recommendations=chosen["recommendations"],
            timeline=chosen["timeline"],
            users=chosen["users"],
            inspections=chosen["inspections"],
            long_length=min(500, max(20, chosen["timeline"] // 100)),
            as_of=as_of or datetime.date.today(),
        )


@dataclass
class Summary:
    counts: dict[str, int]
    seconds: float
    long_timeline_ids: list[int]


class GeneratorRefused(Exception):
    """The database is not empty (without reset) or not suited to the size asked for."""


def generate(config: GenConfig, *, reset: bool = False) -> Summary:
    _check_database(config, reset)
    started = time.monotonic()
    with transaction.atomic():
        if reset:
            dbload.empty_tracker_tables()
        summary_counts, long_ids = _fill(config)
        dbload.reset_sequences(dbload.tracker_models())
    dbload.analyze(dbload.tracker_models())
    return Summary(summary_counts, time.monotonic() - started, long_ids)


def _check_database(config: GenConfig, reset: bool) -> None:
    if not dbload.is_postgresql() and config.recommendations > SQLITE_LIMIT:
        raise GeneratorRefused(f"Refusing {config.recommendations:,} recommendations on SQLite: use PostgreSQL.")
    if not reset and dbload.has_tracker_rows():
        raise GeneratorRefused("The database already has users, inspections or recommendations: use --reset.")


def _fill(config: GenConfig) -> tuple[dict[str, int], list[int]]:
    rng = random.Random(config.seed)
    now = datetime.datetime.combine(config.as_of, datetime.time(8), tzinfo=datetime.UTC)
    regions = list(Region.objects.annotate(pdu_count=Count("pdus")).order_by("code"))
    pdus = list(ProbationDeliveryUnit.objects.select_related("region").order_by("region__code", "name", "pk"))
    people = generate_people(rng, config.users, regions, now)
    _lead_regions(regions, people.inspectorate)
    inspections = generate_inspections(rng, config.inspections, regions, pdus, config.as_of)
    recs = generate_recommendations(rng, config.recommendations, inspections, pdus, people, config.as_of)
    counters = generate_timelines(
        rng, recs, people, config.timeline, config.long_timelines, config.long_length, config.as_of
    )
    # The history rows are written directly, not through the model: count each one's first date and moves from them.
    target_date_moves.recount(Recommendation, Recommendation.history.model)
    fill_last_updated(apps)  # as the migration fills it: the latest event of each timeline
    counts = {
        "users": len(people.rows),
        "inspections": len(inspections),
        "recommendations": len(recs),
        "history rows": counters.history,
        "progress updates": counters.updates,
        "follow-up activities": counters.follow_ups,
        "timeline entries": counters.timeline,
        "action plan items": counters.actions,
    }
    return counts, counters.long_ids


def _lead_regions(regions: Sequence[Region], inspectorate: list[int]) -> None:
    for index, region in enumerate(regions):
        Region.objects.filter(pk=region.pk).update(inspectorate_lead_id=inspectorate[index % len(inspectorate)])
