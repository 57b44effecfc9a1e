"""The admin for recommendations: data entry, bulk changes through the services, and the change history.

Every change made here is kept in the history with who made it and why: the change form asks for a reason, and the
bulk actions go through the services (recommendations/services.py), which check roles and the workflow.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.requests import signed_in_user
from inspections.admin import InspectorateOnly, LoadedLabelsAdmin
from inspections.models import Inspection
from recommendations import notifications, services
from recommendations.admin_actions import (
    AssignOwnerForm,
    BulkChangeForm,
    LoadedLabelsForm,
    RecommendationAdminForm,
    SetStatusForm,
    SetTargetDateForm,
    scoped_choices,
)
from recommendations.admin_inspections import InspectionAdmin
from recommendations.admin_list import EstimatedCountPaginator, OverdueFilter
from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    ProgressUpdate,
    Recommendation,
    RecommendationQuerySet,
    RecurrenceLink,
    Response,
    Theme,
    reference_match,
)
from recommendations.selectors import recommendation_changes

if TYPE_CHECKING:  # a model instance with the attributes its queryset's annotate() added
    from django_stubs_ext import WithAnnotations

    class OverdueFlag(TypedDict):
        is_overdue: bool | None  # NULL without a target date


SHORT_TEXT_LENGTH = 80  # characters of a recommendation's text in the changelist: enough to tell rows apart
# As BaseModelAdmin.formfield_overrides is typed (quoted: Django's Field takes no type arguments at run time).
SMALL_TEXTAREA: "Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]" = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
}


# An inspection's page shows its recommendations (admin_inspections.py); the inspections app cannot import them.
admin.site.register(Inspection, InspectionAdmin)


class OwnerSearchUserAdmin(UserAdmin):
    """accounts' UserAdmin, whose search also answers a recommendation's owner autocomplete: there it offers only
    the people who may own that recommendation (scoped_choices). Registered in its place, as Django's documentation
    extends another app's admin (unregister, register the subclass): accounts sits below recommendations."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        return super().get_search_results(request, scoped_choices(request, queryset), search_term)


admin.site.unregister(User)
admin.site.register(User, OwnerSearchUserAdmin)


@admin.register(Theme)
class ThemeAdmin(InspectorateOnly, admin.ModelAdmin[Theme]):
    """Themes link to their recommendations rather than count them: a count read every theme's rows in the join
    table (133,000 at national size, ~55 ms a page, bench/); the linked list is filtered by the theme and counts it."""

    list_display = ("name", "keywords", "recommendations_link")
    search_fields = ("name", "keywords")

    @admin.display(description="Recommendations")
    def recommendations_link(self, theme: Theme) -> str:
        url = reverse(f"{self.admin_site.name}:recommendations_recommendation_changelist")
        return format_html('<a href="{}?themes__id__exact={}">Recommendations on {}</a>', url, theme.pk, theme.name)


class FollowUpActivityForm(LoadedLabelsForm[FollowUpActivity]):
    """A follow-up activity's row: who conducted it is labelled from the person already loaded."""


class FollowUpActivityInline(
    InspectorateOnly, LoadedLabelsAdmin, admin.TabularInline[FollowUpActivity, Recommendation]
):
    model = FollowUpActivity
    fields = ("kind", "activity_date", "conducted_by", "notes", "outcome")
    autocomplete_fields = ("conducted_by",)
    formfield_overrides = SMALL_TEXTAREA
    form = FollowUpActivityForm
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[FollowUpActivity]:
        return super().get_queryset(request).select_related("conducted_by")


class ProgressUpdateInline(InspectorateOnly, admin.TabularInline[ProgressUpdate, Recommendation]):
    """What the owner reported: read-only here, as it is the owner's word."""

    model = ProgressUpdate
    fields = ("created_at", "author", "progress", "text", "evidence_url", "evidence_file")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgressUpdate]:
        return super().get_queryset(request).select_related("author")


class ActionPlanItemInline(InspectorateOnly, admin.TabularInline[ActionPlanItem, Recommendation]):
    model = ActionPlanItem
    fields = ("position", "description", "responsible", "target_date", "completed_on", "created_by")
    readonly_fields = ("created_by",)
    formfield_overrides = SMALL_TEXTAREA
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActionPlanItem]:
        return super().get_queryset(request).select_related("created_by")


@admin.register(Recommendation)
class RecommendationAdmin(InspectorateOnly, LoadedLabelsAdmin, SimpleHistoryAdmin):
    form = RecommendationAdminForm
    inspectorate_may_delete = False
    list_display = (
        "reference",
        "short_text",
        "region",
        "addressee",
        "owner",
        "status",
        "target_date",
        "overdue",
        "priority",
    )
    list_filter = (
        "status",
        "addressee",
        "region",
        "response",
        "judgement",
        "priority",
        "themes",
        OverdueFilter,
        "inspection__type",
    )
    list_select_related = ("inspection", "region", "owner")  # the reference, region and owner columns
    search_fields = (
        "text",
        "inspection__title",
        "inspection__reference",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )
    # Newest first by primary key: ordering through the inspection forced a join and a sort of every row, and a
    # date hierarchy a DISTINCT over every target date (bench/). Filters cover "overdue" and "due" instead.
    ordering = ("-pk",)
    show_full_result_count = False
    # Counts beside every filter choice cost ~250 ms a page at national size (nine aggregates over every row).
    show_facets = ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    list_per_page = 50
    autocomplete_fields = ("inspection", "owner", "superseded_by")
    filter_horizontal = ("themes",)
    readonly_fields = ("status", "closed_at", "responded_at", "created_at", "updated_at", "change_history")
    fieldsets = (
        (None, {"fields": ("inspection", "addressee", "addressee_other", "region", "pdu", "number", "text")}),
        ("Owner and target date", {"fields": ("owner", "target_date", "change_reason", "priority", "themes")}),
        ("Response and progress", {"fields": ("response", "response_reason", "responded_at", "progress", "judgement")}),
        ("Workflow", {"fields": ("status", "closed_at", "superseded_by", "created_at", "updated_at")}),
        ("Change history", {"fields": ("change_history",)}),
    )
    inlines = (FollowUpActivityInline, ProgressUpdateInline, ActionPlanItemInline)
    actions = ("assign_owner", "set_status", "set_target_date")

    def get_queryset(self, request: HttpRequest) -> RecommendationQuerySet:
        queryset = cast(RecommendationQuerySet, super().get_queryset(request))  # from Recommendation.objects
        return queryset.for_lists().with_overdue_flag()

    def has_change_permission(self, request: HttpRequest, obj: Recommendation | None = None) -> bool:
        # A closed one is shown read-only, with its follow-up and action plan: it changes only by reopening
        # (the "Set status" action or its page), as the services require.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_active)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Recommendation], search_term: str
    ) -> tuple[QuerySet[Recommendation], bool]:
        """As Django's search: each word in one of the search fields. Django joins the report and the owner to all
        100k rows to test them (~170 ms a query, bench/); here the reports and people a word matches are found in their
        own small tables and the recommendations by key (~50 ms, mostly reading the text), with the same results.
        """
        queryset = scoped_choices(request, queryset)  # the change form's search for a replacement
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            # A whole reference (N57-PP-2025/R1) is in no one field: it finds its recommendation by its parts.
            queryset = queryset.filter(_search_word(word, self.get_search_fields(request)) | reference_match(word))
        return queryset, False

    def get_fieldsets(self, request: HttpRequest, obj: Recommendation | None = None) -> Any:
        if obj is None:  # a new recommendation has no workflow or history yet
            return [fieldset for fieldset in self.fieldsets if fieldset[0] not in ("Workflow", "Change history")]
        return self.fieldsets

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "superseded_by":  # its label is the reference, which reads the inspection
            kwargs["queryset"] = Recommendation.objects.select_related("inspection")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- list columns ---

    @admin.display(description="Reference", ordering="inspection__reference")
    def reference(self, recommendation: Recommendation) -> str:
        return recommendation.reference

    @admin.display(description="Recommendation")
    def short_text(self, recommendation: Recommendation) -> str:
        """The text shortened to a line, whole words kept; the full text is on the change form."""
        return Truncator(recommendation.text).chars(SHORT_TEXT_LENGTH)

    @admin.display(description="Overdue", boolean=True, ordering="is_overdue")
    def overdue(self, recommendation: "WithAnnotations[Recommendation, OverdueFlag]") -> bool:
        return bool(recommendation.is_overdue)

    @admin.display(description="Change history")
    def change_history(self, recommendation: Recommendation) -> str:
        if recommendation.pk is None:
            return "-"
        changes = recommendation_changes(recommendation)
        return render_to_string("admin/recommendations/recommendation/change_history.html", {"changes": changes})

    # --- saving: who and why go into the history ---

    def save_model(self, request: HttpRequest, obj: Recommendation, form: Any, change: bool) -> None:
        obj._history_user = request.user
        obj._change_reason = form.history_reason()
        if "response" in form.changed_data:  # as recommendation_record_response does
            obj.responded_at = None if obj.response == Response.AWAITING else timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            item = inline_form.instance
            if isinstance(item, ActionPlanItem) and item.created_by_id is None:
                item.created_by = request.user
            if isinstance(item, FollowUpActivity) and item.pk is None and item.conducted_by_id is None:
                item.conducted_by = request.user
        super().save_formset(request, form, formset, change)
        if formset.new_objects or formset.changed_objects:  # a progress update, follow-up or action recorded here
            Recommendation.objects.filter(pk=form.instance.pk).touch()
        for item in formset.new_objects:
            if isinstance(item, FollowUpActivity):  # as services.follow_up_record: its owner is told
                notifications.tell_follow_up(item, by=signed_in_user(request))

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Restoring an old version would change the status outside the workflow and unrecorded: read-only.
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read, not restored.")
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra_context)
        return response  # simple_history has no type hints: its view returns Any

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any, **kwargs: Any) -> None:
        super().set_history_delta_changes(request, historical_records, **kwargs)
        for record in historical_records:
            # The History page titles each version by its reference, which reads the inspection: give each version
            # the inspection the history query already joined, instead of one query per row.
            version = record.history_object
            version.inspection = record.inspection
            record.history_object = version

    # --- bulk actions: through the services, one history row per recommendation ---

    @admin.action(description="Assign an owner…", permissions=["change"])
    def assign_owner(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse | None:
        def apply(rows: QuerySet[Recommendation], data: dict[str, Any]) -> int:
            return services.recommendations_bulk_assign_owner(
                recommendations=rows, owner=data["owner"], by=signed_in_user(request), reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "assign_owner", "Assign an owner", AssignOwnerForm, apply)

    @admin.action(description="Set status…", permissions=["change"])
    def set_status(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse | None:
        def apply(rows: QuerySet[Recommendation], data: dict[str, Any]) -> int:
            return services.recommendations_bulk_transition(
                recommendations=rows, action=data["step"], by=signed_in_user(request), reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "set_status", "Set status", SetStatusForm, apply)

    @admin.action(description="Set target date…", permissions=["change"])
    def set_target_date(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse | None:
        def apply(rows: QuerySet[Recommendation], data: dict[str, Any]) -> int:
            return services.recommendations_bulk_set_target_date(
                recommendations=rows, target_date=data["target_date"], by=signed_in_user(request), reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "set_target_date", "Set target date", SetTargetDateForm, apply)

    def _bulk_change(
        self,
        request: HttpRequest,
        queryset: QuerySet[Recommendation],
        action: str,
        title: str,
        form_class: type[BulkChangeForm],
        apply: Callable[[QuerySet[Recommendation], dict[str, Any]], int],
    ) -> HttpResponse | None:
        """Show the action's page; once it is filled in, apply the change to every selected row or to none."""
        selected = list(queryset.order_by("pk"))
        form = form_class(request.POST if "apply" in request.POST else None, recommendations=selected)
        if not form.is_bound or not form.is_valid():
            return self._bulk_change_page(request, action, title, form, selected)
        # Re-read and lock the rows inside the service's transaction, so that its checks see what it changes.
        rows = Recommendation.objects.for_lists().filter(pk__in=[r.pk for r in selected]).order_by("pk")
        try:
            count = apply(rows.select_for_update(of=("self",)), form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, f"Nothing was changed: {_message(error)}", messages.ERROR)
            return None
        self.message_user(request, f"{title}: {count} recommendation{'s' if count != 1 else ''} changed.")
        return None

    def _bulk_change_page(
        self, request: HttpRequest, action: str, title: str, form: forms.Form, selected: list[Recommendation]
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}…",
            "action_title": title,
            "opts": self.model._meta,
            "form": form,
            "recommendations": selected,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/recommendations/recommendation/bulk_change.html", context)


@admin.register(RecurrenceLink)
class RecurrenceLinkAdmin(InspectorateOnly, admin.ModelAdmin[RecurrenceLink]):
    """Likely repeats found on import (recommendations/recurrence.py), for staff to confirm or dismiss."""

    list_display = ("later", "later_text", "earlier", "earlier_text", "score", "state", "decided_by", "decided_at")
    list_filter = ("state",)
    list_select_related = ("earlier__inspection", "later__inspection", "decided_by")
    search_fields = ("earlier__text", "later__text", "earlier__inspection__reference", "later__inspection__reference")
    ordering = ("-created_at", "-score", "pk")
    readonly_fields = ("earlier", "later", "score", "state", "decided_by", "decided_at", "created_at")
    actions = ("confirm", "dismiss")
    show_facets = ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # suggested by the import only

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecurrenceLink]:
        return super().get_queryset(request).defer("earlier__inspection__source_text", "later__inspection__source_text")

    @admin.display(description="Later text")
    def later_text(self, link: RecurrenceLink) -> str:
        return Truncator(link.later.text).chars(SHORT_TEXT_LENGTH * 2)

    @admin.display(description="Earlier text")
    def earlier_text(self, link: RecurrenceLink) -> str:
        return Truncator(link.earlier.text).chars(SHORT_TEXT_LENGTH * 2)

    @admin.action(description="Confirm: the same recommendation made again", permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[RecurrenceLink]) -> None:
        self._decide(request, queryset, repeat=True)

    @admin.action(description="Dismiss: not a repeat", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[RecurrenceLink]) -> None:
        self._decide(request, queryset, repeat=False)

    def _decide(self, request: HttpRequest, queryset: QuerySet[RecurrenceLink], *, repeat: bool) -> None:
        try:
            count = services.recurrences_decide(links=queryset, repeat=repeat, by=request.user)
        except PermissionDenied as error:
            self.message_user(request, f"Nothing was changed: {_message(error)}", messages.ERROR)
            return
        decided = "confirmed as repeats" if repeat else "dismissed"
        self.message_user(request, f"{count} suggestion{'s' if count != 1 else ''} {decided}.")


def _search_word(word: str, fields: Sequence[str]) -> Q:
    """Q for a word in any of the fields; fields through a foreign key as a subquery over the related table."""
    found = Q()
    related: defaultdict[str, Q] = defaultdict(Q)
    for field in fields:
        relation, _, rest = field.partition("__")
        if rest:
            related[relation] |= Q(**{f"{rest}__icontains": word})
        else:
            found |= Q(**{f"{field}__icontains": word})
    for relation, match in related.items():
        model = Recommendation._meta.get_field(relation).related_model
        assert model is not None  # `relation` is a foreign key: it has a related model
        found |= Q(**{f"{relation}__in": model._default_manager.filter(match).values("pk")})
    return found


def _message(error: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])
