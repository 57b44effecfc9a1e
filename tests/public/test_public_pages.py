"""The public pages show published inspections' recommendations with their response, status and judgement, to
anyone, and nothing else: no people, notes, evidence, progress, follow-up, nor any inspection that is not published."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.shared_cache import forget_kept_records
from inspections.models import Inspection
from inspections.services import inspections_withdraw_from_public
from recommendations.models import Recommendation, Status
from recommendations.services import (
    recommendation_set_judgement,
    recommendation_transition,
    recommendations_bulk_transition,
)

from .conftest import SECRETS, PublicWorld

MODEL_BACKEND = "accounts.backends.ModelBackend"


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _public_urls(world: PublicWorld) -> list[str]:
    return [reverse("public:home"), reverse("public:inspection", args=[world.published.pk]), reverse("public:rates")]


def test_the_list_shows_published_inspections_with_their_counts(public_world: PublicWorld, client: Client) -> None:
    page = _page(client, reverse("public:home"))
    assert "Regional inspection of Kent, Surrey and Sussex" in page
    assert reverse("public:inspection", args=[public_world.published.pk]) in page
    assert "1 inspection, newest report first" in page
    inspections = client.get(reverse("public:home")).context["inspections"]
    assert [(i.recommendation_count, i.implemented_count, i.open_count) for i in inspections] == [(2, 1, 1)]


def test_an_inspection_shows_each_response_status_and_judgement(public_world: PublicWorld, client: Client) -> None:
    page = _page(client, reverse("public:inspection", args=[public_world.published.pk]))
    assert "Strengthen the vetting of staff in approved premises." in page
    assert "KSS-PUB-2025/R1, to Kent, Surrey and Sussex" in page
    assert "KSS-PUB-2025/H1, to HMPPS" in page
    for shown in ("Partly agreed", "Open", "Reasonable progress", "Agreed", "Closed: implemented", "Good progress"):
        assert shown in page
    assert "Read the published report" in page
    assert "2 recommendations: 1 implemented, 1 still open." in page


def test_the_rates_count_published_inspections_only(public_world: PublicWorld, client: Client) -> None:
    response = client.get(reverse("public:rates"))
    rows = {(row.label, row.year): row for row in response.context["rates"]}
    # Kent, Surrey and Sussex: the published report's one recommendation, not the unpublished report's.
    assert rows.keys() == {("Kent, Surrey and Sussex", 2025), ("No region (national work)", 2025)}
    assert rows["Kent, Surrey and Sussex", 2025].total == 1
    national = rows["No region (national work)", 2025]
    assert national.total == 1
    page = response.content.decode()
    assert "Implemented within 6, 12 and 24 months of publication, by region" in page
    assert "How these figures are counted" in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_nothing_that_follows_a_recommendation_up_is_shown(
    public_world: PublicWorld, client: Client, signed_in: bool
) -> None:
    if signed_in:  # staff, who may read all of it elsewhere, see the same public page
        client.force_login(public_world.staff, backend=MODEL_BACKEND)
    for url in _public_urls(public_world):
        page = _page(client, url)
        leaked = [secret for secret in SECRETS if secret.lower() in page.lower()]
        assert not leaked, f"{url} shows {leaked}"
        assert "Sign out" not in page and "Change password" not in page


def test_the_public_layout_has_its_own_navigation_and_no_sign_in_links(
    public_world: PublicWorld, client: Client
) -> None:
    page = _page(client, reverse("public:home"))
    assert "Progress on inspection recommendations" in page
    assert 'href="/public/"' in page and "Published inspections" in page
    for private in ("My actions", "Dashboard", "Reminder settings", reverse("login"), "/admin/"):
        assert private not in page


@pytest.mark.parametrize("which", ["unpublished", "withdrawn", "missing"])
def test_an_inspection_not_on_the_public_pages_is_not_found(
    public_world: PublicWorld, client: Client, which: str
) -> None:
    if which == "withdrawn":
        inspections_withdraw_from_public(
            inspections=Inspection.objects.filter(pk=public_world.published.pk), by=public_world.staff
        )
    pk = {
        "unpublished": public_world.unpublished.pk,
        "withdrawn": public_world.published.pk,
        "missing": public_world.unpublished.pk + 1000,
    }[which]
    response = client.get(reverse("public:inspection", args=[pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "See all published inspections" in page
    assert "Lower Wessex" not in page and "Kent, Surrey and Sussex</a>" not in page
    assert "public" not in response.get("Cache-Control", "")


def test_a_withdrawn_inspection_leaves_the_list(public_world: PublicWorld, client: Client) -> None:
    inspections_withdraw_from_public(
        inspections=Inspection.objects.filter(pk=public_world.published.pk), by=public_world.staff
    )
    page = _page(client, reverse("public:home"))
    assert "No inspections have been published here yet." in page
    assert "Kent, Surrey and Sussex" not in page


def test_anyone_may_keep_a_public_page_a_minute_but_not_a_signed_in_copy(
    public_world: PublicWorld, client: Client
) -> None:
    for url in _public_urls(public_world):
        cache_control = client.get(url)["Cache-Control"]
        assert set(cache_control.split(", ")) == {"public", "max-age=60"}, url
    client.force_login(public_world.staff, backend=MODEL_BACKEND)
    for url in _public_urls(public_world):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control and "public" not in cache_control, url


def test_only_get_and_head(public_world: PublicWorld, client: Client) -> None:
    for url in _public_urls(public_world):
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200


# --- the shared cache lets go when staff publish, withdraw or change a recommendation (on commit) ---


def test_the_pages_are_read_from_the_cache_until_something_changes(
    public_world: PublicWorld, client: Client, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    url = reverse("public:inspection", args=[public_world.published.pk])
    _page(client, url)
    with django_assert_num_queries(0):
        _page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_set_judgement(
            recommendation=public_world.regional, judgement="insufficient", by=public_world.staff
        )
    assert "Insufficient progress" in _page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_transition(
            recommendation=public_world.regional,
            action="close_not_implemented",
            by=public_world.staff,
            reason="No change after a year",
        )
    assert "Closed: not implemented" in _page(client, url)
    # A bulk change (the admin's action) sends no post_save: the service moves the cache on itself.
    with django_capture_on_commit_callbacks(execute=True):
        recommendations_bulk_transition(
            recommendations=Recommendation.objects.filter(pk=public_world.national.pk),
            action="reopen",
            by=public_world.staff,
            reason="Evidence fell away",
        )
    assert "Closed: implemented" not in _page(client, url)


def test_publishing_and_withdrawing_show_at_once(
    public_world: PublicWorld, client: Client, django_capture_on_commit_callbacks
) -> None:
    from inspections.services import inspections_publish_to_public

    unpublished = Inspection.objects.filter(pk=public_world.unpublished.pk)
    url = reverse("public:inspection", args=[public_world.unpublished.pk])
    assert "Lower Wessex" not in _page(client, reverse("public:home"))
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert inspections_publish_to_public(inspections=unpublished, by=public_world.staff) == 1
    assert "Lower Wessex" in _page(client, reverse("public:home"))
    assert "Unpublished recommendation about approved premises" in _page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        assert inspections_withdraw_from_public(inspections=unpublished, by=public_world.staff) == 1
    assert "Lower Wessex" not in _page(client, reverse("public:home"))
    assert client.get(url).status_code == 404


def test_a_change_not_yet_committed_leaves_the_cache_alone(public_world: PublicWorld, client: Client) -> None:
    """The generation moves on when the write commits: a reader in between could otherwise cache the old state
    under the new generation."""
    url = reverse("public:inspection", args=[public_world.published.pk])
    _page(client, url)
    public_world.regional.status = Status.AWAITING_CLOSURE
    public_world.regional.closure_requested_at = timezone.now()
    public_world.regional.save()  # inside the test's transaction, never committed
    assert "Awaiting closure decision" not in _page(client, url)


def test_a_rolled_back_change_leaves_the_cache_alone(
    public_world: PublicWorld, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            public_world.regional.priority = True
            public_world.regional.save()
            raise RuntimeError("the write failed")
        assert forget_kept_records not in callbacks
        with transaction.atomic():
            public_world.regional.save()
    assert forget_kept_records in callbacks
