"""Importing an inspection report: parse its text once, then write the inspection and all it found in one go.

Idempotent: a fingerprint of the text is kept on the inspection, and importing the same report again returns
that inspection untouched; spaces, blank lines and line ends do not make a report new. Anything the report lacks
raises ReportFormatError before a row is written, and a report the parser has warnings about is imported only
when they are confirmed (WarningsNotConfirmed otherwise).
"""

import datetime
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from inspections.models import (
    ContextualFact,
    DomainRating,
    Inspection,
    InspectionType,
    ProbationDeliveryUnit,
    Region,
    Score,
)
from inspections.parsing import (
    ParsedReport,
    ParseWarning,
    ReportFormatError,
    decode_report,
    normalise_text,
    parse_report,
)
from inspections.parsing.text import fold, report_digest
from recommendations import notifications
from recommendations.comparison_keys import comparison_key
from recommendations.models import Addressee, Recommendation, RecurrenceLink, Theme
from recommendations.recurrence import LikelyRepeat, likely_repeats

MAX_REPORT_BYTES = 1_000_000
IMPORT_CHANGE_REASON = "Imported from the inspection report"
TYPE_ABBREVIATIONS = {
    InspectionType.PUBLIC_PROTECTION: "PP",
    InspectionType.REGIONAL: "RI",
    InspectionType.PDU: "PDU",
    InspectionType.THEMATIC: "TH",
    InspectionType.YOUTH_JUSTICE: "YJ",
}
NATIONAL_REFERENCE_PREFIX = "HMIP"  # for inspections with no region: thematic and youth justice work
_PLACE_SUFFIX = re.compile(r"\s+(?:probation\s+)?(?:region|service|area|pdu|probation delivery unit)$")
# Fields filled in when the inspection is saved (or checked by the database): left out of the checks before it.
_SET_ON_SAVE = ["inspection", "region", "pdu", "owner", "superseded_by"]
_ADDRESSEE_NAMES = {
    Addressee.REGION: "regional",
    Addressee.PDU: "PDU",
    Addressee.HMPPS: "HMPPS",
    Addressee.MOJ: "Ministry of Justice",
    Addressee.OTHER: "other",
}


class PublicationDateMissing(ReportFormatError):
    """The report states no publication date and none was given: its reference's year would be a guess."""

    def __init__(self) -> None:
        super().__init__("The report does not state its publication date: give the date it was published")


class WarningsNotConfirmed(ReportFormatError):
    """The parser read something that could mean another thing: a person must check and confirm it first."""

    def __init__(self, warnings: tuple[ParseWarning, ...]) -> None:
        self.warnings = warnings
        count = f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''}"
        listed = " ".join(str(warning) for warning in warnings)
        super().__init__(f"The report needs checking: {count} to confirm before it is imported. {listed}")


@dataclass(frozen=True)
class ImportCounts:
    recommendations: dict[str, int]  # by addressee value
    scores: int
    facts: int
    ratings: int

    def describe(self) -> str:
        """'2 regional, 3 HMPPS recommendations; 4 scores; 17 facts'."""
        by_addressee = [f"{n} {_ADDRESSEE_NAMES[Addressee(a)]}" for a, n in self.recommendations.items() if n]
        parts = [f"{', '.join(by_addressee) or 'no'} recommendations", f"{self.scores} scores", f"{self.facts} facts"]
        if self.ratings:
            parts.append(f"{self.ratings} domain ratings")
        return "; ".join(parts)


@dataclass(frozen=True)
class ReportPreview:
    """What an import would create, found without writing anything."""

    report: ParsedReport
    source_text: str
    digest: str
    region: Region | None
    pdu: ProbationDeliveryUnit | None
    published_on: datetime.date | None  # as given, else as the report states it; None: to be asked for
    reference: str  # "" until the publication date is known: its year is the reference's
    existing: Inspection | None
    themes: tuple[tuple[str, ...], ...]  # suggested theme names, one tuple per recommendation
    # Recorded recommendations each one likely repeats (none for a report imported before), one tuple per one.
    repeats: tuple[tuple[LikelyRepeat, ...], ...]

    @property
    def warnings(self) -> tuple[ParseWarning, ...]:
        return self.report.warnings

    @property
    def counts(self) -> ImportCounts:
        report = self.report
        addressees = Counter(str(item.addressee) for item in report.recommendations)
        return ImportCounts(
            recommendations={a: addressees[a] for a in Addressee.values if addressees[a]},
            scores=len(report.scores),
            facts=len(report.facts),
            ratings=len(report.ratings),
        )


@dataclass(frozen=True)
class ImportResult:
    inspection: Inspection
    created: bool
    counts: ImportCounts
    warnings: tuple[ParseWarning, ...] = ()  # confirmed by whoever imported the report
    # Each new recommendation that likely repeats recorded ones, with them (suggested for staff to decide).
    repeats: tuple[tuple[Recommendation, tuple[LikelyRepeat, ...]], ...] = ()


def read_report_text(text: str | bytes) -> str:
    """The report as normalised text; too large, binary or undecodable input raises ReportFormatError."""
    # A string has at least as many UTF-8 bytes as characters: a long one is refused without encoding it.
    size = len(text) if isinstance(text, bytes) or len(text) > MAX_REPORT_BYTES else len(text.encode("utf-8"))
    if size > MAX_REPORT_BYTES:
        raise ReportFormatError(
            f"The report is {size / 1_000_000:.1f} MB; the limit is {MAX_REPORT_BYTES / 1_000_000:g} MB "
            f"({MAX_REPORT_BYTES:,} bytes)"
        )
    return normalise_text(decode_report(text) if isinstance(text, bytes) else text)


def preview_report(*, text: str | bytes, published_on: datetime.date | None = None) -> ReportPreview:
    """Parse the report and find its region, PDU and reference, without writing anything.

    A publication date given here wins over the one the report states (a person has checked it).
    """
    source_text = read_report_text(text)
    report = parse_report(source_text)
    region, pdu = _resolve_place(report)
    digest = report_digest(source_text)
    published_on = published_on or report.published_on
    reference = (
        inspection_reference(InspectionType(report.inspection_type), region, published_on.year) if published_on else ""
    )
    existing = Inspection.objects.filter(source_digest=digest).first()
    texts = [item.text for item in report.recommendations]
    # A report imported before is not imported again: its likely repeats would be its own recommendations.
    repeats = ((),) * len(texts) if existing else tuple(tuple(found) for found in likely_repeats(texts, published_on))
    return ReportPreview(
        report=report,
        source_text=source_text,
        digest=digest,
        region=region,
        pdu=pdu,
        published_on=published_on,
        reference=reference,
        existing=existing,
        themes=suggest_themes(texts),
        repeats=repeats,
    )


def import_report(
    *,
    text: str | bytes,
    source_url: str = "",
    published_on: datetime.date | None = None,
    user: User | None = None,
    confirm_warnings: bool = False,
) -> ImportResult:
    """Create the inspection with its recommendations, scores, facts and ratings; a known report is left as it is.

    A report with parser warnings raises WarningsNotConfirmed unless `confirm_warnings`: a person has read them.
    One that states no publication date raises PublicationDateMissing unless `published_on` gives it.
    """
    source_text = read_report_text(text)
    # A report imported before is found by its fingerprint alone, before parsing: nothing about it changes.
    if existing := Inspection.objects.filter(source_digest=report_digest(source_text)).first():
        return ImportResult(existing, created=False, counts=inspection_counts(existing))
    preview = preview_report(text=source_text, published_on=published_on)
    if preview.published_on is None:
        raise PublicationDateMissing
    if preview.warnings and not confirm_warnings:
        raise WarningsNotConfirmed(preview.warnings)
    try:
        with transaction.atomic():
            inspection, created = _create_inspection(preview, source_url=source_url, user=user)
    except IntegrityError:
        # Someone imported the same report a moment ago: theirs stands.
        existing = Inspection.objects.filter(source_digest=preview.digest).first()
        if existing is None:
            raise
        return ImportResult(existing, created=False, counts=inspection_counts(existing))
    repeats = tuple((row, found) for row, found in zip(created, preview.repeats, strict=True) if found)
    return ImportResult(inspection, created=True, counts=preview.counts, warnings=preview.warnings, repeats=repeats)


def inspection_counts(inspection: Inspection) -> ImportCounts:
    addressees = dict(
        inspection.recommendations.values_list("addressee").annotate(n=models.Count("pk")).order_by("addressee")
    )
    return ImportCounts(
        recommendations={a: addressees[a] for a in Addressee.values if addressees.get(a)},
        scores=inspection.scores.count(),
        facts=inspection.facts.count(),
        ratings=inspection.domain_ratings.count(),
    )


# --- where the report is about ---


def _place_key(name: str) -> str:
    folded = fold(name).replace("&", "and").replace(",", " ").removeprefix("the ")
    return " ".join(_PLACE_SUFFIX.sub("", " ".join(folded.split())).split())


def _resolve_place(report: ParsedReport) -> tuple[Region | None, ProbationDeliveryUnit | None]:
    region = resolve_region(report.region_name) if report.region_name else None
    if report.pdu_name is None:
        return region, None
    pdu = resolve_pdu(report.pdu_name, region)
    return pdu.region, pdu


def resolve_region(name: str) -> Region:
    """The Region a report names ('South Central region' → South Central)."""
    regions = list(Region.objects.all())
    for region in regions:
        if _place_key(region.name) == _place_key(name):
            return region
    raise ReportFormatError(
        f"Region {name!r} named in the report's title is not one of the probation regions: "
        f"{', '.join(region.name for region in regions)}"
    )


def resolve_pdu(name: str, region: Region | None) -> ProbationDeliveryUnit:
    candidates = ProbationDeliveryUnit.objects.select_related("region")
    if region is not None:
        candidates = candidates.filter(region=region)
    found = [pdu for pdu in candidates if _place_key(pdu.name) == _place_key(name)]
    if len(found) == 1:
        return found[0]
    where = f"the {region.name} region" if region else "any region"
    if found:
        raise ReportFormatError(f"PDU {name!r} exists in several regions: name its region in the title")
    raise ReportFormatError(f"PDU {name!r} named in the report's title is not a PDU of {where}")


def inspection_reference(inspection_type: InspectionType, region: Region | None, year: int) -> str:
    """'N57-PP-2025'; a second inspection of the same kind, place and year gets '-2', and so on."""
    base = f"{region.code if region else NATIONAL_REFERENCE_PREFIX}-{TYPE_ABBREVIATIONS[inspection_type]}-{year}"
    taken = set(Inspection.objects.filter(reference__startswith=base).values_list("reference", flat=True))
    reference, suffix = base, 1
    while reference in taken:
        suffix += 1
        reference = f"{base}-{suffix}"
    return reference


def suggest_themes(texts: list[str]) -> tuple[tuple[str, ...], ...]:
    """For each text, the themes one of whose keywords it contains (case and quote style ignored)."""
    keywords = {
        theme.name: [fold(word) for word in theme.keywords.split(",") if word.strip()] for theme in Theme.objects.all()
    }
    folded = [fold(text) for text in texts]  # once per text, not once per keyword
    return tuple(
        tuple(name for name, words in keywords.items() if any(word in text for word in words)) for text in folded
    )


# --- writing ---


def _create_inspection(
    preview: ReportPreview, *, source_url: str, user: User | None
) -> tuple[Inspection, list[Recommendation]]:
    inspection = _new_inspection(preview, source_url=source_url)
    recommendations = _new_recommendations(preview)
    tables = _new_tables(preview.report)
    with _checking("The inspection"):
        # Uniqueness is left to the database, so that a concurrent import of the same report is an IntegrityError.
        inspection.full_clean(exclude=["source_digest"], validate_unique=False)
    inspection.save()
    for row in [*recommendations, *tables]:
        row.inspection = inspection
    created = bulk_create_with_history(
        recommendations,
        Recommendation,
        default_user=user if user is not None and user.pk else None,
        default_change_reason=IMPORT_CHANGE_REASON,
    )
    notifications.tell_report_imported(inspection, created, by=user)
    _add_themes(created, preview)
    _suggest_repeats(created, preview)
    Score.objects.bulk_create([row for row in tables if isinstance(row, Score)])
    ContextualFact.objects.bulk_create([row for row in tables if isinstance(row, ContextualFact)])
    DomainRating.objects.bulk_create([row for row in tables if isinstance(row, DomainRating)])
    return inspection, created


def _new_inspection(preview: ReportPreview, *, source_url: str) -> Inspection:
    report = preview.report
    return Inspection(
        reference=preview.reference,
        type=report.inspection_type,
        title=report.title,
        region=preview.region,
        pdu=preview.pdu,
        published_on=preview.published_on,
        cases_inspected=report.cases_inspected,
        overall_rating=report.overall_rating or "",
        lead_inspector=report.lead_inspector,
        summary=report.summary,
        follow_up_promise=report.follow_up,
        source_url=source_url,
        source_text=preview.source_text,
        source_digest=preview.digest,
    )


def _new_recommendations(preview: ReportPreview) -> list[Recommendation]:
    rows = []
    for item in preview.report.recommendations:
        addressee = Addressee(item.addressee)
        row = Recommendation(
            addressee=addressee,
            number=item.number,
            text=item.text,
            comparison_key=comparison_key(item.text),  # bulk_create does not call save(), which keeps it
            region=preview.region if addressee in (Addressee.REGION, Addressee.PDU) else None,
            pdu=preview.pdu if addressee == Addressee.PDU else None,
            addressee_other=item.addressee_label if addressee == Addressee.OTHER else "",
        )
        with _checking(f"Recommendation {item.number} to {addressee.label}"):
            row.clean_fields(exclude=_SET_ON_SAVE)
        rows.append(row)
    return rows


def _new_tables(report: ParsedReport) -> list[Score | ContextualFact | DomainRating]:
    rows: list[Score | ContextualFact | DomainRating] = []
    for score in report.scores:
        score_row = Score(position=score.position, question=score.question, percentage_yes=score.percentage)
        with _checking(f"Scoring table question {score.position}"):
            score_row.clean_fields(exclude=_SET_ON_SAVE)
        rows.append(score_row)
    for fact in report.facts:
        fact_row = ContextualFact(
            position=fact.position, label=fact.label, category=fact.category, value=fact.value, period=fact.period
        )
        with _checking(f"Key contextual fact {fact.label!r}"):
            fact_row.clean_fields(exclude=_SET_ON_SAVE)
        rows.append(fact_row)
    for position, rating in enumerate(report.ratings, start=1):
        rating_row = DomainRating(position=position, domain=rating.domain, rating=rating.rating)
        with _checking(f"Rating of {rating.domain!r}"):
            rating_row.clean_fields(exclude=_SET_ON_SAVE)
        rows.append(rating_row)
    return rows


@contextmanager
def _checking(what: str) -> Iterator[None]:
    """Turn a model's field or constraint errors into a ReportFormatError that says which row is at fault."""
    try:
        yield
    except ValidationError as error:
        problems = "; ".join(
            " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
        raise ReportFormatError(f"{what} cannot be saved: {problems}") from None


def _add_themes(recommendations: list[Recommendation], preview: ReportPreview) -> None:
    themes = dict(Theme.objects.values_list("name", "pk"))
    through = Recommendation.themes.through
    through.objects.bulk_create(
        through(recommendation_id=recommendation.pk, theme_id=themes[name])
        for recommendation, names in zip(recommendations, preview.themes, strict=True)
        for name in names
    )


def _suggest_repeats(recommendations: list[Recommendation], preview: ReportPreview) -> None:
    """Each likely repeat, suggested for staff to confirm or dismiss; the pair in order of publication."""
    links = []
    for recommendation, found in zip(recommendations, preview.repeats, strict=True):
        for repeat in found:
            other = repeat.recommendation
            earlier, later = (recommendation, other) if repeat.made_after else (other, recommendation)
            links.append(RecurrenceLink(earlier=earlier, later=later, score=repeat.score))
    RecurrenceLink.objects.bulk_create(links)
