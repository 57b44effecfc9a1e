"""The admin for recommendations: data entry, bulk changes through the services, and the change history.

Every change made here is kept in the history with who made it and why: the change form asks for a reason, and the
bulk actions go through the services (recommendations/services.py), which check roles and the workflow.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property
from html import escape  # Django's escape() is this behind a lazy-string wrapper, which costs µs a call
from typing import Any, NamedTuple
from urllib.parse import quote_plus

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models, router
from django.db.models import F, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import iri_to_uri
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from config.admin import static_url
from inspections.admin import InspectorateOnly, LoadedLabelsAdmin
from recommendations import services
from recommendations.admin_actions import (
    AssignOwnerForm,
    LoadedLabelsForm,
    RecommendationAdminForm,
    SetStatusForm,
    SetTargetDateForm,
)
from recommendations.admin_page import ChangeListPage
from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    ProgressUpdate,
    Recommendation,
    RecommendationQuerySet,
    Response,
    Theme,
)
from recommendations.rows import date_label
from recommendations.selectors import recommendation_changes

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


@admin.register(Theme)
class ThemeAdmin(InspectorateOnly, admin.ModelAdmin):
    """Themes link to their recommendations rather than count them: a count read every theme's rows in the join
    table (133,000 at national size, ~55 ms a page, bench/); the linked list is filtered by the theme and counts it."""

    list_display = ("name", "keywords", "recommendations_link")
    search_fields = ("name", "keywords")

    @admin.display(description="Recommendations")
    def recommendations_link(self, theme: Theme) -> str:
        url = reverse(f"{self.admin_site.name}:recommendations_recommendation_changelist")
        return format_html('<a href="{}?themes__id__exact={}">Recommendations on {}</a>', url, theme.pk, theme.name)


class OverdueFilter(admin.SimpleListFilter):
    """Active recommendations past their target date (the `is_overdue` annotation of the admin's queryset)."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
        if self.value() == "yes":
            return queryset.filter(is_overdue=True)
        if self.value() == "no":
            # The flag is NULL, not False, without a target date (SQL: NULL < today is NULL).
            return queryset.filter(Q(is_overdue=False) | Q(target_date__isnull=True))
        return queryset


class UnusedSkipped:
    """A field filter that leaves the list's queryset as it is when it is not in use: Django's filters each copy the
    queryset with an empty filter (~20 µs a filter, nine filters a page, bench/)."""

    used_parameters: dict[str, Any]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().queryset(request, queryset) if self.used_parameters else queryset  # type: ignore[misc]


class ChoicesFilter(UnusedSkipped, admin.ChoicesFieldListFilter):
    """Django's filter for a field with choices."""


class BooleanFilter(UnusedSkipped, admin.BooleanFieldListFilter):
    """Django's filter for a boolean field."""


class NameListFilter(UnusedSkipped, admin.RelatedFieldListFilter):
    """A filter by a related model whose str() is its `name`: the choices are read as (pk, name), all of a list's
    filters of this kind in one query.

    Django's filter reads whole rows (the themes' keywords too) with a query a filter, to show each row's name; the
    list's regions and themes cost two queries and ~0.3 ms of query building a view (bench/).
    """

    label_field = "name"

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        choices = getattr(request, "_name_filter_choices", None)
        if choices is None:
            choices = request._name_filter_choices = _name_choices(request, model_admin)  # type: ignore[attr-defined]
        if self.field_path not in choices:  # not one of the model admin's own filters
            return super().field_choices(field, request, model_admin)
        return choices[self.field_path]


def _name_choices(request: HttpRequest, model_admin: Any) -> dict[str, list[tuple[Any, str]]]:
    """Every NameListFilter's choices of the model admin's list, from one query: {field path: [(pk, name)]}."""
    filters = []
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, (tuple, list)) and issubclass(entry[1], NameListFilter):
            field = get_fields_from_path(model_admin.model, entry[0])[-1]
            if not field.get_limit_choices_to():
                filters.append((entry[0], _choice_ordering(field, request, model_admin)))
    choices: dict[str, list[tuple[Any, str]]] = {path: [] for path, _ in filters}
    if filters:
        using = router.db_for_read(model_admin.model)
        with connections[using].cursor() as cursor:
            cursor.execute(*_name_choices_sql(model_admin.model, tuple(filters), using))
            for position, _, pk, name in cursor.fetchall():
                choices[filters[position][0]].append((pk, name))
    return choices


def _choice_ordering(field: Any, request: HttpRequest, model_admin: Any) -> tuple[Any, ...]:
    """The order Django's filter gives its choices: the related model admin's ordering, else the related model's."""
    try:
        ordering = model_admin.admin_site.get_model_admin(field.remote_field.model).get_ordering(request)
    except NotRegistered:
        ordering = ()
    return tuple(ordering or field.related_model._meta.ordering)


@functools.cache
def _name_choices_sql(model: type[models.Model], filters: tuple[tuple[str, tuple[Any, ...]], ...], using: str) -> Any:
    """The choices' query, compiled once a process (its text depends on the models only): each related table's pk and
    name numbered in its filter's order, in one UNION ALL ordered by filter and number."""
    parts = []
    for position, (path, ordering) in enumerate(filters):
        related = get_fields_from_path(model, path)[-1].related_model
        order_by = [_order_expression(name) for name in ordering]
        parts.append(
            related._default_manager.order_by()
            .annotate(_filter=Value(position), _row=Window(RowNumber(), order_by=order_by))
            .values_list("_filter", "_row", "pk", NameListFilter.label_field)
        )
    union = parts[0].union(*parts[1:], all=True).order_by("_filter", "_row")
    return union.query.get_compiler(using=using).as_sql()


def _order_expression(name: Any) -> Any:
    if not isinstance(name, str):
        return name
    return F(name[1:]).desc() if name.startswith("-") else F(name).asc()


# Below this many rows an exact count costs under a millisecond; above it, PostgreSQL's own estimate is used.
ESTIMATE_FROM = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts a filtered list exactly, and the whole table from PostgreSQL's statistics ("about 100,000").

    COUNT(*) reads every row: ~4 ms a page at national size (bench/). The estimate is the planner's own: rows per page
    at the last ANALYZE times the table's pages now, so it follows growth between analyses.
    """

    estimated = False

    @cached_property
    def count(self) -> int:
        estimate = _whole_table_estimate(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_FROM:
            self.estimated = True
            return estimate
        return super().count


def _whole_table_estimate(queryset: Any) -> int | None:
    """PostgreSQL's row estimate for an unfiltered queryset's table; None when filtered or not on PostgreSQL."""
    if not isinstance(queryset, QuerySet) or queryset.query.has_filters() or queryset.query.distinct:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN relpages > 0 THEN reltuples / relpages"
            " * (pg_relation_size(oid) / current_setting('block_size')::int) END::bigint"
            " FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class RecommendationChangeList(ChangeList):
    """The list of recommendations, its rows read as plain values and written in one pass.

    Django renders each cell through lookup_field and display_for_field, and each checkbox through the form widget
    templates: ~80 µs a cell, most of the page's cost (bench/); and it builds four model instances a row to read nine
    values. The columns here are known, so the rows are read as tuples (_Row) and each column has a plain writer. A
    column without one, a popup, or list_editable falls back to Django's instances and rendering.
    """

    @cached_property
    def writes_rows(self) -> bool:
        return not self.list_editable and not self.is_popup and set(self.list_display) <= set(_CELLS)

    def get_results(self, request: HttpRequest) -> None:
        queryset = self.queryset
        if self.writes_rows:
            self.queryset = queryset.values_list(*_Row._fields)
        else:  # Django's cells read only these: not the PDU, the text, or the inspection's and owner's other fields
            self.queryset = queryset.select_related(None).select_related(*ROW_RELATED).only(*ROW_COLUMNS)
        try:
            super().get_results(request)
        finally:
            self.queryset = queryset  # the actions get whole rows
        if self.writes_rows:
            self.result_list = [_Row._make(values) for values in self.result_list]

    def result_table(self) -> SafeString:
        """The table as Django's admin/change_list_results.html writes it (no hidden fields: nothing is editable)."""
        if not self.result_list:
            return mark_safe("")
        headers = list(result_headers(self))
        sorted_count = sum(1 for header in headers if header["sortable"] and header["sorted"])
        head = "".join(_header_cell(header, sorted_count) for header in headers)
        writer = _RowWriter(self)
        body = "".join(f"{writer.row(row)}\n" for row in self.result_list)
        table = f'<table id="result_list">\n<thead>\n<tr>\n{head}\n</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>'
        return mark_safe(f'\n<div class="results">\n{table}\n</div>\n')  # every value is escaped by its writer

    def get_query_string(self, new_params: dict[str, Any] | None = None, remove: list[str] | None = None) -> str:
        """Django's query string for a link (the filters' ~90 links a page), each parameter quoted as Django's
        urlencode quotes it, without its per-call checks and conversions (~2 µs a link rather than ~6, bench/)."""
        params = dict(self.filter_params)
        for prefix in remove or ():
            for key in [key for key in params if key.startswith(prefix)]:
                del params[key]
        for key, value in (new_params or {}).items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + "&".join(_query_pairs(sorted(params.items())))

    def filters_html(self) -> SafeString:
        """The filter sidebar: each filter as Django's admin/filter.html writes it, without a template render a filter
        and a variable lookup a choice (~15 µs a choice, 61 choices, bench/). Other filter templates render as usual."""
        return mark_safe("".join(_filter_html(self, spec) for spec in self.filter_specs))


def _query_pairs(params: list[tuple[str, Any]]) -> list[str]:
    """urlencode(params, doseq=True) as Django's django.utils.http.urlencode writes it, as a list of key=value."""
    pairs = []
    for key, value in params:
        if isinstance(value, str):
            pairs.append(f"{quote_plus(key)}={quote_plus(value)}")
        elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            pairs.extend(f"{quote_plus(key)}={quote_plus(item)}" for item in value)
        else:  # numbers, flags, other sequences: Django's own conversion
            pairs.append(urlencode([(key, value)], doseq=True))
    return [pair for pair in pairs if pair]


def _header_cell(header: dict[str, Any], sorted_count: int) -> str:
    """One column heading: its sort links and its text (the select-all checkbox is already safe HTML)."""
    options = ""
    if header["sortable"] and header["sort_priority"] > 0:
        priority = ""
        if sorted_count > 1:
            title = gettext("Sorting priority: %(priority_number)s") % {"priority_number": header["sort_priority"]}
            priority = f'<span class="sortpriority" title="{escape(title)}">{header["sort_priority"]}</span>'
        direction = "ascending" if header["ascending"] else "descending"
        options = (
            f'<div class="sortoptions"><a class="sortremove" href="{escape(header["url_remove"])}"'
            f' title="{escape(gettext("Remove from sorting"))}"></a>{priority}<a href="{escape(header["url_toggle"])}"'
            f' class="toggle {direction}" title="{escape(gettext("Toggle sorting"))}"></a></div>'
        )
    text = header["text"]  # the capfirst filter keeps safe text safe
    text = mark_safe(capfirst(text)) if isinstance(text, SafeData) else escape(capfirst(str(text)))
    if header["sortable"]:
        text = f'<a role="button" href="{escape(header["url_primary"])}">{text}</a>'
    else:
        text = f"<span>{text}</span>"
    return (
        f'<th scope="col"{header["class_attrib"]}>{options}<div class="text">{text}</div><div class="clear"></div></th>'
    )


def _filter_html(changelist: ChangeList, spec: Any) -> str:
    if spec.template != "admin/filter.html":
        return admin_list_filter(changelist, spec)
    title = escape(str(spec.title))
    summary = gettext(" By %(filter_title)s ") % {"filter_title": title}
    items = "".join(_filter_choice(choice) for choice in spec.choices(changelist))
    head = f'<details data-filter-title="{title}" open>\n  <summary>{summary}</summary>'
    return f"{head}\n  <ul>{items}\n  </ul>\n</details>\n"


def _filter_choice(choice: dict[str, Any]) -> str:
    selected = ' class="selected"' if choice["selected"] else ""
    display = choice["display"]
    display = display if isinstance(display, SafeData) else escape(str(display))
    href = escape(iri_to_uri(choice["query_string"]))
    return f'\n    <li{selected}>\n    <a href="{href}">{display}</a></li>'


class _Row(NamedTuple):
    """What a list row shows, by the lookups that read it (values_list), and the few derived values its cells need."""

    pk: int
    inspection__reference: str
    addressee: str
    number: int
    region__name: str | None
    owner__first_name: str | None
    owner__last_name: str | None
    owner__username: str | None
    status: str
    target_date: datetime.date | None
    is_overdue: bool | None
    priority: bool | None

    @property
    def reference(self) -> str:  # Recommendation.reference, and its str()
        return f"{self.inspection__reference}/{Recommendation.addressee_code.fget(self)}{self.number}"  # type: ignore[attr-defined]

    @property
    def owner(self) -> str | None:  # str(User): the full name, else the username
        first, last = self.owner__first_name or "", self.owner__last_name or ""
        return f"{first} {last}".strip() or self.owner__username


class _RowWriter:
    """Writes one <tr> per row: the markup Django's items_for_result gives these columns."""

    def __init__(self, changelist: ChangeList) -> None:
        self.columns = list(changelist.list_display)
        self.links = set(changelist.list_display_links or ())
        self.empty = str(changelist.model_admin.get_empty_value_display())
        placeholder = "__pk__"  # a change URL with a stand-in primary key, reversed once for the page
        site = changelist.model_admin.admin_site.name
        url = reverse(f"{site}:recommendations_recommendation_change", args=[placeholder])
        url = add_preserved_filters({"preserved_filters": changelist.preserved_filters, "opts": changelist.opts}, url)
        self.url_parts = url.split(placeholder, 1)
        self.icons = {value: _boolean_icon(value) for value in (True, False, None)}
        # date_label writes the en-GB format ("3 Mar 2026") without Django's per-call cost; others go through Django.
        self.date_label = date_label if get_format("DATE_FORMAT") == "j M Y" else formats.localize

    def row(self, row: _Row) -> SafeString:
        cells, first_link = [], True
        for name in self.columns:
            tag, classes, content = _CELLS[name](self, row)
            if name in self.links:  # as Django: a link to the change page, the first one a row header
                tag, first_link = ("th" if first_link else tag), False
                content = f'<a href="{self.change_url(row)}">{content}</a>'
            cells.append(f'<{tag} class="{classes}">{content}</{tag}>')
        return mark_safe(f"<tr>{''.join(cells)}</tr>")  # every value is escaped by its writer

    def change_url(self, row: _Row) -> str:
        return escape(str(row.pk).join(self.url_parts))

    def text(self, value: object) -> str:
        return self.empty if value is None or value == "" else escape(str(value))

    def date(self, value: datetime.date | None) -> str:
        return self.empty if value is None else escape(self.date_label(value))


def _boolean_icon(value: bool | None) -> str:
    name = {True: "yes", False: "no", None: "unknown"}[value]
    icon = static_url(f"admin/img/icon-{name}.svg")
    return f'<img src="{escape(icon)}" alt="{value}">'


# What Django's own cells read, when they are used (is_overdue is annotated from status and target date).
ROW_RELATED = ("inspection", "region", "owner")
ROW_COLUMNS = (
    *("inspection__reference", "addressee", "number", "status", "target_date", "priority"),
    *("region__name", "owner__first_name", "owner__last_name", "owner__username"),
)
_STATUS_LABELS = dict(Recommendation._meta.get_field("status").flatchoices)
_ADDRESSEE_LABELS = dict(Recommendation._meta.get_field("addressee").flatchoices)
_Cell = tuple[str, str, str]  # tag, classes, escaped content


def _checkbox(writer: _RowWriter, r: _Row) -> _Cell:
    label = escape(f"Select this object for an action - {r.reference}")
    attrs = f'name="{helpers.ACTION_CHECKBOX_NAME}" value="{r.pk}" class="action-select" aria-label="{label}"'
    return "td", "action-checkbox", f'<input type="checkbox" {attrs}>'


_CELLS: dict[str, Callable[[_RowWriter, _Row], _Cell]] = {
    "action_checkbox": _checkbox,
    "reference": lambda w, r: ("td", "field-reference", escape(r.reference)),
    "region": lambda w, r: ("td", "field-region nowrap", w.text(r.region__name)),
    "addressee": lambda w, r: ("td", "field-addressee", w.text(_ADDRESSEE_LABELS.get(r.addressee, r.addressee))),
    "owner": lambda w, r: ("td", "field-owner nowrap", w.text(r.owner)),
    "status": lambda w, r: ("td", "field-status", w.text(_STATUS_LABELS.get(r.status, r.status))),
    "target_date": lambda w, r: ("td", "field-target_date nowrap", w.date(r.target_date)),
    "overdue": lambda w, r: ("td", "field-overdue", w.icons[bool(r.is_overdue)]),
    "priority": lambda w, r: ("td", "field-priority", w.icons[r.priority]),
}


class FollowUpActivityInline(InspectorateOnly, LoadedLabelsAdmin, admin.TabularInline):
    model = FollowUpActivity
    fields = ("kind", "activity_date", "conducted_by", "notes", "outcome")
    autocomplete_fields = ("conducted_by",)
    formfield_overrides = SMALL_TEXTAREA
    form = LoadedLabelsForm
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[FollowUpActivity]:
        return super().get_queryset(request).select_related("conducted_by")


class ProgressUpdateInline(InspectorateOnly, admin.TabularInline):
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


class ActionPlanItemInline(InspectorateOnly, admin.TabularInline):
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
        "region",
        "addressee",
        "owner",
        "status",
        "target_date",
        "overdue",
        "priority",
    )
    list_filter = (  # the filters Django would choose for these fields, which skip the queryset when unused
        ("status", ChoicesFilter),
        ("addressee", ChoicesFilter),
        ("region", NameListFilter),
        ("response", ChoicesFilter),
        ("judgement", ChoicesFilter),
        ("priority", BooleanFilter),
        ("themes", NameListFilter),
        OverdueFilter,
        ("inspection__type", ChoicesFilter),
    )
    list_select_related = ("inspection", "region", "pdu", "owner")
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
        return super().get_queryset(request).for_lists().with_overdue_flag()  # type: ignore[attr-defined]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RecommendationChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context and not context["cl"].formset:  # list_editable keeps Django's head
            context["list_page"] = ChangeListPage(request, context)
        return response

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Recommendation], search_term: str
    ) -> tuple[QuerySet[Recommendation], bool]:
        """As Django's search: each word in one of the search fields. Django joins the report and the owner to all
        100k rows to test them (~170 ms a query, bench/); here the reports and people a word matches are found in their
        own small tables and the recommendations by key (~50 ms, mostly reading the text), with the same results.
        """
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            queryset = queryset.filter(_search_word(word, self.get_search_fields(request)))
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

    @admin.display(description="Overdue", boolean=True, ordering="is_overdue")
    def overdue(self, recommendation: Recommendation) -> bool:
        return bool(recommendation.is_overdue)  # type: ignore[attr-defined]

    @admin.display(description="Change history")
    def change_history(self, recommendation: Recommendation) -> str:
        if recommendation.pk is None:
            return "-"
        changes = recommendation_changes(recommendation)
        return render_to_string("admin/recommendations/recommendation/change_history.html", {"changes": changes})

    # --- saving: who and why go into the history ---

    def save_model(self, request: HttpRequest, obj: Recommendation, form: Any, change: bool) -> None:
        obj._history_user = request.user  # type: ignore[attr-defined]
        obj._change_reason = form.history_reason()  # type: ignore[attr-defined]
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

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Restoring an old version would change the status outside the workflow and unrecorded: read-only.
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)

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
                recommendations=rows, owner=data["owner"], by=request.user, reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "assign_owner", "Assign an owner", AssignOwnerForm, apply)

    @admin.action(description="Set status…", permissions=["change"])
    def set_status(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse | None:
        def apply(rows: QuerySet[Recommendation], data: dict[str, Any]) -> int:
            return services.recommendations_bulk_transition(
                recommendations=rows, action=data["step"], by=request.user, reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "set_status", "Set status", SetStatusForm, apply)

    @admin.action(description="Set target date…", permissions=["change"])
    def set_target_date(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse | None:
        def apply(rows: QuerySet[Recommendation], data: dict[str, Any]) -> int:
            return services.recommendations_bulk_set_target_date(
                recommendations=rows, target_date=data["target_date"], by=request.user, reason=data["reason"]
            )

        return self._bulk_change(request, queryset, "set_target_date", "Set target date", SetTargetDateForm, apply)

    def _bulk_change(
        self,
        request: HttpRequest,
        queryset: QuerySet[Recommendation],
        action: str,
        title: str,
        form_class: type[forms.Form],
        apply: Callable[[QuerySet[Recommendation], dict[str, Any]], int],
    ) -> HttpResponse | None:
        """Show the action's page; once it is filled in, apply the change to every selected row or to none."""
        selected = list(queryset.order_by("pk"))
        kwargs = {"recommendations": selected} if form_class is SetTargetDateForm else {}
        form = form_class(request.POST if "apply" in request.POST else None, **kwargs)
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


def _search_word(word: str, fields: Sequence[str]) -> Q:
    """Q for a word in any of the fields; fields through a foreign key as a subquery over the related table."""
    found, related = Q(), defaultdict(Q)
    for field in fields:
        relation, _, rest = field.partition("__")
        if rest:
            related[relation] |= Q(**{f"{rest}__icontains": word})
        else:
            found |= Q(**{f"{field}__icontains": word})
    for relation, match in related.items():
        model = Recommendation._meta.get_field(relation).related_model
        found |= Q(**{f"{relation}__in": model._default_manager.filter(match).values("pk")})
    return found


def _message(error: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])
