from django.core.management.base import BaseCommand

from recommendations.demo import DEMO_PASSWORD, DEMO_USERS, demo_users, load_demo
from reminders.demo import give_demo_people_daily_emails


class Command(BaseCommand):
    # Here, in the top app the demo touches, so that it can set the demo people's reminder preferences as well.
    help = (
        "Load the demo data (seed reports, earlier inspection, demo users, owners, target dates, daily reminder "
        "emails with a daily summary of notifications). Safe to re-run."
    )

    def handle(self, *args: object, **options: object) -> None:
        # The people and their preferences first: the demo's notifications must find them set (reminders/demo.py).
        give_demo_people_daily_emails(list(demo_users().values()))
        self.stdout.write("Demo people take a reminder email every day, their notifications in it")
        for line in load_demo():
            self.stdout.write(line)
        logins = ", ".join(user.username for user in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo logins: {logins} (password: {DEMO_PASSWORD})"))
