"""The CSV and Excel exports hold exactly the rows the list's filters show, in its order, and nothing out of scope."""

import csv
import datetime
import io
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from recommendations import exports
from recommendations.models import Addressee, Progress, ProgressUpdate, Recommendation, Status
from tests.factories import make_inspection, make_recommendation, make_user

from .bulk import bulk_recommendations
from .conftest import Login, World

CSV, XLSX = "recommendations:export_csv", "recommendations:export_xlsx"
Read = Callable[..., Sequence[Mapping[str, object]]]  # csv_rows or xlsx_rows


def csv_rows(client: Client, params: dict[str, Any] | None = None) -> list[dict[str, str]]:
    response = client.get(reverse(CSV), params or {})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="recommendations-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == exports.HEADERS
    return [dict(zip(exports.HEADERS, row, strict=True)) for row in rows[1:]]


def xlsx_rows(client: Client, params: dict[str, Any] | None = None) -> list[dict[str, object]]:
    response = client.get(reverse(XLSX), params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == exports.HEADERS
    return [dict(zip(exports.HEADERS, row, strict=True)) for row in rows[1:]]


def xlsx_sheet(client: Client, params: dict[str, Any] | None = None) -> Worksheet:
    sheet = load_workbook(io.BytesIO(client.get(reverse(XLSX), params or {}).content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def listed(client: Client, params: dict[str, Any]) -> list[str]:
    """Every reference the list shows for these filters, across all its pages, in order."""
    found, page = [], 1
    while True:
        response = client.get(reverse("recommendations:list"), {**params, "page": page})
        found += [str(row) for row in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return found
        page += 1


@pytest.fixture
def many(world: World) -> list[Recommendation]:
    """60 region A recommendations (more than two pages) with a spread of statuses and dates."""
    inspection = make_inspection(world.region_a, reference="A-MORE-2025")
    today = timezone.localdate()
    made = []
    for number in range(1, 61):
        made.append(
            make_recommendation(
                inspection,
                target_date=today + datetime.timedelta(days=number - 30) if number % 4 else None,
                status=Status.AWAITING_CLOSURE if number % 3 == 0 else Status.OPEN,
            )
        )
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("read", [csv_rows, xlsx_rows], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    "params",
    [{}, {"status": "open"}, {"overdue": "yes", "sort": "-target_date"}, {"sort": "reference", "page": "2"}],
    ids=["everything", "open", "overdue-sorted", "page-2-ignored"],
)
def test_export_holds_exactly_what_the_list_shows_in_its_order(
    world: World, login: Login, many: list[Recommendation], read: Read, params: dict[str, Any]
) -> None:
    client = login(world.staff)
    expected = listed(client, {k: v for k, v in params.items() if k != "page"})
    assert [row["Reference"] for row in read(client, params)] == expected
    assert len(expected) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("read", [csv_rows, xlsx_rows], ids=["csv", "xlsx"])
def test_export_for_a_lead_never_holds_another_regions_rows(
    world: World, login: Login, many: list[Recommendation], read: Read
) -> None:
    client = login(world.lead_b)
    assert {row["Reference"] for row in read(client)} == {str(world.rec_b)}
    # Asking for region A, or for region A's inspection, by filter gives no rows at all.
    assert read(client, {"region": world.region_a.pk}) == []
    assert read(client, {"inspection": world.inspection_a.pk}) == []
    assert read(client, {"q": "A-MORE-2025"}) == []


@pytest.mark.django_db
def test_export_for_the_hmpps_lead_holds_national_rows_only(
    world: World, login: Login, many: list[Recommendation]
) -> None:
    moj = make_recommendation(world.national, addressee=Addressee.MOJ, region=None)
    assert {row["Reference"] for row in csv_rows(login(world.hmpps))} == {str(world.rec_h), str(moj)}


@pytest.mark.django_db
def test_export_columns(world: World, login: Login) -> None:
    today = timezone.localdate()
    recommendation = make_recommendation(
        world.inspection_a,
        owner=world.lead_a,
        target_date=today - datetime.timedelta(days=12),
        priority=True,
        text="Make sure, every time",
    )
    rows = {row["Reference"]: row for row in csv_rows(login(world.staff))}
    row = rows[str(recommendation)]
    assert row == {
        "Reference": "A-REG-2025/R2",
        "Region": world.region_a.name,
        "Addressee": world.region_a.name,
        "Inspection": "Region A inspection",
        "Number": "2",
        "Recommendation": "Make sure, every time",
        "Owner": str(world.lead_a),
        "Status": "Open",
        "Response": "Awaiting response",
        "Progress": "Not started",
        "Last update date": "",
        "Latest progress update": "",
        "Judgement": "Not yet assessed",
        "Target date": (today - datetime.timedelta(days=12)).isoformat(),
        "Days overdue": "12",
        "Priority": "Yes",
        "Last updated": today.isoformat(),  # added today: its creation is its latest event
    }
    assert rows[str(world.rec_h)]["Addressee"] == "HMPPS"
    assert rows[str(world.rec_h)]["Region"] == ""
    sheet_row = next(r for r in xlsx_rows(login(world.staff)) if r["Reference"] == str(recommendation))
    assert isinstance(sheet_row["Target date"], datetime.datetime)
    assert sheet_row["Target date"].date() == today - datetime.timedelta(days=12)
    assert isinstance(sheet_row["Last updated"], datetime.datetime) and sheet_row["Last updated"].date() == today
    assert sheet_row["Days overdue"] == 12


def update(recommendation: Recommendation, text: str, at: datetime.datetime) -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        recommendation=recommendation,
        author=recommendation.owner or make_user(),
        progress=Progress.IN_PROGRESS,
        text=text,
        created_at=at,
    )


@pytest.mark.django_db
def test_exports_carry_the_latest_progress_update_and_its_date(world: World, login: Login) -> None:
    updated = make_recommendation(world.inspection_a, owner=world.lead_a)
    update(updated, "Recruitment plan agreed.", datetime.datetime(2026, 2, 2, 9, tzinfo=datetime.UTC))
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: the day people there saw it.
    update(updated, "=Vetting now takes 6 weeks.", datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC))
    client = login(world.staff)

    row = next(row for row in csv_rows(client) if row["Reference"] == str(updated))
    sheet_rows = {row["Reference"]: row for row in xlsx_rows(client)}

    assert (row["Last update date"], row["Latest progress update"]) == ("2026-04-01", "'=Vetting now takes 6 weeks.")
    assert (sheet_rows[str(updated)]["Last update date"], sheet_rows[str(updated)]["Latest progress update"]) == (
        datetime.datetime(2026, 4, 1),
        "=Vetting now takes 6 weeks.",  # an inline string: never run as a formula, so shown as written
    )
    untouched = sheet_rows[str(world.rec_a)]
    assert (untouched["Last update date"], untouched["Latest progress update"]) == (None, None)


@pytest.mark.django_db
def test_the_workbook_has_a_frozen_bold_header_filters_widths_and_real_dates(
    world: World, login: Login, many: list[Recommendation]
) -> None:
    for number, recommendation in enumerate(many[:5], start=1):
        update(recommendation, f"Update {number}", datetime.datetime(2026, 1, number, 12, tzinfo=datetime.UTC))
    sheet = xlsx_sheet(login(world.staff))
    columns = {cell.value: get_column_letter(cell.column) for cell in sheet[1] if cell.column is not None}
    rows = sheet.max_row

    assert rows == 1 + Recommendation.objects.count()
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1]) and not any(cell.font.b for cell in sheet[2])
    assert sheet.auto_filter.ref == f"A1:{columns['Last updated']}{rows}"
    for name in ("Reference", "Recommendation", "Latest progress update"):
        assert sheet.column_dimensions[columns[name]].width == exports.COLUMNS[name]
    by_reference = {str(r): r for r in Recommendation.objects.select_related("inspection")}
    dated = 0
    for number in range(2, rows + 1):
        recommendation = by_reference[sheet[f"{columns['Reference']}{number}"].value]
        latest = recommendation.progress_updates.order_by("-created_at").first()
        target = sheet[f"{columns['Target date']}{number}"]
        last_update = sheet[f"{columns['Last update date']}{number}"]
        assert (target.value.date() if target.value else None) == recommendation.target_date
        assert (last_update.value.date() if last_update.value else None) == (
            timezone.localdate(latest.created_at) if latest else None
        )
        assert {target.is_date, last_update.is_date} == {True} or None in (target.value, last_update.value)
        assert sheet[f"{columns['Latest progress update']}{number}"].value == (latest.text if latest else None)
        dated += last_update.value is not None
    assert dated == 5


@pytest.mark.django_db
@pytest.mark.parametrize("export", [CSV, XLSX], ids=["csv", "xlsx"])
def test_an_export_takes_as_many_queries_for_many_rows_as_for_few(world: World, login: Login, export: str) -> None:
    client = login(world.staff)

    def queries_for(rows: int) -> int:
        inspection = make_inspection(world.region_a)
        for number in range(rows):
            recommendation = make_recommendation(inspection, owner=world.lead_a)
            for day in (1, 2):
                update(recommendation, f"Update {number}.{day}", datetime.datetime(2026, 1, day, tzinfo=datetime.UTC))
        read = csv_rows if export == CSV else xlsx_rows
        with CaptureQueriesContext(connection) as queries:
            exported = read(client, {"inspection": inspection.pk})  # the CSV's stream read to its end
        assert sorted(str(row["Latest progress update"]) for row in exported) == sorted(
            f"Update {number}.2" for number in range(rows)
        )
        return len(queries.captured_queries)

    assert queries_for(3) == queries_for(40)


@pytest.mark.django_db
def test_references_match_the_models_for_every_addressee(world: World, login: Login) -> None:
    for addressee in (Addressee.PDU, Addressee.MOJ, Addressee.OTHER):
        make_recommendation(world.inspection_a, addressee=addressee, addressee_other="Police")
    exported = {row["Reference"] for row in csv_rows(login(world.staff))}
    assert exported == {str(recommendation) for recommendation in Recommendation.objects.all()}


@pytest.mark.django_db
@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_injection_is_neutralised(world: World, login: Login, dangerous: str) -> None:
    make_recommendation(world.inspection_a, text=dangerous)
    client = login(world.staff)
    csv_text = {row["Recommendation"] for row in csv_rows(client)}
    assert "'" + dangerous in csv_text
    workbook = load_workbook(io.BytesIO(client.get(reverse(XLSX)).content))
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    cells = [row[5] for row in sheet.iter_rows(min_row=2)]
    # XML keeps no carriage return at the start of a string; the words are what matter.
    cell = next(cell for cell in cells if str(cell.value or "").strip() == dangerous.strip())
    assert cell.data_type == "s"  # text, never a formula: the workbook shows it exactly as written


@pytest.mark.django_db
def test_an_invalid_filter_exports_no_rows(world: World, login: Login) -> None:
    assert csv_rows(login(world.staff), {"due_after": "not a date"}) == []


@pytest.mark.django_db
def test_ten_thousand_rows_stream_in_chunks_with_flat_memory(world: World, login: Login) -> None:
    # How fast is for bench/ (the export's target is measured there, on the national data set), not for a test.
    bulk_recommendations(world, 10_000)
    client = login(world.staff)
    tracemalloc.start()
    response = client.get(reverse(CSV))
    assert isinstance(response, StreamingHttpResponse)
    lines_per_chunk = [chunk.count(b"\n") for chunk in response.streaming_content]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(lines_per_chunk) == 10_000 + 3 + 1  # the rows, the three personas' recommendations and the header
    # Nothing waits for the whole file: the header at once, then a chunk every CSV_ROWS_PER_CHUNK rows.
    assert lines_per_chunk[0] == 1
    assert max(lines_per_chunk) == exports.CSV_ROWS_PER_CHUNK
    assert len(lines_per_chunk) == 1 + -(-10_003 // exports.CSV_ROWS_PER_CHUNK)
    # Holding the 10,000 rows at once would take several times this; streaming holds one chunk of 2,000.
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
