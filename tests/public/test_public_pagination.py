"""A public inspection page lists its recommendations a page at a time (GOV.UK pagination, as the staff's pages),
each page kept in the shared cache under its own number, with the same few queries on any page however long the
report; a page that does not exist is "Page not found", as on the service's lists."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from core.shared_cache import forget_kept_records
from recommendations import public_selectors
from recommendations.models import Addressee
from tests.factories import make_recommendation

from .conftest import PublicWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_page(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(public_selectors, "PUBLIC_PAGE_SIZE", 2)
    return 2


def _add(world: PublicWorld, count: int, addressee: str = Addressee.REGION) -> None:
    region = {} if addressee == Addressee.REGION else {"region": None}
    for number in range(count):
        make_recommendation(world.published, addressee=addressee, text=f"Added {addressee} {number}", **region)
    forget_kept_records()  # on_commit does not run inside a test's transaction


def _url(world: PublicWorld, page: str | None = None) -> str:
    return reverse("public:inspection", args=[world.published.pk]) + (f"?page={page}" if page is not None else "")


def _read(client: Client, url: str) -> tuple[int, str]:
    """(queries run, the page) of a page read."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


def _listed(page: str) -> list[str]:
    """The recommendations' texts on the page, in order."""
    cells = html.fromstring(page).xpath("//th[@scope='row']/span[contains(@class, 'govuk-body')]")
    return [cell.text_content().strip() for cell in cells]


def test_the_recommendations_come_a_page_at_a_time_group_by_group(
    public_world: PublicWorld, client: Client, two_a_page: int
) -> None:
    _add(public_world, 2)  # 3 to the region, 1 to HMPPS: pages of 2, the region's first, as the staff's page
    first, second = _read(client, _url(public_world))[1], _read(client, _url(public_world, "2"))[1]
    assert _listed(first) == ["Strengthen the vetting of staff in approved premises.", "Added region 0"]
    assert _listed(second) == ["Added region 1", "Publish national guidance on information sharing."]
    assert "4 recommendations: 1 implemented, 3 still open. 2 a page: this page shows 3 to 4." in second
    assert "To the region and its probation delivery units" in second and "To HMPPS" in second
    pagination = html.fromstring(first).xpath("//nav[contains(@class, 'govuk-pagination')]")[0]
    numbers = pagination.xpath(".//li[contains(@class, 'govuk-pagination__item')]/a/@href")
    assert numbers == ["?page=1", "?page=2"]
    assert pagination.xpath(".//div[contains(@class, 'govuk-pagination__next')]/a/@href") == ["?page=2"]
    assert not pagination.xpath(".//div[contains(@class, 'govuk-pagination__prev')]")
    assert "(page 2 of 2)" in html.fromstring(second).findtext(".//title")


def test_one_page_has_no_pagination(public_world: PublicWorld, client: Client) -> None:
    page = _read(client, _url(public_world))[1]
    assert len(_listed(page)) == 2 and "govuk-pagination" not in page and "a page:" not in page
    assert _listed(_read(client, _url(public_world, ""))[1]) == _listed(page)  # ?page= is the first


@pytest.mark.parametrize("page", ["3", "0", "-1", "two", "1.5", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_not_found(
    public_world: PublicWorld, client: Client, two_a_page: int, page: str
) -> None:
    _add(public_world, 2)
    response = client.get(_url(public_world, page))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "See all published inspections" in page
    assert "public" not in response.get("Cache-Control", "")


def test_each_page_is_kept_under_its_own_number(public_world: PublicWorld, client: Client, two_a_page: int) -> None:
    _add(public_world, 2)
    pages = {number: _read(client, _url(public_world, number)) for number in ("1", "2")}
    assert all(queries > 0 for queries, _ in pages.values())
    for number, (_, page) in pages.items():
        queries, again = _read(client, _url(public_world, number))
        assert queries == 0 and _listed(again) == _listed(page)  # from the shared cache, this page's own
    assert _listed(pages["1"][1]) != _listed(pages["2"][1])


def test_any_page_runs_the_same_few_queries_however_long_the_report(
    public_world: PublicWorld, client: Client, two_a_page: int
) -> None:
    def fresh_counts() -> list[int]:
        pages = -(-public_world.published.recommendations.count() // two_a_page)
        counts = []
        for number in (1, 2, pages):
            forget_kept_records()
            counts.append(_read(client, _url(public_world, str(number)))[0])
        return counts

    _add(public_world, 3)
    short = fresh_counts()
    _add(public_world, 30, Addressee.HMPPS)
    assert fresh_counts() == short
    assert max(short) <= 2, short  # the inspection with its counts, and the page's rows
