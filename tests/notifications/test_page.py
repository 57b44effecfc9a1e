"""The Notifications page and the header's unread count: a person's own, newest first, read when opened."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from recommendations.models import Notification, NotificationKind
from recommendations.notifications import notify
from tests.factories import make_inspection, make_recommendation, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("recommendations:notifications")


@pytest.fixture
def lead():
    return make_user(Role.REGIONAL_LEAD, username="kim")


def _tell(person: User, key: str, *, title: str = "You are now the owner of R1", **about: Any) -> Notification:
    notification = notify(person, NotificationKind.OWNER_ASSIGNED, key=key, title=title, **about)
    assert notification is not None
    return notification


def test_the_page_lists_ones_own_newest_first_with_the_unread_marked(client, lead):
    recommendation = make_recommendation()
    old = _tell(lead, "a", title="Older news", recommendation=recommendation)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    _tell(lead, "b", title="Newer news", body="Decision: approved.\nReason: fine", recommendation=recommendation)
    _tell(make_user(Role.REGIONAL_LEAD), "c", title="Someone else's news")
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    client.force_login(lead)

    page = client.get(LIST).content.decode()

    assert page.index("Newer news") < page.index("Older news")
    assert "Someone else" not in page
    assert page.count(">Unread</strong>") == 1
    assert "Reason: fine" in page
    assert "2 notifications, newest first; 1 unread." in page
    assert reverse("recommendations:open_notification", args=[old.pk]) in page
    assert "Notifications (1 unread)" in page  # the header


def test_viewing_the_page_marks_nothing_read(client, lead):
    _tell(lead, "a")
    client.force_login(lead)
    client.get(LIST)
    assert lead.notifications.unread().count() == 1


def test_opening_one_marks_it_read_and_goes_to_what_it_is_about(client, lead):
    recommendation = make_recommendation()
    inspection = make_inspection()
    about_recommendation = _tell(lead, "a", recommendation=recommendation)
    about_report = _tell(lead, "b", inspection=inspection)
    client.force_login(lead)

    response = client.get(reverse("recommendations:open_notification", args=[about_recommendation.pk]))
    assert response["Location"] == reverse("recommendations:detail", args=[recommendation.pk])
    response = client.get(reverse("recommendations:open_notification", args=[about_report.pk]))
    assert response["Location"] == reverse("inspections:detail", args=[inspection.pk])
    assert lead.notifications.unread().count() == 0


def test_someone_elses_is_not_found_and_stays_unread(client, lead):
    theirs = _tell(make_user(Role.REGIONAL_LEAD), "a")
    client.force_login(lead)
    assert client.get(reverse("recommendations:open_notification", args=[theirs.pk])).status_code == 404
    client.force_login(make_user(Role.INSPECTORATE))
    assert client.get(reverse("recommendations:open_notification", args=[theirs.pk])).status_code == 404
    assert Notification.objects.unread().count() == 1


def test_mark_all_as_read_marks_only_ones_own(client, lead):
    _tell(lead, "a")
    _tell(lead, "b")
    other = make_user(Role.REGIONAL_LEAD)
    _tell(other, "c")
    client.force_login(lead)

    assert "Mark all as read" in client.get(LIST).content.decode()
    response = client.post(reverse("recommendations:mark_notifications_read"))

    assert response["Location"] == LIST
    assert lead.notifications.unread().count() == 0
    assert other.notifications.unread().count() == 1
    page = client.get(LIST).content.decode()
    assert "Mark all as read" not in page and "(0 unread)" not in page and ">Unread</strong>" not in page


def test_the_header_shows_the_unread_count_on_every_page(client, lead):
    client.force_login(lead)
    assert "(1 unread)" not in client.get(reverse("recommendations:my_actions")).content.decode()
    _tell(lead, "a")
    for url in (reverse("recommendations:my_actions"), reverse("inspections:list"), reverse("reminders:preferences")):
        assert "Notifications (1 unread)" in client.get(url).content.decode(), url


def test_the_page_is_paginated_25_a_page(client, lead):
    for number in range(27):
        _tell(lead, f"k{number}", title=f"News {number}")
    client.force_login(lead)
    first = client.get(LIST).content.decode()
    second = client.get(LIST + "?page=2").content.decode()
    assert "News 26<" in first and "News 2<" in first and "News 1<" not in first
    assert "News 1<" in second and "News 0<" in second
    assert client.get(LIST + "?page=3").status_code == 404


def test_nobody_has_an_empty_page_without_being_told_why(client, lead):
    client.force_login(lead)
    page = client.get(LIST).content.decode()
    assert "You have no notifications." in page
    assert reverse("reminders:preferences") in page


def test_times_are_written_in_govuk_style(client, lead):
    told = _tell(lead, "a")
    moment = datetime.datetime(2026, 3, 2, 14, 5, tzinfo=datetime.UTC)
    Notification.objects.filter(pk=told.pk).update(created_at=moment)
    client.force_login(lead)
    assert "2 March 2026 at 2:05pm" in client.get(LIST).content.decode()
