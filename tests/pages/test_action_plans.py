"""Action plans: an inspection's and a region's, as a page, a Word document and an Excel sheet. Each form is read
back (python-docx, openpyxl) and checked against the database, and each holds only what the person may see."""

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from recommendations.action_plan_documents import DOCX_CONTENT_TYPE, EXCEL_COLUMNS, WORD_COLUMNS
from recommendations.exports import XLSX_CONTENT_TYPE
from recommendations.models import (
    ActionPlanItem,
    Addressee,
    Judgement,
    Progress,
    ProgressUpdate,
    Recommendation,
    Response,
    Status,
)
from tests.factories import make_pdu, make_recommendation

from .conftest import Login, World


def long(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


@pytest.fixture
def planned(world: World) -> World:
    """Region A's inspection with three recommendations: one partly agreed with two actions (one done), a progress
    update, a judgement and a target date; one to a PDU with nothing yet; one to HMPPS, which lead A may not see.
    Region A also has a closed recommendation on another report, which its region's plan leaves out."""
    rec = world.rec_a
    Recommendation.objects.filter(pk=rec.pk).update(
        response=Response.PARTLY_AGREED,
        response_reason="Money for one post only",
        target_date=datetime.date(2027, 3, 31),
        progress=Progress.IN_PROGRESS,
        judgement=Judgement.REASONABLE,
        owner=world.lead_a,
    )
    for position, (description, responsible, by, done) in enumerate(
        [
            ("Recruit a vetting officer", "Head of HR", datetime.date(2027, 1, 31), datetime.date(2026, 11, 2)),
            ("Audit 50 cases", "", None, None),
        ],
        start=1,
    ):
        ActionPlanItem.objects.create(
            recommendation=rec,
            position=position,
            description=description,
            responsible=responsible,
            target_date=by,
            completed_on=done,
            created_by=world.lead_a,
        )
    ProgressUpdate.objects.create(
        recommendation=rec,
        author=world.lead_a,
        progress=Progress.IN_PROGRESS,
        text="An old update",
        created_at=timezone.make_aware(datetime.datetime(2026, 10, 1, 12)),
    )
    ProgressUpdate.objects.create(
        recommendation=rec,
        author=world.lead_a,
        progress=Progress.IN_PROGRESS,
        text="Officer starts in January",
        created_at=timezone.make_aware(datetime.datetime(2026, 12, 5, 23, 30)),
    )
    # Sub-points on lines of their own, as reports write them, and a control character a pasted text may carry.
    make_recommendation(
        world.inspection_a,
        addressee=Addressee.PDU,
        pdu=make_pdu(world.region_a),
        text="The PDU acts:\na) on vetting\r\nb) on  training\x0b ",
    )
    make_recommendation(world.inspection_a, addressee=Addressee.HMPPS, region=None, text="HMPPS acts")
    make_recommendation(world.national, region=world.region_a, text="Region A, in a national report")
    closed = make_recommendation(world.national, region=world.region_a, text="Closed one")
    Recommendation.objects.filter(pk=closed.pk).update(status=Status.CLOSED_IMPLEMENTED, closed_at=timezone.now())
    return world


def word_table(client: Client, url: str, filename: str) -> list[list[list[str]]]:
    """The Word document's table, each cell as its paragraphs; checks the download's type and name."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    document = Document(io.BytesIO(response.content))
    assert len(document.tables) == 1
    rows = [
        [[paragraph.text for paragraph in cell.paragraphs] for cell in row.cells] for row in document.tables[0].rows
    ]
    assert [cell[0] for cell in rows[0]] == list(WORD_COLUMNS)
    return rows[1:]


def excel_rows(client: Client, url: str, filename: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == tuple(EXCEL_COLUMNS)
    return [dict(zip(EXCEL_COLUMNS, row, strict=True)) for row in rows[1:]]


def expected_word_row(rec: Recommendation, with_report: bool = False) -> list[list[str]]:
    """A recommendation's Word row, written from the database by hand (not by the code under test); a region's plan
    names the report before the text."""
    rec.refresh_from_db()
    actions = []
    for item in rec.actions.order_by("position", "pk"):
        by = f"By {long(item.target_date)}." if item.target_date else "No date set."
        done = f" Done on {long(item.completed_on)}." if item.completed_on else ""
        actions += [item.description, f"Owner: {item.responsible or 'not named'}. {by}{done}"]
    latest = rec.progress_updates.order_by("-created_at").first()
    progress = [rec.get_progress_display()]
    progress += (
        [f"{long(timezone.localdate(latest.created_at))}: {latest.text}"] if latest else ["No progress update yet."]
    )
    return [
        [rec.reference, rec.addressee_name],
        [
            *([f"Report: {rec.inspection.title}"] if with_report else []),
            rec.text.replace("\r\n", "\n").replace("\x0b", ""),
        ],
        [rec.get_response_display(), *([rec.response_reason] if rec.response_reason else [])],
        actions or ["No actions recorded."],
        [long(rec.target_date) or "None set"],
        [rec.get_status_display()],
        progress,
        [rec.get_judgement_display()],
    ]


def inspection_recs(world: World, **filters: Any) -> list[Recommendation]:
    return list(Recommendation.objects.filter(inspection=world.inspection_a, **filters).order_by("addressee", "number"))


# --- an inspection's plan ---


@pytest.mark.django_db
def test_the_word_document_holds_the_inspections_plan_as_the_database_has_it(planned: World, login: Login) -> None:
    url = reverse("inspections:action_plan_docx", args=[planned.inspection_a.pk])
    rows = word_table(login(planned.staff), url, "action-plan-A-REG-2025.docx")
    regional = inspection_recs(planned, addressee__in=[Addressee.REGION, Addressee.PDU])
    hmpps = inspection_recs(planned, addressee=Addressee.HMPPS)
    # The page's order: the region and its PDUs, then HMPPS; by addressee and number within each.
    assert rows == [expected_word_row(rec) for rec in regional + hmpps]
    (first,) = [row for row in rows if row[0][0] == planned.rec_a.reference]
    assert first[3] == [
        "Recruit a vetting officer",
        "Owner: Head of HR. By 31 January 2027. Done on 2 November 2026.",
        "Audit 50 cases",
        "Owner: not named. No date set.",
    ]
    assert first[6] == ["In progress", "5 December 2026: Officer starts in January"]
    assert first[2] == ["Partly agreed", "Money for one post only"]


@pytest.mark.django_db
def test_the_word_document_is_a_landscape_page_with_a_repeating_header(planned: World, login: Login) -> None:
    response = login(planned.staff).get(reverse("inspections:action_plan_docx", args=[planned.inspection_a.pk]))
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert section.page_width > section.page_height
    assert document.core_properties.title == "Action plan: Region A inspection"
    assert document.paragraphs[0].text == "Action plan: Region A inspection"
    header = document.tables[0].rows[0]._tr
    assert header.trPr is not None and header.trPr.xpath("./w:tblHeader")


@pytest.mark.django_db
def test_a_leads_inspection_plan_holds_only_what_they_may_see(planned: World, login: Login) -> None:
    url = reverse("inspections:action_plan_docx", args=[planned.inspection_a.pk])
    lead_rows = word_table(login(planned.lead_a), url, "action-plan-A-REG-2025.docx")
    regional = inspection_recs(planned, addressee__in=[Addressee.REGION, Addressee.PDU])
    assert [row[0][0] for row in lead_rows] == [rec.reference for rec in regional]
    hmpps_rows = word_table(login(planned.hmpps), url, "action-plan-A-REG-2025.docx")
    assert [row[1] for row in hmpps_rows] == [["HMPPS acts"]]

    page = login(planned.lead_a).get(reverse("inspections:action_plan", args=[planned.inspection_a.pk]))
    assert [row.text for row in page.context["plan"].rows] == [rec.text for rec in regional]
    assert "HMPPS acts" not in page.content.decode()
    assert "only those addressed to you" in page.content.decode()
    sheet = excel_rows(
        login(planned.lead_a),
        reverse("inspections:action_plan_xlsx", args=[planned.inspection_a.pk]),
        "action-plan-A-REG-2025.xlsx",
    )
    # Excel keeps the text's own line ends; characters XML cannot hold are dropped (core/xlsx.py).
    assert {row["Recommendation"] for row in sheet} == {rec.text.replace("\x0b", "") for rec in regional}


@pytest.mark.django_db
def test_the_excel_sheet_has_a_row_per_action(planned: World, login: Login) -> None:
    url = reverse("inspections:action_plan_xlsx", args=[planned.inspection_a.pk])
    rows = excel_rows(login(planned.staff), url, "action-plan-A-REG-2025.xlsx")
    rec = Recommendation.objects.get(pk=planned.rec_a.pk)
    actions = list(rec.actions.order_by("position"))
    at = next(index for index, row in enumerate(rows) if row["Reference"] == rec.reference)
    first, second = rows[at], rows[at + 1]
    assert first == {
        "Reference": rec.reference,
        "Report": "Region A inspection",
        "Addressee": rec.addressee_name,
        "Recommendation": rec.text,
        "Response": "Partly agreed",
        "Reason for the response": "Money for one post only",
        "Action": actions[0].description,
        "Action owner": "Head of HR",
        "Action by": datetime.datetime(2027, 1, 31),
        "Action done": datetime.datetime(2026, 11, 2),
        "Target date": datetime.datetime(2027, 3, 31),
        "Status": "Open",
        "Owner": str(planned.lead_a),
        "Progress": "In progress",
        "Latest progress update": "Officer starts in January",
        "Latest update date": datetime.datetime(2026, 12, 5),
        "Judgement": "Reasonable progress",
    }
    assert (second["Reference"], second["Action"], second["Action owner"], second["Action by"]) == (
        rec.reference,
        "Audit 50 cases",
        None,
        None,
    )
    # One row for each recommendation without actions, its action columns empty.
    others = rows[:at] + rows[at + 2 :]
    assert [row["Recommendation"] for row in others] == [
        "The PDU acts:\na) on vetting\r\nb) on  training ",
        "HMPPS acts",
    ]
    assert all(row["Action"] is None for row in others)


@pytest.mark.django_db
def test_the_page_shows_the_plan_and_links_its_downloads(planned: World, login: Login) -> None:
    response = login(planned.staff).get(reverse("inspections:action_plan", args=[planned.inspection_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Recruit a vetting officer", "Owner: Head of HR", "Money for one post only", "Reasonable progress"):
        assert text in html
    assert reverse("inspections:action_plan_docx", args=[planned.inspection_a.pk]) in html
    assert reverse("inspections:action_plan_xlsx", args=[planned.inspection_a.pk]) in html
    inspection_page = login(planned.staff).get(reverse("inspections:detail", args=[planned.inspection_a.pk]))
    assert reverse("inspections:action_plan", args=[planned.inspection_a.pk]) in inspection_page.content.decode()


# --- a region's plan ---


@pytest.mark.django_db
def test_a_regions_plan_holds_its_open_recommendations_across_reports(planned: World, login: Login) -> None:
    url = reverse("recommendations:region_action_plan_docx", args=[planned.region_a.pk])
    made_on = timezone.localdate()
    rows = word_table(login(planned.lead_a), url, f"action-plan-N57-open-{made_on:%Y-%m-%d}.docx")
    expected = Recommendation.objects.filter(
        region=planned.region_a,
        addressee__in=[Addressee.REGION, Addressee.PDU],
        status__in=["open", "awaiting_closure"],
    )
    assert sorted(row[0][0] for row in rows) == sorted(rec.reference for rec in expected)
    texts = {row[1][-1] for row in rows}
    assert "Region A, in a national report" in texts and not {"Closed one", "HMPPS acts"} & texts
    by_reference = {rec.reference: rec for rec in expected}
    assert all(row == expected_word_row(by_reference[row[0][0]], with_report=True) for row in rows)

    sheet = excel_rows(
        login(planned.staff),
        reverse("recommendations:region_action_plan_xlsx", args=[planned.region_a.pk]),
        f"action-plan-N57-open-{made_on:%Y-%m-%d}.xlsx",
    )
    assert {row["Reference"] for row in sheet} == set(by_reference)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["region_action_plan", "region_action_plan_docx", "region_action_plan_xlsx"])
def test_a_region_plan_is_not_found_for_another_regions_lead_or_hmpps(planned: World, login: Login, name: str) -> None:
    url = reverse(f"recommendations:{name}", args=[planned.region_a.pk])
    assert login(planned.lead_b).get(url).status_code == 404
    assert login(planned.hmpps).get(url).status_code == 404
    assert login(planned.lead_a).get(url).status_code == 200


@pytest.mark.django_db
def test_the_region_plan_is_linked_from_the_filtered_list_and_the_leads_inspections(
    planned: World, login: Login
) -> None:
    plan_url = reverse("recommendations:region_action_plan", args=[planned.region_a.pk])
    filtered = login(planned.staff).get(reverse("recommendations:list"), {"region": planned.region_a.pk})
    assert plan_url in filtered.content.decode()
    unfiltered = login(planned.staff).get(reverse("recommendations:list"))
    assert plan_url not in unfiltered.content.decode()
    assert plan_url in login(planned.lead_a).get(reverse("inspections:list")).content.decode()
    assert "region_action_plan" not in login(planned.hmpps).get(reverse("inspections:list")).content.decode()


@pytest.mark.django_db
def test_an_empty_plan_says_so_in_every_form(world: World, login: Login) -> None:
    Recommendation.objects.filter(region=world.region_b).update(
        status=Status.CLOSED_IMPLEMENTED, closed_at=timezone.now()
    )
    client = login(world.lead_b)
    page = client.get(reverse("recommendations:region_action_plan", args=[world.region_b.pk]))
    assert "There are no recommendations in this action plan." in page.content.decode()
    document = Document(
        io.BytesIO(client.get(reverse("recommendations:region_action_plan_docx", args=[world.region_b.pk])).content)
    )
    assert not document.tables
    assert "There are no recommendations in this action plan." in [p.text for p in document.paragraphs]
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("recommendations:region_action_plan_xlsx", args=[world.region_b.pk])).content)
    ).active
    assert isinstance(sheet, Worksheet) and sheet.max_row == 1
