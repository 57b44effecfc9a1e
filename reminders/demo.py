"""The demo's reminder settings: its people take a digest every day of the week, so that a newcomer trying the demo
on a Saturday still sees one (the default is Monday to Friday). The rest of the demo is recommendations/demo.py."""

from accounts.models import User
from recommendations.demo import DEMO_USERS
from reminders.models import EVERY_DAY, ReminderPreference


def give_demo_people_daily_digests() -> None:
    """Safe to run twice: a preference someone has set since is left as it is."""
    for user in User.objects.filter(username__in=[demo.username for demo in DEMO_USERS]):
        ReminderPreference.objects.get_or_create(user=user, defaults={"days": EVERY_DAY})
