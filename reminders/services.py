"""Writes: a person's own reminder preferences."""

from typing import Any

from django.db import transaction

from accounts.models import User
from reminders.models import WORKING_DAYS, Frequency, NotificationEmails, ReminderPreference


@transaction.atomic
def reminder_preference_set(
    *,
    user: User,
    frequency: str,
    days: list[int],
    weekly_day: int | None,
    notification_emails: str = NotificationEmails.IMMEDIATE,
) -> ReminderPreference:
    """Save when `user` gets their digest, and whether their notifications come at once or in a daily summary.
    Escalations to the Inspectorate, and update rounds' emails, are not theirs to switch off or delay."""
    preference, _ = ReminderPreference.objects.get_or_create(user=user)
    preference.frequency = frequency
    preference.notification_emails = notification_emails
    if frequency == Frequency.DAILY:
        preference.days = ",".join(str(day) for day in sorted(set(days))) or WORKING_DAYS
    elif weekly_day is not None:
        preference.weekly_day = weekly_day
    preference.full_clean()
    preference.save()
    return preference


def reminder_preference_initial(user: User) -> dict[str, Any]:
    """The form's starting values: the saved preference, or the default (daily, Monday to Friday)."""
    preference = ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)
    return {
        "frequency": preference.frequency,
        "days": sorted(preference.digest_days()) if preference.frequency == Frequency.DAILY else [],
        "weekly_day": preference.weekly_day,
        "notification_emails": preference.notification_emails,
    }
