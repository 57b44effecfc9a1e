"""The report parser on its own: the two seed reports, other HMI Probation layouts and malformed text (no database)."""

# The expected texts are the reports' own, typographic quotes and dashes included.
# ruff: noqa: RUF001

import codecs
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from inspections.parsing import (
    AddresseeKind,
    ParsedFact,
    ParsedRating,
    ParsedRecommendation,
    ParsedScore,
    RatingValue,
    ReportFormatError,
    ReportType,
    decode_report,
    normalise_text,
    parse_report,
)
from inspections.parsing.tables import split_period
from inspections.parsing.text import strip_footnotes

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "inspections" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reports"
KENT = "kent-surrey-sussex-public-protection-2025.txt"
SOUTH_CENTRAL = "south-central-public-protection-2025.txt"
NEWS = "news-south-east-requires-improvement.txt"

KENT_REGIONAL = [
    "ensure that PSOs have sufficient skills, knowledge and experience to adequately assess, plan, work with and "
    "review risk of harm to others",
    "ensure a strategic approach to identifying street gang and county lines nominals and strengthen strategic "
    "relationships, both internally and with partner agencies, to share information and effectively manage these "
    "cases.",
]
KENT_HMPPS = [
    "develop a national strategic approach to information sharing with police and children’s services to support "
    "regions in achieving consistency and compliance with legislation to obtain and use information to protect the "
    "public",
    "reduce vetting delays and address workforce instability by implementing streamlined recruitment processes",
    "review AP capacity and placements to support the appropriate management and resettlement of people on probation.",
]
SOUTH_CENTRAL_REGIONAL = [
    "Ensure timely and consistent information exchange with all relevant multi-agency partners, and address "
    "barriers to communication.",
    "Develop and implement targeted training and supervision approaches that promote professional curiosity and "
    "analytical thinking.",
    "Evaluate and strengthen the delivery of interventions and services aimed at reducing risk of harm.",
]
SOUTH_CENTRAL_HMPPS = [
    "Reduce vetting delays and address workforce instability by implementing streamlined and more responsive "
    "recruitment processes.",
    "Embed public protection-specific metrics in dashboards to enable leaders to monitor quality and impact "
    "effectively.",
    "Review national arrangements to provide regions with greater autonomy in adapting risk management approaches "
    "to local contexts, while maintaining accountability and assurance.",
    "Develop and implement training for PQIP and continuing professional development programmes that gives "
    "priority to applying practical skills in managing complex risk, ensuring consistency and quality across all "
    "regions.",
]
KEY_QUESTIONS = [
    "Does assessment focus sufficiently on keeping other people safe?",
    "Does planning focus sufficiently on keeping other people safe?",
    "Does the implementation and delivery of services effectively support the safety of other people?",
    "Does reviewing focus sufficiently on keeping other people safe?",
]
IN_12_MONTHS = "in the 12 months prior to inspection"


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def fixture(name: str) -> str:
    return decode_report((FIXTURES / name).read_bytes())


def texts(report, addressee: AddresseeKind) -> list[str]:
    return [item.text for item in report.recommendations_to(addressee)]


def parse_error(text: str) -> ReportFormatError:
    with pytest.raises(ReportFormatError) as caught:
        parse_report(text)
    return caught.value


# --- the seed reports ---


def test_kent_surrey_sussex_recommendations_are_kept_apart_in_order_with_exact_texts() -> None:
    report = parse_report(seed(KENT))

    assert texts(report, AddresseeKind.REGION) == KENT_REGIONAL
    assert texts(report, AddresseeKind.HMPPS) == KENT_HMPPS
    assert [(item.addressee, item.number) for item in report.recommendations] == [
        (AddresseeKind.REGION, 1),
        (AddresseeKind.REGION, 2),
        (AddresseeKind.HMPPS, 1),
        (AddresseeKind.HMPPS, 2),
        (AddresseeKind.HMPPS, 3),
    ]


def test_south_central_recommendations_are_kept_apart_in_order_with_exact_texts() -> None:
    report = parse_report(seed(SOUTH_CENTRAL))

    assert texts(report, AddresseeKind.REGION) == SOUTH_CENTRAL_REGIONAL
    assert texts(report, AddresseeKind.HMPPS) == SOUTH_CENTRAL_HMPPS
    assert [item.number for item in report.recommendations_to(AddresseeKind.HMPPS)] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("name", "percentages"),
    [(KENT, ["41", "57", "46", "56"]), (SOUTH_CENTRAL, ["34", "46", "36", "42"])],
)
def test_scoring_table_gives_the_four_key_questions_with_their_percentages(name: str, percentages: list[str]) -> None:
    report = parse_report(seed(name))

    assert report.scores == tuple(
        ParsedScore(position, question, Decimal(percentage))
        for position, (question, percentage) in enumerate(zip(KEY_QUESTIONS, percentages, strict=True), start=1)
    )


@pytest.mark.parametrize(
    ("name", "title", "region", "lead"),
    [
        (KENT, "Dynamic Inspection of Public Protection in Kent, Surrey and Sussex", "Kent, Surrey and Sussex",
         "Donna Waters"),
        (SOUTH_CENTRAL, "Dynamic Inspection of Public Protection in South Central region", "South Central region",
         "Wendy Martin"),
    ],
)  # fmt: skip
def test_seed_report_details(name: str, title: str, region: str, lead: str) -> None:
    report = parse_report(seed(name))

    assert report.inspection_type == ReportType.PUBLIC_PROTECTION
    assert report.title == title
    assert report.region_name == region
    assert report.pdu_name is None
    assert report.lead_inspector == lead
    assert report.cases_inspected == 56
    assert report.published_on is None  # "The Independent Sentencing Review (published May 2025)" is another's
    assert report.overall_rating is None
    assert report.ratings == ()


def test_summary_and_follow_up_are_the_published_paragraphs() -> None:
    report = parse_report(seed(KENT))

    paragraphs = report.summary.split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("This review of the Probation Service’s public protection across Kent")
    assert paragraphs[-1].endswith("a culture that supported learning and psychological safety.")
    assert report.follow_up.startswith("In line with the recommendations identified, a range of follow-up activity")
    assert report.follow_up.endswith("highlighting opportunities to improve accountability.")


def test_kent_key_contextual_facts_with_periods_and_grouped_tables() -> None:
    facts = parse_report(seed(KENT)).facts

    assert len(facts) == 17
    assert [fact.position for fact in facts] == list(range(1, 18))
    assert facts[0] == ParsedFact(1, "Number of people supervised", "", "15,158", "on 30 June 2025")
    assert facts[2] == ParsedFact(3, "Victim satisfaction performance SL021", "", "89.8%", "April 2024 – March 2025")
    assert facts[3:6] == (
        ParsedFact(4, "Staffing level (Staff in post FTE)", "SPO", "88%", ""),
        ParsedFact(5, "Staffing level (Staff in post FTE)", "PO", "64%", ""),
        ParsedFact(6, "Staffing level (Staff in post FTE)", "PSO (inc. PQiP)", "140%", ""),
    )
    assert facts[6:9] == (
        ParsedFact(7, "Average caseload at the point of inspection (FTE)", "PO", "39.95", ""),
        ParsedFact(8, "Average caseload at the point of inspection (FTE)", "PSO (exc. PQiP)", "49.19", ""),
        ParsedFact(9, "Average caseload at the point of inspection (FTE)", "PQiP", "22.64", ""),
    )
    assert facts[10] == ParsedFact(11, "Average RAR wait time", "", "Not available", IN_12_MONTHS)
    assert facts[14:] == (
        ParsedFact(15, "Risk of Serious Harm classification of inspected cases", "Low", "7%", ""),
        ParsedFact(16, "Risk of Serious Harm classification of inspected cases", "Medium", "55%", ""),
        ParsedFact(17, "Risk of Serious Harm classification of inspected cases", "High/Very High", "34%", ""),
    )


def test_south_central_key_contextual_facts_keep_dashes_and_long_categories() -> None:
    facts = parse_report(seed(SOUTH_CENTRAL)).facts

    assert facts[3].label == "Staffing level (staff in post full time equivalent (FTE))"
    assert (facts[3].category, facts[3].value) == ("SPO", "100%")
    assert facts[8] == ParsedFact(
        9,
        "Average caseload at the point of inspection (FTE)",
        "Probation services officer (inc. Professional Qualification in Probation (PQiP))",
        "31.57",
        "",
    )
    assert facts[10] == ParsedFact(
        11, "Average rehabilitation activity requirement (RAR) wait time", "", "–", IN_12_MONTHS
    )
    assert facts[16] == ParsedFact(
        17, "Risk of serious harm classification of inspected cases", "High/very high", "20%", ""
    )


@pytest.mark.parametrize("name", [KENT, SOUTH_CENTRAL])
def test_no_footnote_marker_survives_in_recommendations_or_facts(name: str) -> None:
    report = parse_report(seed(name))

    published = [fact.label for fact in report.facts] + [fact.category for fact in report.facts]
    published += [item.text for item in report.recommendations]
    assert [text for text in published if re.search(r"[a-z.)]\d", text)] == []


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("Initiatives like See the Way Forward1(STWF) and", "Initiatives like See the Way Forward(STWF) and"),
        ("frontline probation practitioners.1 SPO capacity", "frontline probation practitioners. SPO capacity"),
        ("Number of people supervised (on 30 June 2025)2", "Number of people supervised (on 30 June 2025)"),
        ("Staffing level (Staff in post FTE)5", "Staffing level (Staff in post FTE)"),
        ("Victim satisfaction performance SL021 (April 2024)", "Victim satisfaction performance SL021 (April 2024)"),
        ("to CAS3 (for housing) after Covid-19 at Level 1", "to CAS3 (for housing) after Covid-19 at Level 1"),
        ("in the 12 months prior to inspection", "in the 12 months prior to inspection"),
    ],
)  # fmt: skip
def test_footnote_markers_glued_to_words_are_removed_and_nothing_else(published: str, expected: str) -> None:
    assert strip_footnotes(published) == expected


@pytest.mark.parametrize(
    ("cell", "label", "period"),
    [
        ("Number of people supervised (on 30 June 2025)2", "Number of people supervised", "on 30 June 2025"),
        ("Recall rates (in the 12 months prior to inspection)", "Recall rates", IN_12_MONTHS),
        ("Victim satisfaction performance SL021 (April 2024 – March 2025)4", "Victim satisfaction performance SL021",
         "April 2024 – March 2025"),
        ("Average caseload at the point of inspection (FTE)", "Average caseload at the point of inspection (FTE)", ""),
        ("Staffing level (staff in post full time equivalent (FTE))5",
         "Staffing level (staff in post full time equivalent (FTE))", ""),
        ("Risk of Serious Harm classification of inspected cases",
         "Risk of Serious Harm classification of inspected cases", ""),
    ],
)  # fmt: skip
def test_period_is_taken_from_the_label_only_when_the_brackets_hold_a_time(cell: str, label: str, period: str) -> None:
    assert split_period(cell) == (label, period)


# --- other layouts and encodings ---


def test_windows_line_ends_bom_straight_quotes_and_other_bullets_read_like_the_seed() -> None:
    raw = (FIXTURES / "kent-surrey-sussex-crlf-variant.txt").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw and "•".encode() in raw

    assert parse_report(decode_report(raw)) == parse_report(seed(KENT))


def test_rated_regional_inspection_with_addressee_groups() -> None:
    report = parse_report(fixture("regional-north-west-2025.txt"))

    assert report.inspection_type == ReportType.REGIONAL
    assert report.title == "An inspection of probation services in the North West region"
    assert (report.region_name, report.pdu_name) == ("North West region", None)
    assert (report.lead_inspector, report.cases_inspected) == ("Gareth Pryce", 180)
    assert report.summary.startswith("This inspection of the North West region found a service")
    assert report.overall_rating == RatingValue.REQUIRES_IMPROVEMENT
    assert report.ratings[0] == ParsedRating("Leadership", RatingValue.GOOD)
    assert report.ratings[-1] == ParsedRating("Statutory victim work", RatingValue.OUTSTANDING)
    assert len(report.ratings) == 10
    assert texts(report, AddresseeKind.REGION)[3] == (
        "develop a recruitment and retention plan for probation officers in Cumbria and Liverpool."
    )
    assert [len(report.recommendations_to(kind)) for kind in AddresseeKind] == [4, 0, 3, 1, 0]
    assert report.recommendations_to(AddresseeKind.MOJ) == (
        ParsedRecommendation(
            AddresseeKind.MOJ,
            1,
            "review the pay of probation officers in areas where recruitment is hardest.",
            "The Ministry of Justice",
        ),
    )
    assert report.facts[1] == ParsedFact(2, "Staffing level (staff in post FTE)", "SPO", "94%", "")


def test_pdu_inspection_with_head_of_the_pdu_and_lettered_bullets() -> None:
    report = parse_report(fixture("pdu-bolton-2025.txt"))

    assert report.inspection_type == ReportType.PDU
    assert (report.pdu_name, report.region_name) == ("Bolton", "Greater Manchester region")
    assert (report.lead_inspector, report.cases_inspected) == ("Priya Nandakumar", 60)
    assert report.overall_rating == RatingValue.GOOD
    assert texts(report, AddresseeKind.PDU) == [
        "ensure that home visits are used to assess and manage the risk of harm to children",
        "make sure that every case transferred into the PDU is reviewed by a senior probation officer within ten "
        "working days.",
    ]
    assert texts(report, AddresseeKind.REGION) == [
        "agree with Greater Manchester Police how domestic abuse information will be shared within five working days"
    ]
    assert texts(report, AddresseeKind.HMPPS) == [
        "improve the case management system so that transfers between PDUs keep the full risk history."
    ]


def test_pdu_title_without_a_region() -> None:
    text = fixture("pdu-bolton-2025.txt").replace(
        "in Bolton probation delivery unit (Greater Manchester region)", "in: Bolton PDU"
    )

    report = parse_report(text)

    assert (report.pdu_name, report.region_name) == ("Bolton", None)


def test_thematic_inspection_addresses_regions_in_general_as_other() -> None:
    report = parse_report(fixture("thematic-women-2025.txt"))

    assert report.inspection_type == ReportType.THEMATIC
    assert (report.region_name, report.pdu_name) == (None, None)
    assert report.lead_inspector == "Alison Oduya"
    assert report.summary.startswith("Women on probation often have complex needs")
    assert report.recommendations_to(AddresseeKind.OTHER) == (
        ParsedRecommendation(
            AddresseeKind.OTHER,
            1,
            "review the commissioning of women’s centres, so that funding is sustained beyond 12 months.",
            "Regional Probation Directors",
        ),
    )
    assert texts(report, AddresseeKind.MOJ) == ["fund women’s centres on multi-year agreements."]


@pytest.mark.parametrize("bullet", ["- ", "• ", "– ", "* ", "1. ", "2) ", "a) ", "(b) ", "(iv) "])
def test_each_bullet_style_marks_a_recommendation(bullet: str) -> None:
    text = seed(SOUTH_CENTRAL).replace("- Ensure timely", f"{bullet}Ensure timely")

    report = parse_report(text)

    assert texts(report, AddresseeKind.REGION)[0] == SOUTH_CENTRAL_REGIONAL[0]


def test_a_wrapped_recommendation_line_joins_the_item_above() -> None:
    text = seed(SOUTH_CENTRAL).replace(
        "- Ensure timely and consistent information exchange with all relevant multi-agency partners, and address",
        "- Ensure timely and consistent information exchange with all relevant multi-agency partners, and\naddress",
    )

    assert texts(parse_report(text), AddresseeKind.REGION)[0] == SOUTH_CENTRAL_REGIONAL[0]


def test_normalise_text_makes_one_form_of_line_ends_spaces_and_bom() -> None:
    assert normalise_text("\ufeffTitle  \r\nA\u00a0line\r\n| x |\u202f\r\n\r\n") == "Title\nA line\n| x |"


def test_normalise_text_fixes_every_odd_space_zero_width_character_and_page_break() -> None:
    spaces = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\t"
    assert normalise_text(f"a{spaces}b\u200bc\u200cd\u200de\u2060f\ufeffg\fh") == f"a{' ' * len(spaces)}bcdefg\nh"
    assert normalise_text("plain text, nothing to fix") == "plain text, nothing to fix"


def test_decode_report_reads_utf8_with_or_without_bom_and_utf16_with_bom() -> None:
    assert decode_report("Chief Inspector’s".encode()) == "Chief Inspector’s"
    assert decode_report(codecs.BOM_UTF8 + "Chief Inspector’s".encode()) == "Chief Inspector’s"
    assert decode_report("Chief Inspector’s".encode("utf-16")) == "Chief Inspector’s"


def test_a_stray_byte_in_a_utf8_file_is_refused_naming_its_line_column_and_offset() -> None:
    data = (FIXTURES / "kent-stray-byte.txt").read_bytes()
    offset = data.index(b"\x96")

    with pytest.raises(ReportFormatError) as caught:
        decode_report(data)

    assert str(caught.value).startswith(
        f"The file is not UTF-8 text: byte 0x96 at line 12, column 11 (byte {offset:,} of the file) cannot be read"
    )
    assert "save the report as UTF-8" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("Chief Inspector’s – 89.8%".encode("cp1252"), "byte 0x92 at line 1, column 16 (byte 15 of the file)"),
        (codecs.BOM_UTF8 + "Line one\nthe region’s".encode("cp1252"), "byte 0x92 at line 2, column 11 (byte 22"),
        ((FIXTURES / "thematic-women-shift-jis.txt").read_bytes(), "byte 0x8a at line 3, column 95 (byte 204"),
    ],
    ids=["Windows-1252", "Windows-1252 after a BOM", "Shift-JIS"],
)
def test_text_in_another_encoding_is_refused_not_guessed(data: bytes, where: str) -> None:
    with pytest.raises(ReportFormatError) as caught:
        decode_report(data)

    assert f"The file is not UTF-8 text: {where}" in str(caught.value)


# --- malformed text: a clear error naming what is missing or where ---


def test_empty_and_whitespace_only_text() -> None:
    assert str(parse_error("")) == "The report is empty"
    assert str(parse_error(" \n\t\r\n \u00a0 ")) == "The report is empty"


def test_truncated_report_names_the_missing_section() -> None:
    text = seed(KENT)

    error = parse_error(text[: len(text) // 2])

    assert str(error) == "No 'Regional recommendations' or 'Recommendations' section found"


def test_report_cut_inside_the_scoring_table() -> None:
    text = seed(KENT)

    error = parse_error(text[: text.index("| Does the implementation")])

    assert "The scoring table has 2 questions, expected 4" in str(error)


def test_recommendations_heading_without_items() -> None:
    lines = [line for line in seed(KENT).split("\n") if not line.startswith("- ensure")]

    error = parse_error("\n".join(lines))

    assert error.message == (
        "The 'Regional recommendations' section has no recommendations: expected lines starting with '- '"
    )
    assert error.line == 35


def test_addressee_line_without_items() -> None:
    text = fixture("regional-north-west-2025.txt").replace(
        "- review the pay of probation officers in areas where recruitment is hardest.\n", ""
    )

    error = parse_error(text)

    assert str(error) == "'The Ministry of Justice should:' is followed by no recommendations (line 33)"


def test_scoring_row_with_the_wrong_number_of_cells() -> None:
    text = seed(KENT).replace(
        "| Does planning focus sufficiently on keeping other people safe? | 57% |",
        "| Does planning focus sufficiently | on keeping other people safe? | 57% |",
    )

    error = parse_error(text)

    assert str(error) == (
        "Scoring table row 3 has 3 cells, expected 2 (question and percentage): "
        "'| Does planning focus sufficiently | on keeping other people safe? | 57% |' (line 45)"
    )


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("141%", "Scoring table row 2: '141%' is over 100%"),
        ("forty%", "Scoring table row 2: 'forty%' is not a percentage"),
    ],
)
def test_scoring_percentage_over_100_or_not_a_number(cell: str, message: str) -> None:
    text = seed(KENT).replace("keeping other people safe? | 41% |", f"keeping other people safe? | {cell} |")

    error = parse_error(text)

    assert str(error).startswith(message)
    assert error.line == 44


def test_grouped_facts_without_their_values() -> None:
    text = seed(KENT).replace("| 88% | 64% | 140% |\n", "")

    error = parse_error(text)

    assert str(error) == (
        "Key contextual facts row 6 should hold the values of 'Staffing level (Staff in post FTE)' but has an empty "
        "cell: '| Average caseload at the point of inspection (FTE) | ||' (line 56)"
    )


def test_html_page_is_refused() -> None:
    html = "<!DOCTYPE html><html><head><title>Report</title></head><body><p>Chief Inspector</p></body></html>"

    assert "HTML source of a web page" in str(parse_error(html))


def test_binary_text_is_refused_before_parsing() -> None:
    error = parse_error("Dynamic Inspection of Public Protection\n\x00\x01\x02 PNG")

    assert "control character (0x00)" in error.message
    assert error.line == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file contains NUL bytes (first at byte 8)"),
        (b"Report \x81\x8d\x8f text", "The file is not UTF-8 text: byte 0x81 at line 1, column 8 (byte 7 of the file)"),
    ],
)
def test_binary_or_undecodable_bytes(data: bytes, message: str) -> None:
    with pytest.raises(ReportFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_report(data)


def test_a_news_story_is_not_a_report() -> None:
    error = parse_error(seed(NEWS))

    assert "Not an HM Inspectorate of Probation report we recognise" in error.message
    assert "'South East probation services require improvement'" in error.message
    assert error.line == 1


def test_rated_inspection_without_ratings_or_with_an_unknown_rating() -> None:
    text = fixture("regional-north-west-2025.txt")

    assert "No 'Ratings' section found" in str(parse_error(text.replace("Ratings (Back to top)", "Grades")))
    bad = parse_error(text.replace("| 1.2 Staffing | Requires improvement |", "| 1.2 Staffing | Excellent |"))
    assert bad.message.startswith("Ratings table row 4: 'Excellent' is not a rating")


def test_report_without_a_lead_inspector() -> None:
    text = seed(SOUTH_CENTRAL).replace("This inspection was led by HM Inspector Wendy Martin", "This inspection")

    assert str(parse_error(text)).startswith("No lead inspector found")


# --- ambiguous text: read as the report says it, with a warning to confirm, never silently ---


def test_the_seed_and_fixture_reports_read_without_warnings() -> None:
    reports = [seed(KENT), seed(SOUTH_CENTRAL), *(fixture(name) for name in ("regional-north-west-2025.txt",
               "pdu-bolton-2025.txt", "thematic-women-2025.txt", "kent-surrey-sussex-crlf-variant.txt"))]  # fmt: skip

    assert [parse_report(text).warnings for text in reports] == [()] * 6


def test_sub_points_belong_to_the_recommendation_above_them() -> None:
    report = parse_report(fixture("north-west-sub-points.txt"))

    assert texts(report, AddresseeKind.REGION) == [
        "improve the quality of assessment and planning, so that the risk of harm to others is analysed using all "
        "available information",
        "ensure that practitioners request and use, at the start of every sentence:\n"
        "a) domestic abuse information from the police\n"
        "b) child safeguarding information from children’s services",
        "strengthen management oversight of cases where the risk of serious harm has increased.",
        "develop a recruitment and retention plan for probation officers in Cumbria and Liverpool.",
    ]
    assert [item.number for item in report.recommendations_to(AddresseeKind.REGION)] == [1, 2, 3, 4]
    assert texts(report, AddresseeKind.HMPPS)[1] == (
        "review the workload measurement tool so that it reflects:\n"
        "(i) the time needed for public protection work\n"
        "(ii) the time needed for travel in rural areas"
    )
    assert len(report.recommendations_to(AddresseeKind.HMPPS)) == 3
    assert report.warnings == ()


def test_lettered_bullets_that_start_a_list_are_recommendations_and_roman_numerals_under_them_sub_points() -> None:
    text = fixture("pdu-bolton-2025.txt").replace(
        "b) make sure", "(i) at home\n(ii) with children present\nb) make sure"
    )

    report = parse_report(text)

    assert [item.text.split("\n") for item in report.recommendations_to(AddresseeKind.PDU)] == [
        ["ensure that home visits are used to assess and manage the risk of harm to children", "(i) at home",
         "(ii) with children present"],
        ["make sure that every case transferred into the PDU is reviewed by a senior probation officer within ten "
         "working days."],
    ]  # fmt: skip


def test_a_heading_between_bullets_is_a_warning_naming_the_bullets_it_leaves_out() -> None:
    report = parse_report(fixture("kent-surrey-sussex-summary-in-bullets.txt"))

    assert texts(report, AddresseeKind.HMPPS) == KENT_HMPPS[:1]
    assert [(warning.line, warning.message) for warning in report.warnings] == [
        (
            40,
            "'Summary' between the recommendations of 'HMPPS recommendations' is read as a heading, so the 2 "
            "bullet lines after it (lines 41 to 42) are not imported as recommendations. If they are "
            "recommendations, delete the 'Summary' line and try again.",
        )
    ]
    assert str(report.warnings[0]).startswith("Line 40: 'Summary' between the recommendations")


def test_numbers_that_skip_keep_the_reports_numbers_with_a_warning() -> None:
    report = parse_report(fixture("north-west-numbered-1-2-4.txt"))

    assert [item.number for item in report.recommendations_to(AddresseeKind.REGION)] == [1, 2, 4, 5]
    assert texts(report, AddresseeKind.REGION)[2].startswith("strengthen management oversight")
    assert [str(warning) for warning in report.warnings] == [
        "Line 27: The recommendations to 'The Regional Probation Director' are numbered 1, 2, 4, 5, not 1, 2, 3, 4: "
        "they keep the report's numbers. If a recommendation was lost when the report was copied, add it and try "
        "again."
    ]


def test_two_recommendations_with_the_same_number_are_refused() -> None:
    error = parse_error(fixture("north-west-numbered-1-1-3.txt"))

    assert str(error) == (
        "Two recommendations to 'The Regional Probation Director' are numbered 1 (lines 25 and 26): correct the "
        "numbering and try again (line 26)"
    )


def test_numbering_that_continues_from_the_list_before_is_kept_without_a_warning() -> None:
    text = fixture("regional-north-west-2025.txt")
    for number, start in enumerate(("- reduce the time", "- review the workload", "- provide regions"), start=5):
        text = text.replace(start, f"{number}. {start[2:]}")

    report = parse_report(text)

    assert [item.number for item in report.recommendations_to(AddresseeKind.HMPPS)] == [5, 6, 7]
    assert report.warnings == ()


# --- long lines: refused past the limit, read in linear time below it ---


def test_a_32000_character_line_is_refused_naming_the_line() -> None:
    text = seed(KENT).replace("- ensure that PSOs", "- ensure " + "that all staff " * 2134 + "PSOs")

    error = parse_error(text)

    assert error.line == 36
    assert error.message == (
        "The line is 32,144 characters long; a report's line is at most 10,000 characters: check that this is "
        "the report's text"
    )


def test_a_long_run_of_spaces_within_the_limit_reads_as_one_space() -> None:
    text = (
        seed(KENT)
        .replace("- ensure that PSOs", "- ensure that" + " " * 9000 + "PSOs")
        .replace("HMPPS recommendations (Back to top)", "HMPPS recommendations" + " " * 9000 + "(Back to top)")
    )

    report = parse_report(text)

    assert texts(report, AddresseeKind.REGION) == KENT_REGIONAL
    assert texts(report, AddresseeKind.HMPPS) == KENT_HMPPS


def test_decomposed_accents_are_composed() -> None:
    text = seed(KENT).replace("Donna Waters", "Donne\u0301 Waters")

    assert parse_report(text).lead_inspector == "Donn\u00e9 Waters"


def test_a_character_lost_before_the_text_was_pasted_is_a_warning() -> None:
    text = seed(KENT).replace("The region’s public", "The region\ufffds public")

    report = parse_report(text)

    assert [str(warning) for warning in report.warnings] == [
        "Line 4: column 11 holds '\ufffd', the mark a program leaves where it could not read a character: the "
        "report's text there was lost before it reached the tracker. Check it against the published report."
    ]


def test_pasted_text_that_was_read_with_the_wrong_encoding_is_a_warning() -> None:
    garbled = "’".encode().decode("cp1252")  # 'â€™': UTF-8 read as Windows-1252 before it was pasted
    text = seed(KENT).replace("The region’s public", f"The region{garbled}s public")

    report = parse_report(text)

    assert [str(warning) for warning in report.warnings] == [
        "Line 4: column 11 holds 'â€™', which is how UTF-8 text looks when a program reads it as Windows-1252 "
        "(it was '’'): the report's text was garbled before it reached the tracker. Copy it again from the "
        "published report."
    ]


def test_utf16_without_a_byte_order_mark_is_named() -> None:
    with pytest.raises(ReportFormatError) as caught:
        decode_report("Dynamic Inspection of Public Protection".encode("utf-16-le"))

    assert str(caught.value) == (
        "The file looks like UTF-16 text without a byte order mark: save the report as UTF-8 and import it again"
    )


# --- the publication date ---

KENT_TITLE = "Dynamic Inspection of Public Protection in Kent, Surrey and Sussex"


def with_line_after_title(text: str, line: str) -> str:
    """The seed reports' title is their first line."""
    title, _, rest = text.partition("\n")
    return f"{title}\n{line}\n{rest}"


@pytest.mark.parametrize(
    "line",
    [
        "Published: 12 March 2026",
        "Published 12 March 2026",
        "published on Thursday 12th March 2026.",
        "Publication date: 2026-03-12",
        "Date of publication: 12/03/2026",
        "Published: 12 Mar 2026",
    ],
)
def test_a_published_line_gives_the_publication_date(line: str) -> None:
    report = parse_report(with_line_after_title(seed(KENT), line))

    assert report.published_on == datetime.date(2026, 3, 12)
    assert report.title == KENT_TITLE


def test_a_date_alone_on_the_cover_is_the_publication_date_and_not_the_title() -> None:
    report = parse_report(f"HM Inspectorate of Probation\n12 March 2026\n{seed(KENT)}")

    assert (report.published_on, report.title) == (datetime.date(2026, 3, 12), KENT_TITLE)


@pytest.mark.parametrize(
    "text",
    [
        seed(KENT),  # "The Independent Sentencing Review (published May 2025) recommended ..." names another report
        with_line_after_title(seed(KENT), "March 2026"),  # no day: no date to count from
        seed(KENT).replace("Context (Back to top)\n", "Context (Back to top)\n12 March 2026\n"),  # not on the cover
    ],
    ids=["a date in a sentence", "a month without a day", "a bare date after the first heading"],
)
def test_text_that_is_not_a_publication_date_gives_none(text: str) -> None:
    assert parse_report(text).published_on is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Published: 31 February 2026", "The publication date 'Published: 31 February 2026' is not a real date"),
        ("Published: 12 Marsh 2026", "The publication date 'Published: 12 Marsh 2026' is not a real date"),
        (
            "Published: 12 March 2026\nPublished: 13 March 2026",
            "The report states two publication dates: 12 March 2026 on line 2 and 13 March 2026 on line 3",
        ),
    ],
)
def test_a_publication_date_that_cannot_be_read_is_refused(line: str, message: str) -> None:
    with pytest.raises(ReportFormatError, match=re.escape(message)):
        parse_report(with_line_after_title(seed(KENT), line))
