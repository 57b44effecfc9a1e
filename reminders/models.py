"""Email reminders: the policy (what is due when), people's preferences, and the record of every digest sent.

A *digest* is one email to one recipient on one day (its `period`, the Europe/London date of the sweep that made
it); its *items* say which recommendations it reminded about and why (the `kind`). The unique constraints on
(recipient, period) are the final guard that a recipient never gets two digests on one day, whatever races the
sweep, the beat or the broker produce.
"""

import datetime
import uuid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

WEEKDAYS: list[tuple[int, str]] = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
WORKING_DAYS = "0,1,2,3,4"
EVERY_DAY = "0,1,2,3,4,5,6"


def parse_numbers(value: str) -> tuple[int, ...]:
    """'30, 7,1' -> (30, 7, 1); raises ValueError on anything that is not a whole number."""
    return tuple(int(part) for part in value.split(",") if part.strip())


def validate_days_before(value: str) -> None:
    try:
        numbers = parse_numbers(value)
    except ValueError:
        raise ValidationError("Enter whole numbers of days separated by commas, for example 30,7,1.") from None
    if any(number < 1 or number > 366 for number in numbers):
        raise ValidationError("Each number of days must be between 1 and 366.")


def validate_weekdays(value: str) -> None:
    try:
        numbers = parse_numbers(value)
    except ValueError:
        raise ValidationError("Enter weekday numbers (0 for Monday to 6 for Sunday) separated by commas.") from None
    if not numbers or any(number not in range(7) for number in numbers):
        raise ValidationError("Choose at least one day between 0 (Monday) and 6 (Sunday).")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Target date approaching"
    OVERDUE = "overdue", "First day overdue"
    STILL_OVERDUE = "still_overdue", "Still overdue"
    ESCALATION = "escalation", "Escalation to the Inspectorate"
    RESPONSE_OVERDUE = "response_overdue", "Response overdue"
    # To the Inspectorate: a question the owner put to it has waited longer than the policy allows.
    CLOSURE_WAITING = "closure_waiting", "Closure decision late"
    DATE_REQUEST_WAITING = "date_request_waiting", "Target date decision late"


class ReminderPolicy(models.Model):
    """The one reminder policy (a singleton row seeded by a migration), edited by Inspectorate staff in the admin."""

    # Always True and unique: the database itself refuses a second policy row.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    days_before = models.CharField(
        max_length=60,
        default="30,7,1",
        validators=[validate_days_before],
        help_text="Remind the owner this many days before the target date (comma-separated, e.g. 30,7,1).",
    )
    remind_first_day_overdue = models.BooleanField(
        default=True, help_text="Remind the owner the day after the target date."
    )
    repeat_overdue_every_days = models.PositiveSmallIntegerField(
        default=7, help_text="While overdue (or a response is late), remind again every this many days; 0 for never."
    )
    escalate_after_days_overdue = models.PositiveSmallIntegerField(
        default=28, help_text="Escalate to the Inspectorate when this many days overdue; 0 for never."
    )
    escalate_to_region_lead = models.BooleanField(
        default=True, help_text="Escalations go to the Inspectorate lead of the recommendation's region."
    )
    escalation_contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A named person who receives every escalation (or give an email address below instead).",
    )
    escalation_contact_email = models.EmailField(
        blank=True, help_text="An address (e.g. a team mailbox) that receives every escalation."
    )
    response_due_days = models.PositiveSmallIntegerField(
        default=56,
        help_text="The response is due this many days after the report is published (56 = 8 weeks); 0 for never.",
    )
    decision_due_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=(
            "The Inspectorate decides a request for closure or for a new target date within this many days; later, "
            "its region's Inspectorate lead (national ones: the escalation contact) is told, then again as often as "
            "overdue reminders repeat. 0 for never."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = "reminder policy"
        verbose_name_plural = "reminder policy"
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="reminder_policy_singleton"),
            models.CheckConstraint(
                condition=Q(escalation_contact_user__isnull=True) | Q(escalation_contact_email=""),
                name="reminder_policy_one_escalation_contact",
                violation_error_message="Name either a person or an email address as the escalation contact, not both.",
            ),
        ]

    def __str__(self) -> str:
        return "Reminder policy"

    def clean(self) -> None:
        super().clean()
        if self.escalation_contact_user_id and self.escalation_contact_email:
            raise ValidationError("Name either a person or an email address as the escalation contact, not both.")


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily, on the days I choose"
    WEEKLY = "weekly", "Weekly, on one day"


class NotificationEmails(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away: one email for each"
    DAILY_SUMMARY = "summary", "One summary a day, with the morning reminders"


class ReminderPreference(models.Model):
    """When one person receives their digest. Without a row: daily, Monday to Friday.

    Escalations to the Inspectorate ignore these preferences: they go on the day they fall due."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    days = models.CharField(
        max_length=13,
        default=WORKING_DAYS,
        validators=[validate_weekdays],
        help_text="For a daily digest: the weekdays it may be sent, 0 (Monday) to 6 (Sunday).",
    )
    weekly_day = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=0, help_text="For a weekly digest.")
    # How their notifications (recommendations.Notification) are emailed; update round emails always go at once.
    notification_emails = models.CharField(
        max_length=10, choices=NotificationEmails.choices, default=NotificationEmails.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekly_day__lte=6), name="reminder_preference_weekly_day_is_weekday"),
        ]

    def __str__(self) -> str:
        return f"Reminder preference of {self.user}"

    def digest_days(self) -> frozenset[int]:
        """The weekdays (0 = Monday) on which this person may get their digest."""
        if self.frequency == Frequency.WEEKLY:
            return frozenset({self.weekly_day})
        return frozenset(parse_numbers(self.days))


class DigestKind(models.TextChoices):
    """What an email carries. All go through the same claim, lease, outbox, retries and refusals (sweep.py)."""

    REMINDERS = "reminders", "Reminder digest"
    NOTIFICATION = "notification", "Notification"
    NOTIFICATION_SUMMARY = "summary", "Daily summary of notifications"


class DigestStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will be tried again)"
    CANCELLED = "cancelled", "Cancelled (nothing left to remind about)"
    REFUSED = "refused", "Refused by the mail server (not tried again)"


# A digest that has failed this often, or is older than RETRY_DAYS, is left to staff in the admin.
MAX_ATTEMPTS = 20
RETRY_DAYS = 2
LONGEST_BACKOFF = datetime.timedelta(hours=1)


def retry_wait(attempts: int) -> datetime.timedelta:
    """How long a digest not sent after `attempts` tries waits before the outbox queues it again: the configured
    first wait, doubled with each attempt, at most an hour."""
    seconds: int = getattr(settings, "REMINDER_RETRY_BACKOFF_SECONDS", 60)
    first = datetime.timedelta(seconds=seconds)
    return min(first * (1 << max(attempts - 1, 0)), LONGEST_BACKOFF)


class DigestQuerySet(models.QuerySet["Digest"]):
    def left_behind(self, *, now: datetime.datetime, lease: datetime.timedelta) -> "DigestQuerySet":
        """Digests nobody is sending that should still go: pending or failed once their next attempt is due
        (never queued, queued to a broker that lost it, or failed), or sending under a claim that has expired
        (the sender died). Not those tried MAX_ATTEMPTS times or older than RETRY_DAYS: staff send them again."""
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        waiting = Q(status__in=[DigestStatus.PENDING, DigestStatus.FAILED]) & due
        abandoned = Q(status=DigestStatus.SENDING, claimed_at__lt=now - lease)
        today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        recent = Q(period__gte=today - datetime.timedelta(days=RETRY_DAYS), attempts__lt=MAX_ATTEMPTS)
        return self.filter(waiting | abandoned, recent)


class Digest(models.Model):
    """One email to one recipient, and how sending it went: a day's reminder digest (its items), a notification
    sent at once, or a day's summary of notifications (their NotificationEmail rows)."""

    kind = models.CharField(max_length=12, choices=DigestKind.choices, default=DigestKind.REMINDERS)
    # A user, or None for an escalation contact known only by email address.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A record of what was sent to someone outlives nothing: people are deactivated, never deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminder_digests",
    )
    email = models.CharField(max_length=254, blank=True, help_text="The address it was (or will be) sent to.")
    period = models.DateField(help_text="The day (Europe/London) of the sweep that made it.")
    status = models.CharField(max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the outbox may queue it again if it is still not sent (DigestQuerySet.left_behind); empty: at once.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A permanent refusal (5xx): the mail server's reply code; its words are in `error`.
    smtp_code = models.PositiveSmallIntegerField("SMTP reply code", null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set by each claim; only the holder of the current claim may mark the digest sent or failed.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Which sweep created the row: that sweep adds items only to the digests it created itself, never to one
    # another sweep created (and may already be sending).
    run_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField()

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "period"],
                condition=Q(recipient__isnull=False, kind=DigestKind.REMINDERS),
                name="reminder_digest_one_per_user_per_day",
            ),
            models.UniqueConstraint(
                fields=["email", "period"],
                condition=Q(recipient__isnull=True, kind=DigestKind.REMINDERS),
                name="reminder_digest_one_per_address_per_day",
            ),
            # One summary of notifications a day; a notification sent at once is unique by its NotificationEmail.
            models.UniqueConstraint(
                fields=["recipient", "period"],
                condition=Q(kind=DigestKind.NOTIFICATION_SUMMARY),
                name="notification_summary_one_per_user_per_day",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""), name="reminder_digest_has_recipient"
            ),
            # Notifications are a person's: only escalations go to an address with no account.
            models.CheckConstraint(
                condition=Q(kind=DigestKind.REMINDERS) | Q(recipient__isnull=False),
                name="notification_email_has_recipient",
            ),
            models.CheckConstraint(
                condition=Q(status=DigestStatus.SENT, sent_at__isnull=False)
                | (~Q(status=DigestStatus.SENT) & Q(sent_at__isnull=True)),
                name="reminder_digest_sent_at_matches_status",
            ),
        ]
        indexes = [
            # The sweep's catch-up: digests not yet sent (failed, stuck or never queued), by day.
            models.Index(fields=["period"], condition=~Q(status=DigestStatus.SENT), name="reminder_digest_unsent"),
            # Phase 1 of the sweep reads back the rows it created by run_id.
            models.Index(fields=["run_id"], name="reminder_digest_run"),
        ]

    def __str__(self) -> str:
        what = {DigestKind.NOTIFICATION: "Notification", DigestKind.NOTIFICATION_SUMMARY: "Notifications"}
        to = self.recipient or self.email
        return f"{what.get(DigestKind(self.kind), 'Reminders')} for {to} on {self.period:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("admin:reminders_digest_change", args=[self.pk])

    @property
    def message_id(self) -> str:
        return message_id(self.pk, self.period, self.kind)


def message_id(digest_id: int, period: datetime.date, kind: str = DigestKind.REMINDERS) -> str:
    """The same Message-ID on every attempt, so a mail system can drop a re-sent copy (see sweep.py)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    prefix = "reminder-digest" if kind == DigestKind.REMINDERS else f"notification-{kind}"
    return f"<{prefix}-{digest_id}.{period:%Y%m%d}@{host}>"


class SweepDay(models.Model):
    """A day (Europe/London) whose reminders a sweep has put in digests. The next sweep also does the work of every
    day since the last one here (a day the scheduler or the worker was down), so what fell due then comes late,
    not never."""

    # Unique: one row a day; its index also finds the last sweep before a day (sweep.create_digests).
    period = models.DateField(unique=True)
    swept_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"Reminder sweep of {self.period:%d %b %Y}"


class DigestItem(models.Model):
    """One recommendation in one digest, with why it was included."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    recommendation = models.ForeignKey(
        "recommendations.Recommendation", on_delete=models.CASCADE, related_name="reminder_items"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)

    class Meta:
        ordering = ["digest", "recommendation", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "recommendation", "kind"], name="reminder_item_unique"),
        ]
        # The recommendation's timeline reads by recommendation_id: the foreign key's own index serves it.

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: recommendation {self.recommendation_id}"


class NotificationEmail(models.Model):
    """The email that carries one notification: a notification sent at once, or one line of a day's summary.

    At most one per notification (the one-to-one), so none is ever emailed twice; a notification without one is
    still to be emailed, which is how the outbox finds it (sweep.create_notification_emails)."""

    notification = models.OneToOneField("recommendations.Notification", on_delete=models.CASCADE, related_name="email")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="notification_emails")
    # Left out when its email went: the person may no longer see what it is about (or is no longer active).
    withheld = models.BooleanField(default=False)

    class Meta:
        ordering = ["digest", "notification"]

    def __str__(self) -> str:
        return f"Notification {self.notification_id} in email {self.digest_id}"
