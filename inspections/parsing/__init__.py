"""The one parser of HMI Probation inspection reports (plain Python: no database, no Django)."""

from inspections.parsing.errors import ReportFormatError
from inspections.parsing.report import parse_report
from inspections.parsing.results import (
    AddresseeKind,
    ParsedFact,
    ParsedRating,
    ParsedRecommendation,
    ParsedReport,
    ParsedScore,
    ParseWarning,
    RatingValue,
    ReportType,
)
from inspections.parsing.text import decode_report, normalise_text

__all__ = [
    "AddresseeKind",
    "ParseWarning",
    "ParsedFact",
    "ParsedRating",
    "ParsedRecommendation",
    "ParsedReport",
    "ParsedScore",
    "RatingValue",
    "ReportFormatError",
    "ReportType",
    "decode_report",
    "normalise_text",
    "parse_report",
]
