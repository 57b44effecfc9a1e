"""Render Django form fields as GOV.UK Design System form groups.

    {% load govuk %}
    {% include "includes/error_summary.html" with form=form %}
    {% govuk_field form.title label_size="m" hint="Keep it short" classes="govuk-input--width-20" %}

``govuk_field`` picks the GOV.UK component from the field's widget: text-like inputs, textarea (a character count
when the field has max_length), select, radios, checkboxes, a single checkbox, password (with show/hide), file
upload, hidden, and the three-box date from ``core.forms.GovUKDateField``. ``govuk_error_items`` lists a form's
errors with the id each one should link to, for the error summary; the ``duration`` filter words a timedelta
("1 hour", "15 minutes").
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from core.field_html import form_group
from core.forms import DATE_PARTS, GovUKDateInput, plain_choices
from core.header import header_html

register = template.Library()

LABEL_SIZES = {"s", "m", "l", "xl"}
BLANK_CHOICE_LABEL = "---------"
DATE_PART_WIDTHS = {"day": 2, "month": 2, "year": 4}


@dataclass(frozen=True)
class ErrorItem:
    text: str
    href: str


def widget_kind(bound_field: BoundField) -> str:
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
        (forms.Select, "select"),  # also SelectMultiple
        (forms.FileInput, "file"),
        (forms.PasswordInput, "password"),
    )
    return next((kind for widget_class, kind in kinds if isinstance(widget, widget_class)), "input")


def field_id(bound_field: BoundField) -> str:
    return bound_field.auto_id or bound_field.html_name


def choice_options(bound_field: BoundField) -> list[dict[str, Any]]:
    """Radio or checkbox items, with the ids Django gives them; a '---------' blank choice makes no sense as a
    radio, so it is left out. Read from the choices directly: Django's subwidgets build a context per option."""
    widget = bound_field.field.widget
    chosen = {str(value) for value in widget.format_value(bound_field.value())}
    base = widget.attrs.get("id") or field_id(bound_field)
    options = []
    for index, (value, label) in enumerate(plain_choices(widget.choices)):
        if value in ("", None) and str(label) == BLANK_CHOICE_LABEL:
            continue
        option = {"id": f"{base}_{index}", "name": bound_field.html_name, "value": value, "label": label}
        options.append({**option, "checked": str(value) in chosen})
    return options


def date_parts(bound_field: BoundField, has_error: bool) -> list[dict[str, Any]]:
    widget: GovUKDateInput = bound_field.field.widget
    value = bound_field.value()
    values = list(value) if isinstance(value, list | tuple) else widget.decompress(value)
    parts = []
    for part, part_value in zip(DATE_PARTS, values, strict=True):
        classes = f"govuk-input govuk-date-input__input govuk-input--width-{DATE_PART_WIDTHS[part]}"
        parts.append(
            {
                "id": f"{field_id(bound_field)}_{part}",
                "name": f"{bound_field.html_name}_{part}",
                "label": part.capitalize(),
                "value": "" if part_value is None else part_value,
                "classes": f"{classes} govuk-input--error" if has_error else classes,
            }
        )
    return parts


def error_anchor(bound_field: BoundField) -> str:
    """The id of the element an error summary link for this field should move focus to."""
    kind = widget_kind(bound_field)
    if kind == "date":
        return f"{field_id(bound_field)}_{DATE_PARTS[0]}"
    if kind in ("radios", "checkboxes"):
        options = choice_options(bound_field)
        return options[0]["id"] if options else field_id(bound_field)
    return bound_field.id_for_label or field_id(bound_field)


def widget_classes(bound_field: BoundField, kind: str, has_error: bool, extra: str) -> str:
    base = {
        "input": "govuk-input",
        "password": "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "textarea": "govuk-textarea",
        "select": "govuk-select",
        "file": "govuk-file-upload",
        "checkbox": "govuk-checkboxes__input",
    }[kind]
    error = {
        "input": "govuk-input--error",
        "password": "govuk-input--error",
        "textarea": "govuk-textarea--error",
        "select": "govuk-select--error",
        "file": "govuk-file-upload--error",
    }.get(kind, "")
    own = bound_field.field.widget.attrs.get("class", "")
    return " ".join(part for part in (base, own, extra, error if has_error else "") if part)


def render_widget(bound_field: BoundField, kind: str, *, classes: str, described_by: str, counted: bool) -> SafeString:
    attrs: dict[str, Any] = {"class": widget_classes(bound_field, kind, bool(bound_field.errors), classes)}
    if counted:
        attrs["class"] += " govuk-js-character-count"
        attrs["maxlength"] = False  # the character count lets people go over and then explains; no hard stop
    if kind == "password":
        attrs.update(spellcheck="false", autocapitalize="none")
    if described_by:
        attrs["aria-describedby"] = described_by
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def govuk_field(
    bound_field: BoundField,
    *,
    label: str | None = None,
    label_size: str = "",
    is_page_heading: bool = False,
    hint: str | None = None,
    classes: str = "",
    form_group_classes: str = "",
    inline: bool = False,
    small: bool = False,
    mark_optional: bool = True,
) -> SafeString:
    """The field as a GOV.UK form group (core/field_html.py); see the module docstring for the parameters."""
    if label_size and label_size not in LABEL_SIZES:
        raise template.TemplateSyntaxError(f"govuk_field label_size must be one of {sorted(LABEL_SIZES)}")
    kind = widget_kind(bound_field)
    identifier = field_id(bound_field)
    hint_text = bound_field.help_text if hint is None else hint
    errors = list(bound_field.errors)
    hint_id, error_id, count_id = f"{identifier}_helptext", f"{identifier}_error", f"{identifier}-info"
    max_length = getattr(bound_field.field, "max_length", None)
    counted = kind == "textarea" and bool(max_length)
    own_described = [count_id] if counted else []
    described_by = " ".join([*own_described, *([hint_id] if hint_text else []), *([error_id] if errors else [])])
    label_text = bound_field.label if label is None else label
    optional = mark_optional and not bound_field.field.required and kind not in ("checkbox", "hidden")
    context: dict[str, Any] = {
        "field": bound_field,
        "kind": kind,
        "id": identifier,
        "label": label_text,
        "optional": optional,
        "label_size": label_size,
        "is_page_heading": is_page_heading,
        "hint": hint_text,
        "hint_id": hint_id,
        "errors": errors,
        "error_id": error_id,
        "described_by": described_by,
        "form_group_classes": form_group_classes,
        "inline": inline,
        "small": small,
        "max_length": max_length if counted else None,
        "count_id": count_id,
    }
    if kind in ("radios", "checkboxes"):
        context["options"] = choice_options(bound_field)
    elif kind == "date":
        context["parts"] = date_parts(bound_field, bool(errors))
    elif kind != "hidden":
        context["widget"] = render_widget(
            bound_field, kind, classes=classes, described_by=described_by, counted=counted
        )
    else:
        context["widget"] = bound_field.as_widget()
    return form_group(context)


@register.simple_tag
def govuk_error_items(form: forms.BaseForm) -> list[ErrorItem]:
    """Every error in ``form`` with the id its error summary link points at.

    Errors that belong to no field link to the first visible field, so each summary item is still a link.
    """
    visible = form.visible_fields()
    fallback = f"#{error_anchor(visible[0])}" if visible else "#main-content"
    items = [ErrorItem(str(error), fallback) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound_field = form[name]
        href = fallback if bound_field.is_hidden else f"#{error_anchor(bound_field)}"
        items.extend(ErrorItem(str(error), href) for error in errors)
    return items


@register.simple_tag(takes_context=True)
def govuk_header(context: template.Context) -> SafeString:
    """The page header: organisation, the signed-in person, the service navigation (core/header.py)."""
    return header_html(context)


@register.filter
def duration(value: datetime.timedelta) -> str:
    """A timedelta in words, to the minute: "1 hour", "1 hour 30 minutes", "45 minutes"."""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
