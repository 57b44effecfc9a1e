"""Form pieces that follow GOV.UK patterns where Django's defaults do not.

The GOV.UK date pattern asks for day, month and year in three boxes
(https://design-system.service.gov.uk/patterns/dates/). Use ``GovUKDateField`` in a form and render it with
``{% govuk_field form.due_date %}``; it posts ``<name>_day``, ``<name>_month`` and ``<name>_year``.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe

from core.html import format_html, format_html_join

DATE_PARTS: tuple[str, ...] = ("day", "month", "year")
SELECTED = mark_safe(" selected")


class GovUKDateInput(forms.MultiWidget):
    """Three text boxes (day, month, year) with numeric keyboards on phones."""

    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        widgets: dict[str, forms.Widget | type[forms.Widget]]
        widgets = {part: forms.TextInput(attrs=numeric) for part in DATE_PARTS}  # posted as <name>_day etc.
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class GovUKDateField(forms.DateField):
    """A date typed as day, month and year, with the error messages the GOV.UK pattern recommends."""

    widget = GovUKDateInput
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "Date must include a %(missing)s",
        "invalid": "Date must be a real date",
        "invalid_year": "Year must include 4 numbers",
    }

    def to_python(self, value: Any) -> datetime.date | None:
        if not isinstance(value, list | tuple):
            return super().to_python(value)
        day, month, year = (str(part if part is not None else "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [name for name, part in zip(DATE_PARTS, (day, month, year), strict=True) if not part]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"], code="incomplete", params={"missing": " and ".join(missing)}
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(year) != 4:
            raise ValidationError(self.error_messages["invalid_year"], code="invalid_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class LongSelect(forms.Select):
    """A select for hundreds of options (people, recommendations), written in Python.

    Django's Select renders every option through its own template (with an include for its attributes): about
    0.1 ms an option, 25 ms for the people who may own a recommendation. The HTML is the same: one <option> per
    choice, `selected` on the chosen ones, everything escaped. Option groups are not supported.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), SELECTED if str(key) in chosen else "", label) for key, label in plain_choices(self.choices)),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, _attributes(self.build_attrs(self.attrs, attrs)), options
        )

    def use_required_attribute(self, initial: Any) -> bool:
        # Django's asks the choices for their first option: for a model field, one more query of all the options.
        if isinstance(self.choices, ModelChoiceIterator) and not self.allow_multiple_selected:
            return not self.is_hidden and self.choices.field.empty_label is not None
        return super().use_required_attribute(initial)


def plain_choices(choices: Any) -> Any:
    """A model field's options from one plain query: its own iterator opens a server-side cursor (three round
    trips to PostgreSQL) for what is at most a few hundred rows."""
    if not isinstance(choices, ModelChoiceIterator):
        return choices
    blank = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
    return [*blank, *(choices.choice(obj) for obj in choices.queryset.all())]


def input_html(widget: forms.widgets.Input, name: str, value: Any, attrs: dict[str, Any]) -> SafeString:
    """What Django's input.html writes for `widget`, without its two template includes (~0.1 ms a field)."""
    if isinstance(widget, forms.PasswordInput) and not widget.render_value:
        value = None
    value = widget.format_value(value)
    shown = format_html(' value="{}"', value) if value is not None else ""
    final = _attributes(widget.build_attrs(widget.attrs, attrs))
    return format_html('<input type="{}" name="{}"{}{}>', widget.input_type, name, shown, final)


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """As Django's widgets/attrs.html writes them: in order, True as a bare name, False and None left out."""
    shown = [(key, value) for key, value in attrs.items() if value is not False and value is not None]
    return format_html_join(
        "", " {}{}", ((key, "" if value is True else format_html('="{}"', value)) for key, value in shown)
    )
