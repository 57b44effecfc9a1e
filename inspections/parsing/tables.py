"""The report's tables: the scoring table, the ratings table and the key contextual facts.

Rows are "| cell | cell |". A key contextual fact is either one row (label, value) or a grouped table: a label
row whose other cells are empty ("| Staffing level | ||"), a row of categories and a row of values.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from inspections.parsing.errors import ReportFormatError
from inspections.parsing.results import ParsedFact, ParsedRating, ParsedScore, RatingValue
from inspections.parsing.sections import Section
from inspections.parsing.text import clean_text, fold

_PERCENTAGE = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\s*%?")
_TRAILING_BRACKETS = re.compile(r"(?P<label>.*?\S)\s*\((?P<inner>[^()]*)\)")
_PERIOD_START = re.compile(r"(?:on|in|at|as at|as of|during|between|from|for the|over the|up to)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DOMAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+")
_RATINGS = {
    "outstanding": RatingValue.OUTSTANDING,
    "good": RatingValue.GOOD,
    "requires improvement": RatingValue.REQUIRES_IMPROVEMENT,
    "inadequate": RatingValue.INADEQUATE,
}


@dataclass(frozen=True)
class Row:
    position: int  # 1-based within its table
    line: int
    cells: tuple[str, ...]
    raw: str


def table_rows(section: Section, table: str) -> list[Row]:
    """The table rows of a section, in order; prose lines around the table are left out."""
    rows: list[Row] = []
    for line in section.lines:
        raw = line.text.strip()
        if not raw.startswith("|"):
            continue
        if len(raw) < 2 or not raw.endswith("|"):
            raise ReportFormatError(f"{table} row {len(rows) + 1} does not end with '|': {raw!r}", line=line.number)
        cells = tuple(cell.strip() for cell in raw[1:-1].split("|"))
        rows.append(Row(position=len(rows) + 1, line=line.number, cells=cells, raw=raw))
    if not rows:
        raise ReportFormatError(f"The '{section.heading}' section has no table rows ('| … | … |')", line=section.line)
    return rows


def _expect_cells(row: Row, table: str, count: int, what: str) -> None:
    if len(row.cells) != count:
        raise ReportFormatError(
            f"{table} row {row.position} has {len(row.cells)} cells, expected {count} ({what}): {row.raw!r}",
            line=row.line,
        )


def _check_unique(keys: list[tuple[str, ...]], rows: list[Row], table: str) -> None:
    seen: set[tuple[str, ...]] = set()
    for key, row in zip(keys, rows, strict=True):
        if key in seen:
            raise ReportFormatError(f"{table} row {row.position} repeats {' / '.join(key)!r}", line=row.line)
        seen.add(key)


# --- scoring table ---


def parse_scores(section: Section) -> tuple[ParsedScore, ...]:
    table = "Scoring table"
    rows = table_rows(section, table)
    for row in rows:
        _expect_cells(row, table, 2, "question and percentage")
    if _is_score_header(rows[0]):
        rows = rows[1:]
    if not rows:
        raise ReportFormatError("The scoring table has a header but no questions", line=section.line)
    scores = [_score(row, position) for position, row in enumerate(rows, start=1)]
    _check_unique([(score.question,) for score in scores], rows, table)
    return tuple(scores)


def _is_score_header(row: Row) -> bool:
    return "percentage" in fold(row.cells[1]) or fold(row.cells[0]) in {"key question", "question"}


def _score(row: Row, position: int) -> ParsedScore:
    question = clean_text(row.cells[0])
    if not question:
        raise ReportFormatError(f"Scoring table row {row.position} has no question: {row.raw!r}", line=row.line)
    match = _PERCENTAGE.fullmatch(row.cells[1])
    if match is None:
        raise ReportFormatError(
            f"Scoring table row {row.position}: {row.cells[1]!r} is not a percentage (such as '41%')", line=row.line
        )
    percentage = Decimal(match.group(1))
    if percentage > 100:
        raise ReportFormatError(f"Scoring table row {row.position}: {row.cells[1]!r} is over 100%", line=row.line)
    return ParsedScore(position=position, question=question, percentage=percentage)


# --- ratings table ---


def parse_ratings(section: Section) -> tuple[RatingValue, tuple[ParsedRating, ...]]:
    """The overall rating and the domain ratings, in the table's order."""
    table = "Ratings table"
    overall: RatingValue | None = None
    ratings: list[ParsedRating] = []
    rated_rows: list[Row] = []
    for row in table_rows(section, table):
        _expect_cells(row, table, 2, "domain and rating")
        rating = _RATINGS.get(fold(row.cells[1]))
        if rating is None:
            _check_not_rating(row)
        elif fold(row.cells[0]).startswith("overall"):
            overall = rating
        else:
            ratings.append(ParsedRating(domain=_DOMAIN_NUMBER.sub("", clean_text(row.cells[0])), rating=rating))
            rated_rows.append(row)
    if overall is None:
        raise ReportFormatError("The ratings table has no 'Overall rating' row", line=section.line)
    _check_unique([(rating.domain,) for rating in ratings], rated_rows, table)
    return overall, tuple(ratings)


def _check_not_rating(row: Row) -> None:
    """Header rows ('| Domain | Rating |') and group rows ('| Domain one | |') carry no rating; others must."""
    if row.position == 1 or not row.cells[1]:
        return
    raise ReportFormatError(
        f"Ratings table row {row.position}: {row.cells[1]!r} is not a rating "
        "(Outstanding, Good, Requires improvement or Inadequate)",
        line=row.line,
    )


# --- key contextual facts ---


def parse_facts(section: Section) -> tuple[ParsedFact, ...]:
    table = "Key contextual facts"
    rows = table_rows(section, table)
    facts: list[ParsedFact] = []
    fact_rows: list[Row] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        if len(row.cells) > 1 and row.cells[0] and not any(row.cells[1:]):
            group = _grouped_facts(row, rows[index + 1 : index + 3], first_position=len(facts) + 1)
            facts.extend(group)
            fact_rows.extend([row] * len(group))
            index += 3
        else:
            facts.append(_single_fact(row, position=len(facts) + 1))
            fact_rows.append(row)
            index += 1
    _check_unique([(fact.label, fact.category) for fact in facts], fact_rows, table)
    return tuple(facts)


def _single_fact(row: Row, position: int) -> ParsedFact:
    _expect_cells(row, "Key contextual facts", 2, "label and value")
    label, period = split_period(row.cells[0])
    if not label or not row.cells[1]:
        raise ReportFormatError(
            f"Key contextual facts row {row.position} needs a label and a value: {row.raw!r}", line=row.line
        )
    return ParsedFact(position=position, label=label, category="", value=row.cells[1], period=period)


def _grouped_facts(label_row: Row, rows: list[Row], first_position: int) -> list[ParsedFact]:
    label, period = split_period(label_row.cells[0])
    if len(rows) < 2:
        raise ReportFormatError(
            f"Key contextual facts: {label!r} needs a row of categories and a row of values after it",
            line=label_row.line,
        )
    categories, values = rows
    for row, holds in ((categories, "categories"), (values, "values")):
        if not all(row.cells):
            raise ReportFormatError(
                f"Key contextual facts row {row.position} should hold the {holds} of {label!r} but has an empty "
                f"cell: {row.raw!r}",
                line=row.line,
            )
    _expect_cells(values, "Key contextual facts", len(categories.cells), f"one value per category of {label!r}")
    return [
        ParsedFact(
            position=first_position + offset, label=label, category=clean_text(category), value=value, period=period
        )
        for offset, (category, value) in enumerate(zip(categories.cells, values.cells, strict=True))
    ]


def split_period(cell: str) -> tuple[str, str]:
    """'Number of people supervised (on 30 June 2025)2' → ('Number of people supervised', 'on 30 June 2025')."""
    text = clean_text(cell)
    match = _TRAILING_BRACKETS.fullmatch(text)
    if match and (_PERIOD_START.match(match["inner"]) or _YEAR.search(match["inner"])):
        return match["label"], match["inner"].strip()
    return text, ""
