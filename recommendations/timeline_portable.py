"""The timeline's sources read through the ORM, for databases other than PostgreSQL (SQLite, the development default).

timeline.SOURCE_SQL reads them in one PostgreSQL query (arrays, casts, GREATEST); this gives the same rows, in the
same shape and order, with a few plain queries. Speed does not matter here: production runs on PostgreSQL.
"""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from recommendations.models import ActionPlanItem, FollowUpActivity, ProgressUpdate, TargetDateChangeRequest
from recommendations.timeline import ACTION, DATE_REQUEST, FOLLOW_UP, PERSON, PROGRESS, REMINDER


def source_rows(recommendation_id: int, limit: int | None, people: Iterable[int] = ()) -> list[tuple[Any, ...]]:
    """(source, position, entries of the whole source, id, moment, moment2, day, day2, code, text1, text2, text3,
    person, person2) for each source's newest `limit` rows (all if None), then the people asked for."""
    sources = [
        (PROGRESS, _progress(recommendation_id), 1),
        (FOLLOW_UP, _follow_ups(recommendation_id), 1),
        (DATE_REQUEST, _date_requests(recommendation_id), 2),
        (ACTION, _actions(recommendation_id), 2),
    ]
    if apps.is_installed("reminders"):
        sources.append((REMINDER, _reminders(recommendation_id), 1))
    rows: list[tuple[Any, ...]] = []
    for source, found, _ in sources:
        entries = sum(1 + (second is not None and source in (DATE_REQUEST, ACTION)) for *_, second in found)
        shown = found if limit is None or source == ACTION else found[:limit]
        rows.extend((source, position, entries, *values) for position, (*values, _) in enumerate(shown, 1))
    asked = set(people)
    names = _names(asked | {value for row in rows for value in row[-2:]})
    named = [(*row[:-2], names.get(row[-2]), names.get(row[-1])) for row in rows]
    return named + [(PERSON, 0, 0, pk, *[None] * 8, names[pk], None) for pk in sorted(asked) if pk in names]


def _progress(recommendation_id: int) -> list[tuple[Any, ...]]:
    found = ProgressUpdate.objects.filter(recommendation_id=recommendation_id).order_by("-created_at", "-id")
    columns = ("id", "created_at", "progress", "text", "evidence_url", "evidence_file", "author_id")
    return [
        (pk, at, None, None, None, progress, text, url, file, author, None, None)
        for pk, at, progress, text, url, file, author in found.values_list(*columns)
    ]


def _follow_ups(recommendation_id: int) -> list[tuple[Any, ...]]:
    found = FollowUpActivity.objects.filter(recommendation_id=recommendation_id).order_by("-activity_date", "-id")
    columns = ("id", "activity_date", "kind", "notes", "outcome", "conducted_by_id")
    return [
        (pk, None, None, day, None, kind, notes, outcome, None, person, None, None)
        for pk, day, kind, notes, outcome, person in found.values_list(*columns)
    ]


def _date_requests(recommendation_id: int) -> list[tuple[Any, ...]]:
    found = TargetDateChangeRequest.objects.filter(recommendation_id=recommendation_id)
    columns = ("id", "created_at", "decided_at", "proposed_date", "status", "reason", "decision_note")
    rows = [
        (pk, at, decided, proposed, None, status, reason, note, None, asked, decider, decided)
        for pk, at, decided, proposed, status, reason, note, asked, decider in found.values_list(
            *columns, "requested_by_id", "decided_by_id"
        )
    ]
    return sorted(rows, key=lambda row: (max(row[1], row[2] or row[1]), row[0]), reverse=True)


def _actions(recommendation_id: int) -> list[tuple[Any, ...]]:
    found = ActionPlanItem.objects.filter(recommendation_id=recommendation_id).order_by("position", "id")
    columns = ("id", "created_at", "target_date", "completed_on", "description", "responsible", "created_by_id")
    return [
        (pk, at, None, target, done, None, description, responsible, None, person, None, done)
        for pk, at, target, done, description, responsible, person in found.values_list(*columns)
    ]


def _reminders(recommendation_id: int) -> list[tuple[Any, ...]]:
    item = apps.get_model("reminders", "DigestItem")
    found = item.objects.filter(recommendation_id=recommendation_id, digest__status="sent").order_by(
        "-digest__sent_at", "-digest_id", "kind"
    )
    columns = ("digest_id", "digest__sent_at", "kind", "digest__email", "digest__recipient_id")
    return [
        (pk, at, None, None, None, kind, None, email, None, person, None, None)
        for pk, at, kind, email, person in found.values_list(*columns)
    ]


def _names(ids: Iterable[Any]) -> dict[int, list[str]]:
    """Name parts by id, in one query whoever is asked for (none too): the page's query count stays the same."""
    wanted = [pk for pk in ids if pk is not None] or [0]  # no user has id 0
    rows = get_user_model().objects.filter(pk__in=wanted).values_list("pk", "first_name", "last_name", "username")
    return {pk: [first, last, username] for pk, first, last, username in rows}
