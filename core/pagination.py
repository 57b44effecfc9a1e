"""GOV.UK pagination for a Django Page, written in Python: links keep the query string and change only "page".

Its template cost the list page 1 ms a view (bench/), a query string and a dozen template nodes a link.
https://design-system.service.gov.uk/components/pagination/
"""

from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, QueryDict
from django.utils.safestring import SafeString, mark_safe

from core.html import format_html
from core.querystrings import query_with

_PREVIOUS_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" height="13" '
    'width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n'
    '<path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293'
    '-1.414-1.414z"></path>\n</svg>'
)
_NEXT_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" height="13" '
    'width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n'
    '<path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062'
    '-6.7246-6.7266z"></path>\n</svg>'
)
# No list here has 2**31 pages; a larger number would reach the database as an OFFSET past its bigint range.
LARGEST_PAGE = 2**31 - 1

_ELLIPSIS = '<li class="govuk-pagination__item govuk-pagination__item--ellipsis">&ctdot;</li>'


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


def pagination_html(page: Page[Any], query: QueryDict) -> SafeString:
    """The pagination for `page`, its links `query` with another page number; nothing when there is one page."""
    if not page.has_other_pages():
        return mark_safe("")
    parts = ['<nav class="govuk-pagination" aria-label="Pagination">']
    if page.has_previous():
        parts.append(
            format_html(
                '<div class="govuk-pagination__prev">\n<a class="govuk-link govuk-pagination__link" href="{}" '
                'rel="prev">\n{}\n<span class="govuk-pagination__link-title">Previous<span '
                'class="govuk-visually-hidden"> page</span></span>\n</a>\n</div>',
                query_with(query, page=page.previous_page_number()),
                mark_safe(_PREVIOUS_ICON),
            )
        )
    parts.append('<ul class="govuk-pagination__list">')
    parts.extend(_ELLIPSIS if number is None else _number(page, query, number) for number in page_numbers(page))
    parts.append("</ul>")
    if page.has_next():
        parts.append(
            format_html(
                '<div class="govuk-pagination__next">\n<a class="govuk-link govuk-pagination__link" href="{}" '
                'rel="next">\n<span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> '
                "page</span></span>\n{}\n</a>\n</div>",
                query_with(query, page=page.next_page_number()),
                mark_safe(_NEXT_ICON),
            )
        )
    parts.append("</nav>")
    return mark_safe("\n".join(parts))


def _number(page: Page[Any], query: QueryDict, number: int) -> str:
    current = number == page.number
    return format_html(
        '<li class="govuk-pagination__item{}">\n<a class="govuk-link govuk-pagination__link" href="{}" '
        'aria-label="Page {}"{}>{}</a>\n</li>',
        " govuk-pagination__item--current" if current else "",
        query_with(query, page=number),
        number,
        mark_safe(' aria-current="page"') if current else "",
        number,
    )


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
