"""The demo's reminder settings: its people take a digest every day of the week, so that a newcomer trying the demo
on a Saturday still sees one (the default is Monday to Friday), and their notifications in one daily summary (the
demo makes them the owners of dozens of recommendations: one email each would bury the digest). The rest of the demo
is recommendations/demo.py."""

from accounts.models import User
from recommendations.demo import DEMO_USERS
from reminders.models import EVERY_DAY, NotificationEmails, ReminderPreference


def give_demo_people_daily_digests() -> None:
    """Safe to run twice: a preference someone has set since is left as it is."""
    for user in User.objects.filter(username__in=[demo.username for demo in DEMO_USERS]):
        defaults = {"days": EVERY_DAY, "notification_emails": NotificationEmails.DAILY_SUMMARY}
        ReminderPreference.objects.get_or_create(user=user, defaults=defaults)
