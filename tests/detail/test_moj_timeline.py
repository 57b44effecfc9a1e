"""templates/macros/moj.html's mojTimeline writes what MOJ Frontend's timeline template writes
(node_modules/@ministryofjustice/frontend/moj/components/timeline/template.njk) for the same parameters."""

from typing import Any

from django.template import engines

from tests.test_frontend_base import markup

CALL = '{% from "macros/moj.html" import mojTimeline %}{{ mojTimeline(params) }}'


def render(params: dict[str, Any]) -> str:
    return markup(engines["jinja2"].from_string(CALL).render({"params": params}))


def test_items_with_text_byline_and_a_datetime() -> None:
    params = {
        "items": [
            {
                "label": {"text": "Owner changed"},
                "text": "Tom & Jerry",
                "datetime": {"timestamp": "2026-03-03T14:05:00+00:00", "type": "datetime"},
                "byline": {"text": "Ingrid Inspector"},
            },
            {
                "label": {"text": "Follow-up: Meeting"},
                "html": '<p class="govuk-body">Good</p>',
                "datetime": {"timestamp": "2026-03-02", "type": "date"},
            },
        ]
    }
    assert render(params) == markup(
        """<div class="moj-timeline">
          <div class="moj-timeline__item">
            <div class="moj-timeline__header">
              <h2 class="moj-timeline__title">Owner changed</h2>
              <p class="moj-timeline__byline">by Ingrid Inspector</p>
            </div>
            <p class="moj-timeline__date"><time datetime="2026-03-03T14:05:00+00:00">3 March 2026 at 2:05pm</time></p>
            <div class="moj-timeline__description">Tom &amp; Jerry</div>
          </div>
          <div class="moj-timeline__item">
            <div class="moj-timeline__header">
              <h2 class="moj-timeline__title">Follow-up: Meeting</h2>
            </div>
            <p class="moj-timeline__date"><time datetime="2026-03-02">2 March 2026</time></p>
            <div class="moj-timeline__description"><p class="govuk-body">Good</p></div>
          </div>
        </div>"""
    )


def test_heading_level_classes_attributes_and_html_labels() -> None:
    params = {
        "headingLevel": 3,
        "classes": "app-timeline",
        "attributes": {"id": "history"},
        "items": [
            {
                "label": {"html": "<em>Added</em>"},
                "byline": {"html": "<strong>Sam</strong>"},
                "text": "<b>not bold</b>",
                "classes": "app-item",
                "attributes": {"data-kind": "created"},
                "datetime": {"timestamp": "2026-01-09T00:30:00+00:00", "type": "shortdatetime"},
            }
        ],
    }
    assert render(params) == markup(
        """<div class="moj-timeline app-timeline" id="history">
          <div class="moj-timeline__item app-item" data-kind="created">
            <div class="moj-timeline__header">
              <h3 class="moj-timeline__title"><em>Added</em></h3>
              <p class="moj-timeline__byline">by <strong>Sam</strong></p>
            </div>
            <p class="moj-timeline__date"><time datetime="2026-01-09T00:30:00+00:00">9 Jan 2026 at 12:30am</time></p>
            <div class="moj-timeline__description">&lt;b&gt;not bold&lt;/b&gt;</div>
          </div>
        </div>"""
    )


def test_an_item_without_a_description_writes_an_empty_one() -> None:
    """As MOJ's template, where a missing html or text writes nothing (not "None")."""
    when = {"timestamp": "2026-03-02", "type": "date"}
    params = {"items": [{"label": {"text": "Recommendation added"}, "html": "", "datetime": when}]}
    assert render(params) == markup(
        """<div class="moj-timeline">
          <div class="moj-timeline__item">
            <div class="moj-timeline__header"><h2 class="moj-timeline__title">Recommendation added</h2></div>
            <p class="moj-timeline__date"><time datetime="2026-03-02">2 March 2026</time></p>
            <div class="moj-timeline__description"></div>
          </div>
        </div>"""
    )
