"""Cutting a report into sections at its headings.

Web copies mark headings with "(Back to top)"; other copies have the bare heading on its own line, which is
recognised only when it is one of the headings HMI Probation reports use.
"""

import re
from dataclasses import dataclass, field

from inspections.parsing.text import fold

# Searched in the line without its trailing spaces: a leading `\s*` rescanned a run of spaces from each of its
# positions (quadratic in the run's length).
_BACK_TO_TOP = re.compile(r"\(back to top\)$", re.IGNORECASE)

# Folded heading → section key. Recommendation keys name the addressee the section is for, if it has one.
_HEADING_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"(?:(?:the )?chief inspector'?s? |overall )?judge?ment", "judgement"),
        (r"foreword", "foreword"),
        (r"(?:the )?regional recommendations", "recommendations:region"),
        (r"(?:pdu|probation delivery unit) recommendations", "recommendations:pdu"),
        (r"hmpps recommendations", "recommendations:hmpps"),
        (r"(?:ministry of justice|moj) recommendations", "recommendations:moj"),
        (r"(?:our )?recommendations", "recommendations"),
        (r"scoring|scores", "scoring"),
        (r"ratings?|overall ratings?", "ratings"),
        (r"(?:key )?contextual facts", "facts"),
        (r"follow-? ?up activity|follow-? ?up", "follow_up"),
        (r"further information|acknowledge?ments", "further_information"),
        (r"footnotes", "footnotes"),
        (r"context|introduction|inspection commentary|key findings|summary|contents", "other"),
        (r"data annexe?|press release|glossary|references|about this report", "other"),
    )
)


@dataclass(frozen=True)
class Line:
    number: int
    text: str


@dataclass
class Section:
    key: str
    heading: str
    line: int
    lines: list[Line] = field(default_factory=list)
    # "(Back to top)" after the heading: certainly a heading. A bare one might be a stray line ("Summary").
    marked: bool = False

    def paragraphs(self) -> list[str]:
        return [line.text.strip() for line in self.lines if line.text.strip()]


def heading_key(text: str) -> str | None:
    """The section key of a heading line, or None when the line is not a heading."""
    text = text.rstrip()
    marked = _BACK_TO_TOP.search(text)
    folded = fold(text[: marked.start()] if marked else text).rstrip(":").strip()
    if not folded or text.lstrip().startswith("|"):
        return None
    for pattern, key in _HEADING_KEYS:
        if pattern.fullmatch(folded):
            return key
    return "other" if marked else None


def split_sections(lines: list[Line]) -> list[Section]:
    """The report's sections in order; lines before the first heading form the 'preamble'."""
    sections = [Section(key="preamble", heading="", line=1)]
    for line in lines:
        key = heading_key(line.text)
        if key is None:
            sections[-1].lines.append(line)
        else:
            text = line.text.rstrip()
            heading = _BACK_TO_TOP.sub("", text).strip()
            sections.append(Section(key=key, heading=heading, line=line.number, marked=heading != text.strip()))
    return sections


def find_section(sections: list[Section], *keys: str) -> Section | None:
    """The first section with the first of `keys` that the report has."""
    for key in keys:
        for section in sections:
            if section.key == key:
                return section
    return None
