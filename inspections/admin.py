"""The admin as the Inspectorate's data-entry tool: regions, PDUs and inspections with what their reports found."""

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern

from inspections.admin_import import import_urls
from inspections.models import (
    NOT_INSPECTORATE_STAFF,
    ContextualFact,
    DomainRating,
    Inspection,
    ProbationDeliveryUnit,
    Region,
    Score,
)
from recommendations.admin_actions import LoadedLabelAutocomplete, RecommendationAdminForm
from recommendations.models import Recommendation


def is_inspectorate_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_inspectorate", False))


if TYPE_CHECKING:  # the mixins below are mixed into a ModelAdmin or an inline, whose methods they call via super()
    from django.contrib.admin.options import BaseModelAdmin
    from django_stubs_ext import WithAnnotations

    class PduCount(TypedDict):
        pdu_count: int

    class RecommendationCount(TypedDict):
        recommendation_count: int

    AdminMixinBase = BaseModelAdmin[Any]
else:
    AdminMixinBase = object


class InspectorateOnly(AdminMixinBase):
    """Inspectorate staff keep these records: their role grants the admin permissions, and no other role gets them.

    Regional and HMPPS leads answer through the service, never here, even if someone ticks 'staff status'.
    """

    # Deleting a tracked recommendation loses its follow-up; RecommendationAdmin asks for the Django permission too.
    inspectorate_may_delete = True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_inspectorate_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_inspectorate_staff(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_inspectorate_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_inspectorate_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.inspectorate_may_delete:
            return is_inspectorate_staff(request)
        return is_inspectorate_staff(request) and super().has_delete_permission(request, obj)


class LoadedLabelsAdmin(AdminMixinBase):
    """Autocomplete fields labelled from select_related objects (see LoadedLabelAutocomplete): no query per row."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.autocomplete_fields and "widget" not in kwargs:
            kwargs["widget"] = LoadedLabelAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProbationDeliveryUnitInline(InspectorateOnly, admin.TabularInline[ProbationDeliveryUnit, Region]):
    model = ProbationDeliveryUnit
    extra = 0


@admin.register(Region)
class RegionAdmin(InspectorateOnly, LoadedLabelsAdmin, admin.ModelAdmin[Region]):
    list_display = ("name", "code", "inspectorate_lead", "pdu_count")
    list_select_related = ("inspectorate_lead",)
    search_fields = ("name", "code")
    autocomplete_fields = ("inspectorate_lead",)
    inlines = (ProbationDeliveryUnitInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        regions: QuerySet[Region] = super().get_queryset(request)  # the mixins' base says only Model
        return regions.annotate(pdu_count=Count("pdus"))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "inspectorate_lead":  # the model's message, not "Select a valid choice"
            kwargs["error_messages"] = {"invalid_choice": NOT_INSPECTORATE_STAFF}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="PDUs", ordering="pdu_count")
    def pdu_count(self, region: "WithAnnotations[Region, PduCount]") -> int:
        return region.pdu_count


@admin.register(ProbationDeliveryUnit)
class ProbationDeliveryUnitAdmin(InspectorateOnly, admin.ModelAdmin[ProbationDeliveryUnit]):
    list_display = ("name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name", "region__name")


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


@admin.register(Inspection)
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
