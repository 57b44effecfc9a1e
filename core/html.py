"""format_html and format_html_join as Django's, without the lazy-string wrapper on every escape.

Django's conditional_escape() goes through keep_lazy(), which checks each argument for a lazy string before it
escapes: 3 µs a value against 0.4 µs for the standard library's html.escape(). The list page's filter panel and
rows escape about 700 values a view (2 ms, bench/). The output is the same: safe values (anything with
__html__) go in as they are, everything else through html.escape(str(value)), as Django's escape() does.
"""

import html
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escape(value: Any) -> str:
    """Django's conditional_escape(): `value` as HTML, escaped unless it is already safe."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        escaped: str = value.__html__()
        return escaped
    return html.escape(str(value))


def format_html(template: str, *args: Any) -> SafeString:
    """`template` (trusted HTML) with each argument escaped into it."""
    return SafeString(template.format(*map(escape, args)))


def format_html_join(separator: str, template: str, args_list: Iterable[tuple[Any, ...]]) -> SafeString:
    """`template` filled from each tuple of `args_list`, joined by `separator` (trusted HTML)."""
    return SafeString(separator.join(template.format(*map(escape, args)) for args in args_list))
