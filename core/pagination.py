"""Pages of a list: the page asked for (a 404 for one that cannot exist) and govukPagination's parameters for it,
its links keeping the query string and changing only "page" (templates/macros/pagination.html writes them).
https://design-system.service.gov.uk/components/pagination/
"""

from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, QueryDict

from core.querystrings import query_with

# No list here has 2**31 pages; a larger number would reach the database as an OFFSET past its bigint range.
LARGEST_PAGE = 2**31 - 1


def page_number(value: Any) -> int:
    """The page asked for (?page=; none or empty: the first). Anything but a whole number from 1 to LARGEST_PAGE is
    a 404, as Django's Paginator.page() and ListView answer, without asking the database."""
    if value is None or value == "":
        return 1
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= len(str(LARGEST_PAGE))) or not 1 <= int(text) <= LARGEST_PAGE:
        raise Http404(f"There is no page {text[:20]!r}: pages are numbered from 1.")
    return int(text)


def page_or_404[T](paginator: Paginator[T], value: Any) -> Page[T]:
    """The page asked for (see page_number); past the last page is a 404 too (the first page always exists)."""
    try:
        return paginator.page(page_number(value))
    except InvalidPage:
        raise Http404("There is no such page: the list is shorter.") from None


def page_numbers(page: Page[Any]) -> list[int | None]:
    """Page numbers around the current one, with None where GOV.UK pagination shows an ellipsis."""
    paginator = page.paginator
    elided = paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [number if isinstance(number, int) else None for number in elided]  # else paginator.ELLIPSIS


def pagination_params(page: Page[Any], query: QueryDict) -> dict[str, Any] | None:
    """govukPagination's parameters for `page`, its links `query` with another page number; None for one page."""
    if not page.has_other_pages():
        return None
    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": query_with(query, page=number), "current": number == page.number}
        for number in page_numbers(page)
    ]
    params: dict[str, Any] = {"items": items}
    if page.has_previous():
        params["previous"] = {"href": query_with(query, page=page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": query_with(query, page=page.next_page_number())}
    return params


def previous_next_params(number: int, has_next: bool, query: QueryDict) -> dict[str, Any] | None:
    """govukPagination's parameters for page `number` of a list that is not counted (What's changed): Previous and
    Next only, their links `query` with another page number; None when there is only the one page."""
    params: dict[str, Any] = {}
    if number > 1:
        params["previous"] = {"href": query_with(query, page=number - 1)}
    if has_next:
        params["next"] = {"href": query_with(query, page=number + 1)}
    return params or None
