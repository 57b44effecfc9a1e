"""A recommendation's status tags and reference link, for table rows.

    {% load recommendation_tags %}
    {% status_tags recommendation %}  {% reference_link recommendation %}

Written in Python because they render on every row of every table (up to 400 on My actions): through templates
and their includes they cost about 0.25 ms a row, half of a row's time. The HTML is what
includes/status_tag.html writes (GOV.UK tags: words first, colour second).
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from recommendations.models import Recommendation, Status

register = template.Library()

# Blue (the GOV.UK default, no modifier class) for open; grey for anything not listed.
STATUS_COLOURS = {
    Status.OPEN: "",
    Status.AWAITING_CLOSURE: "purple",
    Status.CLOSED_IMPLEMENTED: "green",
    Status.CLOSED_NOT_IMPLEMENTED: "orange",
}
OVERDUE_TAG = mark_safe('<strong class="govuk-tag govuk-tag--red">Overdue</strong>')


@register.simple_tag
def status_tags(recommendation: Recommendation) -> SafeString:
    """The status as a GOV.UK tag, and a red "Overdue" tag when it is active and past its target date."""
    colour = STATUS_COLOURS.get(recommendation.status, "grey")
    modifier = f" govuk-tag--{colour}" if colour else ""
    status = format_html('<strong class="govuk-tag{}">{}</strong>', modifier, recommendation.get_status_display())
    return format_html("{}\n{}", status, OVERDUE_TAG) if recommendation.days_overdue() else status


@register.simple_tag
def reference_link(recommendation: Recommendation) -> SafeString:
    """The reference, linked to the recommendation's page."""
    url = reverse("recommendations:detail", args=[recommendation.pk])
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, recommendation.reference)
