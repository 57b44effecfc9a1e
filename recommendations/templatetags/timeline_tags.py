"""The recommendation page's timeline entries and target date moves, written in Python.

A long-running recommendation shows 50 timeline entries and every move of its target date (often dozens): through
the template language that is thousands of nodes, most of the page's cost. The HTML is the one
templates/recommendations/includes/timeline.html and target_date.html used to write, everything escaped.

    {% load timeline_tags %}{% timeline_items timeline recommendation.pk %}{% target_date_rows target_date_moves %}
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from recommendations.timeline import TargetDateMove, TimelineEntry, short_date

register = template.Library()

BOLD = mark_safe('<span class="govuk-!-font-weight-bold">')


def _lines(text: str) -> SafeString:
    """As the linebreaksbr filter: escaped, each line break a <br>."""
    return mark_safe(escape(normalize_newlines(text)).replace("\n", "<br>"))  # escaped just before


def _shown(value: Any) -> str:
    """A changed value as the page shows it: "none" for nothing, a date as 30 Jun 2026."""
    if value is None or value == "" or value is False:
        return "none"
    return short_date(value) if isinstance(value, datetime.date) else str(value)


@register.simple_tag
def timeline_items(entries: Iterable[TimelineEntry], recommendation_pk: int) -> SafeString:
    """Every entry as a moj-timeline item."""
    evidence_url = reverse("recommendations:evidence_file", args=[recommendation_pk, 0])[: -len("0/")]
    return format_html_join("\n", "{}", ((_item(entry, evidence_url),) for entry in entries))


def _item(entry: TimelineEntry, evidence_url: str) -> SafeString:
    byline = format_html('<p class="moj-timeline__byline">by {}</p>', entry.by) if entry.by else ""
    return format_html(
        '<div class="moj-timeline__item" data-kind="{}">\n'
        '  <div class="moj-timeline__header">\n    <h3 class="moj-timeline__title">{}</h3>\n    {}\n  </div>\n'
        '  <p class="moj-timeline__date"><time datetime="{}">{}</time></p>\n'
        '  <div class="moj-timeline__description">{}</div>\n'
        "</div>",
        entry.kind,
        entry.title,
        byline,
        entry.machine_date,
        entry.when,
        _description(entry, evidence_url),
    )


def _description(entry: TimelineEntry, evidence_url: str) -> SafeString:
    parts: list[SafeString] = []
    if entry.changes:
        items = format_html_join(
            "",
            "<li>{}: {} to <strong>{}</strong></li>",
            ((c.label, _shown(c.old), _shown(c.new)) for c in entry.changes),
        )
        parts.append(format_html('<ul class="govuk-list">{}</ul>', items))
    if entry.text:
        parts.append(format_html('<p class="govuk-body">{}</p>', _lines(entry.text)))
    if entry.reason:
        parts.append(format_html('<p class="govuk-body">{}Reason:</span> {}</p>', BOLD, _lines(entry.reason)))
    for label, value in entry.details:
        parts.append(format_html('<p class="govuk-body">{}{}:</span> {}</p>', BOLD, label, _lines(value)))
    evidence = entry.evidence
    if evidence and evidence.has_file:
        parts.append(
            format_html(
                '<p class="govuk-body"><a class="govuk-link" href="{}{}/">Download evidence'
                '<span class="govuk-visually-hidden"> from {}</span></a></p>',
                evidence_url,
                evidence.update_id,
                entry.when,
            )
        )
    if evidence and evidence.url:
        parts.append(
            format_html(
                '<p class="govuk-body"><a class="govuk-link" href="{}" rel="noopener noreferrer">Evidence link'
                '<span class="govuk-visually-hidden"> from {}</span></a></p>',
                evidence.url,
                entry.when,
            )
        )
    return mark_safe("\n".join(parts))  # each part is built by format_html


@register.simple_tag
def target_date_rows(moves: Iterable[TargetDateMove]) -> SafeString:
    """Every move of the target date as a table row: when, from, to, by, reason."""
    cell = '<td class="govuk-table__cell">{}</td>'
    row = f'<tr class="govuk-table__row">{cell * 5}</tr>'
    return format_html_join("\n", row, ((m.on, m.old_text, m.new_text, m.by, m.reason) for m in moves))
