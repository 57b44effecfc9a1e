"""The Celery application. Redis (settings.REDIS_URL) is the broker; the beat schedule lives in code."""

import datetime
import os
from typing import Any

from celery import Celery
from celery.schedules import crontab, schedule
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Static schedule (django-celery-beat does not support Django 6.1). Times are Europe/London (CELERY_TIMEZONE), so
# 07:00 stays 07:00 local across the clock changes, which happen at 01:00/02:00 and never touch these times.
# The catch-up runs pick up a missed 07:00 run and digests that failed; they cannot send anyone a second digest
# that day (see reminders/sweep.py). `expires` drops a sweep that waited in the queue past the next one.
# The outbox runs all day, every few minutes: a digest not sent (a lost task, retries used up) goes within minutes,
# not at the next sweep; a run that waited past the next one is dropped.
app.conf.beat_schedule = {
    "reminders-daily-sweep": {
        "task": "reminders.sweep",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 50 * 60},
    },
    "reminders-catch-up-sweep": {
        "task": "reminders.sweep",
        "schedule": crontab(hour="8-18", minute=30),
        "options": {"expires": 50 * 60},
    },
}


@app.on_after_configure.connect
def schedule_by_settings(sender: Celery, **kwargs: Any) -> None:
    """The outbox's and the figures' intervals are settings: read once the settings are loaded, not when this module
    is imported (scripts/env_file.py imports the config package where no settings can be loaded).
    The figures of the dashboard and the region pages are made afresh all day, so that the pages only read them
    (recommendations/figures_refresh.py), and the copy of the comparison keys that a new process starts its
    comparisons from is renewed (recommendations/recurrence.py); a run that waited past the next one is dropped."""
    for name, task, seconds in (
        ("reminders-outbox", "reminders.outbox", settings.REMINDER_OUTBOX_INTERVAL_SECONDS),
        ("figures-refresh", "recommendations.refresh_figures", settings.FIGURES_REFRESH_SECONDS),
        ("comparison-keys", "recommendations.share_comparison_keys", settings.COMPARISON_KEYS_SHARE_SECONDS),
    ):
        every = datetime.timedelta(seconds=seconds)
        sender.add_periodic_task(schedule(every), sender.signature(task), name=name, expires=every.total_seconds())
