"""Plain-text handling shared by the parser: reading bytes, normalising, folding for comparison, footnotes."""

import codecs
import re

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
_FOLD_FIXES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-"})
_DASHES = re.compile(r"\s*[\u2013\u2014]\s*")
_SPACES = re.compile(r"\s+")
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
    """Bytes of a report file as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportFormatError("The file starts like UTF-16 text but cannot be read as UTF-16") from None
    if (nul := data.find(b"\x00")) >= 0:
        raise ReportFormatError(
            f"The file contains NUL bytes (first at byte {nul}): it is a binary file, not a report's text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ReportFormatError(
            f"The file is neither UTF-8 nor Windows-1252 text: byte 0x{data[error.start]:02x} at position "
            f"{error.start} cannot be read"
        ) from None


def normalise_text(text: str) -> str:
    """The form a report is stored, compared and fingerprinted in: LF line ends, plain spaces, no trailing blanks."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _FIXABLE.sub(lambda found: _CHARACTER_FIXES[ord(found.group())] or "", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def check_plain_text(text: str) -> None:
    """Refuse binary content and HTML source before looking for a report's structure."""
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise ReportFormatError(
            f"The text contains a control character (0x{ord(control.group()):02x}): it looks like a binary file, "
            "not a report's text",
            line=line,
        )
    head = text[:5000]
    if _HTML_START.search(head) or len(_HTML_TAG.findall(head)) >= 3:
        raise ReportFormatError(
            "This is the HTML source of a web page, not a report's text: open the report in a browser and copy "
            "its text instead"
        )


def fold(text: str) -> str:
    """A form for comparing words: case, quote style, dash style and runs of spaces do not matter."""
    return _SPACES.sub(" ", _DASHES.sub(" - ", text.translate(_FOLD_FIXES))).strip().casefold()


def strip_footnotes(text: str) -> str:
    for marker in _FOOTNOTE_MARKERS:
        text = marker.sub("", text)
    return text


def clean_text(text: str) -> str:
    """One line of published text without footnote markers or doubled spaces."""
    return _SPACES.sub(" ", strip_footnotes(text)).strip()
