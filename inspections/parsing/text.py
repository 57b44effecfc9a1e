"""Plain-text handling shared by the parser: reading bytes, normalising, folding for comparison, footnotes."""

import codecs
import hashlib
import re
import unicodedata

from inspections.parsing.errors import ReportFormatError

# Spaces that web pages and word processors put where a plain space is meant; zero-width characters vanish.
_CHARACTER_FIXES = {
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\t"), " "),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),
    ord("\f"): "\n",  # page breaks in text pasted from a PDF
}
# str.translate looks up every character (4 ms for a 25 kB report, which an import normalises five times); a
# regular expression finds the few characters there are to fix.
_FIXABLE = re.compile("[" + re.escape("".join(map(chr, _CHARACTER_FIXES))) + "]")
# En and em dashes become " - ", and the spaces around them fold with every other run of spaces. (A pattern
# `\s*[\u2013\u2014]\s*` rescanned the rest of a run of spaces from each of its positions: 10 s for 32,000 spaces.)
_FOLD_FIXES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-"}
    | dict.fromkeys("\u2013\u2014", " - ")
)
_SPACES = re.compile(r"\s+")
# A paragraph of a report is a few thousand characters; a longer line is not a report's text, and refusing it
# bounds the time any line-by-line pattern can take.
MAX_LINE_LENGTH = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_START = re.compile(r"^\s*<(?:!doctype\s+html|html\b|\?xml)", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:head|body|div|p|span|script|meta|table|a|li|h[1-6])\b[^>]*>", re.IGNORECASE)

# Footnote markers glued to the text: "Forward1(STWF)", "practitioners.1 SPO", "(on 30 June 2025)2".
# Capitals and digits before the marker are left alone, so "SL021", "CAS3" and "Covid-19" survive.
_FOOTNOTE_MARKERS = (
    re.compile(r"(?<=[a-z])\d{1,2}(?=[\s(.,;:]|$)"),
    re.compile(r"(?<=[a-z][.,;:])\d{1,2}(?=\s+[A-Z]|\s*$)"),
    re.compile(r"(?<=\))\d{1,2}(?=[\s.,;:]|$)"),
)


def decode_report(data: bytes) -> str:
    """Bytes of a report file as text: UTF-8 (with or without BOM) or UTF-16 with its BOM, nothing guessed.

    Bytes that are not UTF-8 are refused, naming the first one and where it is: read as Windows-1252 instead, a
    UTF-8 file with one stray byte would store every curly quote as 'â€™'.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportFormatError("The file starts like UTF-16 text but cannot be read as UTF-16") from None
    if _utf16_without_bom(data[:200]):
        raise ReportFormatError(
            "The file looks like UTF-16 text without a byte order mark: save the report as UTF-8 and import it again"
        )
    if (nul := data.find(b"\x00")) >= 0:
        raise ReportFormatError(
            f"The file contains NUL bytes (first at byte {nul}): it is a binary file, not a report's text"
        )
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReportFormatError(_not_utf8(data, len(data) - len(body) + error.start)) from None


def _utf16_without_bom(head: bytes) -> bool:
    """English text in UTF-16 has a NUL in every other byte, and hardly anywhere else."""
    odd, even = head[1::2], head[0::2]
    return len(head) >= 8 and any(
        half.count(0) >= 0.9 * len(half) and other.count(0) == 0 for half, other in ((odd, even), (even, odd))
    )


def _not_utf8(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")) + 1
    return (
        f"The file is not UTF-8 text: byte 0x{data[offset]:02x} at line {line}, column {column} (byte {offset:,} "
        "of the file) cannot be read. It may have been saved as Windows-1252 or another encoding: save the report "
        "as UTF-8 and import it again"
    )


def normalise_text(text: str) -> str:
    """The form a report is stored and parsed in: LF line ends, plain spaces, composed accents, no trailing blanks."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _FIXABLE.sub(lambda found: _CHARACTER_FIXES[ord(found.group())] or "", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # 'e' + U+0301 and 'é' are one letter to a reader
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def identity_text(text: str) -> str:
    """What makes a report this report, for its fingerprint: its words line by line, not the spaces between them.

    Runs of spaces, indentation and blank lines change nothing the parser reads, so they must not make a report new.
    """
    return "\n".join(" ".join(line.split()) for line in normalise_text(text).split("\n") if line.strip())


def report_digest(source_text: str) -> str:
    """The fingerprint kept in Inspection.source_digest: SHA-256 of the text without its spacing (identity_text)."""
    return hashlib.sha256(identity_text(source_text).encode("utf-8")).hexdigest()


def check_plain_text(text: str) -> None:
    """Refuse over-long lines, binary content and HTML source before looking for a report's structure."""
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_LENGTH:
            raise ReportFormatError(
                f"The line is {len(line):,} characters long; a report's line is at most {MAX_LINE_LENGTH:,} "
                "characters: check that this is the report's text",
                line=number,
            )
    if control := _CONTROL.search(text):
        line_number = text.count("\n", 0, control.start()) + 1
        raise ReportFormatError(
            f"The text contains a control character (0x{ord(control.group()):02x}): it looks like a binary file, "
            "not a report's text",
            line=line_number,
        )
    head = text[:5000]
    if _HTML_START.search(head) or len(_HTML_TAG.findall(head)) >= 3:
        raise ReportFormatError(
            "This is the HTML source of a web page, not a report's text: open the report in a browser and copy "
            "its text instead"
        )


def fold(text: str) -> str:
    """A form for comparing words: case, quote style, dash style and runs of spaces do not matter."""
    return _SPACES.sub(" ", text.translate(_FOLD_FIXES)).strip().casefold()


def strip_footnotes(text: str) -> str:
    for marker in _FOOTNOTE_MARKERS:
        text = marker.sub("", text)
    return text


def clean_text(text: str) -> str:
    """One line of published text without footnote markers or doubled spaces."""
    return _SPACES.sub(" ", strip_footnotes(text)).strip()
