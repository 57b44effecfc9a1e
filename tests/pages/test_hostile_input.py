"""Bad input in a URL is a clear 4xx (or is ignored), never a 500: every admin changelist and every list page of the
app, walked with hostile parameters (NUL bytes, numbers past bigint, invalid regular expressions, unknown choices)."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from recommendations.models import Recommendation
from tests.factories import make_recommendations, make_user
from tests.pages.conftest import Login, World

# Each request commits on its own, as served: a query PostgreSQL refused must not spoil the next request's.
AUTOCOMMIT = pytest.mark.django_db(transaction=True, serialized_rollback=True)
HUGE = "99999999999999999999"  # past PostgreSQL's bigint
HOSTILE = ("a\x00b", HUGE, "-1", "(", "no-such-choice", "2026-13-45")


def _server_errors(client: Client, url: str, names: set[str]) -> list[str]:
    """Each parameter in `names`, alone, with each hostile value; the URLs that answer 5xx (or raise)."""
    failed = []
    for name in sorted(names):
        for value in HOSTILE:
            client.raise_request_exception = False
            status = client.get(url, {name: value}).status_code
            if status >= 500:
                failed.append(f"{url}?{name}={value!r}: {status}")
    return failed


def _linked_parameters(html: str) -> set[str]:
    """The query parameters of the page's own links (its filters, sorts and pages)."""
    names: set[str] = set()
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        names.update(name for name, _ in parse_qsl(urlsplit(unescape(href)).query, keep_blank_values=True))
    return names


def _changelists(superuser: User) -> list[tuple[str, list[str]]]:
    """Every changelist of the admin the superuser sees, with the field paths of its list filters."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    found = []
    for app in admin.site.get_app_list(request):
        for model in app["models"]:
            model_admin = admin.site.get_model_admin(model["model"])
            entries = [entry for entry in model_admin.get_list_filter(request) if isinstance(entry, (str, tuple))]
            paths = [entry if isinstance(entry, str) else str(entry[0]) for entry in entries]  # not SimpleListFilters
            found.append((model["admin_url"], paths))
    return found


@AUTOCOMMIT
def test_no_admin_changelist_answers_hostile_parameters_with_a_server_error(client: Client) -> None:
    superuser = make_user(is_staff=True, is_superuser=True)
    make_recommendations(3)
    client.force_login(superuser, backend="accounts.backends.ModelBackend")
    changelists = _changelists(superuser)
    assert len(changelists) >= 10
    failed = []
    for url, filter_paths in changelists:
        page = client.get(url)
        assert page.status_code == 200, url
        names = _linked_parameters(page.content.decode()) | {"q", "p", "o", "e", "_facets", "all"}
        names |= {f"{path}__regex" for path in filter_paths} | {f"{path}__iregex" for path in filter_paths}
        failed += _server_errors(client, url, names)
    assert failed == [], "\n".join(failed)


@AUTOCOMMIT
def test_no_page_of_the_app_answers_hostile_parameters_with_a_server_error(world: World, login: Login) -> None:
    make_recommendations(60, world.inspection_a)
    pages = [
        reverse("recommendations:my_actions"),
        reverse("recommendations:list"),
        reverse("recommendations:export_csv"),
        reverse("recommendations:export_xlsx"),
        reverse("recommendations:dashboard"),
        reverse("recommendations:detail", args=[world.rec_a.pk]),
        reverse("inspections:list"),
        reverse("inspections:detail", args=[world.inspection_a.pk]),
        reverse("reminders:preferences"),
    ]
    failed, walked = [], set()
    for user in (world.staff, world.lead_a):
        client = login(user)
        for url in pages:
            page = client.get(url)
            if page.status_code == 403:  # the dashboard is the Inspectorate's
                continue
            assert page.status_code == 200, url
            walked.add(url)
            names = {"page", "sort", "q"}
            if page.get("Content-Type", "").startswith("text/html"):
                names |= _linked_parameters(page.content.decode())
            form = page.context and page.context.get("form")
            if form is not None and hasattr(form, "fields"):
                names |= set(form.fields)
            failed += _server_errors(client, url, names)
    assert walked == set(pages)
    assert failed == [], "\n".join(failed)


@pytest.mark.django_db
@pytest.mark.parametrize("page", [HUGE, "0", "-1", "abc", "1.5", "\x00", "999"])
def test_a_page_that_cannot_exist_is_a_404_on_every_paginated_page(page: str, world: World, login: Login) -> None:
    make_recommendations(60, world.inspection_a)
    client = login(world.staff)
    for url in (
        reverse("recommendations:list"),
        reverse("inspections:list"),
        reverse("inspections:detail", args=[world.inspection_a.pk]),
    ):
        response = client.get(url, {"page": page})
        assert response.status_code == 404, (url, page)
        assert "Page not found" in response.content.decode(), url


@pytest.mark.django_db
def test_the_pages_that_exist_still_answer(world: World, login: Login) -> None:
    make_recommendations(60, world.inspection_a)
    client = login(world.staff)
    assert client.get(reverse("recommendations:list"), {"page": "2"}).status_code == 200
    assert client.get(reverse("recommendations:list"), {"page": ""}).context["page"].number == 1
    assert client.get(reverse("inspections:detail", args=[world.inspection_a.pk]), {"page": "2"}).status_code == 200
    assert Recommendation.objects.count() == 63


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        ("/admin/recommendations/recommendation/", {"status__exact": "\x00"}, "NUL character in “status__exact”"),
        ("/admin/recommendations/recommendation/", {"q": "risk\x00"}, "NUL character in “q”"),
        ("/admin/recommendations/recommendation/", {"status__regex": "("}, "does not filter by regular expressions"),
        ("/admin/axes/accessattempt/", {"path_info__iregex": "["}, "does not filter by regular expressions"),
        ("/admin/inspections/inspection/", {"published_on__year": HUGE}, "“published_on__year” is too large"),
    ],
)
def test_the_admin_refuses_a_bad_parameter_with_a_message(
    url: str, query: dict[str, str], message: str, client: Client
) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True), backend="accounts.backends.ModelBackend")
    response = client.get(url, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(url, {"q": "risk"}).status_code == 200


@pytest.mark.django_db
def test_the_admin_still_asks_an_anonymous_visitor_to_sign_in_first(client: Client) -> None:
    response = client.get("/admin/recommendations/recommendation/", {"q": "\x00"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
