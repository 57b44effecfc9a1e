"""The publication date a report states: a "Published: 12 March 2025" line anywhere, or a date alone on the cover.

Only a line that is nothing but the label and the date, or nothing but a date before the first heading, counts: a
sentence such as "The Independent Sentencing Review (published May 2025) recommended ..." names another document.
A month without a day ("March 2025") is no date to count from, so the importer asks for the day instead.
"""

import datetime
import re

from inspections.parsing.errors import ReportFormatError
from inspections.parsing.sections import Line

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DATE = (
    rf"(?:{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>(?:19|20)\d\d)"
    r"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d)"
    r"|(?P<numeric>\d{1,2}/\d{1,2}/(?:19|20)\d\d))"
)
_LABELLED = re.compile(
    rf"(?:date\s+(?:of\s+)?publi(?:cation|shed)|publication\s+date|(?:first\s+)?published(?:\s+on)?)\s*:?\s*{_DATE}\.?",
    re.IGNORECASE,
)
_ALONE = re.compile(rf"{_DATE}\.?", re.IGNORECASE)


def is_date_line(text: str) -> bool:
    """A cover line holding only a publication date, labelled or not: never the report's title."""
    text = text.strip()
    return bool(_LABELLED.fullmatch(text) or _ALONE.fullmatch(text))


def publication_date(lines: list[Line], cover: list[Line]) -> datetime.date | None:
    """The date the report says it was published, or None when it does not say; two different dates are refused."""
    found = [(line, match) for line in lines if (match := _LABELLED.fullmatch(line.text.strip()))]
    if not found:
        found = [(line, match) for line in cover if (match := _ALONE.fullmatch(line.text.strip()))]
    dates = {_date(match, line): line for line, match in found}
    if len(dates) > 1:
        (first, line_one), (second, line_two) = list(dates.items())[:2]
        raise ReportFormatError(
            f"The report states two publication dates: {first:%-d %B %Y} on line {line_one.number} and "
            f"{second:%-d %B %Y} on line {line_two.number}",
            line=line_two.number,
        )
    return next(iter(dates), None)


def _date(match: re.Match[str], line: Line) -> datetime.date:
    try:
        if match["iso"]:
            return datetime.date.fromisoformat(match["iso"])
        if match["numeric"]:  # British order: day/month/year
            day, month, year = (int(part) for part in match["numeric"].split("/"))
            return datetime.date(year, month, day)
        named = _MONTHS.get(match["month"].lower())
        if named is None:
            raise ValueError(match["month"])
        return datetime.date(int(match["year"]), named, int(match["day"]))
    except ValueError:
        raise ReportFormatError(
            f"The publication date {line.text.strip()!r} is not a real date", line=line.number
        ) from None
