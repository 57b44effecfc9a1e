"""Pages for a signed-in person, and every export, carry `Cache-Control: private, no-store`: no shared cache (a
proxy, a CDN) keeps them and no browser writes them to disk for the next person at the same computer. What an
anonymous visitor gets is left as it was."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from accounts.models import User

from .conftest import Login, World
from .test_permission_matrix import EXPECTATIONS, ROUTES, Target, _send


def directives(response: Any) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def every_signed_in_url(world: World) -> list[str]:
    """Each GET of the app's routes (the permission matrix's list), the accounts pages, and a few of the admin's."""
    target = Target(world, world.rec_a, world.rec_a)
    urls = [
        reverse(name, kwargs=EXPECTATIONS[name].kwargs(target))
        for name in sorted(ROUTES)
        if "get" in EXPECTATIONS[name].methods()
    ]
    urls += [reverse("reminders:preferences"), reverse("password_change"), reverse("password_change_done")]
    urls += ["/no-such-page/", reverse("admin:index"), reverse("admin:recommendations_recommendation_changelist")]
    return urls


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff", "lead_a"])
def test_every_page_for_a_signed_in_person_is_private_and_not_stored(world: World, login: Login, persona: str) -> None:
    person: User = getattr(world, persona)
    person.is_staff = persona == "staff"  # into the admin
    person.save()
    client = login(person)
    for url in every_signed_in_url(world):
        response = _send(client, "get", url, {})
        assert {"private", "no-store"} <= directives(response), (url, response.get("Cache-Control"))
        assert "public" not in directives(response), url


@pytest.mark.django_db
def test_exports_are_private_and_not_stored(world: World, login: Login) -> None:
    client = login(world.lead_a)
    for name in ("recommendations:export_csv", "recommendations:export_xlsx"):
        response = _send(client, "get", reverse(name), {})
        assert response.status_code == 200 and {"private", "no-store"} <= directives(response), name


@pytest.mark.django_db
def test_what_an_anonymous_visitor_gets_is_unchanged(world: World, client: Client) -> None:
    assert "Cache-Control" not in client.get(reverse("recommendations:list"))  # the redirect to sign in
    assert "Cache-Control" not in client.get("/no-such-page/")
    sign_in = client.get(reverse("login"))  # Django's own never_cache, as before
    assert sign_in.status_code == 200 and get_max_age(sign_in) == 0
