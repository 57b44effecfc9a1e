"""The GOV.UK page layout, sign-in pages, Content Security Policy, form helpers and the committed static assets."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.template import RequestContext, Template, engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from config.templating import date, duration
from core import context_processors
from core.forms import GovUKDateField
from core.querystrings import query_with, query_without_value

STATIC_DIR = Path(settings.BASE_DIR) / "static"
PASSWORD = "correct-horse-battery-staple"


class TagCollector(HTMLParser):
    """Attributes of every <script>, <link> and <a> tag in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse_tags(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    return collector


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def header_nonce(response) -> str:
    nonces = [value for value in csp_directives(response)["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def static_path(url: str) -> Path:
    assert url.startswith(settings.STATIC_URL), url
    return STATIC_DIR / url.removeprefix(settings.STATIC_URL).split("?")[0].split("#")[0]


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user(
        username="ada", password=PASSWORD, first_name="Ada", last_name="Lovelace"
    )


# --- Page layout ---------------------------------------------------------------------------------------------------


def test_login_page_uses_the_govuk_page_template(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" class="govuk-template">' in html
    assert 'class="govuk-template__body' in html
    assert '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    dash = "\N{EN DASH}"
    assert f"<title>Sign in {dash} Recommendation tracker {dash} HM Inspectorate of Probation</title>" in html
    assert 'class="govuk-input' in html and 'class="govuk-button"' in html
    assert "govuk-service-navigation" in html and "Recommendation tracker" in html
    assert "Sign out" not in html  # nobody is signed in
    assert 'class="govuk-footer"' in html


def test_signed_in_pages_show_the_person_and_a_sign_out_form(client: Client, person) -> None:
    client.force_login(person)

    html = client.get("/no-such-page/").content.decode()  # the 404 page: a base.html page no other app owns

    assert "Ada Lovelace" in html
    forms_ = parse_tags(html).attrs_of("form")
    assert {"class": "app-account__sign-out", "method": "post", "action": reverse("logout")} in forms_
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_header_escapes_the_persons_name_and_marks_the_current_section(client: Client, person) -> None:
    person.first_name, person.last_name = "<b>Ada</b>", "O'Brien & co"
    person.save()
    client.force_login(person)

    html = client.get(reverse("recommendations:list")).content.decode()

    assert "&lt;b&gt;Ada&lt;/b&gt; O&#39;Brien &amp; co" in html and "<b>Ada</b>" not in html
    current = re.search(
        r'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">(.*?)</li>', html, re.S
    )
    assert current and 'aria-current="page"' in current.group(1) and "Recommendations" in current.group(1)


def test_sign_out_is_a_post(client: Client, person) -> None:
    client.force_login(person)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_404_page_uses_the_govuk_template(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.content.decode()


def test_500_page_renders_without_any_context() -> None:
    """Django renders 500.html with an empty context: no request, user, nonce or context processors."""
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert "nonce=" not in html
    assert "Sign out" not in html


def test_403_page_is_in_govuk_style() -> None:
    html = render_to_string("403.html")

    assert '<h1 class="govuk-heading-l">You do not have permission to do this</h1>' in html


def test_django_messages_show_as_notification_banners(rf: RequestFactory) -> None:
    request = rf.get("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]  # what MessageMiddleware attaches; the stubs do not declare it
    messages.success(request, "Recommendation closed")
    messages.info(request, "Note this")

    html = render_to_string("base.html", request=request)

    success, important = re.findall(r'<div class="govuk-notification-banner[ "][^>]*>', html)
    assert "govuk-notification-banner--success" in success and 'role="alert"' in success
    assert "--success" not in important and 'role="region"' in important
    assert 'aria-labelledby="govuk-notification-banner-title-1"' in success
    assert 'id="govuk-notification-banner-title-2"' in html
    assert "Recommendation closed" in html and "Note this" in html


# --- Navigation ------------------------------------------------------------------------------------------------------


def test_navigation_skips_url_names_that_do_not_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        context_processors, "NAVIGATION", (("Not built yet", "nowhere:at_all", False), ("Sign in", "login", False))
    )

    items = context_processors.navigation_items("/elsewhere/")

    assert [(item.text, item.href) for item in items] == [("Sign in", reverse("login"))]


def test_navigation_marks_the_current_page_and_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_processors, "NAVIGATION", (("Accounts", "login", False),))
    login_url = reverse("login")

    (on_page,) = context_processors.navigation_items(login_url)
    (inside,) = context_processors.navigation_items(login_url + "more/")

    assert on_page.current and not on_page.active
    assert inside.active and not inside.current


def test_navigation_is_only_for_signed_in_people(rf: RequestFactory, person) -> None:
    request = rf.get("/")
    request.user = person
    signed_in = context_processors.service(request)

    request.user = AnonymousUser()
    assert context_processors.service(request)["service_navigation"] == []
    assert signed_in["service_name"] == "Recommendation tracker"


# --- Content Security Policy -----------------------------------------------------------------------------------------


def test_csp_header_is_strict(client: Client) -> None:
    directives = csp_directives(client.get(reverse("login")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and len(directives["script-src"]) == 2
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["font-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_every_script_carries_the_nonce_from_the_header(client: Client) -> None:
    response = client.get(reverse("login"))
    nonce = header_nonce(response)

    scripts = parse_tags(response.content.decode()).attrs_of("script")

    assert len(scripts) == 2  # the js-enabled class setter and the module that starts the components
    assert all(script.get("nonce") == nonce for script in scripts)
    assert (
        client.get(reverse("login")).headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]
    )


def test_admin_login_works_under_its_policy(client: Client) -> None:
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    directives = csp_directives(response)
    nonce = header_nonce(response)
    assert directives["style-src"] == ["'self'", f"'nonce-{nonce}'"]  # the admin's inline <style nonce> blocks
    assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"]
    assert all(script.get("nonce") == nonce for script in parse_tags(response.content.decode()).attrs_of("script"))


def test_admin_pages_work_for_staff(client: Client, django_user_model) -> None:
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(admin_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert f"'nonce-{header_nonce(response)}'" in csp_directives(response)["style-src"]


# --- Signing in -------------------------------------------------------------------------------------------------------


def test_bad_login_shows_the_error_summary_and_does_not_sign_in(client: Client, person) -> None:
    response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert "There is a problem" in html
    assert '<a href="#id_username">Please enter a correct username and password.' in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session


def test_missing_fields_link_to_each_field(client: Client, person) -> None:
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()

    assert '<a href="#id_username">This field is required.</a>' in html
    assert '<a href="#id_password">This field is required.</a>' in html
    assert 'aria-describedby="id_username-error"' in html
    assert "govuk-input--error" in html


def test_good_login_signs_in(client: Client, person) -> None:
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_repeated_failures_show_the_lockout_page(client: Client, person) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})

    assert response.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert "You cannot sign in at the moment" in html
    assert "Try again in 1 hour." in html
    assert all(script.get("nonce") == header_nonce(response) for script in parse_tags(html).attrs_of("script"))
    # Even the right password is refused while locked.
    assert client.post(reverse("login"), {"username": "ada", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("format_string", ["j F Y", "j M Y", "H:i", "D j F"])
def test_the_date_filter_writes_what_djangos_writes(format_string: str) -> None:
    """The filter's own writing of the service's two formats (core/dates.py) agrees with Django's formatter."""
    from django.utils import dateformat, timezone

    days = [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]
    moment = timezone.make_aware(datetime.datetime(2026, 6, 30, 23, 30), datetime.UTC)  # 1 July in London
    for value in [*days, moment] if "H" not in format_string else [moment]:
        local = timezone.localtime(value) if isinstance(value, datetime.datetime) else value
        assert date(value, format_string) == dateformat.format(local, format_string), value
    assert date(None) == ""


def test_duration_words() -> None:
    assert duration(datetime.timedelta(hours=1)) == "1 hour"
    assert duration(datetime.timedelta(minutes=90)) == "1 hour 30 minutes"
    assert duration(datetime.timedelta(minutes=1)) == "1 minute"


# --- Static assets ----------------------------------------------------------------------------------------------------


def test_every_url_in_the_compiled_css_is_a_committed_static_file() -> None:
    css = (STATIC_DIR / "css" / "application.css").read_text()
    urls = {match[1] for match in re.findall(r"url\(\s*(['\"]?)(.*?)\1\s*\)", css)}
    urls = {url for url in urls if not url.startswith(("data:", "#"))}

    assert urls, "expected the footer crest and MOJ icons at least"
    missing = sorted(url for url in urls if not static_path(url).is_file())
    assert missing == []


def test_compiled_css_uses_arial_and_no_web_fonts() -> None:
    css = (STATIC_DIR / "css" / "application.css").read_text()

    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert "font-family:arial,sans-serif" in css.replace(" ", "")


def test_compiled_css_has_print_styles() -> None:
    css = (STATIC_DIR / "css" / "application.css").read_text()
    print_rules = " ".join(re.findall(r"@media print\s*\{(.*?)\}\s*\}", css, flags=re.S))

    assert ".govuk-template__header" in print_rules and ".govuk-template__footer" in print_rules
    assert ".govuk-button" in print_rules
    assert 'content:" (" attr(href) ")"' in css  # GOV.UK links print their address


def test_static_files_referenced_by_base_html_exist(client: Client) -> None:
    tags = parse_tags(client.get(reverse("login")).content.decode())
    urls = [src for attrs in tags.attrs_of("script") if (src := attrs.get("src"))]
    urls += [href for attrs in tags.attrs_of("link") if (href := attrs.get("href"))]

    assert f"{settings.STATIC_URL}js/application.mjs" in urls
    assert all(static_path(url).is_file() for url in urls), urls
    module = next(attrs for attrs in tags.attrs_of("script") if attrs.get("src"))
    assert module["type"] == "module"


def test_application_module_imports_committed_files() -> None:
    source = (STATIC_DIR / "js" / "application.mjs").read_text()
    imports = re.findall(r"from\s+\"(\./[^\"]+)\"", source)

    assert sorted(imports) == ["./govuk-frontend.min.js", "./moj-frontend.min.js"]
    for name in imports:
        script = STATIC_DIR / "js" / name
        assert "initAll" in script.read_text()
        # ManifestStaticFilesStorage follows sourceMappingURL comments, so the maps must be there too.
        assert (STATIC_DIR / "js" / f"{name}.map").is_file()


# --- Form helpers -----------------------------------------------------------------------------------------------------


class SampleForm(forms.Form):
    title = forms.CharField(max_length=50, help_text="Keep it short")
    summary = forms.CharField(widget=forms.Textarea, max_length=200, required=False)
    region = forms.ChoiceField(choices=[("", "---------"), ("n", "North"), ("s", "South")], widget=forms.RadioSelect)
    themes = forms.MultipleChoiceField(
        choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.CheckboxSelectMultiple, required=False
    )
    priority = forms.ChoiceField(choices=[("1", "High"), ("2", "Low")])
    agree = forms.BooleanField(label="I have checked this")
    due = GovUKDateField(label="Target date")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput)


def render_field(form: forms.Form, name: str, options: str = "") -> str:
    """What {{ field(form.<name>, <options>) }} writes (templates/macros/forms.html)."""
    arguments = f"form.{name}, {options}" if options else f"form.{name}"
    source = '{% from "macros/forms.html" import field %}{{ field(' + arguments + ") }}"
    return " ".join(engines["jinja2"].from_string(source).render({"form": form}).split())


def render_error_summary(form: forms.Form) -> str:
    source = '{% from "macros/forms.html" import error_summary %}{{ error_summary(form) }}'
    return " ".join(engines["jinja2"].from_string(source).render({"form": form}).split())


def submitted(**data: str) -> SampleForm:
    valid = {"title": "x", "region": "n", "agree": "on", "due_day": "1", "due_month": "2", "due_year": "2026"}
    form = SampleForm(data={**valid, "password": "p", **data})
    form.is_valid()
    return form


def test_text_input_with_hint_and_error() -> None:
    html = render_field(submitted(title=""), "title", 'label_size="m", classes="govuk-input--width-20"')

    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert '<label class="govuk-label govuk-label--m" for="id_title"> Title </label>' in html
    assert '<div id="id_title-hint" class="govuk-hint"> Keep it short </div>' in html
    assert '<p id="id_title-error" class="govuk-error-message"> <span class="govuk-visually-hidden">' in html
    assert 'class="govuk-input govuk-input--width-20 govuk-input--error"' in html
    assert 'aria-describedby="id_title-hint id_title-error"' in html


def test_label_as_page_heading_and_optional_marker() -> None:
    html = render_field(SampleForm(), "summary", "is_page_heading=true")

    assert '<h1 class="govuk-label-wrapper"> <label class="govuk-label" for="id_summary"> Summary (optional)' in html


def test_textarea_with_max_length_is_a_character_count() -> None:
    html = render_field(SampleForm(), "summary")

    assert 'data-module="govuk-character-count" data-maxlength="200"' in html
    assert "govuk-textarea govuk-js-character-count" in html
    assert '<div id="id_summary-info" class="govuk-hint govuk-character-count__message">' in html
    assert "maxlength=" not in html.replace("data-maxlength", "")
    assert "></textarea>" in html  # empty, not "None"


def test_radios_in_a_fieldset_without_the_blank_choice() -> None:
    form = submitted(region="")
    html = render_field(form, "region", 'inline=true, label_size="l"')

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_region-error">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">' in html
    assert '<div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">' in html
    assert "---------" not in html
    assert '<input class="govuk-radios__input" id="id_region_1" name="region" type="radio" value="n">' in html
    assert '<a href="#id_region_1">This field is required.</a>' in render_error_summary(form)


def test_checkboxes_keep_what_was_ticked() -> None:
    html = render_field(SampleForm(data={"themes": ["b"]}), "themes")

    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert 'id="id_themes_1" name="themes" type="checkbox" value="b" checked>' in html
    assert 'id="id_themes_0" name="themes" type="checkbox" value="a">' in html


def test_select_and_single_checkbox() -> None:
    form = submitted(agree="")
    select = render_field(form, "priority")
    checkbox = render_field(form, "agree")

    assert '<select class="govuk-select govuk-select--error" id="id_priority" name="priority"' in select
    assert '<option value="1">High</option>' in select
    assert 'class="govuk-checkboxes__input" id="id_agree" name="agree" type="checkbox" value="on"' in checkbox
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_agree"> I have checked this </label>' in checkbox
    assert 'id="id_agree-error"' in checkbox


def test_a_posted_single_checkbox_is_ticked_and_read_back_as_true() -> None:
    form = submitted(agree="on")

    assert form.cleaned_data["agree"] is True
    assert 'value="on" checked' in render_field(form, "agree")


def test_password_has_the_show_button() -> None:
    html = render_field(SampleForm(), "password")

    assert '<div class="govuk-form-group govuk-password-input" data-module="govuk-password-input">' in html
    assert "govuk-input govuk-password-input__input govuk-js-password-input-input" in html
    assert 'aria-controls="id_password"' in html
    assert 'value="' not in html  # a password is never written back


def test_hidden_field_renders_only_the_input() -> None:
    assert render_field(SampleForm(), "secret") == '<input type="hidden" name="secret" id="id_secret">'


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the target date"),
        ("31", "", "2026", "Target date must include a month"),
        ("", "", "2026", "Target date must include a day and month"),
        ("31", "2", "2026", "Target date must be a real date"),
        ("1", "2", "26", "Year must include 4 numbers"),
        ("x", "2", "2026", "Target date must be a real date"),
    ],
)
def test_date_field_errors(day: str, month: str, year: str, message: str) -> None:
    form = submitted(due_day=day, due_month=month, due_year=year)

    assert form.errors["due"] == [message]  # named by the field's label, never the bare "Date must ..."
    html = render_field(form, "due")
    assert f'name="due_day" type="text" value="{day}"' in html  # what was typed comes back
    assert f'name="due_year" type="text" value="{year}"' in html
    assert html.count("govuk-input--error") == 3
    assert f'<a href="#id_due_day">{message}</a>' in render_error_summary(form)


def test_date_field_accepts_a_real_date_and_shows_initial_values() -> None:
    assert submitted(due_day="31", due_month="3", due_year="2026").cleaned_data["due"] == datetime.date(2026, 3, 31)

    html = render_field(SampleForm(initial={"due": datetime.date(2026, 3, 31)}), "due")

    assert '<fieldset class="govuk-fieldset" role="group">' in html
    assert 'id="id_due_day" name="due_day" type="text" value="31" inputmode="numeric"' in html
    assert 'name="due_month" type="text" value="3" inputmode="numeric"' in html
    assert 'class="govuk-input govuk-date-input__input govuk-input--width-4"' in html


def test_error_summary_links_form_wide_errors_to_the_first_field() -> None:
    form = submitted()
    form.add_error(None, "Something about the whole form")

    assert '<a href="#id_title">Something about the whole form</a>' in render_error_summary(form)
    assert render_error_summary(SampleForm()) == ""


# --- Pagination and tags ----------------------------------------------------------------------------------------------


def render_pagination(request: HttpRequest, page_obj: Page[Any]) -> str:
    source = '{% from "macros/pagination.html" import pagination %}{{ pagination(page_obj, request) }}'
    return " ".join(engines["jinja2"].from_string(source).render({"page_obj": page_obj, "request": request}).split())


def test_pagination_keeps_the_query_string_and_elides(rf: RequestFactory) -> None:
    request = rf.get("/recommendations/", {"q": "risk", "status": ["open", "closed"], "page": "5"})
    page_obj = Paginator(range(200), 10).page(5)

    html = render_pagination(request, page_obj)

    assert 'href="?q=risk&amp;status=open&amp;status=closed&amp;page=4" rel="prev"' in html
    assert 'href="?q=risk&amp;status=open&amp;status=closed&amp;page=6" rel="next"' in html
    assert 'aria-label="Page 5" aria-current="page"' in html
    assert html.count("govuk-pagination__item--ellipsis") == 2  # 1 … 4 5 6 … 20
    assert 'aria-label="Page 20"' in html


def test_pagination_is_empty_for_one_page(rf: RequestFactory) -> None:
    page_obj = Paginator(range(5), 10).page(1)

    assert render_pagination(rf.get("/"), page_obj) == ""


@pytest.mark.parametrize(
    "query",
    ["", "page=3", "q=risk&page=2&sort=-owner", "status=open&status=closed&q=a+b%26c", "sort=region", "x=%C3%A9&x="],
)
@pytest.mark.parametrize("changes", [{"page": 7}, {"page": None}, {"page": None, "sort": "-status"}, {"q": None}])
def test_query_strings_are_those_of_djangos_querystring_tag(
    rf: RequestFactory, query: str, changes: dict[str, int | str | None]
) -> None:
    request = rf.get(f"/recommendations/?{query}")
    arguments = " ".join(f"{name}={name}_value" for name in changes)
    tag = Template("{% querystring " + arguments + " %}")
    expected = tag.render(RequestContext(request, {f"{name}_value": value for name, value in changes.items()}))
    assert escape(query_with(request.GET, **changes)) == expected


def test_a_query_without_one_value_keeps_the_others(rf: RequestFactory) -> None:
    request = rf.get("/recommendations/?status=open&q=x&status=closed&page=2")
    assert query_without_value(request.GET, "status", "open", page=None) == "?status=closed&q=x"
    assert query_without_value(request.GET, "status", "closed") == "?status=open&q=x&page=2"


def test_the_dashboard_link_is_for_inspectorate_staff_only() -> None:
    staff_links = [item.text for item in context_processors.navigation_items("/", inspectorate=True)]
    lead_links = [item.text for item in context_processors.navigation_items("/", inspectorate=False)]

    assert "Dashboard" in staff_links
    assert "Dashboard" not in lead_links
    assert "My actions" in lead_links and "Reminder settings" in lead_links


def test_labels_hints_and_errors_are_escaped() -> None:
    form = submitted(title="")
    form.errors["title"] = form.error_class(["Not <i>this</i>"])
    html = render_field(form, "title", 'label="Title <b>&</b>", hint="Use <em>words</em>"')

    assert "Title &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "Use &lt;em&gt;words&lt;/em&gt;" in html
    assert "Not &lt;i&gt;this&lt;/i&gt;" in html
    assert "<b>" not in html and "<em>" not in html and "<i>" not in html


@pytest.mark.parametrize(("text", "colour"), [("Open", ""), ("Overdue", "red"), ("Closed <&>", "green")])
def test_our_tag_macro_writes_what_the_official_one_writes(text: str, colour: str) -> None:
    ours = '{% from "macros/tags.html" import tag %}{{ tag(text, colour) }}'
    official = (
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        '{{ govukTag({"text": text, "classes": ("govuk-tag--" ~ colour) if colour else undefined}) }}'
    )
    context = {"text": text, "colour": colour}
    rendered = [markup(engines["jinja2"].from_string(source).render(context)) for source in (ours, official)]

    assert rendered[0] == rendered[1]


def markup(html: str) -> str:
    """`html` without the whitespace around tags that the official macros' indentation leaves."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", " ".join(html.split()))


def test_a_help_text_django_marked_safe_is_shown_as_html_and_any_other_is_escaped(client: Client, person) -> None:
    client.force_login(person)
    html = client.get(reverse("password_change")).content.decode()

    assert "&lt;ul&gt;" not in html and "<ul><li>" in html.replace("\n", "")  # Django's list of password rules
    assert "Title &lt;b&gt;" in render_field(submitted(), "title", 'hint="Title <b>x</b>"')


def test_the_footer_carries_no_gov_uk_crown(client: Client) -> None:
    """This service is not on GOV.UK: neither the header nor the footer draws the crown."""
    html = client.get(reverse("login")).content.decode()
    footer = html[html.index('<footer class="govuk-template__footer"') :]

    assert "govuk-footer__crown" not in html and "govuk-logo" not in html
    assert "Recommendation tracker \N{EN DASH} HM Inspectorate of Probation" in footer and "© Crown copyright" in footer
