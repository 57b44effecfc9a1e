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


def test_the_header_is_bold_frozen_and_filters_every_row_in_columns_of_the_widths_given() -> None:
    buffer = io.BytesIO()
    rows = [(f"Row {n}", n, datetime.date(2026, 1, n)) for n in range(1, 8)]
    write_xlsx(buffer, "Rec's list", ("Name", "Number", "Date"), iter(rows), widths=(30, 8.5))
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)

    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert not sheet["A2"].font.b
    assert sheet.auto_filter.ref == "A1:C8"
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (30, 8.5)
    # openpyxl rebuilds this name from the autofilter; Excel wants it in the file.
    workbook_xml = zipfile.ZipFile(buffer).read("xl/workbook.xml").decode()
    assert "hidden=\"1\">'Rec''s list'!$A$1:$C$8</definedName>" in workbook_xml


def test_an_empty_sheet_filters_its_header_alone() -> None:
    sheet, values = read_back(("Name", "Number"), [])
    assert values == [["Name", "Number"]]
    assert (sheet.auto_filter.ref, sheet.freeze_panes) == ("A1:B1", "A2")
