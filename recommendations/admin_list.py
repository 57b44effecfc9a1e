"""The Django admin's list of recommendations at national size: its filters, its count, and its rows and header
written in Python as Django's templates write them (tests/test_admin.py compares the two); the page around them is
recommendations/admin_page.py. RecommendationAdmin (recommendations/admin.py) puts them together.
"""

import datetime
import functools
from collections.abc import Callable
from functools import cached_property
from html import escape  # Django's escape() is this behind a lazy-string wrapper, which costs µs a call
from typing import Any, NamedTuple
from urllib.parse import quote_plus

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections, models, router
from django.db.models import F, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.encoding import iri_to_uri
from django.utils.formats import get_format
from django.utils.http import urlencode
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from config.admin import static_url
from core import html
from core.dates import short_date
from recommendations.models import (
    Recommendation,
)


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
    display = html.escape(choice["display"])
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
        # short_date writes the en-GB format ("3 Mar 2026") without Django's per-call cost; others go through Django.
        self.date_label = short_date if get_format("DATE_FORMAT") == "j M Y" else formats.localize

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
