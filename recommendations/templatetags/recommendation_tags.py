"""A recommendation's status tags, for pages that show one recommendation (tables use recommendations/rows.py).

{% load recommendation_tags %}
{% status_tags recommendation %}
"""

from django import template
from django.utils.safestring import SafeString

from recommendations import rows
from recommendations.models import Recommendation

register = template.Library()


@register.simple_tag
def status_tags(recommendation: Recommendation) -> SafeString:
    """The status as a GOV.UK tag, and a red "Overdue" tag when it is active and past its target date."""
    return rows.status_tags(recommendation.status, overdue=bool(recommendation.days_overdue()))
