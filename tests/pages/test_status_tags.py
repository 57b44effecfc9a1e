"""A recommendation's status tags: its words and colour (models.STATUS_COLOURS), through status_tags() of
templates/macros/tags.html, which every table row and the recommendation's page use."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone

from recommendations.models import Recommendation, Status
from tests.factories import make_recommendation

TAGS = '{% from "macros/tags.html" import status_tags %}{{ status_tags(label, colour, overdue) }}'


def rendered(recommendation: Recommendation) -> str:
    context = {
        "label": recommendation.get_status_display(),
        "colour": recommendation.status_colour,
        "overdue": bool(recommendation.days_overdue()),
    }
    return engines["jinja2"].from_string(TAGS).render(context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.OPEN, '<strong class="govuk-tag">Open</strong>'),
        (Status.AWAITING_CLOSURE, '<strong class="govuk-tag govuk-tag--purple">Awaiting closure decision</strong>'),
        (Status.CLOSED_IMPLEMENTED, '<strong class="govuk-tag govuk-tag--green">Closed: implemented</strong>'),
        (Status.CLOSED_NOT_IMPLEMENTED, '<strong class="govuk-tag govuk-tag--orange">Closed: not implemented</strong>'),
        (Status.SUPERSEDED, '<strong class="govuk-tag govuk-tag--grey">Superseded</strong>'),
    ],
)
def test_each_status_has_its_words_and_colour(status: str, expected: str) -> None:
    recommendation = make_recommendation()
    recommendation.status = status  # in memory: the tags read the row as it is
    assert rendered(recommendation) == expected


@pytest.mark.django_db
def test_an_active_recommendation_past_its_date_is_also_tagged_overdue() -> None:
    late = make_recommendation(target_date=timezone.localdate() - datetime.timedelta(days=1))
    assert rendered(late) == (
        '<strong class="govuk-tag">Open</strong> <strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    )
    late.status = Status.CLOSED_IMPLEMENTED
    assert "Overdue" not in rendered(late)
