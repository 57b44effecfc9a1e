"""CSV and Excel exports of exactly what the recommendation list shows: same filters, scope and order, all pages.

Rows are read with `values_list(...).iterator()` so that a 10,000-row export holds one chunk in memory at a
time; the CSV is streamed to the client as it is written.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from recommendations.models import ACTIVE_STATUSES, Addressee, Judgement, Progress, Response, Status

CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "Reference",
    "Region",
    "Addressee",
    "Inspection",
    "Number",
    "Recommendation",
    "Owner",
    "Status",
    "Response",
    "Progress",
    "Judgement",
    "Target date",
    "Days overdue",
    "Priority",
)
# What each row reads from the database; `export_row` turns one tuple of these into the columns above.
FIELDS = (
    "inspection__reference",
    "addressee",
    "number",
    "region__name",
    "pdu__name",
    "addressee_other",
    "inspection__title",
    "text",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "status",
    "response",
    "progress",
    "judgement",
    "target_date",
    "priority",
)
# As Recommendation.addressee_code: the letter in a reference such as N57-PP-2025/R3.
ADDRESSEE_CODES = {Addressee.REGION: "R", Addressee.PDU: "P", Addressee.HMPPS: "H", Addressee.MOJ: "M"}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(queryset: QuerySet, today: datetime.date) -> Iterator[tuple[Any, ...]]:
    """One tuple per recommendation, in the queryset's order, reading CHUNK_SIZE rows at a time."""
    for values in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        yield export_row(dict(zip(FIELDS, values, strict=True)), today)


def export_row(row: dict[str, Any], today: datetime.date) -> tuple[Any, ...]:
    addressee = row["addressee"]
    owner = " ".join(filter(None, (row["owner__first_name"], row["owner__last_name"]))) or row["owner__username"]
    active = row["status"] in ACTIVE_STATUSES
    target = row["target_date"]
    days_overdue = max(0, (today - target).days) if active and target else 0
    return (
        f"{row['inspection__reference']}/{ADDRESSEE_CODES.get(addressee, 'O')}{row['number']}",
        row["region__name"] or "",
        _addressee_name(row),
        row["inspection__title"],
        row["number"],
        row["text"],
        owner or "",
        Status(row["status"]).label,
        Response(row["response"]).label,
        Progress(row["progress"]).label,
        Judgement(row["judgement"]).label,
        target,
        days_overdue,
        "Yes" if row["priority"] else "No",
    )


def _addressee_name(row: dict[str, Any]) -> str:
    """As Recommendation.addressee_name, from plain values."""
    addressee = row["addressee"]
    if addressee == Addressee.REGION and row["region__name"]:
        return row["region__name"]
    if addressee == Addressee.PDU and row["pdu__name"]:
        return row["pdu__name"]
    if addressee == Addressee.OTHER and row["addressee_other"]:
        return row["addressee_other"]
    return Addressee(addressee).label


def neutralise_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; everything else is left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[tuple[Any, ...]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # a byte-order mark, so that Excel reads the file as UTF-8
        yield writer.writerow(HEADERS)
        for row in rows:
            yield writer.writerow([_csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise_formula(value)


def xlsx_response(rows: Iterable[tuple[Any, ...]], filename: str) -> HttpResponse:
    """A write-only workbook: rows go to a temporary file as they come instead of being held as objects."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Recommendations")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # numbers stay numbers; dates become date cells (shown as yyyy-mm-dd)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters the file format cannot hold
    if not value.startswith("="):
        return value
    # openpyxl would store this as a formula: typed as text instead, it is shown as written and never run.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
