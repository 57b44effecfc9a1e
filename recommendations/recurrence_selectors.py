"""Reads about confirmed repeats: on a recommendation's page, and the national picture of recurring recommendations.

Both see only links whose two recommendations the person may see (RecurrenceLinkQuerySet.seen_by, which asks
permissions.visible_recommendations): a lead sees the repeats within their own scope.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from recommendations import permissions
from recommendations.models import Recommendation, RecurrenceLink, RecurrenceLinkQuerySet, RecurrenceState
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


@dataclass(frozen=True)
class SuggestedRepeat(Recurrence):
    """A likely repeat found on import, waiting for Inspectorate staff to confirm or dismiss it (link: its pk)."""

    link: int = 0


@dataclass(frozen=True)
class SuggestedPair:
    """A likely repeat found on import, both recommendations in order of publication, waiting for a decision."""

    link: int
    earlier: Recommendation
    later: Recommendation
    score: int

    @property
    def sides(self) -> list[tuple[Recommendation, str]]:
        """Each of the two, first made first, with 'Kent, Surrey and Sussex, 2025, closed: not implemented'."""
        return [(made, where_when_and_how(made)) for made in (self.earlier, self.later)]


# Most alike first, then the newest import: each row of a report is decided with the others of its report.
_SUGGESTION_ORDER = ("-score", "-created_at", "pk")
SUGGESTIONS_SHOWN = 10  # on a page at once; the admin lists them all


def suggested_repeats_of(recommendation: Recommendation, user: Any) -> list[SuggestedRepeat]:
    """The likely repeats of `recommendation` still waiting for a decision, for those who decide (Inspectorate
    staff), the SUGGESTIONS_SHOWN most alike (the next show as these are decided); nobody else is shown them, and
    they cost others no query."""
    if not permissions.can_decide_repeats(user):
        return []
    found = []
    mine = Q(earlier=recommendation) | Q(later=recommendation)
    # Most recommendations have none waiting: ask for that alone first, which costs the ORM a fraction of building
    # the query with both recommendations, their reports and regions (about 3 ms of CPU a page view).
    waiting_ids = RecurrenceLink.objects.filter(mine, state=RecurrenceState.SUGGESTED).seen_by(user).values("pk")
    if not waiting_ids.exists():
        return []
    waiting = _suggested(user).filter(mine)
    for link in waiting[:SUGGESTIONS_SHOWN]:
        made_before = link.later_id == recommendation.pk  # then the other one is the link's earlier
        other = link.earlier if made_before else link.later
        found.append(SuggestedRepeat(other, made_before, link.score, link=link.pk))
    return found


def suggested_pairs(user: Any) -> tuple[list[SuggestedPair], int]:
    """The first SUGGESTIONS_SHOWN likely repeats waiting for a decision, and how many wait in all, for those who
    decide (Inspectorate staff); nothing for anyone else."""
    if not permissions.can_decide_repeats(user):
        return [], 0
    waiting = _suggested(user)
    shown = [SuggestedPair(link.pk, link.earlier, link.later, link.score) for link in waiting[:SUGGESTIONS_SHOWN]]
    return shown, (len(shown) if len(shown) < SUGGESTIONS_SHOWN else waiting.count())


def suggestion_for(user: Any, pk: int) -> RecurrenceLink:
    """A likely repeat (suggested or decided) whose two recommendations `user` may see, else 404; with both
    recommendations' references."""
    links = RecurrenceLink.objects.seen_by(user).select_related(*_SHOWN).defer(*_UNSHOWN)
    return get_object_or_404(links, pk=pk)


def _suggested(user: Any) -> RecurrenceLinkQuerySet:
    waiting = RecurrenceLink.objects.filter(state=RecurrenceState.SUGGESTED).seen_by(user)
    return waiting.select_related(*_SHOWN).defer(*_UNSHOWN).order_by(*_SUGGESTION_ORDER)


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
    def endings(self) -> str:
        """How they ended, the commonest first: '2 closed: not implemented, 1 open'."""
        statuses = Counter(member.get_status_display() for member in self.members)
        return ", ".join(f"{times} {status[:1].lower()}{status[1:]}" for status, times in statuses.most_common())

    @property
    def open(self) -> int:
        """How many of them are still open (or waiting for a decision on closure)."""
        return sum(member.is_active for member in self.members)

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
