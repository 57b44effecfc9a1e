"""Home, My actions, the recommendation list and its exports. Reads come from selectors, scoped by permissions."""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.views.decorators.http import require_safe
from django_filters.fields import ChoiceIteratorMixin
from markupsafe import Markup

from accounts.requests import AuthenticatedRequest
from core.fragments import kept_fragment, query_key
from core.pagination import page_number
from core.querystrings import query_with, query_without_value
from recommendations import exports, permissions, round_selectors, selectors

SORTABLE_COLUMNS = (
    ("reference", "Reference"),
    ("region", "Region"),
    ("owner", "Owner"),
    ("target_date", "Target date"),
    ("status", "Status"),
    ("last_updated", "Last updated"),
)


@login_required
@require_safe
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Inspectorate staff start on the dashboard; leads on their own actions."""
    return redirect("recommendations:dashboard" if request.user.is_inspectorate else "recommendations:my_actions")


@login_required
@require_safe
def my_actions(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    context = {
        "groups": selectors.my_actions(user, today=timezone.localdate()),
        "includes_unowned": user.is_regional_lead or user.is_hmpps_lead,
        "limit": selectors.MY_ACTIONS_LIMIT,
        "open_rounds": round_selectors.open_rounds_for(user),
    }
    return render(request, "recommendations/my_actions.html", context)


@login_required
@require_safe
def recommendation_list(request: AuthenticatedRequest) -> HttpResponse:
    found = selectors.recommendations_filtered(request)
    page = selectors.list_page(found, page_number(request.GET.get("page")))  # a page that cannot exist is a 404
    selected = selected_filters(request, found.filterset.form)
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    panel = {"form": found.filterset.form, "selected": selected, "filtered": filtered, "sort": request.GET.get("sort")}
    context = {
        "filter": found.filterset,
        "form": found.filterset.form,
        "page": page,
        "rows": page.object_list,
        "sort_columns": sort_columns(request, found.sort),
        "export_query": query_with(request.GET, page=None),
        "selected": selected,
        "today": timezone.localdate(),
        "filtered": filtered,
        "filter_panel": filter_panel(request, "recommendations/_list_filter.html", panel),
    }
    return render(request, "recommendations/list.html", context)


def filter_panel(request: AuthenticatedRequest, template_name: str, context: dict[str, Any]) -> Markup:
    """A page's filter panel, kept for everyone with the same scope and query (core/fragments.py): what it offers
    is the scope's (filter_options.py) and what it shows chosen is the query's."""
    name = f"{template_name}:{permissions.scope_key(request.user)}:{query_key(request.GET)}"
    return kept_fragment(name, lambda: render_to_string(template_name, context))


def sort_columns(request: AuthenticatedRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (reversing it if it is the current sort) and aria-sort."""
    columns = {}
    for key, label in SORTABLE_COLUMNS:
        ascending_now = current == key
        href = query_with(request.GET, page=None, sort=f"-{key}" if ascending_now else key)
        aria = "ascending" if ascending_now else "descending" if current == f"-{key}" else "none"
        columns[key] = {"label": label, "href": href, "aria_sort": aria}
    return columns


@dataclass(frozen=True)
class SelectedFilter:
    label: str
    tags: list[tuple[str, str]]  # (what was chosen, the link that removes just that)

    # As a category of mojFilter's selectedFilters (templates/macros/moj.html).
    @property
    def heading(self) -> dict[str, str]:
        return {"text": self.label}

    @property
    def items(self) -> list[dict[str, str]]:
        return [{"text": text, "href": href} for text, href in self.tags]


def selected_filters(request: AuthenticatedRequest, form: forms.Form) -> list[SelectedFilter]:
    """The filters in use, each value with a link that removes it, for the MOJ filter's "Selected filters"."""
    if not form.is_valid():
        return []
    selected = []
    for name, value in form.cleaned_data.items():
        multiple = isinstance(value, list)
        values = value if multiple else [value]
        field = form.fields[name]
        tags = [(_display(field, item), _without(request, name, item if multiple else None)) for item in values if item]
        if tags:
            selected.append(SelectedFilter(str(field.label), tags))
    return selected


def _display(field: forms.Field, value: Any) -> str:
    # django-filter's choice fields (ChoiceIteratorMixin) offer a "none" choice with its own value and label.
    if isinstance(field, ChoiceIteratorMixin) and value == field.null_value:
        return str(field.null_label)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    if isinstance(field, forms.ModelChoiceField):
        return field.label_from_instance(value)
    return str(dict(getattr(field, "choices", ())).get(value, value))


def _without(request: AuthenticatedRequest, name: str, value: str | None) -> str:
    """This page's query without one value of a multiple-choice filter, or without the filter altogether."""
    if value is None:
        return query_with(request.GET, page=None, **{name: None})
    return query_without_value(request.GET, name, value, page=None)


@login_required
@require_safe
def export_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    today = timezone.localdate()
    rows = exports.export_rows(selectors.recommendations_filtered(request).queryset, today)
    return exports.csv_response(rows, f"recommendations-{today:%Y-%m-%d}.csv")


@login_required
@require_safe
def export_xlsx(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = exports.export_rows(selectors.recommendations_filtered(request).queryset, today)
    return exports.xlsx_response(rows, f"recommendations-{today:%Y-%m-%d}.xlsx")
