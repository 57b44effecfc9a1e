"""The demo's reminder settings, as an Inspectorate would set up its people: a digest every day of the week, so that
a newcomer trying the demo on a Saturday still sees one (the default is Monday to Friday), and their notifications in
that one morning email rather than one email each (the default), since the demo makes the leads the owners of all
their recommendations at once. The rest of the demo is recommendations/demo.py."""

from accounts.models import User
from reminders.models import EVERY_DAY, NotificationEmails, ReminderPreference


def give_demo_people_daily_emails(people: list[User]) -> None:
    """Safe to run twice: a preference someone has set since is left as it is.

    Run before the demo records its notifications: the outbox reads the preference when it emails them, and a
    worker that is already running emails a notification as soon as it is recorded."""
    for user in people:
        ReminderPreference.objects.get_or_create(
            user=user, defaults={"days": EVERY_DAY, "notification_emails": NotificationEmails.DAILY_SUMMARY}
        )
