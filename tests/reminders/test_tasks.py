"""The Celery wiring: the beat schedule (Europe/London, all year) and the tasks' delivery and retry settings."""

import datetime
import smtplib
from typing import Protocol, cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from reminders import tasks

LONDON = ZoneInfo("Europe/London")


class RetryOptions(Protocol):
    """The retry options shared_task gives a task (reminders/tasks.py)."""

    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool
    retry_backoff_max: int


def due(entry: str, last_run: datetime.datetime, now: datetime.datetime) -> bool:
    schedule = app.conf.beat_schedule[entry]["schedule"]
    schedule.app = app
    with time_machine.travel(now, tick=False):
        is_due: bool = schedule.is_due(last_run).is_due
        return is_due


@pytest.mark.parametrize(
    ("day", "label"), [(datetime.date(2026, 7, 1), "summer, BST"), (datetime.date(2026, 10, 26), "the day after GMT")]
)
def test_the_daily_sweep_runs_at_seven_in_london(day: datetime.date, label: str) -> None:
    assert str(app.conf.timezone) == settings.TIME_ZONE == "Europe/London"  # the setting's name (typed as tzinfo)
    yesterday = datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time(7), LONDON)
    at = datetime.datetime.combine(day, datetime.time(7, 0, 30), LONDON)
    assert due("reminders-daily-sweep", yesterday, at), label
    assert not due("reminders-daily-sweep", yesterday, at - datetime.timedelta(minutes=2)), label


def test_the_catch_up_runs_hourly_in_working_hours_only() -> None:
    schedule = app.conf.beat_schedule["reminders-catch-up-sweep"]["schedule"]
    assert (schedule.hour, schedule.minute) == (set(range(8, 19)), {30})
    sweeps = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "reminders.sweep"]
    assert len(sweeps) == 2


def test_the_outbox_runs_every_few_minutes_all_day() -> None:
    entry = app.conf.beat_schedule["reminders-outbox"]
    assert entry["task"] == "reminders.outbox"
    assert entry["schedule"].run_every.total_seconds() == settings.REMINDER_OUTBOX_INTERVAL_SECONDS == 120
    start = datetime.datetime(2026, 7, 1, 3, 0, tzinfo=LONDON)  # any hour: the outbox does not keep office hours
    assert due("reminders-outbox", start, start + datetime.timedelta(minutes=2, seconds=1))
    assert not due("reminders-outbox", start, start + datetime.timedelta(minutes=1))


def test_the_tasks_are_registered_under_their_names() -> None:
    app.loader.import_default_modules()
    assert {"reminders.sweep", "reminders.outbox", "reminders.send_digest", "reminders.send_digest_batch"} <= set(
        app.tasks
    )


def test_sending_is_acknowledged_late_and_retried_with_backoff_below_the_visibility_timeout() -> None:
    task = tasks.send_digest
    retries = cast(RetryOptions, task)  # what shared_task set: celery-types does not declare these options
    assert task.acks_late and task.reject_on_worker_lost
    assert smtplib.SMTPException in retries.autoretry_for and ConnectionError in retries.autoretry_for
    assert retries.retry_backoff is True and task.max_retries == 8
    assert retries.retry_backoff_max < settings.CELERY_BROKER_VISIBILITY_TIMEOUT
