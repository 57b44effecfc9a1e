"""Recount each recommendation's original target date and its moves from its history: what
Recommendation.note_target_date_change keeps from the day the columns were added. Run once by the migration that
added them, and by the bench generator, which writes history rows directly."""

from collections import defaultdict
from datetime import date
from itertools import groupby
from typing import Any

from django.db.models import F

BATCH = 1000  # ids an UPDATE names


def recount(recommendation_model: Any, history_model: Any) -> int:
    """Walk every history row in order, once; the models are passed in so that a migration can pass its own.
    Most recommendations kept their first date: one UPDATE gives those theirs; the others are written with one
    UPDATE per (original date, moves) they share. Returns how many were not given their current date."""
    recommendation_model.objects.filter(target_date__isnull=False).update(
        original_target_date=F("target_date"), target_date_moves=0
    )
    current = dict(recommendation_model.objects.filter(target_date__isnull=False).values_list("pk", "target_date"))
    rows = (
        history_model.objects.order_by("id", "history_date", "history_id")
        .values_list("id", "target_date")
        .iterator(chunk_size=BATCH * 20)
    )
    changed: dict[tuple[date, int], list[int]] = defaultdict(list)
    for recommendation_id, dates in groupby(rows, key=lambda row: row[0]):
        original, moves = first_and_moves(target_date for _, target_date in dates)
        if original is not None and (moves or current.get(recommendation_id) != original):
            changed[original, moves].append(recommendation_id)
    for (original, moves), ids in changed.items():
        for start in range(0, len(ids), BATCH):
            recommendation_model.objects.filter(pk__in=ids[start : start + BATCH]).update(
                original_target_date=original, target_date_moves=moves
            )
    return sum(len(ids) for ids in changed.values())


def first_and_moves(dates: Any) -> tuple[date | None, int]:
    """The first date set, and how many times a different one was set after it (as note_target_date_change counts)."""
    original: date | None = None
    moves = 0
    previous: date | None = None
    for target_date in dates:
        if target_date is not None and target_date != previous:
            if original is None:
                original = target_date
            else:
                moves += 1
        previous = target_date
    return original, moves
