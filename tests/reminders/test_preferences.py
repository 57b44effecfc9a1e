"""The preferences page: people choose when their digest comes, never whether escalations reach the Inspectorate."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reminders.models import Frequency, ReminderPreference

pytestmark = pytest.mark.django_db

URL = "/reminders/preferences/"
AT_ONCE = {"notification_emails": "immediate"}  # how notifications are emailed: the default


def is_checked(html: str, name: str, value: str) -> bool:
    """Whether the page's radio or checkbox `name` with `value` is checked (govukRadios and govukCheckboxes)."""
    found = re.search(
        rf'<input class="govuk-[a-z]+__input" [^>]*name="{name}" type="[a-z]+" value="{value}"([^>]*)>', html
    )
    assert found, (name, value)
    return " checked" in found.group(1)


def test_the_url_is_where_the_email_says() -> None:
    assert reverse("reminders:preferences") == URL


def test_people_must_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_shows_the_defaults_as_a_gov_uk_form(client: Client, lead: User) -> None:
    client.force_login(lead)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    for marker in ("govuk-form-group", "govuk-radios", "govuk-checkboxes", "govuk-button", "csrfmiddlewaretoken"):
        assert marker in html
    assert is_checked(html, "frequency", "daily") and not is_checked(html, "frequency", "weekly")
    assert 'data-aria-controls="conditional-id_frequency_0"' in html  # daily reveals its days
    assert is_checked(html, "days", "4") and not is_checked(html, "days", "5")  # Friday, not Saturday
    assert "cannot be switched off" in html
    assert f"As Inspectorate lead for {lead.led_regions.get().name}" in html
    assert "govuk-error-summary" not in html


def test_choosing_a_weekly_digest_on_mondays(client: Client, owner: User) -> None:
    client.force_login(owner)
    response = client.post(URL, {"frequency": "weekly", "weekly_day": "0", **AT_ONCE})
    assert response.status_code == 302 and response["Location"] == URL
    preference = ReminderPreference.objects.get(user=owner)
    assert (preference.frequency, preference.digest_days()) == (Frequency.WEEKLY, frozenset({0}))
    page = client.get(URL).content.decode()
    assert "Your reminder preferences have been saved." in page
    assert is_checked(page, "frequency", "weekly") and is_checked(page, "weekly_day", "0")


def test_choosing_the_days_of_a_daily_digest(client: Client, owner: User) -> None:
    client.force_login(owner)
    client.post(URL, {"frequency": "daily", "days": ["4", "0", "2"], **AT_ONCE})
    assert ReminderPreference.objects.get(user=owner).days == "0,2,4"


@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"frequency": "daily"}, "Choose at least one day for your daily reminder email", "#id_days_0"),
        ({"frequency": "weekly"}, "Choose the day for your weekly reminder email", "#id_weekly_day_0"),
        ({"frequency": "never"}, "Choose daily or weekly", "#id_frequency_0"),
        ({"frequency": "daily", "days": ["9"]}, "Choose days of the week from the list", "#id_days_0"),
        (
            {"frequency": "weekly", "weekly_day": "0", "notification_emails": "never"},
            "Choose straight away or one summary a day",
            "#id_notification_emails_0",
        ),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(
    client: Client, owner: User, data: dict[str, str | list[str]], message: str, anchor: str
) -> None:
    before = ReminderPreference.objects.get(user=owner).days
    client.force_login(owner)
    response = client.post(URL, {**AT_ONCE, **data})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert f'<a href="{anchor}">{message}</a>' in html
    assert "govuk-error-message" in html and "govuk-form-group--error" in html
    assert f'id="{anchor[1:]}"' in html  # the summary's link moves focus to the field
    assert ReminderPreference.objects.get(user=owner).days == before


def test_a_post_without_the_csrf_token_is_refused(owner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(URL, {"frequency": "weekly", "weekly_day": "0", **AT_ONCE}).status_code == 403
    assert ReminderPreference.objects.get(user=owner).frequency == Frequency.DAILY


def test_a_regional_lead_is_not_told_about_escalations_to_the_inspectorate(client: Client, owner: User) -> None:
    client.force_login(owner)
    html = client.get(URL).content.decode()
    assert "How often do you want a reminder email?" in html
    for words in ("Escalations to the Inspectorate", "escalation", "cannot be switched off"):
        assert words not in html


def test_the_regions_an_inspectorate_lead_leads_are_named_in_words(client: Client, lead: User) -> None:
    from inspections.models import Region

    names = ("Kent, Surrey and Sussex", "South Central")
    for code, name in zip(("KSS", "SC"), names, strict=True):  # the real regions, made if the database has none
        Region.objects.get_or_create(name=name, defaults={"code": f"T{code}"})
    Region.objects.filter(inspectorate_lead=lead).update(inspectorate_lead=None)
    Region.objects.filter(name__in=names).update(inspectorate_lead=lead)
    client.force_login(lead)
    html = client.get(URL).content.decode()
    assert "As Inspectorate lead for Kent, Surrey and Sussex and South Central, you receive" in html
    assert "Kent, Surrey and Sussex, South Central" not in html


def test_names_in_words() -> None:
    from config.templating import in_words

    assert in_words([]) == ""
    assert in_words(["Wales"]) == "Wales"
    assert in_words(["Kent, Surrey and Sussex", "South Central"]) == "Kent, Surrey and Sussex and South Central"
    assert in_words(["London", "Wales", "North West"]) == "London, Wales and North West"
