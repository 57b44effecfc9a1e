"""The recommendation page's timeline entries and target date moves, written in Python; its tags and dates.

A long-running recommendation shows 50 timeline entries and every move of its target date (often dozens): through
the template language that is thousands of nodes, most of the page's cost. The HTML is the one
templates/recommendations/includes/timeline.html and target_date.html used to write, every value escaped as
autoescape escapes it (html.escape, which is what django.utils.html.escape calls, without its lazy-string wrapper).

    {% load timeline_tags %}{% timeline_items timeline recommendation.pk %}{% target_date_rows target_date_moves %}

The rest of the page is a template; its GOV.UK tags and dates are written here, the same bytes as
includes/status_tag.html and the date filter write, without an include (a template and a context each) or
Django's date formatting for each:

    {% status_tag "Overdue" "red" %}  {{ recommendation.target_date|long_date }}  {{ item.completed_on|short_date }}

and its links to pages of one recommendation (or one of its actions), reversed once: {% pk_url name pk item.pk %}.
"""

import datetime
from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core import html
from core.dates import long_date, short_date
from core.links import pk_url as link_to
from recommendations.timeline import TargetDateMove, TimelineEntry

register = template.Library()

BOLD = '<span class="govuk-!-font-weight-bold">'


def _lines(text: str) -> str:
    """As the linebreaksbr filter: escaped, each line break a <br>."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _shown(value: Any) -> str:
    """A changed value as the page shows it: "none" for nothing, a date as 30 Jun 2026."""
    if value is None or value == "" or value is False:
        return "none"
    return escape(short_date(value) if isinstance(value, datetime.date) else str(value))


@register.simple_tag
def timeline_items(entries: Iterable[TimelineEntry], recommendation_pk: int) -> SafeString:
    """Every entry as a moj-timeline item."""
    evidence_url = reverse("recommendations:evidence_file", args=[recommendation_pk, 0])[: -len("0/")]
    zone = timezone.get_current_timezone()
    return mark_safe("\n".join(_item(entry, evidence_url, zone) for entry in entries))  # each value escaped in _item


def _item(entry: TimelineEntry, evidence_url: str, zone: datetime.tzinfo) -> str:
    machine_date, when = entry.written(zone)
    byline = f'<p class="moj-timeline__byline">by {escape(entry.by)}</p>' if entry.by else ""
    return (
        f'<div class="moj-timeline__item" data-kind="{entry.kind}">\n'
        f'  <div class="moj-timeline__header">\n    <h3 class="moj-timeline__title">{escape(entry.title)}</h3>\n'
        f"    {byline}\n  </div>\n"
        f'  <p class="moj-timeline__date"><time datetime="{machine_date}">{when}</time></p>\n'
        f'  <div class="moj-timeline__description">{_description(entry, evidence_url, when)}</div>\n'
        "</div>"
    )


def _description(entry: TimelineEntry, evidence_url: str, when: str) -> str:
    parts: list[str] = []
    if entry.changes:
        items = "".join(
            f"<li>{escape(c.label)}: {_shown(c.old)} to <strong>{_shown(c.new)}</strong></li>" for c in entry.changes
        )
        parts.append(f'<ul class="govuk-list">{items}</ul>')
    if entry.text:
        parts.append(f'<p class="govuk-body">{_lines(entry.text)}</p>')
    if entry.reason:
        parts.append(f'<p class="govuk-body">{BOLD}Reason:</span> {_lines(entry.reason)}</p>')
    for label, value in entry.details:
        parts.append(f'<p class="govuk-body">{BOLD}{escape(label)}:</span> {_lines(value)}</p>')
    evidence = entry.evidence
    if evidence and evidence.has_file:
        parts.append(
            f'<p class="govuk-body"><a class="govuk-link" href="{evidence_url}{evidence.update_id}/">Download evidence'
            f'<span class="govuk-visually-hidden"> from {when}</span></a></p>'
        )
    if evidence and evidence.url:
        parts.append(
            f'<p class="govuk-body"><a class="govuk-link" href="{escape(evidence.url)}" rel="noopener noreferrer">'
            f'Evidence link<span class="govuk-visually-hidden"> from {when}</span></a></p>'
        )
    return "\n".join(parts)


@register.simple_tag
def target_date_rows(moves: Iterable[TargetDateMove]) -> SafeString:
    """Every move of the target date as a table row: when, from, to, by, reason."""
    zone = timezone.get_current_timezone()
    cell = '<td class="govuk-table__cell">'
    rows = (
        # Dates are written from numbers and month names (nothing to escape); people and reasons are escaped.
        f'<tr class="govuk-table__row">{cell}{m.written_on(zone)}</td>{cell}{m.old_text}</td>{cell}{m.new_text}</td>'
        f"{cell}{escape(m.by)}</td>{cell}{escape(m.reason)}</td></tr>"
        for m in moves
    )
    return mark_safe("\n".join(rows))


# --- the rest of the page ---


@register.simple_tag
def status_tag(text: Any, colour: str = "") -> SafeString:
    """A GOV.UK tag, as `{% include "includes/status_tag.html" with text=text colour=colour %}` writes it (its line
    breaks included): the words escaped, blue (the default) without a modifier."""
    modifier = f" govuk-tag--{colour}" if colour and colour != "blue" else ""
    return mark_safe(f'\n<strong class="govuk-tag{modifier}">{html.escape(text)}</strong>\n')


@register.filter(name="long_date", expects_localtime=True)
def long_date_filter(day: datetime.date | None) -> str:
    """As |date:"j F Y" (27 March 2027; a moment in the current time zone); nothing for no date."""
    return long_date(day)


@register.filter(name="short_date", expects_localtime=True)
def short_date_filter(day: datetime.date | None) -> str:
    """As |date:"j M Y" (27 Mar 2027; a moment in the current time zone); nothing for no date."""
    return short_date(day)


@register.simple_tag
def pk_url(name: str, *pks: int) -> str:
    """As {% url name pk ... %} for a URL that takes only primary keys (int converters), reversed once per URL
    configuration and script prefix (core/links.py), not on each link."""
    return link_to(name, *pks)
