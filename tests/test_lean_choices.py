"""Our lean select and checkboxes (templates/macros/choices.html) write what govukSelect and govukCheckboxes write
for the same parameters, as core/form_fields.py builds them."""

import re
from typing import Any

import pytest
from django import forms
from django.template import engines

from core.form_fields import field_params

OPTIONS = [("", "All"), ("a", "Kent <& Surrey>"), ("b", 'Say "B"'), ("c", "Cy")]


class FilterForm(forms.Form):
    region = forms.ChoiceField(choices=OPTIONS, required=False)
    status = forms.MultipleChoiceField(choices=OPTIONS[1:], widget=forms.CheckboxSelectMultiple, required=False)


def markup(html: str) -> str:
    """`html` without the whitespace around tags that the official macros' indentation leaves."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", " ".join(html.split()))


def rendered(macro: str, source: str, params: dict[str, Any]) -> str:
    template = engines["jinja2"].from_string("{% from " + source + " import " + macro + " %}{{ " + macro + "(p) }}")
    return markup(template.render({"p": params}))


def cases() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    plain: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    chosen: tuple[dict[str, Any], dict[str, Any]] = ({"region": "b", "status": ["a", "c"]}, {})
    described = ({"region": "a", "status": ["b"]}, {"hint": "Pick <one>", "classes": "govuk-!-width-full"})
    small: tuple[dict[str, Any], dict[str, Any]] = (
        {},
        {"small": True, "label_size": "m", "mark_optional": False, "form_group_classes": "app-x"},
    )
    return [plain, chosen, described, small]


@pytest.mark.parametrize(("data", "options"), cases())
@pytest.mark.parametrize("with_error", [False, True])
def test_lean_select_and_checkboxes_write_what_the_official_macros_write(
    data: dict[str, Any], options: dict[str, Any], with_error: bool
) -> None:
    form = FilterForm(data)
    if with_error:
        form.is_valid()
        form.add_error("region", "Choose a <real> region")
        form.add_error("status", "Choose a status")
    for name, lean, official, component in (
        ("region", "leanSelect", "govukSelect", "select"),
        ("status", "leanCheckboxes", "govukCheckboxes", "checkboxes"),
    ):
        params = field_params(form[name], **options)
        ours = rendered(lean, '"macros/choices.html"', params)
        theirs = rendered(official, f'"govuk_frontend_jinja/components/{component}/macro.html"', params)
        assert ours == theirs, name
        assert ("govuk-form-group--error" in ours) == with_error
