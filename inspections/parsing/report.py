"""From a report's text to a ParsedReport: the title and type, then each section by its own small parser."""

import re

from inspections.parsing.dates import is_date_line, publication_date
from inspections.parsing.errors import ReportFormatError
from inspections.parsing.recommendations import parse_recommendations
from inspections.parsing.results import (
    ParsedFact,
    ParsedRating,
    ParsedReport,
    ParsedScore,
    ParseWarning,
    RatingValue,
    ReportType,
)
from inspections.parsing.sections import Line, Section, find_section, split_sections
from inspections.parsing.tables import parse_facts, parse_ratings, parse_scores
from inspections.parsing.text import check_plain_text, clean_text, fold, normalise_text

_BOILERPLATE_TOP = {"hm inspectorate of probation", "his majesty's inspectorate of probation", "hmi probation"}
_TYPE_PATTERNS: tuple[tuple[ReportType, re.Pattern[str]], ...] = (
    (ReportType.THEMATIC, re.compile(r"\bthematic\b")),
    (ReportType.YOUTH_JUSTICE, re.compile(r"\byouth (?:justice|offending)\b")),
    (ReportType.PUBLIC_PROTECTION, re.compile(r"\binspection of public protection\b")),
    (ReportType.PDU, re.compile(r"\b(?:pdu|probation delivery unit)\b")),
    (ReportType.REGIONAL, re.compile(r"\bregion(?:al)?\b|\binspection of probation services in\b")),
)
# The place follows the first " in " of the title, or "inspection of" when there is no " in ".
_PLACE_PATTERNS = (re.compile(r"\bin:?\s+(.+)$"), re.compile(r"\binspection of:?\s+(.+)$", re.IGNORECASE))
_PDU_PLACE = re.compile(
    r"^(?:the\s+)?(?P<pdu>.+?)\s+(?:PDU|probation delivery unit)\b[\s,:;()\u2013-]*(?P<region>[^()]*?)\)?$",
    re.IGNORECASE,
)
# Capitalised words or initials: "Donna Waters", "J. A. Smith"; a full stop after a whole word ends the name.
_NAME_WORD = r"[A-ZÀ-Þ](?:\.|[\w'\u2019-]+)"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})*)"
_LEAD_INSPECTOR = re.compile(
    r"\bled by (?:HMI|(?:HM\s+|His Majesty['\u2019]s\s+)?(?:(?:Deputy|Assistant)\s+Chief\s+)?Inspector),?\s+" + _NAME
)
_CASES = re.compile(
    r"\b(?:sample of|across|inspected|examined|total of)\s+(?P<cases>\d{1,5})\s+(?:[a-z-]+\s+){0,2}?cases\b",
    re.IGNORECASE,
)
PUBLIC_PROTECTION_QUESTIONS = 4
_LOST = "\ufffd"
# UTF-8 punctuation and accents read as Windows-1252: a curly apostrophe shows as "â€™", "é" as "Ã©", "£" as "Â£".
_MISREAD = re.compile("\u00e2\u20ac.|[\u00c2\u00c3][\u00a0-\u00bf\u0152-\u2122]")


def parse_report(text: str) -> ParsedReport:
    """Read an HMI Probation report copied as plain text. Raises ReportFormatError naming what is missing.

    What the text says that could be read another way is read one way and named in the result's `warnings`.
    """
    text = normalise_text(text)
    if not text.strip():
        raise ReportFormatError("The report is empty")
    check_plain_text(text)
    lost = _lost_characters(text)
    # Each line with its runs of spaces made one: what the fingerprint keeps (identity_text) is all the parser reads.
    lines = [Line(number, " ".join(line.split())) for number, line in enumerate(text.split("\n"), start=1)]
    text = "\n".join(line.text for line in lines)
    sections = split_sections(lines)
    title = _title(sections[0])
    report_type = _report_type(title)
    region_name, pdu_name = _place(title, report_type)
    # Checked in the order a reader meets them, so a truncated report names the first section it lacks.
    summary = _summary(sections)
    overall, ratings = _ratings(sections, report_type)
    recommendations, warnings = parse_recommendations(sections, report_type)
    scores = _scores(sections, report_type)
    facts = _facts(sections, report_type)
    return ParsedReport(
        inspection_type=report_type,
        title=title.text.strip(),
        region_name=region_name,
        pdu_name=pdu_name,
        lead_inspector=_lead_inspector(sections, text),
        cases_inspected=_cases_inspected(sections, text),
        summary=summary,
        follow_up=_prose(find_section(sections, "follow_up")),
        recommendations=recommendations,
        scores=scores,
        facts=facts,
        overall_rating=overall,
        ratings=ratings,
        published_on=publication_date(lines, sections[0].lines),
        warnings=(*lost, *warnings),
    )


def _lost_characters(text: str) -> list[ParseWarning]:
    """Text damaged before it was pasted: U+FFFD where a character could not be read, or UTF-8 read as Windows-1252."""
    warnings = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _LOST in line:
            warnings.append(
                ParseWarning(
                    f"column {line.index(_LOST) + 1} holds {_LOST!r}, the mark a program leaves where it could not "
                    "read a character: the report's text there was lost before it reached the tracker. Check it "
                    "against the published report.",
                    number,
                )
            )
        if (garbled := _misread(line)) is not None:
            found, meant = garbled
            warnings.append(
                ParseWarning(
                    f"column {found.start() + 1} holds {found.group()!r}, which is how UTF-8 text looks when a "
                    f"program reads it as Windows-1252 (it was {meant!r}): the report's text was garbled before it "
                    "reached the tracker. Copy it again from the published report.",
                    number,
                )
            )
    return warnings


def _misread(line: str) -> tuple[re.Match[str], str] | None:
    """The first 'Ã©' (for 'é') or the like in a line, with what it was, if it reads back as UTF-8."""
    for found in _MISREAD.finditer(line):
        try:
            return found, found.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
    return None


def _title(preamble: Section) -> Line:
    for line in preamble.lines:
        if line.text.strip() and fold(line.text) not in _BOILERPLATE_TOP and not is_date_line(line.text):
            return line
    raise ReportFormatError("The report has no title before its first heading", line=1)


def _report_type(title: Line) -> ReportType:
    folded = fold(title.text)
    for report_type, pattern in _TYPE_PATTERNS:
        if pattern.search(folded):
            return report_type
    raise ReportFormatError(
        f"Not an HM Inspectorate of Probation report we recognise: the title {title.text.strip()[:100]!r} names no "
        "dynamic inspection of public protection, regional, PDU, thematic or youth justice inspection",
        line=title.number,
    )


def _place(title: Line, report_type: ReportType) -> tuple[str | None, str | None]:
    """The region and PDU named in the title ('… in South Central region' → 'South Central region')."""
    if report_type in (ReportType.THEMATIC, ReportType.YOUTH_JUSTICE):
        return None, None
    matches = (pattern.search(title.text.strip()) for pattern in _PLACE_PATTERNS)
    place = next((clean_text(match.group(1)) for match in matches if match), "")
    if report_type == ReportType.PDU:
        pdu = _PDU_PLACE.match(place)
        if pdu is None:
            raise ReportFormatError(f"No PDU named in the title {title.text.strip()!r}", line=title.number)
        return pdu["region"].strip() or None, pdu["pdu"].strip()
    if not place:
        raise ReportFormatError(
            f"No region named in the title {title.text.strip()!r}: expected '… in <region>'", line=title.number
        )
    return place.removeprefix("the ").removeprefix("The "), None


def _summary(sections: list[Section]) -> str:
    section = find_section(sections, "judgement", "foreword")
    if section is None:
        raise ReportFormatError("No 'Chief Inspector's judgement' or 'Foreword' section found")
    summary = _prose(section)
    if not summary:
        raise ReportFormatError(f"The '{section.heading}' section is empty", line=section.line)
    return summary


def _prose(section: Section | None) -> str:
    return "\n\n".join(clean_text(paragraph) for paragraph in section.paragraphs()) if section else ""


def _lead_inspector(sections: list[Section], text: str) -> str:
    further = find_section(sections, "further_information")
    for candidate in (_prose(further), text):
        if match := _LEAD_INSPECTOR.search(candidate):
            return match["name"]
    raise ReportFormatError(
        "No lead inspector found: expected a sentence such as 'This inspection was led by HM Inspector …'"
    )


def _cases_inspected(sections: list[Section], text: str) -> int | None:
    context = find_section(sections, "other")
    for candidate in (_prose(context), text):
        if match := _CASES.search(candidate):
            return int(match["cases"])
    return None


def _ratings(sections: list[Section], report_type: ReportType) -> tuple[RatingValue | None, tuple[ParsedRating, ...]]:
    section = find_section(sections, "ratings")
    if report_type in (ReportType.REGIONAL, ReportType.PDU) and section is None:
        raise ReportFormatError("No 'Ratings' section found: a regional or PDU inspection report carries ratings")
    if section is None or report_type not in (ReportType.REGIONAL, ReportType.PDU, ReportType.YOUTH_JUSTICE):
        return None, ()
    return parse_ratings(section)


def _scores(sections: list[Section], report_type: ReportType) -> tuple[ParsedScore, ...]:
    section = find_section(sections, "scoring")
    if section is None:
        if report_type == ReportType.PUBLIC_PROTECTION:
            raise ReportFormatError("No 'Scoring' section found: a public protection inspection scores key questions")
        return ()
    scores = parse_scores(section)
    if report_type == ReportType.PUBLIC_PROTECTION and len(scores) != PUBLIC_PROTECTION_QUESTIONS:
        raise ReportFormatError(
            f"The scoring table has {len(scores)} questions, expected {PUBLIC_PROTECTION_QUESTIONS} (assessment, "
            "planning, implementation and delivery, reviewing)",
            line=section.line,
        )
    return scores


def _facts(sections: list[Section], report_type: ReportType) -> tuple[ParsedFact, ...]:
    section = find_section(sections, "facts")
    if section is None:
        if report_type == ReportType.PUBLIC_PROTECTION:
            raise ReportFormatError("No 'Key contextual facts' section found")
        return ()
    return parse_facts(section)
