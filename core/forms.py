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


def plain_choices(choices: Any) -> Any:
    """A model field's options from one plain query: its own iterator opens a server-side cursor (three round
    trips to PostgreSQL) for what is at most a few hundred rows."""
    if not isinstance(choices, ModelChoiceIterator):
        return choices
    blank = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
    return [*blank, *(choices.choice(obj) for obj in choices.queryset.all())]
