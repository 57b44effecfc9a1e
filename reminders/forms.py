"""The reminder forms: validation only (reminders/services.py saves; the admin preview only reads)."""

from typing import Any

from django import forms

from accounts.models import User
from reminders.models import WEEKDAYS, Frequency, NotificationEmails


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often you want a reminder email",
            "invalid_choice": "Choose daily or weekly",
        },
    )
    days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose days of the week from the list"},
    )
    weekly_day = forms.TypedChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a day of the week from the list"},
    )

    notification_emails = forms.ChoiceField(
        choices=NotificationEmails.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you want your notification emails",
            "invalid_choice": "Choose straight away or one summary a day",
        },
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("frequency") == Frequency.DAILY and not data.get("days"):
            self.add_error("days", "Choose at least one day for your daily reminder email")
        if data.get("frequency") == Frequency.WEEKLY and data.get("weekly_day") is None:
            self.add_error("weekly_day", "Choose the day for your weekly reminder email")
        return data


class DigestPreviewForm(forms.Form):
    """Whose next digest the admin's preview shows: anyone who can receive one (an active person)."""

    person = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name", "username"),
        error_messages={"required": "Choose a person", "invalid_choice": "Choose an active person"},
    )
