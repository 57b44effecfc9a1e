"""Likely repeats found on import (command and admin preview), decided by staff, and shown where people look."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from inspections.models import InspectionType
from recommendations import services
from recommendations.importing import import_report, preview_report
from recommendations.models import Addressee, Recommendation, RecurrenceLink, RecurrenceState, Status
from recommendations.recurrence import likely_repeats
from recommendations.recurrence_selectors import recurrences_of, recurring_groups
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_staff, make_user
from tests.test_report_parser import KENT, SEEDS, seed
from tests.test_report_parser import SOUTH_CENTRAL as SOUTH_CENTRAL_REPORT

KENT_PUBLISHED = datetime.date(2025, 10, 14)
SOUTH_CENTRAL_PUBLISHED = datetime.date(2025, 11, 20)
VETTING_MADE_BEFORE = "Made before: N57-PP-2025/H2, Kent, Surrey and Sussex, 2025, closed: not implemented"
IMPORT_URL = "admin:inspections_inspection_import"
GAP_TEXT = "Reduce vetting delays and address workforce instability by implementing streamlined recruitment processes."


def kent_imported_and_closed() -> Recommendation:
    """The Kent report imported, its vetting recommendation (H2) closed as not implemented."""
    inspection = import_report(text=seed(KENT), published_on=KENT_PUBLISHED).inspection
    vetting = inspection.recommendations.get(addressee=Addressee.HMPPS, number=2)
    services.recommendation_transition(
        recommendation=vetting, action="close_not_implemented", by=make_staff(), reason="Not done by the deadline"
    )
    return vetting


def link(earlier: Recommendation, later: Recommendation, state: str = RecurrenceState.CONFIRMED) -> RecurrenceLink:
    decided = {"decided_by": make_staff(), "decided_at": datetime.datetime.now(datetime.UTC)}
    return RecurrenceLink.objects.create(
        earlier=earlier, later=later, score=90, state=state, **(decided if state != RecurrenceState.SUGGESTED else {})
    )


# --- on import ---


@pytest.mark.django_db
def test_importing_the_second_seed_report_suggests_the_vetting_recommendation_made_before() -> None:
    vetting = kent_imported_and_closed()

    result = import_report(text=seed(SOUTH_CENTRAL_REPORT), published_on=SOUTH_CENTRAL_PUBLISHED)

    new = result.inspection.recommendations.get(addressee=Addressee.HMPPS, number=1)
    suggestion = RecurrenceLink.objects.get()
    assert (suggestion.earlier, suggestion.later, suggestion.state) == (vetting, new, RecurrenceState.SUGGESTED)
    assert suggestion.score >= 90
    assert [(row, [r.description for r in found]) for row, found in result.repeats] == [(new, [VETTING_MADE_BEFORE])]


@pytest.mark.django_db
def test_the_import_command_says_what_was_made_before() -> None:
    kent_imported_and_closed()
    out = StringIO()

    call_command("import_report", str(SEEDS / SOUTH_CENTRAL_REPORT), "--published", "2025-11-20", stdout=out)

    assert "N59-PP-2025/H1, 9" in out.getvalue()
    assert f"alike. {VETTING_MADE_BEFORE}" in out.getvalue()


@pytest.mark.django_db
def test_a_report_published_before_the_recorded_one_is_linked_in_order_of_publication() -> None:
    south_central = import_report(text=seed(SOUTH_CENTRAL_REPORT), published_on=SOUTH_CENTRAL_PUBLISHED).inspection

    kent = import_report(text=seed(KENT), published_on=KENT_PUBLISHED)

    suggestion = RecurrenceLink.objects.get()
    assert suggestion.earlier.inspection == kent.inspection
    assert suggestion.later.inspection == south_central
    assert kent.repeats[0][1][0].description.startswith("Made after: N59-PP-2025/H1, South Central, 2025")


@pytest.mark.django_db
def test_a_report_imported_again_suggests_nothing_and_its_preview_shows_no_repeats_of_itself() -> None:
    import_report(text=seed(KENT), published_on=KENT_PUBLISHED)

    assert not import_report(text=seed(KENT), published_on=KENT_PUBLISHED).created
    assert preview_report(text=seed(KENT)).repeats == ((),) * 5
    assert RecurrenceLink.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_preview_shows_how_alike_each_likely_repeat_is(client: Client) -> None:
    kent_imported_and_closed()
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", None))

    preview = client.post(reverse(IMPORT_URL), {"text": seed(SOUTH_CENTRAL_REPORT), "published_on": "2025-11-20"})

    page = preview.content.decode()
    assert "Likely made before" in page
    assert VETTING_MADE_BEFORE in page and "% alike)" in page
    assert RecurrenceLink.objects.count() == 0  # a preview writes nothing


@pytest.mark.django_db
def test_every_region_report_type_and_addressee_is_compared() -> None:
    thematic = make_inspection(type=InspectionType.THEMATIC, reference="HMIP-TH-2024", region=None)
    other = make_recommendation(
        thematic, addressee=Addressee.OTHER, region=None, addressee_other="Police", text=GAP_TEXT
    )
    regional = make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)), text=GAP_TEXT)

    [found] = likely_repeats([GAP_TEXT.lower()])

    assert {repeat.recommendation for repeat in found} == {other, regional}


@pytest.mark.django_db
def test_a_changed_or_deleted_text_is_compared_as_it_is_now() -> None:
    kept = make_recommendation(text=GAP_TEXT)
    gone = make_recommendation(text=GAP_TEXT)
    assert len(likely_repeats([GAP_TEXT])[0]) == 2  # both keys are now kept in the process

    kept.text = "Publish the approved premises referral criteria."
    kept.save()  # as the admin changes a text: its comparison key with it
    gone.delete()

    assert likely_repeats([GAP_TEXT]) == [[]]
    assert [r.recommendation for r in likely_repeats(["Publish the approved premises referral criteria"])[0]] == [kept]


# --- deciding ---


@pytest.mark.django_db
def test_staff_confirm_and_dismiss_suggestions_with_the_admin_actions(client: Client) -> None:
    staff = make_staff()
    first, second = make_recommendation(text=GAP_TEXT), make_recommendation(text=GAP_TEXT)
    third = make_recommendation(text=GAP_TEXT)
    confirmed, dismissed = link(first, second, RecurrenceState.SUGGESTED), link(first, third, RecurrenceState.SUGGESTED)
    client.force_login(staff)
    changelist = reverse("admin:recommendations_recurrencelink_changelist")

    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "confirm", "_selected_action": [confirmed.pk]})
    client.post(changelist, {"action": "dismiss", "_selected_action": [dismissed.pk]})

    confirmed.refresh_from_db()
    dismissed.refresh_from_db()
    assert (confirmed.state, confirmed.decided_by) == (RecurrenceState.CONFIRMED, staff)
    assert (dismissed.state, dismissed.decided_by) == (RecurrenceState.DISMISSED, staff)
    assert confirmed.decided_at is not None


@pytest.mark.django_db
def test_only_inspectorate_staff_decide() -> None:
    suggestion = link(make_recommendation(), make_recommendation(), RecurrenceState.SUGGESTED)

    with pytest.raises(PermissionDenied):
        services.recurrences_decide(links=RecurrenceLink.objects.all(), repeat=True, by=make_user(Role.REGIONAL_LEAD))

    suggestion.refresh_from_db()
    assert suggestion.state == RecurrenceState.SUGGESTED


# --- where confirmed repeats show ---


@pytest.mark.django_db
def test_a_confirmed_repeat_shows_on_both_recommendations_pages_for_those_who_see_both() -> None:
    staff, lead = make_staff(), make_user(Role.REGIONAL_LEAD)
    earlier = make_recommendation(make_inspection(published_on=datetime.date(2023, 5, 1)), text=GAP_TEXT)
    later = make_recommendation(make_inspection(published_on=datetime.date(2025, 5, 1)), text=GAP_TEXT)
    elsewhere = make_recommendation(make_inspection(make_region(SOUTH_CENTRAL)), text=GAP_TEXT)
    link(earlier, later)
    link(later, elsewhere)
    link(earlier, make_recommendation(), RecurrenceState.DISMISSED)

    assert [(r.recommendation, r.made_before) for r in recurrences_of(later, staff)] == [
        (earlier, True),
        (elsewhere, False),
    ]
    assert [(r.recommendation, r.made_before) for r in recurrences_of(earlier, staff)] == [(later, False)]
    assert [r.recommendation for r in recurrences_of(later, lead)] == [earlier]  # not South Central's


@pytest.mark.django_db
def test_the_include_lists_each_repeat_with_where_when_and_how_it_ended() -> None:
    earlier = make_recommendation(make_inspection(reference="N57-RI-2023"), text=GAP_TEXT, status=Status.OPEN)
    later = make_recommendation(text=GAP_TEXT)
    link(earlier, later)
    template = engines["jinja2"].get_template("recommendations/includes/recurrences.html")

    html = template.render({"recurrences": recurrences_of(later, make_staff())})

    assert "Made before:" in html
    assert f'href="{reverse("recommendations:detail", args=[earlier.pk])}">N57-RI-2023/R1</a>' in html
    assert ", Kent, Surrey and Sussex, 2025, open</li>" in html
    assert template.render({"recurrences": []}).strip() == ""


@pytest.mark.django_db
def test_recurring_groups_join_chains_of_repeats_and_count_them() -> None:
    a, b, c = (make_recommendation(text=GAP_TEXT) for _ in range(3))
    d, e = make_recommendation(), make_recommendation()
    link(a, b)
    link(b, c)
    link(d, e)

    groups = recurring_groups(make_staff())

    assert [sorted(m.pk for m in group.members) for group in groups] == [[a.pk, b.pk, c.pk], [d.pk, e.pk]]
    assert groups[0].times == 3
    assert groups[0].places == ["Kent, Surrey and Sussex"]
    assert groups[0].years == "2025"


@pytest.mark.django_db
def test_the_recurring_page_shows_each_group_and_a_lead_only_their_own(client: Client) -> None:
    staff, lead_b = make_staff(), make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL))
    kent = [make_recommendation(text=GAP_TEXT) for _ in range(2)]
    south_central = make_inspection(make_region(SOUTH_CENTRAL))
    theirs = [make_recommendation(south_central, text=f"Theirs {n}") for n in range(2)]
    link(kent[0], kent[1])
    link(theirs[0], theirs[1])

    client.force_login(staff)
    page = client.get(reverse("recommendations:recurring")).content.decode()
    assert "2 recommendations made more than once" in page
    assert kent[0].reference in page and theirs[0].reference in page

    client.force_login(lead_b)
    page = client.get(reverse("recommendations:recurring")).content.decode()
    assert "1 recommendation made more than once" in page
    assert theirs[0].reference in page and kent[0].reference not in page


@pytest.mark.django_db
def test_the_recurring_page_reads_the_same_number_of_queries_for_many_groups(client: Client) -> None:
    client.force_login(make_staff())

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("recommendations:recurring")).status_code == 200
        return len(captured)

    link(make_recommendation(), make_recommendation())
    few = count()
    for _ in range(30):
        link(make_recommendation(), make_recommendation())
    assert count() == few


@pytest.mark.django_db
def test_the_recommendation_page_shows_its_confirmed_repeats_both_ways(client: Client) -> None:
    staff = make_staff()
    earlier = make_recommendation(make_inspection(published_on=datetime.date(2023, 5, 1)), text=GAP_TEXT)
    later = make_recommendation(make_inspection(published_on=datetime.date(2025, 5, 1)), text=GAP_TEXT)
    link(earlier, later)
    client.force_login(staff)

    later_page = client.get(reverse("recommendations:detail", args=[later.pk])).content.decode()
    earlier_page = client.get(reverse("recommendations:detail", args=[earlier.pk])).content.decode()

    assert "Made more than once" in later_page and "Made before:" in later_page
    assert f">{earlier.reference}</a>" in later_page
    assert "Made again:" in earlier_page and f">{later.reference}</a>" in earlier_page
