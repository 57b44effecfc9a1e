"""What the parser finds in a report: frozen values, free of the database.

The enums carry the same values as the models' choices (InspectionType, Addressee, Rating), so the import
service stores them as they are.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ReportType(StrEnum):
    PUBLIC_PROTECTION = "public_protection"
    REGIONAL = "regional"
    PDU = "pdu"
    THEMATIC = "thematic"
    YOUTH_JUSTICE = "youth_justice"


class AddresseeKind(StrEnum):
    REGION = "region"
    PDU = "pdu"
    HMPPS = "hmpps"
    MOJ = "moj"
    OTHER = "other"


class RatingValue(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


@dataclass(frozen=True)
class ParseWarning:
    """Text the parser read one way though it could mean another: shown, and confirmed before an import."""

    message: str
    line: int

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass(frozen=True)
class ParsedRecommendation:
    addressee: AddresseeKind
    number: int
    text: str
    # The addressee line as written ("The Ministry of Justice"); names the addressee when it is OTHER.
    addressee_label: str = ""


@dataclass(frozen=True)
class ParsedScore:
    position: int
    question: str
    percentage: Decimal


@dataclass(frozen=True)
class ParsedFact:
    position: int
    label: str
    category: str
    value: str
    period: str


@dataclass(frozen=True)
class ParsedRating:
    domain: str
    rating: RatingValue


@dataclass(frozen=True)
class ParsedReport:
    inspection_type: ReportType
    title: str
    region_name: str | None
    pdu_name: str | None
    lead_inspector: str
    cases_inspected: int | None
    summary: str
    follow_up: str
    recommendations: tuple[ParsedRecommendation, ...]
    scores: tuple[ParsedScore, ...] = ()
    facts: tuple[ParsedFact, ...] = ()
    overall_rating: RatingValue | None = None
    ratings: tuple[ParsedRating, ...] = ()
    # The publication date the report states ("Published: 12 March 2025"), None when it states none.
    published_on: datetime.date | None = None
    warnings: tuple[ParseWarning, ...] = ()

    def recommendations_to(self, addressee: AddresseeKind) -> tuple[ParsedRecommendation, ...]:
        return tuple(item for item in self.recommendations if item.addressee == addressee)
