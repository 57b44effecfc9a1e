"""What the list's region, theme and inspection selects offer (and What's changed's), read by the ORM as tuples.

Read through the fields' own querysets, the three selects cost the list page three queries and about 6 ms on every
view, most of it building model instances (bench/); as tuples from two queries, much less; and those two are kept in
the shared cache for each scope until a recommendation, an inspection, a region or a theme changes
(core/shared_cache.py), which saves the pages another 2-3 ms of CPU and two queries.
The region and theme fields validate against these same options (filters.OptionFilter); the inspection and owner
fields, which offer only a few, validate what is chosen against the person's scope with their own querysets.
"""

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Value

from accounts.models import Person
from core.shared_cache import kept_from_records
from inspections.models import Inspection, Region
from recommendations import permissions
from recommendations.models import Recommendation, RecommendationQuerySet, Theme

# The inspection select offers only the newest reports in scope (the search box finds any report by reference or
# title): offering all 500 made the list page spend seconds rendering options.
INSPECTION_OPTIONS = 30
REGION, THEME = "region", "theme"


def _sees_everything(user: Person | None) -> bool:
    return permissions.scope_filter(user) is None


def _visible(user: Person | None, **link: Any) -> RecommendationQuerySet:
    return permissions.visible_recommendations(user, Recommendation.objects.filter(**link).order_by())


def regions_and_themes(user: Person | None) -> dict[str, list[tuple[int, str]]]:
    """{"region": [(pk, name), ...], "theme": [...]}, each by name, in one query: the regions with a
    recommendation in `user`'s scope (all of them, for staff), then every theme."""
    return kept_from_records(f"options:regions-themes:{permissions.scope_key(user)}", lambda: _read_regions(user))


def _read_regions(user: Person | None) -> dict[str, list[tuple[int, str]]]:
    regions = Region.objects.order_by()
    if not _sees_everything(user):
        regions = regions.filter(Exists(_visible(user, region=OuterRef("pk"))))
    region_rows = regions.annotate(kind=Value(REGION)).values_list("kind", "pk", "name")
    themes = Theme.objects.order_by().annotate(kind=Value(THEME)).values_list("kind", "pk", "name")
    options: dict[str, list[tuple[int, str]]] = {REGION: [], THEME: []}
    for kind, pk, name in region_rows.union(themes, all=True).order_by("kind", "name"):
        options[kind].append((pk, name))
    return options


def newest_inspections(user: Person | None, region_id: int | None) -> list[tuple[int, str, str]]:
    """(pk, reference, title) of the INSPECTION_OPTIONS newest reports with a recommendation in `user`'s scope
    (and in `region_id`, if given)."""
    key = f"options:inspections:{permissions.scope_key(user)}:{region_id}"
    return kept_from_records(key, lambda: _read_newest(user, region_id))


def _read_newest(user: Person | None, region_id: int | None) -> list[tuple[int, str, str]]:
    newest = Inspection.objects.order_by(F("published_on").desc(nulls_last=True), "-pk")
    if region_id is not None or not _sees_everything(user):
        visible = _visible(user, inspection=OuterRef("pk"))
        if region_id is not None:
            visible = visible.filter(region_id=region_id)  # a probe of rec_inspection_region
        region = region_id if region_id is not None else permissions.scope_of(user)[1]  # a lead's own
        if region is not None:
            # Only that region's reports and national ones can have a recommendation in it (Recommendation.clean):
            # a tenth of the reports to probe, not all of them.
            newest = newest.filter(Q(region_id=region) | Q(region__isnull=True))
        newest = newest.filter(Exists(visible))
    return list(newest.values_list("pk", "reference", "title")[:INSPECTION_OPTIONS])
