"""`manage.py send_reminders`: the reminder sweep, now, through the code Celery beat runs each morning."""

import datetime
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recommendations.models import Recommendation
from reminders.models import Digest, ReminderKind
from reminders.policy import DueReminders
from reminders.sweep import plan_sweep, run_sweep


class Command(BaseCommand):
    help = (
        "Send today's reminder digests now (the sweep Celery beat runs at 07:00), and any not sent earlier. "
        "Nobody gets a second digest for the same day, however often this runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would get which reminders; send and record nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self._dry_run()
            return
        # Sent here and now (no worker needed), by the code the beat's batch task runs: sweep.send_digests.
        result = run_sweep()
        statuses = Counter(
            Digest.objects.filter(pk__in=[*result.created, *result.requeued]).values_list("status", flat=True)
        )
        said = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) or "nothing to send"
        self.stdout.write(
            f"Reminder sweep for {_day(result.period)}: {len(result.created)} new digest(s), "
            f"{len(result.requeued)} sent again ({said})."
        )

    def _dry_run(self) -> None:
        day, due, left_behind = plan_sweep()
        self.stdout.write(f"Reminder sweep for {_day(day)} (dry run: nothing is sent or recorded)")
        for line in describe(due):
            self.stdout.write(line)
        self.stdout.write(
            f"{len(due)} new digest(s) would be sent; {len(left_behind)} not sent earlier would be tried again."
        )


def _day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def describe(due: DueReminders) -> list[str]:
    """One line per recipient, then one per recommendation with why it is included."""
    pks = {pk for items in due.values() for pk in items}
    references = {
        recommendation.pk: recommendation.reference
        for recommendation in Recommendation.objects.filter(pk__in=pks).select_related("inspection")
    }
    lines = []
    for recipient in sorted(due, key=lambda recipient: recipient.email):
        items = due[recipient]
        lines.append(f"{recipient.email}: {len(items)} recommendation(s)")
        for pk, kinds in sorted(items.items(), key=lambda item: references.get(item[0], "")):
            reasons = ", ".join(kind.label for kind in ReminderKind if kind in kinds)
            lines.append(f"  {references.get(pk, pk)}: {reasons}")
    return lines
