"""Who may see and do what: the one place where roles meet recommendations.

Every view, export, form and the workflow asks here. Regional leads answer for their region (and its PDUs);
HMPPS leads for HMPPS and the Ministry of Justice; Inspectorate staff see and decide everything. Anyone, signed in
or not, may read the public pages: the inspections staff put there (public_inspections) and their recommendations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q, QuerySet
from rules.predicates import Predicate

from accounts.models import Person, Role, User, inspectorate_role
from inspections.models import Inspection, InspectionQuerySet
from recommendations.addressees import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES

if TYPE_CHECKING:  # the model calls these rules (its clean and workflow): it is never imported here
    from recommendations.models import Recommendation, RecommendationQuerySet


# The kinds of scope a person can have (scope_kind).
EVERYTHING, REGION, NATIONAL, NOTHING = "everything", "region", "national", "nothing"


def scope_kind(user: Person | None) -> str:
    """Which recommendations `user` may see, in kind: everything, their region's, the national ones, or none."""
    if not isinstance(user, User) or not user.is_active:  # nobody, or not signed in (AnonymousUser)
        return NOTHING
    if user.is_inspectorate:
        return EVERYTHING
    if user.is_regional_lead:
        return REGION
    if user.is_hmpps_lead:
        return NATIONAL
    return NOTHING


def scope_for(kind: str, region_id: int | None = None) -> Q | None:
    """The filter that limits recommendations to a scope of this kind; None means everything."""
    if kind == EVERYTHING:
        return None
    if kind == REGION:
        return Q(addressee__in=REGIONAL_ADDRESSEES, region_id=region_id)
    if kind == NATIONAL:
        return Q(addressee__in=NATIONAL_ADDRESSEES)
    return Q(pk__in=[])


def scope_of(user: Person | None) -> tuple[str, int | None]:
    """`user`'s scope as values: its kind, and the region a regional lead's is limited to (None for any other)."""
    kind = scope_kind(user)
    return kind, user.region_id if kind == REGION and isinstance(user, User) else None


def scope_filter(user: Person | None) -> Q | None:
    """The filter that limits recommendations to what `user` may see; None means everything."""
    return scope_for(*scope_of(user))


def scope_key(user: Person | None) -> str:
    """A name for `user`'s scope: people with the same one see the same recommendations, so what is read within a
    scope (the filters' options) can be kept once for all of them."""
    kind, region_id = scope_of(user)
    return f"{kind}:{region_id}" if kind == REGION else kind


def visible_recommendations(
    user: Person | None, queryset: RecommendationQuerySet | None = None
) -> RecommendationQuerySet:
    return visible_in_scope(*scope_of(user), queryset=queryset)


def visible_in_scope(
    kind: str, region_id: int | None, *, queryset: RecommendationQuerySet | None = None
) -> RecommendationQuerySet:
    """The recommendations someone with a scope of this kind (and region, scope_of) may see: what a query made
    once for everyone in a scope is made from."""
    if queryset is None:  # from Django's registry of models, as get_user_model(): recommendations.models imports us
        queryset = apps.get_model("recommendations", "Recommendation").objects.all()
    condition = scope_for(kind, region_id)
    return queryset if condition is None else queryset.filter(condition)


def regions_in_scope(user: Person | None) -> Q:
    """A filter on regions: those whose own pages and action plans `user` may open (may_see_region): every region
    for Inspectorate staff, a regional lead's own, none for anyone else (HMPPS leads answer for no region)."""
    kind = scope_kind(user)
    if kind == EVERYTHING:
        return Q()
    return Q(pk=_lead_region(user)) if kind == REGION else Q(pk__in=[])


def _lead_region(user: Person | None) -> int | None:
    return scope_of(user)[1]


def public_inspections() -> InspectionQuerySet:
    """What anyone may read without signing in: the inspections Inspectorate staff have put on the public pages."""
    return Inspection.objects.published_to_public()


def public_recommendations(queryset: RecommendationQuerySet | None = None) -> RecommendationQuerySet:
    """The recommendations of public_inspections(), for the public pages (which show none of the people, notes,
    evidence or progress that follow them up: recommendations/public_selectors.py reads only the public columns)."""
    if queryset is None:
        queryset = apps.get_model("recommendations", "Recommendation").objects.all()
    return queryset.filter(inspection__published_to_public_at__isnull=False)


def answered_by(recommendation: Recommendation) -> tuple[str, int | None]:
    """Who answers for `recommendation`, as a scope: (REGION, its region), (NATIONAL, None) for HMPPS and the
    Ministry of Justice, or (EVERYTHING, None) when only the Inspectorate follows it (an 'other' addressee).

    The one rule of scoping: a person sees a recommendation when their scope is EVERYTHING or this scope, and only
    they may own it (its reminders carry its text), so that every check below derives from here."""
    if recommendation.addressee in REGIONAL_ADDRESSEES:
        return REGION, recommendation.region_id
    if recommendation.addressee in NATIONAL_ADDRESSEES:
        return NATIONAL, None
    return EVERYTHING, None


def answered_alike(recommendation: Recommendation) -> Q:
    """A filter on recommendations: those the same people answer for (what may supersede `recommendation`)."""
    kind, region_id = answered_by(recommendation)
    if kind == EVERYTHING:
        return ~Q(addressee__in=[*REGIONAL_ADDRESSEES, *NATIONAL_ADDRESSEES])
    condition = scope_for(kind, region_id)
    assert condition is not None  # only EVERYTHING (handled above) has no filter
    return condition


def replacement_refusal(recommendation: Recommendation, replacement: Recommendation) -> str:
    """Why `replacement` may not supersede `recommendation`, or "" if it may: the same people answer for both."""
    if replacement.pk is not None and replacement.pk == recommendation.pk:
        return "A recommendation cannot supersede itself."
    if answered_by(replacement) == answered_by(recommendation):
        return ""
    return (
        f"{replacement} cannot supersede this recommendation: choose one answered by the same people "
        f"({recommendation.addressee_name})."
    )


def _people_answering(kind: str, region_id: int | None) -> Q:
    """A filter on users: those who see what is answered for by this scope (answered_by), active or not."""
    who = inspectorate_role()  # Inspectorate staff see everything (accounts.models.inspectorate_staff)
    if kind == REGION:
        who |= Q(role=Role.REGIONAL_LEAD, region_id=region_id)
    elif kind == NATIONAL:
        who |= Q(role=Role.HMPPS_LEAD)
    return who


def people_who_can_see(recommendation: Recommendation) -> Q:
    """A filter on users: those whom `scope_filter` lets see this recommendation (only they can own it)."""
    return _people_answering(*answered_by(recommendation))


def eligible_owners(*recommendations: Recommendation) -> QuerySet[User]:
    """The people who may own every one of `recommendations` (may_own): active, and able to see each."""
    who = Q(is_active=True)
    for audience in {answered_by(recommendation) for recommendation in recommendations}:
        who &= _people_answering(*audience)
    return User.objects.filter(who)


def may_own(recommendation: Recommendation, user: User | None) -> bool:
    """Whether `user` may be given `recommendation` to own: an active person who can see it."""
    return user is not None and user.is_active and can_view(recommendation, user)


def owner_refusal(recommendation: Recommendation, owner: User | None) -> str:
    """Why `owner` may not be given `recommendation`, or "" if they may (None, nobody, always may)."""
    if owner is None or may_own(recommendation, owner):
        return ""
    if not owner.is_active:
        return "An owner must be an active user."
    return (
        f"{owner} cannot own this recommendation: only Inspectorate staff and the lead it is addressed to "
        f"({recommendation.addressee_name}) can see it."
    )


def may_lead_region(user: User | None) -> bool:
    """The Inspectorate's lead for a region is sent its escalations, about every recommendation of the region."""
    return user is not None and scope_kind(user) == EVERYTHING


def _is_inspectorate(user: Person | None) -> bool:
    return isinstance(user, User) and user.is_inspectorate


def _answers_for(user: Person | None, recommendation: Recommendation | None) -> bool:
    """The lead (regional or HMPPS) whose organisation the recommendation is addressed to."""
    if not isinstance(user, User) or recommendation is None:
        return False
    kind = scope_kind(user)
    if kind not in (REGION, NATIONAL):
        return False
    return (kind, user.region_id if kind == REGION else None) == answered_by(recommendation)


# Predicate(...) rather than the @rules.predicate decorator, which has no type hints (it would make these Any).
is_inspectorate = Predicate(_is_inspectorate, name="is_inspectorate")
answers_for = Predicate(_answers_for, name="answers_for")
can_view_rule = is_inspectorate | answers_for
can_respond_rule = answers_for | is_inspectorate
can_decide_rule = is_inspectorate


def can_view(recommendation: Recommendation, user: Person | None) -> bool:
    return can_view_rule.test(user, recommendation)


def can_respond(recommendation: Recommendation, user: Person | None) -> bool:
    """Record the response, progress and action plan; ask for a new target date or for closure."""
    return can_respond_rule.test(user, recommendation)


def can_decide(recommendation: Recommendation, user: Person | None) -> bool:
    """The Inspectorate's decisions: judgement, closure, reopening, owners and target dates."""
    return can_decide_rule.test(user, recommendation)


def can_decide_repeats(user: Person | None) -> bool:
    """Confirm or dismiss a likely repeat found on import: Inspectorate staff, who see both recommendations."""
    return _is_inspectorate(user)


def may_see_region(user: Person | None, region_id: int) -> bool:
    """Whether `user` may open this region's page (its rates, ageing and outcomes) and action plan: the rule of
    regions_in_scope, for one region in hand."""
    return scope_kind(user) == EVERYTHING or _lead_region(user) == region_id


def may_see_national(user: Person | None) -> bool:
    """The national page (the HMPPS and Ministry of Justice recommendations' rates): staff and HMPPS leads."""
    return scope_kind(user) in (EVERYTHING, NATIONAL)
