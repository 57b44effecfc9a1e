"""What the list's region, theme and inspection selects offer, as baked queries (core/baked.py).

Read through the fields' own querysets, the three selects cost the list page three queries and about 6 ms on every
view, most of it building queries and model instances (bench/); as tuples from two queries compiled once a
process, about 3 ms.
The region and theme fields validate against these same options (filters.OptionFilter); the inspection and owner
fields, which offer only a few, validate what is chosen against the person's scope with their own querysets.
"""

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value

from core.baked import BakedQuery
from inspections.models import Inspection, Region
from recommendations import permissions
from recommendations.models import Recommendation, Theme

# The inspection select offers only the newest reports in scope (the search box finds any report by reference or
# title): offering all 500 made the list page spend seconds rendering options.
INSPECTION_OPTIONS = 30
REGION, THEME = "region", "theme"


def _in_scope(shape: tuple[str, bool], scope: dict[str, Any], **link: Any) -> QuerySet:
    return permissions.visible_in_scope(shape, Recommendation.objects.filter(**link).order_by(), **scope)


def _regions_and_themes(shape: tuple[str, bool], **scope: Any) -> QuerySet:
    """Regions with a recommendation in scope (all of them, for staff), then every theme: (kind, pk, name)."""
    regions = Region.objects.order_by()
    if shape[0] != permissions.EVERYTHING:
        regions = regions.filter(Exists(_in_scope(shape, scope, region=OuterRef("pk"))))
    regions = regions.annotate(kind=Value(REGION)).values_list("kind", "pk", "name")
    themes = Theme.objects.order_by().annotate(kind=Value(THEME)).values_list("kind", "pk", "name")
    return regions.union(themes, all=True).order_by("kind", "name")


def _newest_inspections(shape: tuple[tuple[str, bool], bool], **values: Any) -> QuerySet:
    """The newest reports with a recommendation in scope (and in the chosen region, if one is)."""
    scope_shape, region_chosen = shape
    newest = Inspection.objects.order_by(F("published_on").desc(nulls_last=True), "-pk")
    scope = {key: value for key, value in values.items() if key == "region_id"}
    if region_chosen or scope_shape[0] != permissions.EVERYTHING:
        visible = _in_scope(scope_shape, scope, inspection=OuterRef("pk"))
        if region_chosen:
            visible = visible.filter(region_id=values["chosen_region_id"])  # a probe of rec_inspection_region
        region = values.get("chosen_region_id", scope.get("region_id"))
        if region is not None:
            # Only that region's reports and national ones can have a recommendation in it (Recommendation.clean):
            # a tenth of the reports to probe, not all of them.
            newest = newest.filter(Q(region_id=region) | Q(region__isnull=True))
        newest = newest.filter(Exists(visible))
    return newest.values_list("pk", "reference", "title")[:INSPECTION_OPTIONS]


_REGIONS_AND_THEMES = BakedQuery(_regions_and_themes)
_NEWEST_INSPECTIONS = BakedQuery(_newest_inspections)


def regions_and_themes(user: Any) -> dict[str, list[tuple[int, str]]]:
    """{"region": [(pk, name), ...], "theme": [...]}, each by name."""
    shape, scope = permissions.scope_key(user)
    options: dict[str, list[tuple[int, str]]] = {REGION: [], THEME: []}
    for kind, pk, name in _REGIONS_AND_THEMES.rows(shape, **scope):
        options[kind].append((pk, name))
    return options


def newest_inspections(user: Any, region_id: int | None) -> list[tuple[int, str, str]]:
    """(pk, reference, title) of the INSPECTION_OPTIONS newest reports in `user`'s scope, in `region_id` if given."""
    shape, scope = permissions.scope_key(user)
    if region_id is not None:
        scope = {**scope, "chosen_region_id": region_id}
    return _NEWEST_INSPECTIONS.rows((shape, region_id is not None), **scope)
