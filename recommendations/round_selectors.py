"""Update rounds: the reads (who owes what in a round, how many have returned, the rounds an owner is asked for).

Each is one query whatever the number of items, scoped by permissions.visible_recommendations where a person's own
items are read.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from recommendations import permissions
from recommendations.addressees import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES
from recommendations.models import (
    Notification,
    Recommendation,
    RoundReturn,
    RoundScope,
    UpdateRound,
)

NO_REGION = "National and other addressees"


def owner_items(update_round: UpdateRound, user: User) -> list[Recommendation]:
    """`user`'s own open recommendations in the round, oldest report first, each with its latest update and when it
    was returned in this round (returned_at, return_late; NULL if not yet)."""
    returned = RoundReturn.objects.filter(update_round=update_round, recommendation=OuterRef("pk"))
    items = update_round.items().filter(owner=user).with_latest_progress_update()
    items = permissions.visible_recommendations(user, items)
    items = items.select_related("inspection").only(
        *("inspection__reference", "addressee", "number", "text", "progress", "target_date", "status", "owner"),
        "region",  # the services' scoping check reads it (permissions.answered_by)
    )
    annotated = items.annotate(
        returned_at=Subquery(returned.values("returned_at")[:1]),
        return_late=Subquery(returned.values("late")[:1]),
    )
    return list(annotated.order_by("target_date", "inspection__reference", "addressee", "number"))


def was_told(update_round: UpdateRound, user: User) -> bool:
    """Whether `user` was told of the round (its link is theirs), though they own nothing in it now."""
    return Notification.objects.filter(update_round=update_round, recipient=user).exists()


def rounds_list() -> QuerySet[UpdateRound]:
    """Every round, newest first, with how many items have been returned in it."""
    return UpdateRound.objects.select_related("opened_by").annotate(returned=Count("returns"))


@dataclass(frozen=True)
class RegionProgress:
    """How a round stands in one region (or for the national items): owners and items, returned or not."""

    region: str
    owners: int
    owners_waiting: int
    items: int
    items_returned: int
    late: int

    @property
    def owners_returned(self) -> int:
        return self.owners - self.owners_waiting


def round_progress(update_round: UpdateRound) -> tuple[list[RegionProgress], RegionProgress]:
    """Per region, and in all: owners who have returned all their items, and items returned (late ones too). An
    owner with items in two regions counts in each."""
    returns = RoundReturn.objects.filter(update_round=update_round, recommendation=OuterRef("pk"))
    items = update_round.items().annotate(returned=Exists(returns), late_return=Exists(returns.filter(late=True)))
    counts: dict[str, Any] = {
        "owners": Count("owner", distinct=True),
        "owners_waiting": Count("owner", distinct=True, filter=Q(returned=False)),
        "items": Count("pk"),
        "items_returned": Count("pk", filter=Q(returned=True)),
        "late": Count("pk", filter=Q(late_return=True)),
    }
    rows = items.values("region__name").annotate(**counts).order_by("region__name")
    regions = [RegionProgress(region=row.pop("region__name") or NO_REGION, **row) for row in rows]
    total = RegionProgress(region="All", **items.aggregate(**counts))
    return regions, total


def open_rounds_for(user: User) -> list[UpdateRound]:
    """The open rounds that ask `user` about recommendations they own now (My actions' banner), soonest due first."""
    owned = Recommendation.objects.active().filter(owner=user)
    regions = UpdateRound.regions.through.objects.filter(
        updateround_id=OuterRef("pk"),
        region_id__in=owned.filter(addressee__in=REGIONAL_ADDRESSEES).values("region_id"),
    )
    asks = (
        Q(scope=RoundScope.ALL, has_any=True)
        | Q(scope=RoundScope.NATIONAL, has_national=True)
        | Q(scope=RoundScope.REGIONS, has_region=True)
    )
    rounds = UpdateRound.objects.open().alias(
        has_any=Exists(owned),
        has_national=Exists(owned.filter(addressee__in=NATIONAL_ADDRESSEES)),
        has_region=Exists(regions),
    )
    return list(rounds.filter(asks).order_by("due_date", "pk").only("name", "due_date"))
