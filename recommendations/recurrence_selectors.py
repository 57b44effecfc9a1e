"""Reads about confirmed repeats: on a recommendation's page, and the national picture of recurring recommendations.

Both see only links whose two recommendations the person may see (RecurrenceLinkQuerySet.seen_by, which asks
permissions.visible_recommendations): a lead sees the repeats within their own scope.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from recommendations.models import Recommendation, RecurrenceLink
from recommendations.recurrence import made_where_and_when, where_when_and_how

# Related rows every repeat shows (its reference, place and year); not the reports' long texts.
_SHOWN = ("earlier__inspection__region", "later__inspection__region")
_UNSHOWN = [
    f"{side}__inspection__{name}" for side in ("earlier", "later") for name in ("source_text", "summary")
]  # fmt: skip


@dataclass(frozen=True)
class Recurrence:
    """Another recommendation confirmed to be the same one, made before or again."""

    recommendation: Recommendation
    made_before: bool
    score: int

    @property
    def description(self) -> str:
        """'Made before: N57-PP-2025/H2, Kent, Surrey and Sussex, 2025, closed: not implemented'."""
        return f"Made {'before' if self.made_before else 'again'}: {made_where_and_when(self.recommendation)}"

    @property
    def where_when_and_how(self) -> str:
        """'Kent, Surrey and Sussex, 2025, closed: not implemented'."""
        return where_when_and_how(self.recommendation)


def recurrences_of(recommendation: Recommendation, user: Any) -> list[Recurrence]:
    """The confirmed repeats of `recommendation` that `user` may see, in order of publication.

    Most recommendations have none, so the page asks first for the links alone (one small query) and reads the
    other recommendations, with their report and region, only when there are some (one more)."""
    links = list(
        RecurrenceLink.objects.confirmed()
        .seen_by(user)
        .filter(Q(earlier=recommendation) | Q(later=recommendation))
        .values_list("earlier_id", "later_id", "score")
    )
    if not links:
        return []
    # The other recommendation of each link, and whether it came first (the link's earlier one).
    others = {
        (earlier if later == recommendation.pk else later): (later == recommendation.pk, score)
        for earlier, later, score in links
    }
    unshown = ("inspection__source_text", "inspection__summary")
    shown = Recommendation.objects.select_related("inspection__region").defer(*unshown).in_bulk(list(others))
    found = [Recurrence(shown[pk], before, score) for pk, (before, score) in others.items() if pk in shown]
    return sorted(found, key=lambda one: _made_on(one.recommendation))


@dataclass(frozen=True)
class RecurringGroup:
    """One recommendation made again and again: its confirmed repeats joined, in order of publication."""

    members: tuple[Recommendation, ...]

    @property
    def times(self) -> int:
        return len(self.members)

    @property
    def latest(self) -> Recommendation:
        return self.members[-1]

    @property
    def places(self) -> list[str]:
        """Where it was made, each place once: a region, or 'National' for work with no region."""
        return list(dict.fromkeys(_place(member) for member in self.members))

    @property
    def years(self) -> str:
        """'2023 to 2025', or one year."""
        years = sorted({made.year for member in self.members if (made := member.inspection.published_on)})
        if not years:
            return "Not dated"
        return str(years[0]) if years[0] == years[-1] else f"{years[0]} to {years[-1]}"


def recurring_groups(user: Any) -> list[RecurringGroup]:
    """Every group of recommendations joined by confirmed repeats that `user` may see, the most repeated first.
    One query: the links with both recommendations, grouped here."""
    links = RecurrenceLink.objects.confirmed().seen_by(user).select_related(*_SHOWN).defer(*_UNSHOWN)
    rows: dict[int, Recommendation] = {}
    parent: dict[int, int] = {}
    for link in links:
        rows[link.earlier_id], rows[link.later_id] = link.earlier, link.later
        parent[_root(parent, link.earlier_id)] = _root(parent, link.later_id)
    members: dict[int, list[Recommendation]] = {}
    for pk, row in rows.items():
        members.setdefault(_root(parent, pk), []).append(row)
    groups = [RecurringGroup(tuple(sorted(found, key=_made_on))) for found in members.values()]
    return sorted(groups, key=lambda group: (-group.times, -_made_on(group.latest)[0].toordinal()))


def _root(parent: dict[int, int], pk: int) -> int:
    """The group `pk` belongs to (union-find): follow the links to the one that stands for them all."""
    parent.setdefault(pk, pk)
    while parent[pk] != pk:
        parent[pk] = parent[parent[pk]]  # halve the path: later look-ups take fewer steps
        pk = parent[pk]
    return pk


def _made_on(recommendation: Recommendation) -> tuple[datetime.date, int]:
    return recommendation.inspection.published_on or datetime.date.min, recommendation.pk


def _place(recommendation: Recommendation) -> str:
    region = recommendation.inspection.region
    return region.name if region else "National"
