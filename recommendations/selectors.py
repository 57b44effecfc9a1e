"""Reads that deserve a name."""

import datetime
from dataclasses import dataclass
from typing import Any

from recommendations.models import Recommendation

# Fields whose changes are shown in a recommendation's history, with how to label them.
TRACKED_FIELDS: dict[str, str] = {
    "status": "Status",
    "owner_id": "Owner",
    "target_date": "Target date",
    "response": "Response",
    "progress": "Progress",
    "judgement": "Judgement",
    "priority": "Priority",
    "superseded_by_id": "Superseded by",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """One saved change of a recommendation: who, when, why, and each field from → to."""

    at: datetime.datetime
    by: Any
    reason: str
    created: bool
    fields: tuple[FieldChange, ...]


def recommendation_changes(recommendation: Recommendation) -> list[Change]:
    """The recommendation's history, oldest first, in one query whatever its length."""
    records = list(
        recommendation.history.select_related("history_user", "owner").order_by("history_date", "history_id")
    )
    changes, previous = [], None
    for record in records:
        fields = tuple(_field_changes(previous, record)) if previous is not None else ()
        if previous is None or fields:
            changes.append(
                Change(
                    at=record.history_date,
                    by=record.history_user,
                    reason=record.history_change_reason or "",
                    created=previous is None,
                    fields=fields,
                )
            )
        previous = record
    return changes


def _field_changes(previous: Any, record: Any) -> list[FieldChange]:
    found = []
    for field, label in TRACKED_FIELDS.items():
        old, new = getattr(previous, field), getattr(record, field)
        if old != new:
            found.append(FieldChange(field, label, _display(previous, field), _display(record, field)))
    return found


def _display(record: Any, field: str) -> Any:
    if field == "owner_id":
        return record.owner if record.owner_id else None
    if field in ("status", "response", "progress", "judgement"):
        return getattr(record, f"get_{field}_display")()
    return getattr(record, field)
