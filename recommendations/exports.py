"""CSV and Excel exports of exactly what the recommendation list shows: same filters, scope and order, all pages.

Rows are read with `values_list(...).iterator()` so that a 10,000-row export holds one chunk in memory at a
time, and made straight from those tuples; the CSV is streamed to the client CSV_ROWS_PER_CHUNK rows at a time;
the workbook is written by core/xlsx.py.
"""

import csv
import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from core.xlsx import write_xlsx
from recommendations.addressees import ADDRESSEE_CODES
from recommendations.models import (
    ACTIVE_STATUSES,
    Addressee,
    Judgement,
    Progress,
    Recommendation,
    RecommendationQuerySet,
    Response,
    Status,
)

CHUNK_SIZE = 2000
CSV_ROWS_PER_CHUNK = 200  # rows per streamed chunk: about 60 kB
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each column's header and its width in the workbook, in characters: wide enough to read a row without resizing.
COLUMNS = {
    "Reference": 18,
    "Region": 22,
    "Addressee": 22,
    "Inspection": 40,
    "Number": 9,
    "Recommendation": 70,
    "Owner": 20,
    "Status": 18,
    "Response": 18,
    "Progress": 14,
    "Last update date": 12,  # the date of the latest progress update
    "Latest progress update": 60,
    "Judgement": 18,
    "Target date": 12,
    "Days overdue": 9,
    "Priority": 9,
    "Last updated": 12,  # the day something was last recorded on it (Recommendation.last_updated_at)
}
HEADERS = tuple(COLUMNS)
# Columns whose text comes from people or imported reports (the rest are numbers, our labels, or dates).
_TYPED_TEXT = frozenset(
    HEADERS.index(name)
    for name in ("Reference", "Region", "Addressee", "Inspection", "Recommendation", "Owner", "Latest progress update")
)
_DATES = tuple(HEADERS.index(name) for name in ("Last update date", "Target date", "Last updated"))


# What each row reads from the database; `_row_maker` turns one tuple of these into the columns above.
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
    "latest_update_at",  # RecommendationQuerySet.with_latest_progress_update
    "latest_update_text",
    "last_updated_at",
)
# As Recommendation.addressee_code: the letter in a reference such as N57-PP-2025/R3.
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(queryset: QuerySet[Recommendation], today: datetime.date) -> Iterator[tuple[Any, ...]]:
    """One tuple per recommendation, in the queryset's order, reading CHUNK_SIZE rows at a time: one query, with
    each row's latest progress update found within it."""
    row = _row_maker(today)
    # The list's queryset, from Recommendation.objects (through django-filter, which types it as a plain QuerySet).
    rows = cast(RecommendationQuerySet, queryset).with_latest_progress_update().values_list(*FIELDS)
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        yield row(values)


def _row_maker(today: datetime.date) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A function from one tuple of FIELDS to the columns of HEADERS, with every label looked up in advance."""
    statuses, responses, progress_labels, judgements, addressees = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Status, Response, Progress, Judgement, Addressee)
    )

    def row(values: tuple[Any, ...]) -> tuple[Any, ...]:
        (reference, addressee, number, region, pdu, other, title, text, first, last, username) = values[:11]
        status, response, progress, judgement, target, priority, updated_at, update, last_updated = values[11:]
        owner = " ".join(filter(None, (first, last))) or username or ""
        named = {Addressee.REGION: region, Addressee.PDU: pdu, Addressee.OTHER: other}.get(addressee)
        overdue = max(0, (today - target).days) if target and status in ACTIVE_STATUSES else 0
        return (
            f"{reference}/{ADDRESSEE_CODES.get(addressee, 'O')}{number}",
            region or "",
            named or addressees[addressee],  # as Recommendation.addressee_name
            title,
            number,
            text,
            owner,
            statuses[status],
            responses[response],
            progress_labels[progress],
            timezone.localdate(updated_at) if updated_at else None,  # the day as people here saw it
            update or "",
            judgements[judgement],
            target,
            overdue,
            "Yes" if priority else "No",
            timezone.localdate(last_updated),
        )

    return row


def neutralise_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; everything else is left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_response(rows: Iterable[tuple[Any, ...]], filename: str) -> StreamingHttpResponse:
    """Streamed: the header at once, then CSV_ROWS_PER_CHUNK rows a chunk (one chunk a row cost a write each)."""
    response = StreamingHttpResponse(_csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte-order mark, so that Excel reads the file as UTF-8
    writer.writerow(HEADERS)
    yield buffer.getvalue()
    for batch in itertools.batched(rows, CSV_ROWS_PER_CHUNK, strict=False):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_row(row) for row in batch)
        yield buffer.getvalue()


def _csv_row(row: tuple[Any, ...]) -> list[Any]:
    """Text that people or reports wrote is neutralised; dates are written as 2026-03-31."""
    values = [neutralise_formula(value) if index in _TYPED_TEXT else value for index, value in enumerate(row)]
    for index in _DATES:
        values[index] = values[index].isoformat() if values[index] else ""
    return values


def xlsx_response(rows: Iterable[tuple[Any, ...]], filename: str) -> HttpResponse:
    """Rows go into the sheet's XML as they come (core/xlsx.py); only the compressed workbook is held."""
    buffer = io.BytesIO()
    write_xlsx(buffer, "Recommendations", HEADERS, rows, widths=tuple(COLUMNS.values()))
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
