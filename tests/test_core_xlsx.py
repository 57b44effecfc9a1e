"""core.xlsx writes a workbook that spreadsheet software (here openpyxl) reads back value for value."""

import datetime
import io
import zipfile
from collections.abc import Sequence

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.xlsx import write_xlsx


def read_back(headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> tuple[Worksheet, list[list[object]]]:
    buffer = io.BytesIO()
    write_xlsx(buffer, "Recommendations", headers, iter(rows))
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert isinstance(sheet, Worksheet)
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_values_come_back_as_written_with_their_types() -> None:
    rows = [
        ("N57/R1", 3, 2.5, datetime.date(2026, 3, 31), True, None),
        ('Tom & Jerry <said> "hi"', 0, -1, datetime.date(1999, 12, 31), False, ""),
    ]
    sheet, values = read_back(("Text", "Whole", "Decimal", "Date", "Yes/no", "Empty"), rows)
    assert sheet.title == "Recommendations"
    assert values[0] == ["Text", "Whole", "Decimal", "Date", "Yes/no", "Empty"]
    assert values[1] == ["N57/R1", 3, 2.5, datetime.datetime(2026, 3, 31), True, None]
    assert values[2] == ['Tom & Jerry <said> "hi"', 0, -1, datetime.datetime(1999, 12, 31), False, None]
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].is_date


def test_text_is_never_a_formula_and_keeps_its_spaces_and_line_breaks() -> None:
    texts = ['=HYPERLINK("http://x","y")', "+1+1", "  two spaces  ", "line one\nline two", "\rx"]
    sheet, values = read_back(("Text",), [(text,) for text in texts])
    assert [row[0] for row in values[1:]] == texts
    assert {sheet.cell(row=n, column=1).data_type for n in range(2, len(texts) + 2)} == {"s"}


def test_characters_xml_cannot_hold_are_dropped() -> None:
    _, values = read_back(("Text",), [("bell\x07 and null\x00 gone, tab\tkept",)])
    assert values[1] == ["bell and null gone, tab\tkept"]


def test_a_long_sheet_is_one_valid_zip_with_every_row() -> None:
    rows = [(f"Row {n}", n) for n in range(1, 1203)]
    buffer = io.BytesIO()
    write_xlsx(buffer, "A sheet name longer than Excel's thirty-one characters", ("Name", "Number"), iter(rows))
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).testzip() is None
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    assert sheet.title == "A sheet name longer than Excel's"[:31]
    assert list(sheet.iter_rows(min_row=1203, values_only=True)) == [("Row 1202", 1202)]
