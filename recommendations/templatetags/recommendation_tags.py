"""A recommendation's status tags, and the body rows of the recommendation tables.

    {% load recommendation_tags %}
    {% status_tags recommendation %}
    <tbody class="govuk-table__body">{% table_rows rows hide_report=True %}</tbody>        (recommendations/_table.html)
    <tbody class="govuk-table__body">{% table_rows rows layout="list" %}</tbody>           (recommendations/list.html)

The rows (recommendations/rows.py) are written in Python: a table shows up to 100 of them on every view, and through
a template each cost about 15 µs, ten times as much. Every value is escaped as the templates' autoescape would.
"""

from collections.abc import Iterable
from html import escape

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


def _reference_link(row: RecommendationRow) -> str:
    return f'<a class="govuk-link" href="{escape(row.url)}">{escape(row.reference)}</a>'


def _report_link(row: RecommendationRow) -> str:
    return f'<a class="govuk-link" href="{escape(row.inspection_url)}">{escape(row.inspection_title)}</a>'
