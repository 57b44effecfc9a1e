"""Recommendations, kept apart by addressee and numbered within each addressee.

Two layouts: one section per addressee ("Regional recommendations", "HMPPS recommendations"), or one
"Recommendations" section with addressee lines ("The Regional Probation Director should:", "HMPPS should:").

Bullets are symbols ("- ", "• "), numbers ("1.", "2)", "(3)"), letters ("a)", "(b)") or roman numerals ("(ii)").
The first bullet of a list sets its style. Letters and roman numerals under an item of another style are its
sub-points: they stay in its text, each on a line of its own. When the report numbers its recommendations they
keep its numbers: two with one number are refused, and numbers out of sequence are a warning.
"""

import itertools
import re
from dataclasses import dataclass, field

from inspections.parsing.errors import ReportFormatError
from inspections.parsing.results import AddresseeKind, ParsedRecommendation, ParseWarning, ReportType
from inspections.parsing.sections import Line, Section
from inspections.parsing.text import clean_text, fold

_BULLET = re.compile(
    r"^(?:[-•\u2013\u2014*·▪◦‣●]|\(?(?P<number>\d{1,2})[.)]|\(?(?P<letter>[a-z])[.)]|\(?(?P<roman>[ivx]{2,4})[.)])\s+"
)
# `.*?\S` before `\s+`: the spaces are tried once, from the end of a word, not from each of their positions.
_ADDRESSEE_LINE = re.compile(r"^(?P<who>.*?\S)\s+(?:should|must)\s*:$", re.IGNORECASE)
_ADDRESSEE_WORDS: tuple[tuple[AddresseeKind, re.Pattern[str]], ...] = (
    (AddresseeKind.MOJ, re.compile(r"\b(?:ministry of justice|moj)\b")),
    (AddresseeKind.HMPPS, re.compile(r"\b(?:hmpps|(?:his|her) majesty's prison and probation service)\b")),
    (AddresseeKind.PDU, re.compile(r"\b(?:pdus?|probation delivery units?)\b")),
    (AddresseeKind.REGION, re.compile(r"\b(?:regional probation directors?|region|probation region)\b")),
)
# Reports without a region (thematic, youth justice) address regions and PDUs in general: 'Other' to the tracker.
_REGIONAL = (AddresseeKind.REGION, AddresseeKind.PDU)
_ROMAN = frozenset("ivx")


@dataclass
class _Item:
    line: int
    number: int | None  # as the report writes it, when its bullet is a number
    parts: list[str]  # joined once at the end: wrapped lines and sub-points are appended

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Group:
    addressee: AddresseeKind
    label: str
    heading: str
    line: int
    items: list[_Item] = field(default_factory=list)
    style: str = ""  # of the list's first bullet: "symbol", "number", "letter" or "roman"
    last_letter: str = ""

    @property
    def described(self) -> str:
        return f"to {self.label!r}" if self.label else f"in {self.heading!r}"


def parse_recommendations(
    sections: list[Section], report_type: ReportType
) -> tuple[tuple[ParsedRecommendation, ...], tuple[ParseWarning, ...]]:
    """The recommendations in the report's order, and warnings about what could be read another way."""
    found = [section for section in sections if section.key.startswith("recommendations")]
    if not found:
        raise ReportFormatError("No 'Regional recommendations' or 'Recommendations' section found")
    groups = [group for section in found for group in _section_groups(section)]
    recommendations, warnings = _numbered(groups, report_type)
    return recommendations, (*_headings_inside_lists(sections), *warnings)


def _section_groups(section: Section) -> list[_Group]:
    default = section.key.partition(":")[2]
    groups = [_Group(AddresseeKind(default), "", section.heading, section.line)] if default else []
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
        if not group.items and (group.line != section.line or len(groups) == 1):
            raise _empty_group(group, section)
    return [group for group in groups if group.items]


def _read_line(text: str, line: Line, groups: list[_Group], section: Section) -> None:
    bullet = _BULLET.match(text)
    if bullet:
        if not groups:
            raise ReportFormatError(
                f"Recommendation comes before any addressee line such as 'HMPPS should:': {text!r}", line=line.number
            )
        _add_bullet(groups[-1], bullet, clean_text(text[bullet.end() :]), line)
    elif addressee := _ADDRESSEE_LINE.match(text):
        who = addressee["who"].strip()
        groups.append(_Group(_addressee_of(who), who, section.heading, line.number))
    elif groups and groups[-1].items and text[0].islower():
        groups[-1].items[-1].parts.append(f" {clean_text(text)}")  # a wrapped line of the item above
    elif any(group.items for group in groups):
        raise ReportFormatError(
            f"In '{section.heading}', this line is neither a recommendation (starting with '- ') nor an addressee "
            f"line ('HMPPS should:'): {text[:80]!r}",
            line=line.number,
        )


def _add_bullet(group: _Group, bullet: re.Match[str], text: str, line: Line) -> None:
    letters = bullet["letter"] or bullet["roman"] or ""
    if _is_sub_point(group, letters):
        group.items[-1].parts.append(f"\n{bullet.group().strip()} {text}".rstrip())
        return
    if not group.items:
        group.style = _style(bullet, letters)
    if bullet["letter"]:
        group.last_letter = bullet["letter"]
    group.items.append(_Item(line.number, int(bullet["number"]) if bullet["number"] else None, [text]))


def _style(bullet: re.Match[str], letters: str) -> str:
    if bullet["number"]:
        return "number"
    if letters:
        return "roman" if set(letters) <= _ROMAN else "letter"  # a list starting "(i)" counts in roman numerals
    return "symbol"


def _is_sub_point(group: _Group, letters: str) -> bool:
    """Whether a lettered or roman bullet belongs to the item above ("1. … a) … b) …") rather than following it."""
    if not group.items or not letters:
        return False
    roman = set(letters) <= _ROMAN
    if group.style == "roman":
        return not roman
    if group.style == "letter":
        # "i)" after "h)" is the ninth item of a lettered list; "(i)" after "a)" is the first point under it.
        return roman and letters != chr(ord(group.last_letter) + 1)
    return True


def _headings_inside_lists(sections: list[Section]) -> list[ParseWarning]:
    """A bare heading ("Summary") between bullets ends the recommendations: the bullets after it are not read."""
    warnings = []
    for before, after in itertools.pairwise(sections):
        if not before.key.startswith("recommendations") or after.key.startswith("recommendations") or after.marked:
            continue
        bullets = _leading_bullets(after)
        if bullets and any(_BULLET.match(line.text.strip()) for line in before.lines):
            lines = f"lines {bullets[0]} to {bullets[-1]}" if len(bullets) > 1 else f"line {bullets[0]}"
            what = f"{len(bullets)} bullet lines" if len(bullets) > 1 else "bullet line"
            warnings.append(
                ParseWarning(
                    f"{after.heading!r} between the recommendations of {before.heading!r} is read as a heading, so "
                    f"the {what} after it ({lines}) are not imported as recommendations. If they are "
                    f"recommendations, delete the {after.heading!r} line and try again.",
                    after.line,
                )
            )
    return warnings


def _leading_bullets(section: Section) -> list[int]:
    """The line numbers of the bullets a section starts with (their wrapped lines and blank lines between go too)."""
    numbers: list[int] = []
    for line in section.lines:
        text = line.text.strip()
        if _BULLET.match(text):
            numbers.append(line.number)
        elif text and not (numbers and text[0].islower()):
            break
    return numbers


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


def _numbered(
    groups: list[_Group], report_type: ReportType
) -> tuple[tuple[ParsedRecommendation, ...], list[ParseWarning]]:
    """Number each addressee's recommendations: the report's own numbers where it writes them, else the next one."""
    has_region = report_type not in (ReportType.THEMATIC, ReportType.YOUTH_JUSTICE)
    taken: dict[AddresseeKind, dict[int, int]] = {}  # number → its line, for each addressee
    items: list[ParsedRecommendation] = []
    warnings: list[ParseWarning] = []
    written = 0  # the last number the report wrote: a list may carry on from the list before
    for group in groups:
        addressee = group.addressee
        if (addressee in _REGIONAL and not has_region) or (
            addressee == AddresseeKind.PDU and report_type != ReportType.PDU
        ):
            addressee = AddresseeKind.OTHER
        numbers = taken.setdefault(addressee, {})
        expected_from, irregular = max(numbers, default=0) + 1, None
        for item in group.items:
            text = item.text
            if not text:
                raise ReportFormatError("A recommendation has no text", line=item.line)
            number = max(numbers, default=0) + 1
            if item.number is not None:
                if item.number in numbers:
                    raise ReportFormatError(
                        f"Two recommendations {group.described} are numbered {item.number} (lines "
                        f"{numbers[item.number]} and {item.line}): correct the numbering and try again",
                        line=item.line,
                    )
                if item.number == written + 1 and item is group.items[0]:
                    expected_from = item.number
                elif item.number != number and irregular is None:
                    irregular = item.line
                number = written = item.number
            numbers[number] = item.line
            items.append(ParsedRecommendation(addressee, number, text, group.label))
        if irregular is not None:
            warnings.append(_numbering_warning(group, items[-len(group.items) :], expected_from, irregular))
    return tuple(items), warnings


def _numbering_warning(group: _Group, items: list[ParsedRecommendation], expected_from: int, line: int) -> ParseWarning:
    numbers = ", ".join(str(item.number) for item in items)
    expected = ", ".join(str(number) for number in range(expected_from, expected_from + len(items)))
    return ParseWarning(
        f"The recommendations {group.described} are numbered {numbers}, not {expected}: they keep the report's "
        "numbers. If a recommendation was lost when the report was copied, add it and try again.",
        line,
    )
