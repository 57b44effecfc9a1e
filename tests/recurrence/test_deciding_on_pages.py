"""Inspectorate staff confirm or dismiss likely repeats on the recommendation's page and on the Recurring
recommendations page (views/recurring.py decide_repeat, services.recurrence_decide); nobody else sees the buttons
or can use them. Who gets 200/403/404 for every role is in tests/pages/test_permission_matrix.py."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from recommendations.models import RecurrenceLink, RecurrenceState, Status
from recommendations.recurrence_selectors import SUGGESTIONS_SHOWN, recurring_groups
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_staff, make_user

from .test_recurring import GAP_TEXT, link

DECIDE = "recommendations:decide_repeat"


def suggested() -> RecurrenceLink:
    earlier = make_recommendation(make_inspection(reference="N57-RI-2023"), text=GAP_TEXT)
    later = make_recommendation(text=GAP_TEXT.replace("Reduce", "Cut"))
    return link(earlier, later, RecurrenceState.SUGGESTED)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_staff_confirm_a_suggestion_on_the_recommendation_page(client: Client) -> None:
    suggestion, staff = suggested(), make_staff()
    detail = reverse("recommendations:detail", args=[suggestion.later_id])
    client.force_login(staff)
    html = page(client, detail)
    assert 'id="suggested-repeats-heading">Suggested repeats</h2>' in html
    assert f'id="confirm-{suggestion.pk}"' in html and f'id="dismiss-{suggestion.pk}"' in html
    assert 'name="csrfmiddlewaretoken"' in html.split('id="suggested-repeats"')[1]  # the form's, not the header's
    assert "Made before:" in html and "N57-RI-2023/R1" in html and "90%" in html

    response = client.post(
        reverse(DECIDE, args=[suggestion.pk]), {"decision": "confirm", "shown_on": suggestion.later_id}, follow=True
    )

    assert response.redirect_chain == [(detail, 302)]
    html = response.content.decode()
    banner = f"{suggestion.later.reference} is confirmed as a repeat of {suggestion.earlier.reference}"
    assert "govuk-notification-banner--success" in html and banner in html
    assert 'id="recurrences-heading">Made more than once</h2>' in html
    assert "Suggested repeats" not in html  # decided: no longer waiting
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.decided_by) == (RecurrenceState.CONFIRMED, staff)
    assert suggestion.decided_at is not None


@pytest.mark.django_db
def test_staff_dismiss_a_suggestion_on_the_recurring_page(client: Client) -> None:
    suggestion = suggested()
    client.force_login(make_staff())
    html = page(client, reverse("recommendations:recurring"))
    assert "1 likely repeat found on import waits for a decision" in html
    assert f'id="suggestion-{suggestion.pk}"' in html
    assert 'name="csrfmiddlewaretoken"' in html.split('id="suggested-repeats"')[1]
    assert "N57-RI-2023/R1</a>,\n          Kent, Surrey and Sussex, 2025, open" in html  # where, when, how it ended

    response = client.post(reverse(DECIDE, args=[suggestion.pk]), {"decision": "dismiss"}, follow=True)

    assert response.redirect_chain == [(reverse("recommendations:recurring"), 302)]
    html = response.content.decode()
    assert f"{suggestion.later.reference} is not a repeat of {suggestion.earlier.reference}" in html
    assert "No likely repeats wait for a decision" in html
    suggestion.refresh_from_db()
    assert suggestion.state == RecurrenceState.DISMISSED
    assert recurring_groups(make_staff()) == []


@pytest.mark.django_db
def test_going_back_only_to_one_of_the_two_recommendations_pages(client: Client) -> None:
    suggestion, elsewhere = suggested(), make_recommendation()
    client.force_login(make_staff())

    response = client.post(reverse(DECIDE, args=[suggestion.pk]), {"decision": "confirm", "shown_on": elsewhere.pk})

    assert response["Location"] == reverse("recommendations:recurring")


@pytest.mark.django_db
def test_a_post_without_a_decision_changes_nothing(client: Client) -> None:
    suggestion = suggested()
    client.force_login(make_staff())

    response = client.post(reverse(DECIDE, args=[suggestion.pk]), {"decision": "maybe"})

    assert response.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.state == RecurrenceState.SUGGESTED


@pytest.mark.django_db
def test_leads_see_no_suggestions_and_cannot_decide(client: Client) -> None:
    suggestion = suggested()  # both in Kent, Surrey and Sussex
    own_lead = make_user(Role.REGIONAL_LEAD, region=suggestion.later.region)
    other_lead = make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL))

    client.force_login(own_lead)
    assert "Suggested repeats" not in page(client, reverse("recommendations:detail", args=[suggestion.later_id]))
    assert "Suggested repeats" not in page(client, reverse("recommendations:recurring"))
    assert client.post(reverse(DECIDE, args=[suggestion.pk]), {"decision": "confirm"}).status_code == 403
    client.force_login(other_lead)
    assert client.post(reverse(DECIDE, args=[suggestion.pk]), {"decision": "confirm"}).status_code == 404

    suggestion.refresh_from_db()
    assert suggestion.state == RecurrenceState.SUGGESTED


@pytest.mark.django_db
def test_the_recurring_page_shows_the_most_alike_suggestions_and_how_many_wait(client: Client) -> None:
    earlier = make_recommendation(text=GAP_TEXT)
    for score in range(71, 71 + SUGGESTIONS_SHOWN + 2):
        RecurrenceLink.objects.create(earlier=earlier, later=make_recommendation(text=GAP_TEXT), score=score)
    client.force_login(make_staff())

    html = page(client, reverse("recommendations:recurring"))

    assert f"{SUGGESTIONS_SHOWN + 2} likely repeats found on import wait for a decision" in html
    assert f"the {SUGGESTIONS_SHOWN} most alike are shown" in html
    assert html.count('id="suggestion-') == SUGGESTIONS_SHOWN
    assert "82%" in html and "71%" not in html


@pytest.mark.django_db
def test_each_group_says_where_when_and_how_its_recommendations_ended(client: Client) -> None:
    first = make_recommendation(make_inspection(reference="N57-RI-2023"), text=GAP_TEXT)
    south_central = make_inspection(make_region(SOUTH_CENTRAL), reference="N57-SC-2025")
    second = make_recommendation(south_central, text=GAP_TEXT)
    third = make_recommendation(text=GAP_TEXT)
    for closed in (first, second):
        closed.status, closed.closed_at = Status.CLOSED_NOT_IMPLEMENTED, closed.created_at
        closed.save()
    link(first, second)
    link(second, third)
    client.force_login(make_staff())

    html = page(client, reverse("recommendations:recurring"))

    assert "1 recommendation made more than once, 3 times in all." in html
    assert "Made 3 times:" in html
    assert "Kent, Surrey and Sussex, South Central" in html
    assert "2 closed: not implemented, 1 open" in html
