"""Form pieces that follow GOV.UK patterns where Django's defaults do not.

The GOV.UK date pattern asks for day, month and year in three boxes
(https://design-system.service.gov.uk/patterns/dates/). Use ``GovUKDateField`` in a form and render it with
``{{ field(form.due_date) }}`` (templates/macros/forms.html); it posts ``<name>_day``, ``<name>_month`` and
``<name>_year``.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

DATE_PARTS: tuple[str, ...] = ("day", "month", "year")


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
    """A date typed as day, month and year, with the error messages the GOV.UK pattern recommends: each names
    the field by its label ("Target date must be a real date"), so give the field the label its page shows."""

    widget = GovUKDateInput
    default_error_messages = {
        "required": "Enter the %(name)s",
        "incomplete": "%(label)s must include a %(missing)s",
        "invalid": "%(label)s must be a real date",
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
            raise self._error("incomplete", missing=" and ".join(missing))
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise self._error("invalid")
        if len(year) != 4:
            raise self._error("invalid_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise self._error("invalid") from None

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:  # Django's own check, with the field's name in it
            raise self._error("required")
        super().validate(value)

    def _error(self, code: str, **params: str) -> ValidationError:
        label = str(self.label or "Date")
        named = {"label": label, "name": label[:1].lower() + label[1:]}
        return ValidationError(self.error_messages[code], code=code, params=named | params)


def plain_choices(choices: Any) -> Any:
    """A model field's options from one plain query: its own iterator opens a server-side cursor (three round
    trips to PostgreSQL) for what is at most a few hundred rows."""
    if not isinstance(choices, ModelChoiceIterator):
        return choices
    blank = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
    return [*blank, *(choices.choice(obj) for obj in choices.queryset.all())]
