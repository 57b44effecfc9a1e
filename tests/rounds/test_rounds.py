"""Update rounds: opening tells each owner once, returns save each item on its own, chasers at most once a day,
a closed round takes nothing, and the page is its owner's alone."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from recommendations.forms import NO_CHANGE_TEXT
from recommendations.models import (
    Notification,
    NotificationKind,
    Progress,
    ProgressUpdate,
    Recommendation,
    RoundReturn,
    RoundScope,
)
from recommendations.rounds import update_round_chase, update_round_close

from .conftest import People, open_round

pytestmark = pytest.mark.django_db


def _item(rec: Recommendation, **fields: object) -> dict[str, object]:
    return {f"item-{rec.pk}-{name}": value for name, value in fields.items()}


# --- opening ---


def test_opening_tells_every_owner_in_scope_once(people: People) -> None:
    update_round = open_round(people)
    told = Notification.objects.filter(update_round=update_round, kind=NotificationKind.ROUND_OPENED)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        user.username for user in (people.lead_a, people.lead_b, people.hmpps)
    )
    lead_a = told.get(recipient=people.lead_a)
    assert lead_a.key == f"round:{update_round.pk}:opened:{people.lead_a.pk}"
    assert "2 open recommendations" in lead_a.body
    assert lead_a.get_absolute_url() == reverse("recommendations:round_update", args=[update_round.pk])


def test_a_round_of_some_regions_tells_only_their_owners(people: People) -> None:
    update_round = open_round(people, RoundScope.REGIONS, (people.region_b,))
    told = Notification.objects.filter(update_round=update_round)
    assert list(told.values_list("recipient", flat=True)) == [people.lead_b.pk]
    national = open_round(people, RoundScope.NATIONAL, name="National returns")
    assert list(Notification.objects.filter(update_round=national).values_list("recipient", flat=True)) == [
        people.hmpps.pk
    ]


def test_staff_open_a_round_from_the_app(people: People, signed_in) -> None:
    due = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "round-name": "Quarter 3 2026 returns",
        "round-due_date_day": str(due.day),
        "round-due_date_month": str(due.month),
        "round-due_date_year": str(due.year),
        "round-scope": "regions",
        "round-regions": [str(people.region_a.pk)],
    }
    response = signed_in(people.staff).post(reverse("recommendations:round_open"), data)
    assert response.status_code == 302
    notified = Notification.objects.filter(kind=NotificationKind.ROUND_OPENED)
    assert list(notified.values_list("recipient", flat=True)) == [people.lead_a.pk]


def test_opening_asks_for_regions_when_the_scope_is_some_regions(people: People, signed_in) -> None:
    due = timezone.localdate() + datetime.timedelta(days=30)
    data = {"round-name": "Q3", "round-scope": "regions", "round-due_date_day": str(due.day)}
    data |= {"round-due_date_month": str(due.month), "round-due_date_year": str(due.year)}
    response = signed_in(people.staff).post(reverse("recommendations:round_open"), data)
    assert response.status_code == 400
    assert "Choose at least one region." in response.content.decode()
    assert not Notification.objects.exists()


# --- returning ---


def test_each_item_saves_as_its_own_progress_update_and_return(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    data = _item(people.rec_a1, progress="completed", text="Training done", evidence_url="https://example.com/x.pdf")
    data |= _item(people.rec_a2, no_change="on", progress=people.rec_a2.progress)
    response = signed_in(people.lead_a).post(url, data)
    assert response.status_code == 302
    first = ProgressUpdate.objects.get(recommendation=people.rec_a1)
    assert (first.progress, first.text, first.author) == ("completed", "Training done", people.lead_a)
    people.rec_a1.refresh_from_db()
    assert people.rec_a1.progress == Progress.COMPLETED
    assert people.rec_a1.history.filter(history_change_reason="Progress: Completed").exists()
    second = ProgressUpdate.objects.get(recommendation=people.rec_a2)
    assert second.text == NO_CHANGE_TEXT
    returns = RoundReturn.objects.filter(update_round=update_round)
    assert sorted(returns.values_list("recommendation", "late")) == sorted(
        [(people.rec_a1.pk, False), (people.rec_a2.pk, False)]
    )


def test_what_is_valid_saves_when_another_item_has_an_error(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    bad_file = SimpleUploadedFile("plan.pdf", b"not a pdf at all")
    data = _item(people.rec_a1, progress="in_progress", text="Under way")
    data |= _item(people.rec_a2, progress="in_progress", text="Attached", evidence_file=bad_file)
    response = signed_in(people.lead_a).post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'href="#id_item-{people.rec_a2.pk}-evidence_file"' in page
    assert "The file&#39;s content is not a PDF file" in page or "content is not a PDF file" in page
    assert ProgressUpdate.objects.filter(recommendation=people.rec_a1).count() == 1
    assert not ProgressUpdate.objects.filter(recommendation=people.rec_a2).exists()
    assert "1 update saved" in page


def test_an_item_filled_in_halfway_is_an_error_and_a_blank_one_is_left(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    data = _item(people.rec_a1, progress="completed")  # a new progress but nothing said about it
    data |= _item(people.rec_a2, progress=people.rec_a2.progress)  # as shown
    response = signed_in(people.lead_a).post(url, data)
    assert response.status_code == 400
    assert f'href="#id_item-{people.rec_a1.pk}-text"' in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_posting_another_persons_recommendation_changes_nothing_and_says_so(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    data = _item(people.rec_b, progress="completed", text="Not mine")
    response = signed_in(people.lead_a).post(url, data)
    assert response.status_code == 400
    assert f"Nothing was saved for recommendation {people.rec_b.pk}" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert not RoundReturn.objects.exists()


def test_returns_after_the_due_date_are_late(people: People, signed_in) -> None:
    update_round = open_round(people, due_date=timezone.localdate() + datetime.timedelta(days=1))
    url = reverse("recommendations:round_update", args=[update_round.pk])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        response = signed_in(people.hmpps).post(url, _item(people.rec_h, no_change="on"))
    assert response.status_code == 302
    assert RoundReturn.objects.get().late is True


def test_a_closed_round_takes_no_returns_and_says_so(people: People, signed_in) -> None:
    update_round = open_round(people)
    update_round_close(update_round=update_round, by=people.staff)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    client = signed_in(people.lead_a)
    assert "This round closed on" in client.get(url).content.decode()
    response = client.post(url, _item(people.rec_a1, no_change="on"))
    assert response.status_code == 400
    assert "This round is closed: it takes no more returns." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_page_is_its_owners_only(people: People, signed_in) -> None:
    update_round = open_round(people, RoundScope.REGIONS, (people.region_a,))
    url = reverse("recommendations:round_update", args=[update_round.pk])
    anonymous = signed_in(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert signed_in(people.lead_b).get(url).status_code == 404
    assert signed_in(people.staff).get(url).status_code == 404
    page = signed_in(people.lead_a).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert people.rec_a1.reference in text and people.rec_b.reference not in text


def test_the_owner_told_of_a_round_still_opens_it_when_they_own_nothing_now(people: People, signed_in) -> None:
    update_round = open_round(people, RoundScope.NATIONAL)
    Recommendation.objects.filter(pk=people.rec_h.pk).update(owner=None)
    response = signed_in(people.hmpps).get(reverse("recommendations:round_update", args=[update_round.pk]))
    assert response.status_code == 200
    assert "You have no open recommendations in this round." in response.content.decode()


# --- chasing and closing ---


def test_a_chaser_goes_at_most_once_a_day_to_those_who_have_not_returned(people: People, signed_in) -> None:
    update_round = open_round(people)
    signed_in(people.hmpps).post(
        reverse("recommendations:round_update", args=[update_round.pk]), _item(people.rec_h, no_change="on")
    )
    assert update_round_chase(update_round=update_round, by=people.staff) == 2
    assert update_round_chase(update_round=update_round, by=people.staff) == 0
    chasers = Notification.objects.filter(kind=NotificationKind.ROUND_CHASER)
    assert sorted(chasers.values_list("recipient", flat=True)) == sorted([people.lead_a.pk, people.lead_b.pk])
    today = timezone.localdate().isoformat()
    assert chasers.get(recipient=people.lead_a).key == f"round:{update_round.pk}:chaser:{people.lead_a.pk}:{today}"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert update_round_chase(update_round=update_round, by=people.staff) == 2


def test_closing_early_stops_chasers(people: People, signed_in) -> None:
    update_round = open_round(people)
    client = signed_in(people.staff)
    assert client.post(reverse("recommendations:round_close", args=[update_round.pk])).status_code == 302
    client.post(reverse("recommendations:round_chase", args=[update_round.pk]))
    assert not Notification.objects.filter(kind=NotificationKind.ROUND_CHASER).exists()


def test_staff_see_per_region_how_many_have_returned(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    signed_in(people.lead_a).post(url, _item(people.rec_a1, no_change="on"))
    response = signed_in(people.staff).get(reverse("recommendations:round_detail", args=[update_round.pk]))
    by_region = {row.region: row for row in response.context["regions"]}
    region_a = by_region[people.region_a.name]
    assert (region_a.owners, region_a.owners_returned, region_a.items, region_a.items_returned) == (1, 0, 2, 1)
    total = response.context["total"]
    assert (total.owners, total.owners_returned, total.items, total.items_returned) == (3, 0, 4, 1)
    signed_in(people.lead_a).post(url, _item(people.rec_a2, no_change="on"))
    response = signed_in(people.staff).get(reverse("recommendations:round_detail", args=[update_round.pk]))
    assert response.context["total"].owners_returned == 1


def test_leads_cannot_run_rounds(people: People, signed_in) -> None:
    update_round = open_round(people)
    client = signed_in(people.lead_a)
    assert client.get(reverse("recommendations:round_list")).status_code == 403
    assert client.get(reverse("recommendations:round_detail", args=[update_round.pk])).status_code == 403
    assert client.post(reverse("recommendations:round_close", args=[update_round.pk])).status_code == 403
    update_round.refresh_from_db()
    assert update_round.is_open


# --- navigation ---


def test_my_actions_shows_an_owner_their_open_round(people: People, signed_in) -> None:
    update_round = open_round(people, RoundScope.REGIONS, (people.region_a,))
    page = signed_in(people.lead_a).get(reverse("recommendations:my_actions")).content.decode()
    assert reverse("recommendations:round_update", args=[update_round.pk]) in page
    assert update_round.due_date.strftime("%-d %B %Y") in page
    other = signed_in(people.lead_b).get(reverse("recommendations:my_actions")).content.decode()
    assert reverse("recommendations:round_update", args=[update_round.pk]) not in other
    update_round_close(update_round=update_round, by=people.staff)
    page = signed_in(people.lead_a).get(reverse("recommendations:my_actions")).content.decode()
    assert reverse("recommendations:round_update", args=[update_round.pk]) not in page


def test_staff_navigation_has_update_rounds(people: People, signed_in) -> None:
    staff_page = signed_in(people.staff).get(reverse("recommendations:my_actions")).content.decode()
    assert reverse("recommendations:round_list") in staff_page
    lead_page = signed_in(people.lead_a).get(reverse("recommendations:my_actions")).content.decode()
    assert reverse("recommendations:round_list") not in lead_page


def test_no_change_keeps_the_progress_and_any_words_given(people: People, signed_in) -> None:
    update_round = open_round(people)
    url = reverse("recommendations:round_update", args=[update_round.pk])
    data = _item(people.rec_a1, no_change="on", progress="completed", text="Waiting on the new contract.")
    data |= _item(people.rec_a2, no_change="on")
    assert signed_in(people.lead_a).post(url, data).status_code == 302
    kept = ProgressUpdate.objects.get(recommendation=people.rec_a1)
    assert (kept.progress, kept.text) == (people.rec_a1.progress, "Waiting on the new contract.")
    assert ProgressUpdate.objects.get(recommendation=people.rec_a2).text == NO_CHANGE_TEXT
