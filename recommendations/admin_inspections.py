"""An inspection's admin page, with what its report found and its recommendations, and the report import page.

Registered by recommendations/admin.py. Here, not in inspections/admin.py: the recommendations inline uses the
recommendation's admin form, and the import writes recommendations (tests/test_import_graph.py layers the apps).
"""

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern

from inspections.admin import InspectorateOnly, LoadedLabelsAdmin
from inspections.models import ContextualFact, DomainRating, Inspection, Score
from recommendations.admin_actions import RecommendationAdminForm
from recommendations.admin_import import import_urls
from recommendations.models import Recommendation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class RecommendationCount(TypedDict):
        recommendation_count: int


class DomainRatingInline(InspectorateOnly, admin.TabularInline[DomainRating, Inspection]):
    model = DomainRating
    extra = 0


class ScoreInline(InspectorateOnly, admin.TabularInline[Score, Inspection]):
    model = Score
    extra = 0


class ContextualFactInline(InspectorateOnly, admin.TabularInline[ContextualFact, Inspection]):
    model = ContextualFact
    extra = 0


class RecommendationInline(InspectorateOnly, LoadedLabelsAdmin, admin.TabularInline[Recommendation, Inspection]):
    """The report's recommendations at a glance; the full record (workflow, response, history) is its own page."""

    model = Recommendation
    form = RecommendationAdminForm
    fields = ("addressee", "number", "text", "owner", "status", "target_date", "change_reason")
    readonly_fields = ("status",)
    autocomplete_fields = ("owner",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}
    show_change_link = True
    extra = 0
    # Recommendations keep their history and follow-up: delete one from its own page, not from the report.
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Recommendation]:
        # The row titles (inspection reference) and owner labels come from these joins, not one query per row.
        return super().get_queryset(request).select_related("inspection", "owner")


class InspectionAdmin(InspectorateOnly, admin.ModelAdmin[Inspection]):
    list_display = (
        "reference",
        "title",
        "type",
        "region",
        "published_on",
        "overall_rating",
        "recommendation_count",
    )
    list_filter = ("type", "region", "overall_rating")
    list_select_related = ("region",)
    search_fields = ("title", "reference", "lead_inspector")
    date_hierarchy = "published_on"
    readonly_fields = ("source_text", "source_digest", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("reference", "type", "title", "region", "pdu", "lead_inspector", "source_url")}),
        ("Dates", {"fields": ("fieldwork_started_on", "fieldwork_ended_on", "published_on", "cases_inspected")}),
        ("Findings", {"fields": ("overall_rating", "summary", "follow_up_promise")}),
        ("Imported report text", {"classes": ("collapse",), "fields": ("source_text", "source_digest")}),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    inlines = (DomainRatingInline, ScoreInline, ContextualFactInline, RecommendationInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inspection]:
        inspections: QuerySet[Inspection] = super().get_queryset(request)  # the mixins' base says only Model
        return inspections.annotate(recommendation_count=Count("recommendations"))

    @admin.display(description="Recommendations", ordering="recommendation_count")
    def recommendation_count(self, inspection: "WithAnnotations[Inspection, RecommendationCount]") -> int:
        return inspection.recommendation_count

    def get_urls(self) -> list[URLPattern]:
        # The import page comes first: the default URLs end in a catch-all for object ids.
        return [*import_urls(self), *super().get_urls()]
