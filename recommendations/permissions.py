"""Who may see and do what: the one place where roles meet recommendations.

Every view, export, form and the workflow asks here. Regional leads answer for their region (and its PDUs);
HMPPS leads for HMPPS and the Ministry of Justice; Inspectorate staff see and decide everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from recommendations.models import Recommendation


# The kinds of scope a person can have. A query whose SQL is made once per kind (core/baked.py) takes the region
# as a value: scope_key() gives both.
EVERYTHING, REGION, NATIONAL, NOTHING = "everything", "region", "national", "nothing"


def scope_kind(user: Any) -> str:
    """Which recommendations `user` may see, in kind: everything, their region's, the national ones, or none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_inspectorate:
        return EVERYTHING
    if user.is_regional_lead:
        return REGION
    if user.is_hmpps_lead:
        return NATIONAL
    return NOTHING


def scope_for(kind: str, region_id: Any = None) -> Q | None:
    """The filter that limits recommendations to a scope of this kind; None means everything."""
    from recommendations.models import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES

    if kind == EVERYTHING:
        return None
    if kind == REGION:
        return Q(addressee__in=REGIONAL_ADDRESSEES, region_id=region_id)
    if kind == NATIONAL:
        return Q(addressee__in=NATIONAL_ADDRESSEES)
    return Q(pk__in=[])


def scope_filter(user: Any) -> Q | None:
    """The filter that limits recommendations to what `user` may see; None means everything."""
    return scope_for(scope_kind(user), getattr(user, "region_id", None))


def scope_key(user: Any) -> tuple[tuple[str, bool], dict[str, Any]]:
    """`user`'s scope as a baked query's shape (its kind; whether a region is set) and values (the region)."""
    kind, region_id = scope_kind(user), getattr(user, "region_id", None)
    values = {"region_id": region_id} if kind == REGION and region_id is not None else {}
    return (kind, region_id is None), values


def visible_in_scope(shape: tuple[str, bool], queryset: QuerySet, region_id: Any = None) -> QuerySet:
    """What visible_recommendations gives for a scope_key() shape and region, for baked queries."""
    condition = scope_for(shape[0], region_id)
    return queryset if condition is None else queryset.filter(condition)


def visible_recommendations(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    from recommendations.models import Recommendation

    queryset = Recommendation.objects.all() if queryset is None else queryset
    condition = scope_filter(user)
    return queryset if condition is None else queryset.filter(condition)


def people_who_can_see(recommendation: Recommendation) -> Q:
    """A filter on users: those whom `scope_filter` lets see this recommendation (only they can own it)."""
    from accounts.models import Role
    from recommendations.models import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES

    who = Q(role=Role.INSPECTORATE) | Q(is_superuser=True)
    if recommendation.addressee in REGIONAL_ADDRESSEES:
        who |= Q(role=Role.REGIONAL_LEAD, region_id=recommendation.region_id)
    elif recommendation.addressee in NATIONAL_ADDRESSEES:
        who |= Q(role=Role.HMPPS_LEAD)
    return who


@rules.predicate
def is_inspectorate(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_inspectorate)


@rules.predicate
def answers_for(user: Any, recommendation: Recommendation) -> bool:
    """The lead (regional or HMPPS) whose organisation the recommendation is addressed to."""
    from recommendations.models import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES

    if not getattr(user, "is_authenticated", False) or recommendation is None:
        return False
    if user.is_regional_lead:
        return recommendation.addressee in REGIONAL_ADDRESSEES and recommendation.region_id == user.region_id
    if user.is_hmpps_lead:
        return recommendation.addressee in NATIONAL_ADDRESSEES
    return False


can_view_rule = is_inspectorate | answers_for
can_respond_rule = answers_for | is_inspectorate
can_decide_rule = is_inspectorate


def can_view(recommendation: Recommendation, user: Any) -> bool:
    return can_view_rule.test(user, recommendation)


def can_respond(recommendation: Recommendation, user: Any) -> bool:
    """Record the response, progress and action plan; ask for a new target date or for closure."""
    return can_respond_rule.test(user, recommendation)


def can_decide(recommendation: Recommendation, user: Any) -> bool:
    """The Inspectorate's decisions: judgement, closure, reopening, owners and target dates."""
    return can_decide_rule.test(user, recommendation)
