"""The benchmark data generator (bench/), at a tiny scale: deterministic from its seed, exact counts, ~10% overdue."""

import dataclasses
import datetime
from typing import Any

import pytest

from accounts.models import User
from bench import dbload
from bench.generator import GenConfig, GeneratorRefused, generate
from inspections.models import Inspection
from recommendations.models import FollowUpActivity, ProgressUpdate, Recommendation

TINY = GenConfig(
    seed=7,
    recommendations=200,
    timeline=2_000,
    users=40,
    inspections=20,
    long_timelines=2,
    long_length=60,
    as_of=datetime.date(2026, 6, 1),
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the generator fills, in id order."""
    return {
        model._meta.db_table: list(model._default_manager.order_by("pk").values_list())
        for model in dbload.tracker_models()
    }


def timeline_count() -> int:
    history: int = Recommendation.history.model.objects.count()  # simple_history's model: Any to mypy
    return history + ProgressUpdate.objects.count() + FollowUpActivity.objects.count()


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # TRUNCATE cannot run inside the test transaction on PostgreSQL
def test_same_seed_gives_identical_rows_and_another_seed_different_ones() -> None:
    generate(TINY, reset=True)
    first = snapshot()
    generate(TINY, reset=True)
    assert snapshot() == first
    generate(dataclasses.replace(TINY, seed=8), reset=True)
    assert snapshot() != first


@pytest.mark.django_db
def test_creates_the_requested_counts_with_a_tenth_overdue() -> None:
    summary = generate(TINY, reset=True)
    assert Recommendation.objects.count() == 200
    assert timeline_count() == summary.counts["timeline entries"] == 2_000
    assert User.objects.count() == 40
    assert Inspection.objects.count() == 20
    assert Recommendation.objects.overdue(today=TINY.as_of).count() == 20
    long_one = summary.long_timeline_ids[0]
    assert Recommendation.history.model.objects.filter(id=long_one).count() > 20


@pytest.mark.django_db
def test_the_last_history_row_is_the_current_state() -> None:
    generate(TINY, reset=True)
    fields = ("status", "target_date", "owner_id", "response", "progress", "judgement", "closed_at")
    for recommendation in Recommendation.objects.all():
        latest = recommendation.history.order_by("-history_date", "-history_id").first()
        assert [getattr(latest, name) for name in fields] == [getattr(recommendation, name) for name in fields]


@pytest.mark.django_db
def test_refuses_a_database_with_data_unless_reset() -> None:
    generate(TINY, reset=True)
    with pytest.raises(GeneratorRefused):
        generate(TINY)
