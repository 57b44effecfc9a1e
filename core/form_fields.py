"""The parameters of the official GOV.UK Frontend macro that renders a Django form field.

Templates render a field with the `field` macro of templates/macros/forms.html:

    {% from "macros/forms.html" import field, error_summary %}
    {{ error_summary(form) }}
    {{ field(form.title, label_size="m", hint="Keep it short", classes="govuk-input--width-20") }}

`govuk_field` picks the component from the widget (text-like input, textarea, character count when the field has a
max_length, select, radios, checkboxes, one checkbox, password, file upload, the three-box date of
core.forms.GovUKDateField, hidden) and turns the bound field into that macro's parameters. No HTML is written
here: the macros write it.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField

from core.forms import DATE_PARTS, GovUKDateInput, plain_choices

LABEL_SIZES = ("", "s", "m", "l", "xl")
BLANK_CHOICE_LABEL = "---------"
DATE_PART_WIDTHS = {"day": 2, "month": 2, "year": 4}
# Widget attributes the macros take as parameters of their own, so they are not repeated as plain attributes.
OWN_PARAMETERS = {"id", "class", "rows", "cols", "maxlength", "type", "autocomplete"}


@dataclass(frozen=True)
class Options:
    """What a template may say about a field beyond what the form knows."""

    label: str | None = None
    label_size: str = ""
    is_page_heading: bool = False
    hint: str | None = None
    classes: str = ""
    form_group_classes: str = ""
    inline: bool = False
    small: bool = False
    mark_optional: bool = True


def field_component(bound_field: BoundField) -> str:
    """The GOV.UK component that renders this field's widget."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    kinds: tuple[tuple[type[forms.Widget], str], ...] = (
        (GovUKDateInput, "date"),
        (forms.CheckboxSelectMultiple, "checkboxes"),  # a subclass of RadioSelect, so it comes first
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Textarea, "textarea"),
        (forms.Select, "select"),
        (forms.FileInput, "file"),
        (forms.PasswordInput, "password"),
    )
    kind = next((kind for widget_class, kind in kinds if isinstance(widget, widget_class)), "input")
    if kind == "textarea" and getattr(bound_field.field, "max_length", None):
        return "character_count"
    return kind


def field_id(bound_field: BoundField) -> str:
    return bound_field.auto_id or bound_field.html_name


def field_params(bound_field: BoundField, **options: Any) -> dict[str, Any]:
    """The macro parameters for `bound_field`, as the component field_component() names expects them."""
    chosen = Options(**options)
    if chosen.label_size not in LABEL_SIZES:
        raise ValueError(f"label_size must be one of {LABEL_SIZES}, not {chosen.label_size!r}")
    kind = field_component(bound_field)
    params = _common(bound_field, kind, chosen)
    if kind in ("radios", "checkboxes", "date"):
        params["fieldset"] = {"legend": _label(bound_field, kind, chosen, legend=True)}
    elif kind == "checkbox":
        return _single_checkbox(bound_field, params, chosen)
    else:
        params["label"] = _label(bound_field, kind, chosen, legend=False)
    return params | _component_params(bound_field, kind, chosen)


def _common(bound_field: BoundField, kind: str, chosen: Options) -> dict[str, Any]:
    errors = list(bound_field.errors)
    # str() resolves a lazy help text to what it stands for, which Django may have marked safe HTML.
    hint = str(bound_field.help_text if chosen.hint is None else chosen.hint)
    widget_classes = bound_field.field.widget.attrs.get("class", "")
    params: dict[str, Any] = {
        "id": field_id(bound_field),
        "name": bound_field.html_name,
        # Django's own help texts may be HTML it marked safe (the password rules' list): keep it as HTML.
        "hint": ({"html": hint} if hasattr(hint, "__html__") else {"text": hint}) if hint else None,
        "errorMessage": {"text": " ".join(str(error) for error in errors)} if errors else None,
        "formGroup": {"classes": chosen.form_group_classes} if chosen.form_group_classes else None,
        "classes": " ".join(part for part in (widget_classes, chosen.classes) if part),
        "attributes": _attributes(bound_field),
    }
    if "autocomplete" in bound_field.field.widget.attrs and kind == "input":
        params["autocomplete"] = bound_field.field.widget.attrs["autocomplete"]
    if kind in ("radios", "checkboxes"):
        params["idPrefix"] = params["id"]
    return params


def _attributes(bound_field: BoundField) -> dict[str, Any]:
    return {
        key: value
        for key, value in bound_field.field.widget.attrs.items()
        if key not in OWN_PARAMETERS and value is not None and value is not False
    }


def _label(bound_field: BoundField, kind: str, chosen: Options, *, legend: bool) -> dict[str, Any]:
    text = str(bound_field.label if chosen.label is None else chosen.label)
    optional = chosen.mark_optional and not bound_field.field.required
    block = "fieldset__legend" if legend else "label"
    return {
        "text": f"{text} (optional)" if optional else text,
        "classes": f"govuk-{block}--{chosen.label_size}" if chosen.label_size else "",
        "isPageHeading": chosen.is_page_heading,
    }


def _component_params(bound_field: BoundField, kind: str, chosen: Options) -> dict[str, Any]:
    widget = bound_field.field.widget
    if kind in ("radios", "checkboxes"):
        variant = [f"govuk-{kind}--inline"] if chosen.inline and kind == "radios" else []
        variant += [f"govuk-{kind}--small"] if chosen.small else []
        return {"items": choice_items(bound_field), "classes": " ".join([*variant, chosen.classes]).strip()}
    if kind == "select":
        return {"items": choice_items(bound_field, key="selected", keep_blank=True)}
    if kind == "date":
        return {"items": date_items(bound_field)}
    if kind == "password":
        # The macro writes autocomplete itself ("current-password" unless told otherwise).
        return {"autocomplete": widget.attrs.get("autocomplete", "current-password")}
    if kind == "file":
        return {}
    value = widget.format_value(bound_field.value())
    value = "" if value is None else value
    if kind == "character_count":
        return {
            "value": value,
            "maxlength": getattr(bound_field.field, "max_length", None),
            "rows": widget.attrs.get("rows", 5),
        }
    if kind == "textarea":
        return {"value": value, "rows": widget.attrs.get("rows", 5)}
    return {"value": value, "type": getattr(widget, "input_type", "text")}


def _single_checkbox(bound_field: BoundField, params: dict[str, Any], chosen: Options) -> dict[str, Any]:
    """A lone checkbox (a BooleanField): the label is the item's text and there is no fieldset."""
    hint = params.pop("hint")
    item = {
        "id": params["id"],
        "value": "on",
        "text": str(bound_field.label if chosen.label is None else chosen.label),
        "hint": hint,
        "checked": bool(bound_field.value()),
    }
    classes = "govuk-checkboxes--small" if chosen.small else ""
    return params | {"idPrefix": params["id"], "items": [item], "classes": classes}


def choice_items(bound_field: BoundField, *, key: str = "checked", keep_blank: bool = False) -> list[dict[str, Any]]:
    """The field's choices as macro items, with Django's ids; a '---------' blank makes no sense as a radio."""
    widget = bound_field.field.widget
    chosen = {str(value) for value in widget.format_value(bound_field.value())}
    base = widget.attrs.get("id") or field_id(bound_field)
    items = []
    for index, (value, label) in enumerate(plain_choices(widget.choices)):
        value = "" if value is None else str(value)
        if not keep_blank and value == "" and str(label) == BLANK_CHOICE_LABEL:
            continue
        items.append({"id": f"{base}_{index}", "value": value, "text": str(label), key: value in chosen})
    if keep_blank:
        for item in items:
            del item["id"]  # a select's options need no ids
    return items


def date_items(bound_field: BoundField) -> list[dict[str, Any]]:
    widget = bound_field.field.widget
    assert isinstance(widget, GovUKDateInput)
    value = bound_field.value()
    values = list(value) if isinstance(value, list | tuple) else widget.decompress(value)
    error = " govuk-input--error" if bound_field.errors else ""
    return [
        {
            "id": f"{field_id(bound_field)}_{part}",
            "name": f"{bound_field.html_name}_{part}",
            "label": part.capitalize(),
            "value": "" if part_value is None else str(part_value),
            "classes": f"govuk-input--width-{DATE_PART_WIDTHS[part]}{error}",
        }
        for part, part_value in zip(DATE_PARTS, values, strict=True)
    ]


def error_anchor(bound_field: BoundField) -> str:
    """The id of the element an error summary link for this field should move focus to."""
    kind = field_component(bound_field)
    if kind == "date":
        return f"{field_id(bound_field)}_{DATE_PARTS[0]}"
    if kind in ("radios", "checkboxes"):
        items = choice_items(bound_field)
        return items[0]["id"] if items else field_id(bound_field)
    return bound_field.id_for_label or field_id(bound_field)


def error_items(form: forms.BaseForm) -> list[dict[str, str]]:
    """Every error in `form` as error summary items, each linking to the field it is about.

    Errors that belong to no field link to the first visible field, so each summary item is still a link.
    """
    visible = form.visible_fields()
    fallback = f"#{error_anchor(visible[0])}" if visible else "#main-content"
    items = [{"text": str(error), "href": fallback} for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound_field = form[name]
        href = fallback if bound_field.is_hidden else f"#{error_anchor(bound_field)}"
        items.extend({"text": str(error), "href": href} for error in errors)
    return items
