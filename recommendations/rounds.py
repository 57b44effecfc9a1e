"""Update rounds: the Inspectorate asks every owner in a round's scope for their progress at once (the writes).

Opening a round notifies each owner once; a return saves each item as its own progress update through
services.progress_update_record (its checks and history), one item at a time, so that what is valid is saved even
when another item is refused; chasers go at most once a day to each owner still owing returns. The emails are the
notifications' (reminders/ delivers them); nothing is sent from here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from inspections.models import Region
from recommendations import permissions, services
from recommendations.models import NotificationKind, Recommendation, RoundReturn, RoundScope, UpdateRound
from recommendations.notifications import notify
from recommendations.services import WorkflowError

ROUND_CLOSED = "This round is closed: it takes no more returns."
NOT_YOURS = "You do not own this recommendation, or it is not in this round: nothing was saved for it."


def _require_staff(by: User, what: str) -> None:
    if permissions.scope_kind(by) != permissions.EVERYTHING:
        raise PermissionDenied(f"Only Inspectorate staff {what}.")


def _require_open(update_round: UpdateRound) -> None:
    if not update_round.is_open:
        raise WorkflowError(ROUND_CLOSED)


@transaction.atomic
def update_round_open(
    *, by: User, name: str, due_date: datetime.date, scope: str, regions: Iterable[Region] = ()
) -> UpdateRound:
    """Open a round and tell every owner of an open recommendation in its scope, once each."""
    _require_staff(by, "open update rounds")
    update_round = UpdateRound(name=name.strip(), due_date=due_date, scope=scope, opened_by=by)
    update_round.full_clean()
    update_round.save()
    if scope == RoundScope.REGIONS:
        update_round.regions.set(regions)
    owed = update_round.items().values("owner_id").annotate(items=Count("pk")).order_by()
    owners = User.objects.in_bulk([row["owner_id"] for row in owed])
    for row in owed:
        _tell_opened(update_round, owners[row["owner_id"]], row["items"])
    return update_round


def _tell_opened(update_round: UpdateRound, owner: User, items: int) -> None:
    notify(
        owner,
        NotificationKind.ROUND_OPENED,
        key=f"round:{update_round.pk}:opened:{owner.pk}",
        title=f"{update_round.name}: update your recommendations by {update_round.due_date:%-d %B %Y}",
        body=f"You own {items} open recommendation{'s' if items != 1 else ''} in this round. "
        "Update them all on one page.",
        update_round=update_round,
    )


@transaction.atomic
def update_round_close(*, update_round: UpdateRound, by: User) -> None:
    """Close a round (early or not): it takes no more returns and no more chasers."""
    _require_staff(by, "close update rounds")
    # A conditional update, so that two people closing at once do not both record it.
    closed = UpdateRound.objects.filter(pk=update_round.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by
    )
    if not closed:
        raise WorkflowError("This round is already closed.")
    update_round.refresh_from_db()


@transaction.atomic
def update_round_chase(*, update_round: UpdateRound, by: User) -> int:
    """Remind each owner who still owes returns: at most once a day each (the notification's key holds the London
    date, and is unique). How many were reminded now."""
    _require_staff(by, "chase returns")
    _require_open(update_round)
    today = timezone.localdate()
    waiting = update_round.items().exclude(round_returns__update_round=update_round)
    owed = waiting.values("owner_id").annotate(items=Count("pk")).order_by()
    owners = User.objects.in_bulk([row["owner_id"] for row in owed])
    chased = 0
    for row in owed:
        owner = owners[row["owner_id"]]
        told = notify(
            owner,
            NotificationKind.ROUND_CHASER,
            key=f"round:{update_round.pk}:chaser:{owner.pk}:{today.isoformat()}",
            title=f"{update_round.name}: {row['items']} recommendation{'s' if row['items'] != 1 else ''} "
            f"still to update, due {update_round.due_date:%-d %B %Y}",
            update_round=update_round,
        )
        chased += told is not None
    return chased


@dataclass(frozen=True)
class ItemReturn:
    """What the owner said about one recommendation: the progress update service's arguments."""

    recommendation: Recommendation
    update: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    recommendation: Recommendation
    messages: list[str]


def round_return(*, update_round: UpdateRound, by: User, items: Iterable[ItemReturn]) -> tuple[int, list[Refused]]:
    """Save each item as its own progress update and return record, each in its own transaction: one refused (a
    closure decided meanwhile) does not undo the others. How many were saved, and those refused with why."""
    _require_open(update_round)
    items = list(items)
    # Checked here too, not only by the page: one query for all of them.
    owned = update_round.items().filter(owner=by, pk__in=[item.recommendation.pk for item in items])
    theirs = set(owned.order_by().values_list("pk", flat=True))
    saved, refused = 0, []
    for item in items:
        try:
            if item.recommendation.pk not in theirs:
                raise WorkflowError(NOT_YOURS)
            _return_one(update_round, by, item)
            saved += 1
        except (WorkflowError, PermissionDenied) as error:
            refused.append(Refused(item.recommendation, list(getattr(error, "messages", [str(error)]))))
    return saved, refused


@transaction.atomic
def _return_one(update_round: UpdateRound, by: User, item: ItemReturn) -> None:
    recommendation = item.recommendation
    update = services.progress_update_record(recommendation=recommendation, by=by, **item.update)
    returned = {
        "progress_update": update,
        "returned_by": by,
        "returned_at": update.created_at,
        "late": timezone.localdate() > update_round.due_date,
    }
    # Returned again in the same round: the record points at the latest update (both stay in the history).
    if not RoundReturn.objects.filter(update_round=update_round, recommendation=recommendation).update(**returned):
        RoundReturn.objects.create(update_round=update_round, recommendation=recommendation, **returned)
