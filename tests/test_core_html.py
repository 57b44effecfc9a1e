"""core.html writes what django.utils.html writes, faster."""

from typing import Any

import pytest
from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

from core import html


def _text() -> str:
    return "<lazy & 'quoted'>"


lazy_text = lazy(_text, str)

VALUES = [
    "plain",
    "<script>alert('x')</script>",
    'a "quoted" & <tagged> value',
    mark_safe("<b>already safe</b>"),
    42,
    None,
    3.5,
    lazy_text(),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escape_is_djangos_conditional_escape(value: Any) -> None:  # any value, as a template may pass
    assert html.escape(value) == django_html.conditional_escape(value)


def test_format_html_escapes_each_argument_as_djangos_does() -> None:
    template = '<a href="{}" title="{}">{}</a> {} {} {} {} {}'
    ours = html.format_html(template, *VALUES)
    assert ours == django_html.format_html(template, *VALUES)
    assert isinstance(ours, SafeString)
    assert "<script>" not in ours and "<b>already safe</b>" in ours


def test_format_html_join_matches_djangos() -> None:
    rows = [("1", "<one>"), ("2", mark_safe("<i>two</i>")), ("3", lazy_text())]
    ours = html.format_html_join("\n", '<option value="{}">{}</option>', rows)
    assert ours == django_html.format_html_join("\n", '<option value="{}">{}</option>', rows)
    assert isinstance(ours, SafeString)
