"""Whole journeys in a real browser, each person signing in through the sign-in page.

A report goes from the admin import page to a closed recommendation: the Inspectorate imports it, gives its
recommendations owners and target dates, the regional lead responds, reports progress with evidence and asks for
closure, the Inspectorate records follow-up and closes it, and the lead sees it closed. A lead of another region
never sees any of it. Each change is a link from the recommendation page to a page of its own, which comes back to
the recommendation page once saved.
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from recommendations.demo import DEMO_PASSWORD, SEEDS_DIR
from recommendations.models import Recommendation, Status
from tests.browser.support import OpenPage, sign_in, sign_out, small_pdf
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_staff, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KSS_REPORT = SEEDS_DIR / "kent-surrey-sussex-public-protection-2025.txt"
R1, R2 = "N57-PP-2025/R1", "N57-PP-2025/R2"


@pytest.fixture
def people(transactional_db: None) -> dict[str, User]:
    kss, sc = make_region(), make_region(SOUTH_CENTRAL)
    people = {
        "staff": make_staff(username="inspectorate", first_name="Isla", last_name="Inspector"),
        "kss": make_user(Role.REGIONAL_LEAD, region=kss, username="kss.lead", first_name="Kim", last_name="Kent"),
        "sc": make_user(Role.REGIONAL_LEAD, region=sc, username="sc.lead", first_name="Sam", last_name="Central"),
    }
    for person in people.values():
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])
    # South Central has work of its own, so its lead's pages are not empty for want of data.
    make_recommendation(make_inspection(sc, reference="N59-RI-2025", title="South Central inspection"))
    return people


def date_in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def fill_date(page: Page, group: str, value: datetime.date) -> None:
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(value.day))
    fieldset.get_by_label("Month").fill(str(value.month))
    fieldset.get_by_label("Year").fill(str(value.year))


def open_recommendation(page: Page, reference: str) -> None:
    page.get_by_role("link", name="Recommendations", exact=True).click()
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Apply filters").first.click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Recommendation {reference}")


def expect_success(page: Page, text: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)


def import_report_through_admin(page: Page) -> None:
    page.goto("/admin/inspections/inspection/")
    page.get_by_role("link", name="Import a report").click()
    page.get_by_label("Report text").fill(KSS_REPORT.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="What this import will create")).to_be_visible()
    expect(page.get_by_role("row", name="Publication date Not stated in the report")).to_be_visible()
    expect(page.get_by_role("heading", name="Recommendations to Kent, Surrey and Sussex region (2)")).to_be_visible()
    page.get_by_label("Publication date").fill("2025-10-14")  # the seed report does not state it
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported N57-PP-2025")


def assign_owner_on_the_page(page: Page, reference: str, owner: str, target: datetime.date) -> None:
    open_recommendation(page, reference)
    page.get_by_role("link", name="Change owner").click()  # the summary list's Change link (hidden words: owner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the owner or target date")
    page.get_by_label("Owner").select_option(label=owner)
    fill_date(page, "Target date", target)
    page.get_by_role("button", name="Save", exact=True).click()
    expect_success(page, "Owner and target date saved")


def assign_owner_in_the_admin(page: Page, reference: str, owner: str) -> None:
    """The admin's bulk action: select the row, choose the action, fill in its page."""
    page.goto("/admin/recommendations/recommendation/?q=" + reference.split("/")[0])
    page.get_by_role("checkbox", name=f"Select this object for an action - {reference}").check()
    page.get_by_label("Action:").select_option(label="Assign an owner…")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_label("Owner").select_option(label=owner)
    page.get_by_role("button", name="Assign an owner").click()
    expect(page.locator(".messagelist")).to_contain_text("1 recommendation changed")


def respond_and_report_progress(page: Page, reference: str, evidence: Path) -> None:
    open_recommendation(page, reference)
    page.get_by_role("link", name="Record the response").click()
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_role("button", name="Save response").click()
    expect_success(page, "Response recorded")

    page.get_by_role("link", name="Add a progress update").click()
    page.get_by_label("In progress").check()
    page.get_by_label("What has been done").fill("Information-sharing protocol agreed with all three police forces.")
    page.get_by_label("Upload evidence").set_input_files(evidence)
    page.get_by_role("button", name="Add update").click()
    expect_success(page, "Progress update added")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download evidence").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name="Say it is ready for closure").click()
    page.get_by_role("button", name="Ask for closure", exact=True).click()  # a confirmation: no one-option radio
    expect_success(page, "ready for closure")


def follow_up_and_close(page: Page, reference: str) -> None:
    open_recommendation(page, reference)
    page.get_by_role("link", name="Record follow-up activity").click()
    page.get_by_label("Evidence review").check()
    fill_date(page, "Date", timezone.localdate())
    page.get_by_label("Notes").fill("Read the protocol and the minutes of the first joint meeting.")
    page.get_by_label("Outcome").fill("The protocol is in use across the region.")
    page.get_by_role("button", name="Record activity").click()
    expect_success(page, "Follow-up activity recorded")

    page.get_by_role("link", name="Close, reopen or supersede").click()
    page.get_by_label("Close as implemented").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_success(page, "closed as implemented")


def my_action_references(page: Page) -> list[str]:
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions", level=1)).to_be_visible()
    return page.locator("main table tbody th a").all_inner_texts()


def test_a_report_from_import_to_closure(open_page: OpenPage, people: dict[str, User], tmp_path: Path) -> None:
    staff = open_page()
    sign_in(staff, "inspectorate", DEMO_PASSWORD)
    import_report_through_admin(staff)
    staff.goto("/")
    assign_owner_on_the_page(staff, R1, "Kim Kent (Regional lead, Kent, Surrey and Sussex)", date_in(90))
    assign_owner_in_the_admin(staff, R2, "Kim Kent (Regional lead, Kent, Surrey and Sussex)")
    staff.goto("/")

    lead = open_page()
    sign_in(lead, "kss.lead", DEMO_PASSWORD)
    assert sorted(my_action_references(lead)) == [R1, R2]  # the region's two, none of the report's HMPPS ones
    respond_and_report_progress(lead, R1, small_pdf(tmp_path))
    assert R1 in my_action_references(lead)
    expect(lead.get_by_role("heading", name="Awaiting the Inspectorate's closure decision (1)")).to_be_visible()

    follow_up_and_close(staff, R1)
    timeline = staff.locator(".moj-timeline")
    expect(timeline).to_contain_text("Evidence review")

    lead.reload()
    open_recommendation(lead, R1)
    expect(lead.locator("#axes")).to_contain_text("Closed: implemented")
    assert R1 not in my_action_references(lead)
    sign_out(lead)

    recommendation = Recommendation.objects.get(inspection__reference="N57-PP-2025", number=1, addressee="region")
    assert recommendation.status == Status.CLOSED_IMPLEMENTED
    assert recommendation.progress_updates.get().evidence_file.read(5) == b"%PDF-"


def test_another_regions_lead_never_sees_them(open_page: OpenPage, people: dict[str, User]) -> None:
    staff = open_page()
    sign_in(staff, "inspectorate", DEMO_PASSWORD)
    import_report_through_admin(staff)
    r1 = Recommendation.objects.get(inspection__reference="N57-PP-2025", number=1, addressee="region")

    other = open_page()
    sign_in(other, "sc.lead", DEMO_PASSWORD)
    mine = my_action_references(other)
    assert mine and not [reference for reference in mine if reference.startswith("N57-")]

    other.get_by_role("link", name="Recommendations", exact=True).click()
    listed = other.locator("main table tbody th a").all_inner_texts()
    assert listed and not [reference for reference in listed if reference.startswith("N57-")]
    other.get_by_label("Search").fill("N57-PP-2025")
    other.get_by_role("button", name="Apply filters").first.click()
    expect(other.get_by_text("No recommendations match")).to_be_visible()

    response = other.goto(f"/recommendations/{r1.pk}/")
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(other.get_by_text(R1)).to_have_count(0)
