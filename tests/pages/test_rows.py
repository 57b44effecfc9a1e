"""Recommendations as table rows (recommendations/rows.py): what each column shows, in one query."""

import datetime
import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.dates import short_date as date_label
from core.links import url_for
from recommendations.models import ACTIVE_STATUSES, Addressee, Recommendation, Status
from recommendations.rows import SUMMARY_LENGTH, recommendation_rows, shorten
from tests.factories import make_inspection, make_pdu, make_recommendation

TODAY = datetime.date(2026, 3, 10)


def render(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def row_of(recommendation: Recommendation):
    return recommendation_rows(Recommendation.objects.filter(pk=recommendation.pk), TODAY, with_people=True)[0]


@pytest.mark.django_db
def test_a_row_has_the_columns_a_table_shows() -> None:
    owner = User.objects.create_user("ana", first_name="Ana", last_name="Lead")
    recommendation = make_recommendation(owner=owner, target_date=datetime.date(2026, 3, 9), text="Do it " * 50)
    row = row_of(recommendation)
    assert (row.pk, row.reference, str(row)) == (recommendation.pk, recommendation.reference, recommendation.reference)
    assert row.url == reverse("recommendations:detail", args=[recommendation.pk])
    assert row.inspection_url == reverse("inspections:detail", args=[recommendation.inspection_id])
    assert recommendation.region is not None
    assert (row.inspection_title, row.region_name) == (recommendation.inspection.title, recommendation.region.name)
    assert (row.owner_name, row.addressee_name) == ("Ana Lead", recommendation.addressee_name)
    assert (row.target_date_label, row.status) == ("9 Mar 2026", Status.OPEN)
    assert len(row.summary) == SUMMARY_LENGTH and row.summary.endswith("…")
    assert (row.status_label, row.status_colour, row.overdue) == ("Open", "blue", True)  # past its date on TODAY


@pytest.mark.django_db
def test_an_unowned_undated_row_and_other_addressees() -> None:
    inspection = make_inspection()
    national = make_recommendation(inspection, addressee=Addressee.HMPPS, region=None)
    pdu = make_recommendation(inspection, addressee=Addressee.PDU)
    other = make_recommendation(inspection, addressee=Addressee.OTHER, addressee_other="The police", region=None)
    rows = {row.pk: row for row in recommendation_rows(Recommendation.objects.all(), TODAY, with_people=True)}
    assert (rows[national.pk].owner_name, rows[national.pk].target_date_label) == ("", "None set")
    assert rows[national.pk].addressee_name == "HMPPS" and rows[national.pk].region_name == ""
    assert pdu.pdu is not None
    assert rows[pdu.pk].addressee_name == pdu.pdu.name
    assert rows[other.pk].addressee_name == "The police"
    assert rows[other.pk].reference.endswith("/O1")


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("days_late", [1, 0])
def test_a_row_has_the_same_status_words_colour_and_lateness_as_the_recommendation(status: str, days_late: int) -> None:
    today = timezone.localdate()  # what the recommendation's page counts from
    recommendation = make_recommendation(target_date=today - datetime.timedelta(days=days_late))
    closed_at = None if status in ACTIVE_STATUSES else timezone.now()
    Recommendation.objects.filter(pk=recommendation.pk).update(status=status, closed_at=closed_at)
    saved = Recommendation.objects.get(pk=recommendation.pk)
    row = recommendation_rows(Recommendation.objects.filter(pk=saved.pk), today)[0]
    assert (row.status_label, row.status_colour) == (saved.get_status_display(), saved.status_colour)
    assert row.overdue == bool(saved.days_overdue()) == (days_late == 1 and status in ACTIVE_STATUSES)


@pytest.mark.django_db
def test_rows_take_one_query_however_many(django_assert_num_queries) -> None:
    inspection = make_inspection()
    pdu = make_pdu(inspection.region)
    for number in range(30):
        owner = User.objects.create_user(f"owner{number}", first_name="Owner", last_name=str(number))
        make_recommendation(inspection, pdu=pdu, addressee=Addressee.PDU, owner=owner)
    with django_assert_num_queries(1):
        assert len(recommendation_rows(Recommendation.objects.order_by("pk"), TODAY)) == 30
    with django_assert_num_queries(1):  # the names of the region, PDU and owner too, by subqueries
        rows = recommendation_rows(Recommendation.objects.order_by("pk"), TODAY, with_people=True)
    assert len({row.owner_name for row in rows}) == 30 and {row.addressee_name for row in rows} == {pdu.name}
    assert inspection.region is not None
    assert all(row.owner_name.startswith("Owner ") and row.region_name == inspection.region.name for row in rows)


@pytest.mark.django_db
def test_short_rows_leave_people_and_places_out() -> None:
    owner = User.objects.create_user("ana", first_name="Ana", last_name="Lead")
    recommendation = make_recommendation(owner=owner, target_date=TODAY)
    row = recommendation_rows(Recommendation.objects.all(), TODAY)[0]
    assert (row.owner_name, row.region_name, row.addressee_name) == ("", "", "")
    assert (row.reference, row.inspection_title) == (recommendation.reference, recommendation.inspection.title)


def test_shorten_dates_and_links_match_djangos_own() -> None:
    assert shorten("short") == "short"
    assert shorten("a" * 200, 10) == "a" * 9 + "…"
    assert [date_label(datetime.date(2026, month, 1)) for month in (1, 9, 12)] == [
        "1 Jan 2026",
        "1 Sep 2026",
        "1 Dec 2026",
    ]
    assert url_for("recommendations:detail")(42) == reverse("recommendations:detail", args=[42])
    assert url_for("inspections:detail")(7) == reverse("inspections:detail", args=[7])


TABLES = '{% from "recommendations/_table.html" import recommendation_table, list_rows %}'


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["short", "list"])
def test_table_rows_escape_what_people_typed(layout: str) -> None:
    inspection = make_inspection(title="Kent <script>alert(1)</script> & Surrey")
    make_recommendation(inspection, text='Say "no" to <b>bold</b> & more')
    rows = recommendation_rows(Recommendation.objects.all(), TODAY, with_people=layout == "list")
    table = "{{ list_rows(rows) }}" if layout == "list" else "{{ recommendation_table(rows) }}"
    html = render(TABLES + table, rows=rows)
    assert "<script>" not in html and "<b>" not in html
    assert "Kent &lt;script&gt;alert(1)&lt;/script&gt; &amp; Surrey" in html
    assert "Say &#34;no&#34; to &lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert f'href="{rows[0].url}">{rows[0].reference}</a>' in html
    assert ("Nobody" in html) == (layout == "list")


@pytest.mark.django_db
def test_a_short_table_may_leave_the_report_out() -> None:
    make_recommendation(make_inspection(title="The report"))
    rows = recommendation_rows(Recommendation.objects.all(), TODAY)
    assert "The report" in render(TABLES + "{{ recommendation_table(rows) }}", rows=rows)
    html = render(TABLES + '{{ recommendation_table(rows, caption="Mine", hide_report=true) }}', rows=rows)
    assert "The report" not in html and ">Report</th>" not in html
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Mine</caption>' in html


def test_count_rows_write_each_count_and_escape_labels() -> None:
    rows = [
        {"label": "A & B", "open": 3, "awaiting": 1, "overdue": 2, "due_this_month": 0, "closed": 7},
        {"region__name": None, "open": 1, "awaiting": 0, "overdue": 0, "due_this_month": 1, "closed": 0},
    ]
    source = '{% from "recommendations/_counts_table.html" import counts_table %}{{ counts_table(rows, "By", "X") }}'
    html = render(source, rows=rows)
    assert "A &amp; B" in html and "No region (national work)" in html
    assert html.count('govuk-table__cell--numeric">') == 10
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">7</td>' in html
    assert "No recommendations yet." in render(source, rows=[])
    assert '<div class="app-table-region" role="region" aria-label="By" tabindex="0">' in html


OFFICIAL_TABLE = """{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}
{% from "macros/tags.html" import status_tags %}
{% set ns = namespace(rows=[]) %}
{% for row in rows %}
  {% set reference %}<a class="govuk-link" href="{{ row.url }}">{{ row.reference }}</a>{% endset %}
  {% set report %}<a class="govuk-link" href="{{ row.inspection_url }}">{{ row.inspection_title }}</a>{% endset %}
  {% set status %}{{ status_tags(row.status_label, row.status_colour, row.overdue) }}{% endset %}
  {% set cells = [{"html": reference}, {"text": row.summary}] + ([] if hide_report else [{"html": report}]) %}
  {% set ns.rows = ns.rows + [cells + [{"text": row.target_date_label}, {"html": status}]] %}
{% endfor %}
{# The same scrolling region (macros/tables.html) around it: a table never makes a phone's page scroll sideways. #}
<div class="app-table-region" role="region" aria-label="{{ caption or 'Recommendations' }}" tabindex="0">
{{ govukTable({
  "caption": caption, "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": true,
  "head": head_cells,
  "rows": ns.rows
}) }}
</div>"""


@pytest.mark.django_db
@pytest.mark.parametrize(("caption", "hide_report"), [("", False), ("To others", True)])
def test_our_recommendation_table_writes_what_govuk_table_writes(caption: str, hide_report: bool) -> None:
    make_recommendation(target_date=datetime.date(2026, 3, 9), text="Vet <staff> & then")
    make_recommendation(target_date=None)
    rows = recommendation_rows(Recommendation.objects.order_by("pk"), TODAY)
    head = [{"text": text} for text in ("Reference", "Recommendation", "Report", "Target date", "Status")]
    head = [cell for cell in head if not (hide_report and cell["text"] == "Report")]
    context = {"rows": rows, "caption": caption, "hide_report": hide_report, "head_cells": head}
    ours = TABLES + "{{ recommendation_table(rows, caption=caption, hide_report=hide_report) }}"
    assert markup(render(ours, **context)) == markup(render(OFFICIAL_TABLE, **context))


def markup(html: str) -> str:
    """`html` without the whitespace around tags that the official macros' indentation leaves."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", " ".join(html.split()))


def test_a_table_region_is_named_by_its_label() -> None:
    imports = '{% from "macros/tables.html" import table_region %}'
    source = imports + "{% call table_region(label) %}<table></table>{% endcall %}"
    html = render(source, label="Scores: 'Yes' & <no>")
    assert html == (
        '<div class="app-table-region" role="region" aria-label="Scores: &#39;Yes&#39; &amp; &lt;no&gt;" tabindex="0">'
        "<table></table></div>"
    )
