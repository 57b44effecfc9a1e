"""An inspection's admin page, with what its report found and its recommendations, and the report import page.

Registered by recommendations/admin.py. Here, not in inspections/admin.py: the recommendations inline uses the
recommendation's admin form, and the import writes recommendations (tests/test_import_graph.py layers the apps).
"""

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.urls import URLPattern

from accounts.requests import signed_in_user
from inspections.admin import InspectorateOnly, LoadedLabelsAdmin
from inspections.models import ContextualFact, DomainRating, Inspection, InspectionQuerySet, Score
from inspections.services import inspections_publish_to_public, inspections_withdraw_from_public
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


class OnPublicPagesFilter(admin.EmptyFieldListFilter):
    """'On the public pages: yes / no' rather than Django's 'Empty / Not empty' of a date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "on the public pages"  # not the field's name, which Django's filter takes

    def choices(self, changelist: Any) -> Any:
        for choice, label in zip(super().choices(changelist), ("All", "No", "Yes"), strict=True):
            yield {**choice, "display": label}


class InspectionAdmin(InspectorateOnly, admin.ModelAdmin[Inspection]):
    list_display = (
        "reference",
        "title",
        "type",
        "region",
        "published_on",
        "overall_rating",
        "recommendation_count",
        "published_to_public_at",
        "published_to_public_by",
    )
    list_filter = ("type", "region", "overall_rating", ("published_to_public_at", OnPublicPagesFilter))
    list_select_related = ("region", "published_to_public_by")
    search_fields = ("title", "reference", "lead_inspector")
    date_hierarchy = "published_on"
    readonly_fields = (
        "source_text",
        "source_digest",
        "created_at",
        "updated_at",
        "published_to_public_at",
        "published_to_public_by",
    )
    fieldsets = (
        (None, {"fields": ("reference", "type", "title", "region", "pdu", "lead_inspector", "source_url")}),
        ("Dates", {"fields": ("fieldwork_started_on", "fieldwork_ended_on", "published_on", "cases_inspected")}),
        ("Findings", {"fields": ("overall_rating", "summary", "follow_up_promise")}),
        (
            "Public pages",
            {
                "fields": ("published_to_public_at", "published_to_public_by"),
                "description": "Put an inspection on the public pages, or take it off, with the actions of the "
                "inspection list.",
            },
        ),
        ("Imported report text", {"classes": ("collapse",), "fields": ("source_text", "source_digest")}),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    inlines = (DomainRatingInline, ScoreInline, ContextualFactInline, RecommendationInline)
    actions = ("publish_to_public", "withdraw_from_public")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inspection]:
        inspections: QuerySet[Inspection] = super().get_queryset(request)  # the mixins' base says only Model
        return inspections.annotate(recommendation_count=Count("recommendations"))

    @admin.display(description="Recommendations", ordering="recommendation_count")
    def recommendation_count(self, inspection: "WithAnnotations[Inspection, RecommendationCount]") -> int:
        return inspection.recommendation_count

    @admin.action(description="Put the selected inspections on the public pages")
    def publish_to_public(self, request: HttpRequest, queryset: InspectionQuerySet) -> None:
        published = inspections_publish_to_public(inspections=queryset, by=signed_in_user(request))
        put = f"{published} inspection{pluralize(published)} put on the public pages."
        self.message_user(request, put, messages.SUCCESS)
        if left := queryset.exclude(published_to_public_at__isnull=False).count():
            self.message_user(
                request,
                f"{left} inspection{pluralize(left)} left off: a report goes on the public pages only from its "
                "publication date.",
                messages.WARNING,
            )

    @admin.action(description="Take the selected inspections off the public pages")
    def withdraw_from_public(self, request: HttpRequest, queryset: InspectionQuerySet) -> None:
        withdrawn = inspections_withdraw_from_public(inspections=queryset, by=signed_in_user(request))
        taken = f"{withdrawn} inspection{pluralize(withdrawn)} taken off the public pages."
        self.message_user(request, taken, messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        # The import page comes first: the default URLs end in a catch-all for object ids.
        return [*import_urls(self), *super().get_urls()]
