"""A one-sheet Excel workbook (.xlsx) written straight from rows of plain values.

openpyxl, even write-only and with lxml, spends about 20 µs a cell building and checking cell objects: 3 s of CPU
for a 10,000-row export of 14 columns. A sheet of plain values needs none of that: this writes the sheet's XML as
text, row by row, into the zip file (about 10 times faster; tests read the result back with openpyxl).

Text is written as inline strings, so it is never taken for a formula; numbers as numbers; dates as date cells shown
yyyy-mm-dd; None as an empty cell. Characters XML cannot hold (control characters) are dropped. The header row is bold
and frozen (it stays in view while the rows scroll), with an autofilter over every row; the columns take the widths
given, in characters.
"""

import datetime
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
        f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Style 0: general; style 1 (s="1"): a date shown yyyy-mm-dd; style 2 (s="2"): bold, for the header.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
# XML 1.0 cannot hold these (as openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r]")  # most text has none of these: written as it is
_ESCAPES = {"\r": "&#13;"}  # a bare carriage return would be read back as a line feed
_ROWS_PER_WRITE = 500
# The first row frozen: it stays in view while the rows below it scroll.
_FROZEN_HEADER = (
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
)
_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's date serials (1900 system, as Excel counts)


def write_xlsx(
    target: BinaryIO,
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] = (),
) -> None:
    """Write a workbook of one sheet, `headers` then `rows`, to the binary file `target`; rows are read once.

    `widths` are the columns' widths in characters, first column first; a column without one keeps Excel's default.
    """
    columns = [get_column_letter(number) for number in range(1, len(headers) + 1)]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, _HEAD + xml)
        last_row = 1
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'{_HEAD}<worksheet xmlns="{_MAIN}">{_FROZEN_HEADER}{_columns(widths)}<sheetData>'.encode())
            sheet.write(_header(columns, headers).encode())
            for batch in itertools.batched(enumerate(rows, start=2), _ROWS_PER_WRITE, strict=False):
                sheet.write("".join(_row(number, columns, row) for number, row in batch).encode())
                last_row = batch[-1][0]
            # The filter's buttons on the header, over every row written (known only now: the rows are streamed).
            sheet.write(f'</sheetData><autoFilter ref="A1:{columns[-1]}{last_row}"/></worksheet>'.encode())
        archive.writestr("xl/workbook.xml", _HEAD + _workbook(sheet_name, f"$A$1:${columns[-1]}${last_row}"))


def _workbook(sheet_name: str, filtered: str) -> str:
    name = sheet_name[:31]
    return (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        f'<sheets><sheet name="{escape(name, {'"': "&quot;"})}" sheetId="1" r:id="rId1"/></sheets>'
        # Excel keeps an autofilter's range under this name too, and repairs a file without it.
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{escape(_quoted(name))}!{filtered}</definedName></definedNames></workbook>"
    )


def _quoted(sheet_name: str) -> str:
    """A sheet's name as a formula writes it: 'Recommendations', an apostrophe in it doubled."""
    return "'" + sheet_name.replace("'", "''") + "'"


def _columns(widths: Sequence[float]) -> str:
    cols = "".join(
        f'<col min="{number}" max="{number}" width="{width:g}" customWidth="1"/>'
        for number, width in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>" if cols else ""


def _header(columns: list[str], headers: Sequence[str]) -> str:
    cells = "".join(
        f'<c r="{column}1" t="inlineStr" s="2"><is><t>{escape(header)}</t></is></c>'
        for column, header in zip(columns, headers, strict=True)
    )
    return f'<row r="1">{cells}</row>'


def _row(number: int, columns: list[str], values: Sequence[Any]) -> str:
    cells = "".join(_cell(f"{column}{number}", value) for column, value in zip(columns, values, strict=True))
    return f'<row r="{number}">{cells}</row>'


def _cell(reference: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = escape(_ILLEGAL.sub("", value), _ESCAPES) if _NEEDS_CARE.search(value) else value
        return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if isinstance(value, datetime.datetime):
        raise TypeError("write_xlsx takes dates, not date-times")
    if isinstance(value, datetime.date):
        return f'<c r="{reference}" s="1"><v>{(value - _EPOCH).days}</v></c>'
    raise TypeError(f"write_xlsx cannot write a {type(value).__name__}")
