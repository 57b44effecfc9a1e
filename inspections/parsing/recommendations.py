"""Recommendations, kept apart by addressee and numbered 1..n within each addressee.

Two layouts: one section per addressee ("Regional recommendations", "HMPPS recommendations"), or one
"Recommendations" section with addressee lines ("The Regional Probation Director should:", "HMPPS should:").
"""

import re
from dataclasses import dataclass, field

from inspections.parsing.errors import ReportFormatError
from inspections.parsing.results import AddresseeKind, ParsedRecommendation, ReportType
from inspections.parsing.sections import Line, Section
from inspections.parsing.text import clean_text, fold

_BULLET = re.compile(r"^(?:[-•\u2013\u2014*·▪◦‣●]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+")
_ADDRESSEE_LINE = re.compile(r"^(?P<who>.+?)\s+(?:should|must)\s*:$", re.IGNORECASE)
_ADDRESSEE_WORDS: tuple[tuple[AddresseeKind, re.Pattern[str]], ...] = (
    (AddresseeKind.MOJ, re.compile(r"\b(?:ministry of justice|moj)\b")),
    (AddresseeKind.HMPPS, re.compile(r"\b(?:hmpps|(?:his|her) majesty's prison and probation service)\b")),
    (AddresseeKind.PDU, re.compile(r"\b(?:pdus?|probation delivery units?)\b")),
    (AddresseeKind.REGION, re.compile(r"\b(?:regional probation directors?|region|probation region)\b")),
)
# Reports without a region (thematic, youth justice) address regions and PDUs in general: 'Other' to the tracker.
_REGIONAL = (AddresseeKind.REGION, AddresseeKind.PDU)


@dataclass
class _Group:
    addressee: AddresseeKind
    label: str
    line: int
    texts: list[str] = field(default_factory=list)


def parse_recommendations(sections: list[Section], report_type: ReportType) -> tuple[ParsedRecommendation, ...]:
    found = [section for section in sections if section.key.startswith("recommendations")]
    if not found:
        raise ReportFormatError("No 'Regional recommendations' or 'Recommendations' section found")
    groups = [group for section in found for group in _section_groups(section)]
    return _numbered(groups, report_type)


def _section_groups(section: Section) -> list[_Group]:
    default = section.key.partition(":")[2]
    groups = [_Group(AddresseeKind(default), "", section.line)] if default else []
    for line in section.lines:
        text = line.text.strip()
        if text:
            _read_line(text, line, groups, section)
    if not groups:
        raise ReportFormatError(
            f"The '{section.heading}' section has no recommendations: expected addressee lines ('HMPPS should:') "
            "followed by lines starting with '- '",
            line=section.line,
        )
    for group in groups:
        if not group.texts and (group.line != section.line or len(groups) == 1):
            raise _empty_group(group, section)
    return [group for group in groups if group.texts]


def _read_line(text: str, line: Line, groups: list[_Group], section: Section) -> None:
    bullet = _BULLET.match(text)
    if bullet:
        if not groups:
            raise ReportFormatError(
                f"Recommendation comes before any addressee line such as 'HMPPS should:': {text!r}", line=line.number
            )
        groups[-1].texts.append(clean_text(text[bullet.end() :]))
    elif addressee := _ADDRESSEE_LINE.match(text):
        who = addressee["who"].strip()
        groups.append(_Group(_addressee_of(who), who, line.number))
    elif groups and groups[-1].texts and text[0].islower():
        groups[-1].texts[-1] = f"{groups[-1].texts[-1]} {clean_text(text)}"  # a wrapped line of the item above
    elif any(group.texts for group in groups):
        raise ReportFormatError(
            f"In '{section.heading}', this line is neither a recommendation (starting with '- ') nor an addressee "
            f"line ('HMPPS should:'): {text[:80]!r}",
            line=line.number,
        )


def _addressee_of(who: str) -> AddresseeKind:
    folded = fold(who)
    matches = {kind for kind, words in _ADDRESSEE_WORDS if words.search(folded)}
    return matches.pop() if len(matches) == 1 else AddresseeKind.OTHER


def _empty_group(group: _Group, section: Section) -> ReportFormatError:
    if group.line == section.line:
        return ReportFormatError(
            f"The '{section.heading}' section has no recommendations: expected lines starting with '- '",
            line=section.line,
        )
    return ReportFormatError(f"'{group.label} should:' is followed by no recommendations", line=group.line)


def _numbered(groups: list[_Group], report_type: ReportType) -> tuple[ParsedRecommendation, ...]:
    has_region = report_type not in (ReportType.THEMATIC, ReportType.YOUTH_JUSTICE)
    counters: dict[AddresseeKind, int] = {}
    items: list[ParsedRecommendation] = []
    for group in groups:
        addressee = group.addressee
        if (addressee in _REGIONAL and not has_region) or (
            addressee == AddresseeKind.PDU and report_type != ReportType.PDU
        ):
            addressee = AddresseeKind.OTHER
        for text in group.texts:
            if not text:
                raise ReportFormatError("A recommendation has no text", line=group.line)
            counters[addressee] = counters.get(addressee, 0) + 1
            items.append(ParsedRecommendation(addressee, counters[addressee], text, group.label))
    return tuple(items)
