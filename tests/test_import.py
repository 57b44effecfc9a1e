"""Importing reports: the service, the management command and the admin import page."""

# The expected texts are the reports' own, typographic quotes and dashes included.
# ruff: noqa: RUF001

import datetime
import hashlib
import importlib
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from inspections.models import ContextualFact, Inspection, InspectionType, Rating, Region
from inspections.parsing import AddresseeKind, RatingValue, ReportFormatError, ReportType
from inspections.parsing.text import report_digest
from recommendations import importing
from recommendations.importing import (
    MAX_REPORT_BYTES,
    PublicationDateMissing,
    WarningsNotConfirmed,
    import_report,
    preview_report,
)
from recommendations.models import Addressee, Notification, Recommendation, RecurrenceLink, Status
from tests.factories import make_user
from tests.test_report_parser import (
    KENT,
    KENT_HMPPS,
    KENT_REGIONAL,
    KEY_QUESTIONS,
    NEWS,
    SEEDS,
    SOUTH_CENTRAL,
    SOUTH_CENTRAL_HMPPS,
    SOUTH_CENTRAL_REGIONAL,
    fixture,
    seed,
    with_line_after_title,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reports"
IMPORT_URL = "admin:inspections_inspection_import"
# The seed reports do not state their publication date: the importer must be told it.
PUBLISHED = datetime.date(2025, 10, 14)


def row_counts() -> dict[str, int]:
    """Rows in every table of the project: an import that fails must leave every one of them as it was."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def recommendation_texts(inspection: Inspection, addressee: str) -> list[str]:
    return list(
        inspection.recommendations.filter(addressee=addressee).order_by("number").values_list("text", flat=True)
    )


def truncated_seed() -> str:
    text = seed(KENT)
    return text[: len(text) // 2]


def without_regional_items() -> str:
    return "\n".join(line for line in seed(KENT).split("\n") if not line.startswith("- ensure"))


# --- importing the seed reports ---


def test_the_parser_speaks_the_models_vocabulary() -> None:
    assert {str(kind) for kind in ReportType} == set(InspectionType.values)
    assert {str(kind) for kind in AddresseeKind} == set(Addressee.values)
    assert {str(kind) for kind in RatingValue} == set(Rating.values)


@pytest.mark.django_db
def test_importing_kent_surrey_sussex_creates_its_inspection_and_recommendations() -> None:
    result = import_report(
        text=seed(KENT), source_url="https://example.org/kss", published_on=datetime.date(2025, 10, 14)
    )

    inspection = Inspection.objects.get()
    assert result.created is True
    assert result.inspection == inspection
    assert (inspection.reference, inspection.type) == ("N57-PP-2025", InspectionType.PUBLIC_PROTECTION)
    assert inspection.title == "Dynamic Inspection of Public Protection in Kent, Surrey and Sussex"
    assert inspection.region == Region.objects.get(name="Kent, Surrey and Sussex")
    assert (inspection.lead_inspector, inspection.cases_inspected) == ("Donna Waters", 56)
    assert (inspection.published_on, inspection.source_url) == (datetime.date(2025, 10, 14), "https://example.org/kss")
    assert inspection.overall_rating == ""
    assert inspection.summary.startswith("This review of the Probation Service’s public protection")
    assert inspection.follow_up_promise.startswith("In line with the recommendations identified")
    assert inspection.source_digest == report_digest(seed(KENT))
    assert recommendation_texts(inspection, Addressee.REGION) == KENT_REGIONAL
    assert recommendation_texts(inspection, Addressee.HMPPS) == KENT_HMPPS
    assert inspection.recommendations.count() == 5
    assert result.counts.recommendations == {"region": 2, "hmpps": 3}
    assert (result.counts.scores, result.counts.facts, result.counts.ratings) == (4, 17, 0)


@pytest.mark.django_db
def test_importing_south_central_matches_its_region_and_keeps_exact_texts() -> None:
    inspection = import_report(text=seed(SOUTH_CENTRAL), published_on=PUBLISHED).inspection

    assert inspection.region is not None
    assert inspection.region.name == "South Central"
    assert inspection.reference == "N59-PP-2025"  # the publication date's year
    assert (inspection.lead_inspector, inspection.cases_inspected) == ("Wendy Martin", 56)
    assert recommendation_texts(inspection, Addressee.REGION) == SOUTH_CENTRAL_REGIONAL
    assert recommendation_texts(inspection, Addressee.HMPPS) == SOUTH_CENTRAL_HMPPS
    assert inspection.recommendations.exclude(addressee__in=[Addressee.REGION, Addressee.HMPPS]).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "percentages"),
    [(KENT, ["41", "57", "46", "56"]), (SOUTH_CENTRAL, ["34", "46", "36", "42"])],
)
def test_scores_are_stored_in_order(name: str, percentages: list[str]) -> None:
    inspection = import_report(text=seed(name), published_on=PUBLISHED).inspection

    assert list(inspection.scores.values_list("position", "question", "percentage_yes")) == [
        (position, question, Decimal(percentage))
        for position, (question, percentage) in enumerate(zip(KEY_QUESTIONS, percentages, strict=True), start=1)
    ]


@pytest.mark.django_db
def test_key_contextual_facts_are_stored_one_per_category() -> None:
    inspection = import_report(text=seed(KENT), published_on=PUBLISHED).inspection

    def fact(label: str, category: str = "") -> tuple[str, str]:
        found = inspection.facts.get(label=label, category=category)
        return found.value, found.period

    assert inspection.facts.count() == 17
    assert fact("Number of people supervised") == ("15,158", "on 30 June 2025")
    assert fact("Staffing level (Staff in post FTE)", "PSO (inc. PQiP)") == ("140%", "")
    assert fact("Average caseload at the point of inspection (FTE)", "PSO (exc. PQiP)") == ("49.19", "")
    assert fact("Risk of Serious Harm classification of inspected cases", "High/Very High") == ("34%", "")
    assert fact("Average RAR wait time") == ("Not available", "in the 12 months prior to inspection")
    assert list(inspection.facts.values_list("position", flat=True)) == list(range(1, 18))


@pytest.mark.django_db
def test_south_central_dash_value_is_kept_as_published() -> None:
    inspection = import_report(text=seed(SOUTH_CENTRAL), published_on=PUBLISHED).inspection

    assert inspection.facts.get(label="Average rehabilitation activity requirement (RAR) wait time").value == "–"
    assert inspection.facts.get(
        label="Staffing level (staff in post full time equivalent (FTE))", category="PO"
    ).value == ("69%")


@pytest.mark.django_db
def test_recommendations_get_region_status_history_and_suggested_themes(django_user_model) -> None:
    inspector = django_user_model.objects.create_user(username="isla", role=Role.INSPECTORATE)

    inspection = import_report(text=seed(KENT), user=inspector, published_on=PUBLISHED).inspection

    regional = inspection.recommendations.get(addressee=Addressee.REGION, number=1)
    national = inspection.recommendations.get(addressee=Addressee.HMPPS, number=2)
    assert (regional.region, national.region) == (inspection.region, None)
    assert {regional.status, national.status} == {Status.OPEN}
    assert set(national.themes.values_list("name", flat=True)) == {"Workforce and recruitment"}
    assert "Training and development" in set(regional.themes.values_list("name", flat=True))
    history = national.history.get()
    assert (history.history_user, history.history_change_reason) == (inspector, "Imported from the inspection report")


# --- idempotency ---


@pytest.mark.django_db
def test_importing_the_same_report_again_changes_nothing() -> None:
    first = import_report(text=seed(KENT), published_on=PUBLISHED)
    before = row_counts()

    again = import_report(
        text=seed(KENT), source_url="https://example.org/other", published_on=datetime.date(2026, 1, 1)
    )

    assert again.created is False
    assert again.inspection == first.inspection
    assert again.counts == first.counts
    assert row_counts() == before
    first.inspection.refresh_from_db()
    assert (first.inspection.source_url, first.inspection.published_on) == ("", PUBLISHED)


@pytest.mark.django_db
def test_line_ends_bom_spaces_and_bytes_do_not_make_a_report_new() -> None:
    import_report(text=seed(SOUTH_CENTRAL), published_on=PUBLISHED)
    before = row_counts()
    windows = "\ufeff" + seed(SOUTH_CENTRAL).replace("\n", "  \r\n").replace("HM Inspector ", "HM Inspector\u00a0")

    assert import_report(text=windows, published_on=PUBLISHED).created is False
    assert import_report(text=windows.encode("utf-8"), published_on=PUBLISHED).created is False
    assert row_counts() == before


@pytest.mark.django_db
def test_a_concurrent_import_of_the_same_report_returns_the_one_that_won(monkeypatch: pytest.MonkeyPatch) -> None:
    real_preview = importing.preview_report

    def preview_while_someone_else_imports(**arguments):
        preview = real_preview(**arguments)
        monkeypatch.setattr(importing, "preview_report", real_preview)
        importing.import_report(text=arguments["text"], published_on=PUBLISHED)  # lands between our check and our write
        return preview

    monkeypatch.setattr(importing, "preview_report", preview_while_someone_else_imports)

    result = import_report(text=seed(KENT), published_on=PUBLISHED)

    assert result.created is False
    assert Inspection.objects.get() == result.inspection
    assert Recommendation.objects.count() == 5


@pytest.mark.django_db
def test_a_different_report_of_the_same_region_type_and_year_gets_a_numbered_reference() -> None:
    import_report(text=seed(KENT), published_on=PUBLISHED)

    variant = import_report(
        text=(FIXTURES / "kent-surrey-sussex-crlf-variant.txt").read_bytes(), published_on=PUBLISHED
    )

    assert variant.created is True
    assert variant.inspection.reference == "N57-PP-2025-2"
    assert recommendation_texts(variant.inspection, Addressee.HMPPS) == KENT_HMPPS


@pytest.mark.django_db
def test_publication_date_sets_the_reference_year() -> None:
    result = import_report(text=seed(KENT), published_on=datetime.date(2026, 1, 5))

    assert result.inspection.reference == "N57-PP-2026"


@pytest.mark.django_db
def test_a_report_that_states_its_publication_date_needs_none_given() -> None:
    # Its data are of 2025 ("on 30 June 2025"); the reference takes the year it was published.
    text = with_line_after_title(seed(KENT), "Published: 20 January 2026")

    inspection = import_report(text=text).inspection

    assert (inspection.published_on, inspection.reference) == (datetime.date(2026, 1, 20), "N57-PP-2026")
    assert Recommendation.objects.get(addressee=Addressee.REGION, number=1).reference == "N57-PP-2026/R1"


@pytest.mark.django_db
def test_a_date_given_wins_over_the_one_the_report_states() -> None:
    text = with_line_after_title(seed(KENT), "Published: 20 January 2026")

    inspection = import_report(text=text, published_on=datetime.date(2025, 12, 30)).inspection

    assert (inspection.published_on, inspection.reference) == (datetime.date(2025, 12, 30), "N57-PP-2025")


@pytest.mark.django_db
def test_a_report_without_a_publication_date_is_refused_and_its_reference_never_takes_this_year() -> None:
    before = row_counts()

    with pytest.raises(PublicationDateMissing, match="The report does not state its publication date"):
        import_report(text=seed(KENT))

    assert row_counts() == before
    preview = preview_report(text=seed(KENT))
    assert (preview.published_on, preview.reference) == (None, "")
    assert import_report(text=seed(KENT), published_on=datetime.date(2023, 7, 1)).inspection.reference == "N57-PP-2023"


@pytest.mark.django_db
def test_a_report_imported_before_is_found_without_its_publication_date() -> None:
    first = import_report(text=seed(KENT), published_on=PUBLISHED).inspection

    again = import_report(text=seed(KENT))

    assert (again.created, again.inspection) == (False, first)


@pytest.mark.django_db
def test_one_doubled_space_does_not_make_a_report_new() -> None:
    first = import_report(text=seed(KENT), published_on=PUBLISHED).inspection
    before = row_counts()

    again = import_report(text=(FIXTURES / "kent-doubled-space.txt").read_bytes(), published_on=PUBLISHED)

    assert (again.created, again.inspection) == (False, first)
    assert row_counts() == before


@pytest.mark.django_db
def test_blank_lines_indentation_tabs_and_decomposed_accents_do_not_make_a_report_new() -> None:
    text = seed(KENT).replace("Donna Waters", "Donn\u00e9 Waters")
    first = import_report(text=text, published_on=PUBLISHED).inspection
    variant = "\n\n".join(f"\t {line.replace(' ', '  ')}" for line in text.split("\n")).replace("\u00e9", "e\u0301")

    assert preview_report(text=variant).existing == first
    assert import_report(text=variant.encode("utf-16"), published_on=PUBLISHED).created is False
    assert Inspection.objects.count() == 1


@pytest.mark.django_db
def test_a_change_of_words_makes_a_new_inspection() -> None:
    import_report(text=seed(KENT), published_on=PUBLISHED)

    changed = import_report(
        text=seed(KENT).replace("made more challenging by", "made more difficult by"), published_on=PUBLISHED
    )

    assert changed.created is True
    assert Inspection.objects.count() == 2


@pytest.mark.django_db
def test_the_imports_queries_do_not_grow_with_the_people_told_or_the_repeats_found() -> None:
    import_report(text=seed(KENT), published_on=PUBLISHED)  # recorded: each report below repeats it
    make_user(Role.REGIONAL_LEAD)
    make_user(Role.HMPPS_LEAD)
    with CaptureQueriesContext(connection) as few:
        import_report(text=seed(KENT).replace("challenging", "difficult"), published_on=PUBLISHED)
    told, repeats = Notification.objects.count(), RecurrenceLink.objects.count()
    for _ in range(10):
        make_user(Role.REGIONAL_LEAD)
        make_user(Role.HMPPS_LEAD)

    with CaptureQueriesContext(connection) as many:
        import_report(text=seed(KENT).replace("challenging", "hard"), published_on=PUBLISHED)

    assert (Notification.objects.count() - told, told) == (22, 2)
    assert RecurrenceLink.objects.count() - repeats > repeats > 0  # it repeats both reports before it
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_sub_points_are_stored_in_their_recommendation() -> None:
    inspection = import_report(text=fixture("north-west-sub-points.txt"), published_on=PUBLISHED).inspection

    assert inspection.recommendations.filter(addressee=Addressee.REGION).count() == 4
    assert inspection.recommendations.get(addressee=Addressee.REGION, number=2).text == (
        "ensure that practitioners request and use, at the start of every sentence:\n"
        "a) domestic abuse information from the police\n"
        "b) child safeguarding information from children’s services"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["kent-surrey-sussex-summary-in-bullets.txt", "north-west-numbered-1-2-4.txt"])
def test_a_report_with_warnings_is_not_imported_until_they_are_confirmed(name: str) -> None:
    text = (FIXTURES / name).read_bytes()
    before = row_counts()

    with pytest.raises(WarningsNotConfirmed) as caught:
        import_report(text=text, published_on=PUBLISHED)

    assert row_counts() == before
    assert len(caught.value.warnings) == 1
    assert str(caught.value).startswith("The report needs checking: 1 warning to confirm before it is imported")
    assert str(caught.value.warnings[0]) in str(caught.value)
    assert import_report(text=text, confirm_warnings=True, published_on=PUBLISHED).created is True


@pytest.mark.django_db
def test_confirmed_warnings_store_what_the_report_says_and_no_more() -> None:
    skipping = import_report(
        text=fixture("north-west-numbered-1-2-4.txt"), confirm_warnings=True, published_on=PUBLISHED
    ).inspection
    summary = import_report(
        text=fixture("kent-surrey-sussex-summary-in-bullets.txt"), confirm_warnings=True, published_on=PUBLISHED
    )

    regional = skipping.recommendations.filter(addressee=Addressee.REGION).order_by("number")
    assert [(item.number, item.text[:12]) for item in regional] == [
        (1, "improve the "),
        (2, "ensure that "),
        (4, "strengthen m"),
        (5, "develop a re"),
    ]
    assert recommendation_texts(summary.inspection, Addressee.HMPPS) == KENT_HMPPS[:1]


@pytest.mark.django_db
def test_preview_writes_nothing_and_finds_an_earlier_import() -> None:
    before = row_counts()

    preview = preview_report(text=seed(KENT), published_on=PUBLISHED)

    assert row_counts() == before
    assert preview.region is not None
    assert (preview.reference, preview.region.code, preview.existing) == ("N57-PP-2025", "N57", None)
    assert preview.counts.describe() == "2 regional, 3 HMPPS recommendations; 4 scores; 17 facts"
    assert "Workforce and recruitment" in preview.themes[3]
    inspection = import_report(text=seed(KENT), published_on=PUBLISHED).inspection
    assert preview_report(text=seed(KENT)).existing == inspection


# --- other layouts ---


@pytest.mark.django_db
def test_rated_regional_inspection_with_ratings_and_ministry_of_justice() -> None:
    inspection = import_report(text=fixture("regional-north-west-2025.txt"), published_on=PUBLISHED).inspection

    assert inspection.region is not None
    assert (inspection.type, inspection.region.name, inspection.pdu) == (InspectionType.REGIONAL, "North West", None)
    assert inspection.reference == "N51-RI-2025"
    assert inspection.overall_rating == Rating.REQUIRES_IMPROVEMENT
    assert list(inspection.domain_ratings.values_list("position", "domain", "rating")[:2]) == [
        (1, "Leadership", Rating.GOOD),
        (2, "Staffing", Rating.REQUIRES_IMPROVEMENT),
    ]
    assert inspection.domain_ratings.count() == 10
    assert recommendation_texts(inspection, Addressee.MOJ) == [
        "review the pay of probation officers in areas where recruitment is hardest."
    ]
    assert set(inspection.recommendations.filter(addressee=Addressee.REGION).values_list("region", flat=True)) == {
        inspection.region_id
    }


@pytest.mark.django_db
def test_pdu_inspection_links_its_pdu_and_region() -> None:
    inspection = import_report(text=fixture("pdu-bolton-2025.txt"), published_on=PUBLISHED).inspection

    assert inspection.pdu is not None and inspection.region is not None
    assert (inspection.type, inspection.pdu.name, inspection.region.name) == (
        InspectionType.PDU,
        "Bolton",
        "Greater Manchester",
    )
    assert inspection.reference == "N50-PDU-2025"
    to_pdu = inspection.recommendations.filter(addressee=Addressee.PDU)
    assert [(item.number, item.pdu, item.region) for item in to_pdu] == [
        (1, inspection.pdu, inspection.region),
        (2, inspection.pdu, inspection.region),
    ]


@pytest.mark.django_db
def test_pdu_named_without_its_region_is_found_in_its_region() -> None:
    text = fixture("pdu-bolton-2025.txt").replace(
        "in Bolton probation delivery unit (Greater Manchester region)", "in: Bolton PDU"
    )

    inspection = import_report(text=text, published_on=PUBLISHED).inspection

    assert inspection.pdu is not None and inspection.region is not None
    assert (inspection.pdu.name, inspection.region.code) == ("Bolton", "N50")


@pytest.mark.django_db
def test_thematic_inspection_has_no_region_and_names_other_addressees() -> None:
    inspection = import_report(text=fixture("thematic-women-2025.txt"), published_on=PUBLISHED).inspection

    assert (inspection.type, inspection.region, inspection.reference) == (InspectionType.THEMATIC, None, "HMIP-TH-2025")
    other = inspection.recommendations.get(addressee=Addressee.OTHER)
    assert (other.addressee_other, other.region) == ("Regional Probation Directors", None)
    assert inspection.recommendations.filter(addressee=Addressee.HMPPS).count() == 2


# --- malformed input: a clear error, and not one row written ---

MALFORMED = {
    "empty": ("", "The report is empty"),
    "whitespace only": (" \n\r\n\t \u00a0\n", "The report is empty"),
    "truncated in the middle": (truncated_seed(), "No 'Regional recommendations' or 'Recommendations' section found"),
    "no recommendations heading": (
        seed(KENT)
        .replace("Regional recommendations (Back to top)", "")
        .replace("HMPPS recommendations (Back to top)", ""),
        "No 'Regional recommendations' or 'Recommendations' section found",
    ),
    "recommendations heading without items": (
        without_regional_items(),
        "The 'Regional recommendations' section has no recommendations",
    ),
    "scoring row of three cells": (
        seed(KENT).replace("| 57% |", "| 57% | 12 |"),
        "Scoring table row 3 has 3 cells, expected 2",
    ),
    "percentage over 100": (seed(KENT).replace("| 46% |", "| 146% |"), "Scoring table row 4: '146%' is over 100%"),
    "percentage not a number": (
        seed(KENT).replace("| 46% |", "| n/a |"),
        "Scoring table row 4: 'n/a' is not a percentage",
    ),
    "HTML page": (
        "<!DOCTYPE html>\n<html><head><title>Inspection</title></head><body><h1>Report</h1></body></html>",
        "HTML source of a web page",
    ),
    "huge file": ("x" * (2 * MAX_REPORT_BYTES), "The report is 2.0 MB; the limit is 1 MB (1,000,000 bytes)"),
    "huge bytes": (b"x" * (MAX_REPORT_BYTES + 1), "the limit is 1 MB"),
    "NUL bytes": (b"Dynamic Inspection\x00\x00\x01", "The file contains NUL bytes"),
    "undecodable bytes": (b"Dynamic Inspection \x81\x8d\x90", "The file is not UTF-8 text: byte 0x81 at line 1"),
    "UTF-8 file with one stray byte": (
        (FIXTURES / "kent-stray-byte.txt").read_bytes(),
        "The file is not UTF-8 text: byte 0x96 at line 12, column 11",
    ),
    "Windows-1252 file": (
        seed(KENT).replace("↩︎", "").encode("cp1252"),
        "The file is not UTF-8 text: byte 0x92 at line 2, column 16",
    ),
    "Shift-JIS file": (
        (FIXTURES / "thematic-women-shift-jis.txt").read_bytes(),
        "The file is not UTF-8 text: byte 0x8a at line 3, column 95",
    ),
    "two recommendations with one number": (
        fixture("north-west-numbered-1-1-3.txt"),
        "Two recommendations to 'The Regional Probation Director' are numbered 1 (lines 25 and 26)",
    ),
    "a 32,000-character line": (
        seed(KENT).replace("- ensure that PSOs", "- ensure " + "that all staff " * 2134 + "PSOs"),
        "The line is 32,144 characters long; a report's line is at most 10,000 characters",
    ),
    "control characters in text": ("Dynamic Inspection\x00 of Public Protection", "control character (0x00)"),
    "unknown region": (
        seed(KENT).replace("Public Protection in Kent, Surrey and Sussex", "Public Protection in Atlantis", 1),
        "Region 'Atlantis' named in the report's title is not one of the probation regions",
    ),
    "unknown PDU": (
        fixture("pdu-bolton-2025.txt").replace("in Bolton probation", "in Atlantis probation"),
        "PDU 'Atlantis' named in the report's title is not a PDU of the Greater Manchester region",
    ),
    "news story": (seed(NEWS), "Not an HM Inspectorate of Probation report we recognise"),
    "grouped facts without values": (
        seed(KENT).replace("| 7% | 55% | 34% |", ""),
        "'Risk of Serious Harm classification of inspected cases' needs a row of categories and a row of values",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_raises_a_clear_error_and_writes_nothing(text: str | bytes, message: str) -> None:
    import_report(text=seed(SOUTH_CENTRAL), published_on=PUBLISHED)  # something already there that must stay as it is
    before = row_counts()

    with pytest.raises(ReportFormatError) as caught:
        import_report(text=text, published_on=PUBLISHED)

    assert message in str(caught.value)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_field_too_long_for_the_database_is_refused_before_writing() -> None:
    text = seed(KENT).replace("| 15,158 |", f"| {'9' * 150} |")
    before = row_counts()

    with pytest.raises(ReportFormatError, match="Key contextual fact 'Number of people supervised' cannot be saved"):
        import_report(text=text, published_on=PUBLISHED)

    assert row_counts() == before
    assert ContextualFact.objects.count() == 0


# --- the management command ---


@pytest.mark.django_db
def test_command_imports_each_file_and_says_so() -> None:
    out = StringIO()

    call_command("import_report", str(SEEDS / KENT), str(SEEDS / SOUTH_CENTRAL), "--published=2025-10-14", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        f"{SEEDS / KENT}: created N57-PP-2025 (Dynamic Inspection of Public Protection in Kent, Surrey and Sussex): "
        "2 regional, 3 HMPPS recommendations; 4 scores; 17 facts",
        f"{SEEDS / SOUTH_CENTRAL}: created N59-PP-2025 (Dynamic Inspection of Public Protection in South Central "
        "region): 3 regional, 4 HMPPS recommendations; 4 scores; 17 facts",
        # The vetting recommendation, made again (tests/recurrence/).
        f"{SEEDS / SOUTH_CENTRAL}: N59-PP-2025/H1, 91% alike. Made before: N57-PP-2025/H2, Kent, Surrey and Sussex, "
        "2025, open",
    ]
    assert set(Inspection.objects.values_list("published_on", flat=True)) == {datetime.date(2025, 10, 14)}


@pytest.mark.django_db
def test_command_run_twice_reports_already_imported() -> None:
    call_command("import_report", str(SEEDS / KENT), "--published=2025-10-14", stdout=StringIO())
    before = row_counts()
    out = StringIO()

    call_command("import_report", str(SEEDS / KENT), stdout=out)

    assert out.getvalue() == (
        f"{SEEDS / KENT}: already imported as N57-PP-2025 (Dynamic Inspection of Public Protection in Kent, Surrey "
        "and Sussex); nothing changed\n"
    )
    assert row_counts() == before


@pytest.mark.django_db
def test_command_reports_a_bad_file_on_stderr_and_fails_having_imported_the_good_ones(tmp_path: Path) -> None:
    bad = tmp_path / "truncated.txt"
    bad.write_text(truncated_seed(), encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"1 of 2 file\(s\) not imported"):
        call_command(
            "import_report", str(bad), str(SEEDS / SOUTH_CENTRAL), "--published=2025-11-18", stdout=out, stderr=err
        )

    assert err.getvalue() == (f"{bad}: No 'Regional recommendations' or 'Recommendations' section found\n")
    assert list(Inspection.objects.values_list("reference", flat=True)) == ["N59-PP-2025"]
    assert "created N59-PP-2025" in out.getvalue()


@pytest.mark.django_db
def test_command_prints_warnings_and_imports_only_with_confirm_warnings() -> None:
    path = FIXTURES / "kent-surrey-sussex-summary-in-bullets.txt"
    warning = f"{path}: warning: Line 40: 'Summary' between the recommendations of 'HMPPS recommendations'"
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"1 of 1 file\(s\) not imported"):
        call_command("import_report", str(path), "--published=2025-10-14", stdout=out, stderr=err)

    assert err.getvalue().startswith(warning)
    assert err.getvalue().endswith(
        f"{path}: not imported: 1 warning to confirm. Check the report; run again with --confirm-warnings to "
        "import it as read\n"
    )
    assert Inspection.objects.count() == 0

    out, err = StringIO(), StringIO()
    call_command("import_report", str(path), "--confirm-warnings", "--published=2025-10-14", stdout=out, stderr=err)

    assert err.getvalue().startswith(warning)
    assert out.getvalue() == (
        f"{path}: created N57-PP-2025 (Dynamic Inspection of Public Protection in Kent, Surrey and Sussex): "
        "2 regional, 1 HMPPS recommendations; 4 scores; 17 facts\n"
    )


@pytest.mark.django_db
def test_command_refuses_a_report_without_a_publication_date_unless_given_one(tmp_path: Path) -> None:
    dated = tmp_path / "dated.txt"
    dated.write_text(with_line_after_title(seed(SOUTH_CENTRAL), "Published: 18 November 2025"), encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"1 of 2 file\(s\) not imported"):
        call_command("import_report", str(SEEDS / KENT), str(dated), stdout=out, stderr=err)

    assert err.getvalue() == (
        f"{SEEDS / KENT}: not imported: the report does not state its publication date, which gives its reference "
        "its year. Run again with --published YYYY-MM-DD\n"
    )
    assert list(Inspection.objects.values_list("reference", "published_on")) == [
        ("N59-PP-2025", datetime.date(2025, 11, 18))
    ]

    call_command("import_report", str(SEEDS / KENT), "--published=2026-02-02", stdout=out)

    assert Inspection.objects.get(region__code="N57").reference == "N57-PP-2026"


@pytest.mark.django_db
def test_command_names_the_bad_byte_of_a_file_that_is_not_utf8() -> None:
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_report", str(FIXTURES / "kent-stray-byte.txt"), stdout=StringIO(), stderr=err)

    assert "The file is not UTF-8 text: byte 0x96 at line 12, column 11" in err.getvalue()
    assert Inspection.objects.count() == 0


def test_command_exits_non_zero_from_the_command_line(tmp_path: Path) -> None:
    """The real command line, in its own process (Django closes its connections when a command ends)."""
    missing = tmp_path / "missing.txt"

    finished = subprocess.run(
        [sys.executable, "manage.py", "import_report", str(missing)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 1
    assert f"{missing}: [Errno 2] No such file or directory" in finished.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([str(SEEDS / KENT), "--published=14/10/2025"], "--published must be a date as YYYY-MM-DD, not '14/10/2025'"),
        (
            ["--source-url=https://example.org/a", str(SEEDS / KENT), str(SEEDS / SOUTH_CENTRAL)],
            "--source-url names the page of one report",
        ),
    ],
)
def test_command_refuses_bad_options(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("import_report", *arguments, stdout=StringIO())

    assert Inspection.objects.count() == 0


# --- the admin import page ---


@pytest.fixture
def admin_client_with_superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="lead-inspector", password="not-used-here")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_changelist_links_to_the_import_page(admin_client_with_superuser) -> None:
    response = admin_client_with_superuser.get(reverse("admin:inspections_inspection_changelist"))

    assert response.status_code == 200
    assert reverse(IMPORT_URL).encode() in response.content


@pytest.mark.django_db
def test_admin_preview_then_confirm_creates_the_inspection(admin_client_with_superuser) -> None:
    client = admin_client_with_superuser
    assert client.get(reverse(IMPORT_URL)).status_code == 200

    preview = client.post(
        reverse(IMPORT_URL), {"text": seed(KENT), "source_url": "https://example.org/kss", "published_on": "2025-10-14"}
    )

    assert preview.status_code == 200
    assert Inspection.objects.count() == 0
    page = preview.content.decode()
    for expected in [*KENT_REGIONAL, *KENT_HMPPS, "Donna Waters", "N57-PP-2025", "Confirm import", "41%", "15,158"]:
        assert expected in page, expected
    assert "Recommendations to Kent, Surrey and Sussex region (2)" in page
    assert "Recommendations to HMPPS (3)" in page

    confirm = client.post(reverse(IMPORT_URL), {**preview.context["confirm_form"].initial, "confirm": "1"})

    inspection = Inspection.objects.get()
    assert confirm.status_code == 302
    assert confirm.url == reverse("admin:inspections_inspection_change", args=[inspection.pk])
    assert (inspection.source_url, inspection.published_on) == ("https://example.org/kss", datetime.date(2025, 10, 14))
    assert Recommendation.objects.count() == 5
    followed = client.get(confirm.url)
    assert "Imported N57-PP-2025: 2 regional, 3 HMPPS recommendations" in followed.content.decode()


@pytest.mark.django_db
def test_admin_upload_of_a_text_file(admin_client_with_superuser) -> None:
    upload = SimpleUploadedFile("report.txt", (FIXTURES / "regional-north-west-2025.txt").read_bytes(), "text/plain")

    preview = admin_client_with_superuser.post(reverse(IMPORT_URL), {"file": upload})

    assert preview.status_code == 200
    assert "Recommendations to Ministry of Justice (1)" in preview.content.decode()
    assert "Requires improvement" in preview.content.decode()
    assert Inspection.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": truncated_seed()}, "No &#x27;Regional recommendations&#x27; or &#x27;Recommendations&#x27; section"),
        ({"text": seed(NEWS)}, "Not an HM Inspectorate of Probation report we recognise"),
        ({"text": ""}, "Paste the report&#x27;s text or upload its file: one of the two."),
        ({"file": SimpleUploadedFile("report.pdf", b"%PDF-1.7", "application/pdf")}, "plain text file (.txt)"),
        ({"file": SimpleUploadedFile("big.txt", b"x" * (MAX_REPORT_BYTES + 1), "text/plain")}, "the limit is 1 MB"),
    ],
)
def test_admin_shows_errors_and_creates_nothing(
    admin_client_with_superuser, data: dict[str, object], message: str
) -> None:
    before = row_counts()

    response = admin_client_with_superuser.post(reverse(IMPORT_URL), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Confirm import" not in response.content.decode()
    assert row_counts() == before


@pytest.mark.django_db
def test_admin_confirm_of_a_tampered_report_shows_the_error(admin_client_with_superuser) -> None:
    before = row_counts()

    response = admin_client_with_superuser.post(reverse(IMPORT_URL), {"report_text": seed(NEWS), "confirm": "1"})

    assert response.status_code == 200
    assert "Not an HM Inspectorate of Probation report we recognise" in response.content.decode()
    assert row_counts() == before


@pytest.mark.django_db
def test_admin_says_when_a_report_is_already_imported(admin_client_with_superuser) -> None:
    inspection = import_report(text=seed(KENT), published_on=PUBLISHED).inspection
    change_url = reverse("admin:inspections_inspection_change", args=[inspection.pk])
    before = row_counts()

    preview = admin_client_with_superuser.post(reverse(IMPORT_URL), {"text": seed(KENT)})
    confirm = admin_client_with_superuser.post(reverse(IMPORT_URL), {"report_text": seed(KENT), "confirm": "1"})

    assert f'already imported as <a href="{change_url}">N57-PP-2025</a>' in preview.content.decode()
    assert "Confirm import" not in preview.content.decode()
    assert confirm.status_code == 302 and confirm.url == change_url
    assert row_counts() == before


@pytest.mark.django_db
def test_admin_preview_shows_warnings_and_confirming_needs_the_box_ticked(admin_client_with_superuser) -> None:
    client = admin_client_with_superuser
    before = row_counts()

    preview = client.post(
        reverse(IMPORT_URL),
        {"text": fixture("kent-surrey-sussex-summary-in-bullets.txt"), "published_on": "2025-10-14"},
    )

    page = preview.content.decode()
    assert "Line 40: &#x27;Summary&#x27; between the recommendations of &#x27;HMPPS recommendations&#x27;" in page
    assert 'name="confirm_warnings"' in page
    assert "Recommendations to HMPPS (1)" in page
    sent_back = {name: value for name, value in preview.context["confirm_form"].initial.items() if value is not None}
    unticked = client.post(reverse(IMPORT_URL), {**sent_back, "confirm": "1"})

    assert unticked.status_code == 200
    assert "Tick the box to confirm that you have checked the warnings" in unticked.content.decode()
    assert "Line 40: &#x27;Summary&#x27;" in unticked.content.decode()
    assert row_counts() == before

    ticked = client.post(reverse(IMPORT_URL), {**sent_back, "confirm_warnings": "on", "confirm": "1"})

    assert ticked.status_code == 302
    assert recommendation_texts(Inspection.objects.get(), Addressee.HMPPS) == KENT_HMPPS[:1]


@pytest.mark.django_db
def test_admin_preview_asks_for_the_publication_date_when_the_report_does_not_state_it(
    admin_client_with_superuser,
) -> None:
    client = admin_client_with_superuser
    before = row_counts()

    preview = client.post(reverse(IMPORT_URL), {"text": seed(KENT)})

    page = preview.content.decode()
    assert "Given by the publication date, which the report does not state" in page
    assert '<input type="date" name="published_on"' in page and " required " in page
    sent_back = {name: value for name, value in preview.context["confirm_form"].initial.items() if value is not None}
    undated = client.post(reverse(IMPORT_URL), {**sent_back, "confirm": "1"})

    assert undated.status_code == 200
    assert "Enter the date the report was published." in undated.content.decode()
    assert "Confirm import" in undated.content.decode()
    assert row_counts() == before

    dated = client.post(reverse(IMPORT_URL), {**sent_back, "published_on": "2026-02-03", "confirm": "1"})

    assert dated.status_code == 302
    assert Inspection.objects.values_list("reference", "published_on").get() == (
        "N57-PP-2026",
        datetime.date(2026, 2, 3),
    )


@pytest.mark.django_db
def test_admin_preview_shows_the_publication_date_the_report_states(admin_client_with_superuser) -> None:
    text = with_line_after_title(seed(KENT), "Published: 20 January 2026")

    preview = admin_client_with_superuser.post(reverse(IMPORT_URL), {"text": text})

    page = preview.content.decode()
    assert '<tr><th scope="row">Publication date</th><td>20 January 2026</td></tr>' in page
    assert '<tr><th scope="row">Reference</th><td>N57-PP-2026</td></tr>' in page
    assert '<input type="hidden" name="published_on" value="2026-01-20"' in page
    confirm = admin_client_with_superuser.post(
        reverse(IMPORT_URL), {**preview.context["confirm_form"].initial, "confirm": "1"}
    )
    assert confirm.status_code == 302
    assert Inspection.objects.values_list("reference", flat=True).get() == "N57-PP-2026"


@pytest.mark.django_db
def test_admin_preview_of_a_report_without_warnings_has_no_checkbox(admin_client_with_superuser) -> None:
    preview = admin_client_with_superuser.post(reverse(IMPORT_URL), {"text": seed(KENT)})

    assert 'name="confirm_warnings"' not in preview.content.decode()


@pytest.mark.django_db
def test_admin_upload_that_is_not_utf8_names_the_byte(admin_client_with_superuser) -> None:
    data = (FIXTURES / "kent-stray-byte.txt").read_bytes()

    response = admin_client_with_superuser.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("report.txt", data, "text/plain")}
    )

    assert response.status_code == 200
    assert "The file is not UTF-8 text: byte 0x96 at line 12, column 11" in response.content.decode()
    assert Inspection.objects.count() == 0


@pytest.mark.django_db
def test_admin_import_is_refused_to_people_outside_the_inspectorate(client, django_user_model) -> None:
    anonymous = client.get(reverse(IMPORT_URL))
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous.url

    not_staff = django_user_model.objects.create_user(username="inspector", role=Role.INSPECTORATE)
    client.force_login(not_staff)
    assert client.post(reverse(IMPORT_URL), {"text": seed(KENT)}).status_code == 302

    hmpps_staff = django_user_model.objects.create_user(username="hmpps", role=Role.HMPPS_LEAD, is_staff=True)
    client.force_login(hmpps_staff)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.post(reverse(IMPORT_URL), {"report_text": seed(KENT), "confirm": "1"}).status_code == 403
    assert Inspection.objects.count() == 0


@pytest.mark.django_db
def test_the_migration_gives_inspections_imported_before_the_new_fingerprint() -> None:
    """Digests made before identity_text must be remade, or the same report would be imported a second time."""
    migration = importlib.import_module("inspections.migrations.0003_source_digest_ignores_spacing")
    first = import_report(
        text=(FIXTURES / "kent-doubled-space.txt").read_text(encoding="utf-8"), published_on=PUBLISHED
    ).inspection
    # As the importer left them before: the SHA-256 of the stored text, and a second inspection of the same report.
    twin = Inspection.objects.get(pk=first.pk)
    twin.pk, twin.reference, twin.source_digest = None, "N57-PP-2025-2", ""
    twin.source_text = seed(KENT).replace("\n", "\n\n")
    twin.save()
    for inspection in (first, twin):
        legacy = hashlib.sha256(inspection.source_text.encode()).hexdigest()
        Inspection.objects.filter(pk=inspection.pk).update(source_digest=legacy)
    assert preview_report(text=seed(KENT)).existing is None

    migration.refingerprint(apps, None)

    assert preview_report(text=seed(KENT)).existing == first
    assert import_report(text=seed(KENT), published_on=PUBLISHED).created is False
    twin.refresh_from_db()
    assert twin.source_digest == hashlib.sha256(twin.source_text.encode()).hexdigest()  # left for staff to merge
    assert Inspection.objects.count() == 2

    migration.legacy_fingerprint(apps, None)

    first.refresh_from_db()
    assert first.source_digest == hashlib.sha256(first.source_text.encode()).hexdigest()
