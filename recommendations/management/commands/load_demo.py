from django.core.management.base import BaseCommand

from recommendations.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo data (seed reports, earlier inspection, demo users, owners, target dates). Safe to re-run."

    def handle(self, *args: object, **options: object) -> None:
        for line in load_demo():
            self.stdout.write(line)
        logins = ", ".join(user.username for user in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo logins: {logins} (password: {DEMO_PASSWORD})"))
