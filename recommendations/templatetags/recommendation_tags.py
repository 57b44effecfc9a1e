"""A recommendation's status tags, and the body rows of the recommendation tables.

    {% load recommendation_tags %}
    {% status_tags recommendation %}
    <tbody class="govuk-table__body">{% table_rows rows hide_report=True %}</tbody>        (recommendations/_table.html)
    <tbody class="govuk-table__body">{% table_rows rows layout="list" %}</tbody>           (recommendations/list.html)
    <tbody class="govuk-table__body">{% count_rows rows %}</tbody>          (recommendations/_counts_table.html)

The rows (recommendations/rows.py) are written in Python: a table shows up to 100 of them on every view, and through
a template each cost about 15 µs, ten times as much. Every value is escaped as the templates' autoescape would.
"""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from recommendations import rows as recommendation_rows
from recommendations.models import Recommendation
from recommendations.rows import RecommendationRow

register = template.Library()


@register.simple_tag
def status_tags(recommendation: Recommendation) -> SafeString:
    """The status as a GOV.UK tag, and a red "Overdue" tag when it is active and past its target date."""
    return recommendation_rows.status_tags(recommendation.status, overdue=bool(recommendation.days_overdue()))


@register.simple_tag
def table_rows(rows: Iterable[RecommendationRow], *, layout: str = "short", hide_report: bool = False) -> SafeString:
    """`short`: reference, text, report (unless hidden), target date, status. `list`: reference, text with its
    addressee and report, region, owner, target date, status."""
    if layout == "list":
        return mark_safe("".join(_list_row(row) for row in rows))
    return mark_safe("".join(_short_row(row, hide_report) for row in rows))


def _short_row(row: RecommendationRow, hide_report: bool) -> str:
    report = "" if hide_report else f'<td class="govuk-table__cell">{_report_link(row)}</td>'
    return (
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{_reference_link(row)}</th>'
        f'<td class="govuk-table__cell">{escape(row.summary)}</td>{report}'
        f'<td class="govuk-table__cell">{row.target_date_label}</td>'
        f'<td class="govuk-table__cell">{row.status_tags}</td></tr>\n'
    )


def _list_row(row: RecommendationRow) -> str:
    hint = "govuk-hint govuk-!-font-size-16 govuk-!-margin-top-1 govuk-!-margin-bottom-0"
    return (
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{_reference_link(row)}</th>'
        f'<td class="govuk-table__cell">{escape(row.summary)}'
        f'<div class="{hint}">To {escape(row.addressee_name)}, in {_report_link(row)}</div></td>'
        f'<td class="govuk-table__cell">{escape(row.region_name or "\N{EN DASH}")}</td>'
        f'<td class="govuk-table__cell">{escape(row.owner_name or "Nobody")}</td>'
        f'<td class="govuk-table__cell">{row.target_date_label}</td>'
        f'<td class="govuk-table__cell">{row.status_tags}</td></tr>\n'
    )


COUNT_COLUMNS = ("open", "awaiting", "overdue", "due_this_month", "closed")


@register.simple_tag
def count_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The dashboard's counts by region or by addressee: a heading cell (its label, or region name) and the
    counts, written without the template's localisation of each of about a hundred numbers."""
    cells = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    written = [
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(_count_label(row))}</th>'
        + "".join(cells.format(int(row[column])) for column in COUNT_COLUMNS)
        + "</tr>\n"
        for row in rows
    ]
    empty = '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="6">No recommendations yet.</td></tr>'
    return mark_safe("".join(written) or empty)


def _count_label(row: dict[str, Any]) -> str:
    return str(row.get("label") or row.get("region__name") or "No region (national work)")


def _reference_link(row: RecommendationRow) -> str:
    return f'<a class="govuk-link" href="{escape(row.url)}">{escape(row.reference)}</a>'


def _report_link(row: RecommendationRow) -> str:
    return f'<a class="govuk-link" href="{escape(row.inspection_url)}">{escape(row.inspection_title)}</a>'
