"""An action plan as a Word document and as an Excel sheet, from the rows of action_plan_selectors (the page is
templates/recommendations/action_plan.html).

Word is written with python-docx rather than docxtpl: the plan is one table whose rows and cells the code makes
anyway, and a template document would be a binary file in the repository that no one can review in a diff, for the
sake of a heading and a page set-up that take a few lines here. The Excel sheet is written by core/xlsx.py, as the
list's export is: one row per action (a recommendation without actions has one row), so that it sorts and filters by
owner or date, each row carrying its recommendation's columns.
"""

import copy
import io
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.shared import Mm, Pt
from docx.table import Table, _Row

from core.dates import long_date
from core.xlsx import write_xlsx
from recommendations.action_plan_selectors import INSPECTION, ActionPlan, ActionPlanRow, PlannedAction
from recommendations.exports import XLSX_CONTENT_TYPE

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The Word table's columns and their widths on a landscape A4 page (267 mm between 15 mm margins).
WORD_COLUMNS: dict[str, float] = {
    "Reference": 26,
    "Recommendation": 58,
    "Response": 30,
    "Actions, with owner and date": 58,
    "Target date": 20,
    "Status": 20,
    "Latest progress": 37,
    "Judgement": 18,
}
# XML 1.0 cannot hold these control characters (as core/xlsx.py drops them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The Excel sheet's columns and their widths in characters.
EXCEL_COLUMNS: dict[str, float] = {
    "Reference": 18,
    "Report": 40,
    "Addressee": 22,
    "Recommendation": 70,
    "Response": 16,
    "Reason for the response": 40,
    "Action": 50,
    "Action owner": 22,
    "Action by": 12,
    "Action done": 12,
    "Target date": 12,
    "Status": 18,
    "Owner": 20,
    "Progress": 14,
    "Latest progress update": 60,
    "Latest update date": 12,
    "Judgement": 18,
}


def docx_response(plan: ActionPlan) -> HttpResponse:
    buffer = io.BytesIO()
    write_docx(plan, buffer)
    return _attachment(buffer.getvalue(), DOCX_CONTENT_TYPE, f"{plan.filename_stem}.docx")


def xlsx_response(plan: ActionPlan) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, "Action plan", tuple(EXCEL_COLUMNS), excel_rows(plan), widths=tuple(EXCEL_COLUMNS.values()))
    return _attachment(buffer.getvalue(), XLSX_CONTENT_TYPE, f"{plan.filename_stem}.xlsx")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def scope_line(plan: ActionPlan) -> str:
    """What the plan holds and when it was made, under its title (the page says the same)."""
    count = len(plan.rows)
    held = f"{count} recommendation{'' if count == 1 else 's'}"
    if plan.kind != INSPECTION:
        held = f"{count} open recommendation{'' if count == 1 else 's'}"
    if plan.only_yours:
        held += ", only those addressed to you"
    return f"{plan.reference}. {held}. Made on {long_date(plan.made_on)}."


# --- Word ---


def write_docx(plan: ActionPlan, target: Any) -> None:
    """The plan as a Word document: a title, what it holds, and one table row per recommendation."""
    document = Document()
    _page_setup(document)
    document.core_properties.title = plan.title
    document.add_heading(plan.title, level=1)
    document.add_paragraph(scope_line(plan))
    if not plan.rows:
        document.add_paragraph("There are no recommendations in this action plan.")
    else:
        # The header, and a row to copy for each recommendation (_add_rows).
        table = document.add_table(rows=2, cols=len(WORD_COLUMNS))
        table.style = "Table Grid"
        for column, width in zip(table.columns, WORD_COLUMNS.values(), strict=True):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)
        _header_row(table.rows[0])
        with_report = plan.kind != INSPECTION  # a region's plan runs across reports
        _add_rows(table, table.rows[1], [word_cells(row, with_report) for row in plan.rows])
    document.save(target)


def _page_setup(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(15)
    normal = document.styles["Normal"].font
    normal.name, normal.size = "Arial", Pt(10)  # the service's typeface (README, Front-end assets)


def _header_row(row: _Row) -> None:
    """The column headings, in bold, marked as the table's header: Word repeats it on every page, and screen
    readers announce it with each cell."""
    for cell, heading in zip(row.cells, WORD_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _add_rows(table: Table, prototype: _Row, rows: list[list[list[str]]]) -> None:
    """The rows, each a copy of `prototype` (a row python-docx made), its cells' paragraphs copies of one paragraph.

    python-docx makes each element through XPath look-ups: about 8 ms a row of this table, 4.5 s of CPU for a
    region's 1,300 open recommendations on the bench data (bench/generate.py). Copying elements it made costs
    microseconds, and what is written is the same: a cell's width, then its paragraphs, each a run of text."""
    made = prototype._tr
    prototype_paragraph = made.tc_lst[0].p_lst[0]
    prototype_paragraph.add_r().add_t("").set(qn("xml:space"), "preserve")  # keeps spaces at either end
    for tc in made.tc_lst:
        tc.remove(tc.p_lst[0])
    table._tbl.remove(made)
    for cells in rows:
        tr = copy.deepcopy(made)
        for tc, paragraphs in zip(tr.tc_lst, cells, strict=True):
            for text in paragraphs or [""]:  # Word needs a paragraph in every cell
                tc.append(_paragraph(prototype_paragraph, text))
        table._tbl.append(tr)


def _paragraph(prototype: CT_P, text: str) -> CT_P:
    """A copy of `prototype` holding `text`: a line break is a break in the run (as python-docx's run.text writes
    it), and characters XML cannot hold are dropped."""
    paragraph = copy.deepcopy(prototype)
    run = paragraph[-1]  # <w:p><w:r><w:t/></w:r></w:p>: by position, not python-docx's look-ups by name (XPath)
    first, *more = _LINE_BREAK.split(_ILLEGAL.sub("", text))
    run[-1].text = first
    for line in more:
        run.add_br()
        run.add_t(line).set(qn("xml:space"), "preserve")
    return paragraph


def word_cells(row: ActionPlanRow, with_report: bool = False) -> list[list[str]]:
    """A recommendation's cells in the Word table (WORD_COLUMNS), each a list of paragraphs; `with_report`, the
    recommendation's text after the report's title (as the page has it)."""
    return [
        [row.reference, row.addressee_name],
        [*([f"Report: {row.inspection_title}"] if with_report else []), row.text],
        [row.response, *([row.response_reason] if row.response_reason else [])],
        [line for action in row.actions for line in action_lines(action)] or ["No actions recorded."],
        [long_date(row.target_date) or "None set"],
        [row.status_label],
        progress_lines(row),
        [row.judgement],
    ]


def action_lines(action: PlannedAction) -> list[str]:
    """An action as the plan writes it: what, then who and by when (and when it was done)."""
    when = f"By {long_date(action.target_date)}." if action.target_date else "No date set."
    done = f" Done on {long_date(action.completed_on)}." if action.completed_on else ""
    return [action.description, f"Owner: {action.responsible or 'not named'}. {when}{done}"]


def progress_lines(row: ActionPlanRow) -> list[str]:
    if not row.latest_update:
        return [row.progress, "No progress update yet."]
    return [row.progress, f"{long_date(row.latest_update_on)}: {row.latest_update}"]


# --- Excel ---


def excel_rows(plan: ActionPlan) -> Iterator[tuple[Any, ...]]:
    """One row per action (EXCEL_COLUMNS), or one for a recommendation without any."""
    for row in plan.rows:
        for action in row.actions or (None,):
            yield _excel_row(row, action)


def _excel_row(row: ActionPlanRow, action: PlannedAction | None) -> tuple[Any, ...]:
    return (
        row.reference,
        row.inspection_title,
        row.addressee_name,
        row.text,
        row.response,
        row.response_reason,
        action.description if action else "",
        action.responsible if action else "",
        action.target_date if action else None,
        action.completed_on if action else None,
        row.target_date,
        row.status_label,
        row.owner_name,
        row.progress,
        row.latest_update,
        row.latest_update_on,
        row.judgement,
    )
