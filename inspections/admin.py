"""The admin as the Inspectorate's data-entry tool: regions and PDUs, and the mixins every app's admin shares.

An inspection's admin page (with its recommendations) is recommendations/admin_inspections.py: it needs the
recommendation's form and rules, and the inspections app sits below recommendations (tests/test_import_graph.py).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from inspections.models import NOT_INSPECTORATE_STAFF, ProbationDeliveryUnit, Region


def is_inspectorate_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_inspectorate", False))


if TYPE_CHECKING:  # the mixins below are mixed into a ModelAdmin or an inline, whose methods they call via super()
    from django.contrib.admin.options import BaseModelAdmin
    from django_stubs_ext import WithAnnotations

    class PduCount(TypedDict):
        pdu_count: int

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


class LoadedLabelAutocomplete(AutocompleteSelect):
    """An autocomplete whose current choice is labelled from the row already loaded, not looked up again.

    Django's widget runs one query per form to label the selected object: 200 queries on an inline of 200 rows.
    LoadedLabelsForm (recommendations/admin_actions.py) fills `loaded_labels` from objects fetched with select_related.
    """

    loaded_labels: dict[str, str] = {}
    # Added to the search's URL: the recommendation whose owner or replacement is sought (admin_actions.scoped_choices).
    search_for: dict[str, str] = {}

    def get_url(self) -> str:
        url = super().get_url()
        return f"{url}?{urlencode(self.search_for)}" if self.search_for else url

    def optgroups(self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None) -> list[Any]:
        selected = [str(v) for v in value if str(v) not in ("", "None")]
        if not selected or any(v not in self.loaded_labels for v in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for option_value in selected:
            options.append(self.create_option(name, option_value, self.loaded_labels[option_value], True, len(options)))
        return [(None, options, 0)]


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
