"""Notifications by email: which go at once and which wait for the day's summary, and what each email says.

A notification (recommendations.Notification) is emailed through a Digest of its own kind, so that sending it uses
the reminder digests' machinery unchanged (sweep.py: claim, lease, outbox, retries, refusals). Its NotificationEmail
row, one per notification, ties it to that email: a notification is in at most one email, and one in none is still
to be emailed, which is how the outbox and the morning sweep find it, whatever was lost (the broker, a worker, the
task that was queued when it was recorded).
"""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import User
from recommendations import permissions
from recommendations.inspection_selectors import visible_inspections
from recommendations.models import Notification, NotificationKind
from reminders.digest import render_email
from reminders.models import Digest, DigestKind, NotificationEmail, NotificationEmails, message_id
from reminders.policy import london_date

# Update rounds ask for something by a date: their emails go at once, whatever the person chose.
ALWAYS_AT_ONCE = (NotificationKind.ROUND_OPENED, NotificationKind.ROUND_CHASER)
# How far back the outbox and the sweep look for notifications not yet emailed (the index notification_recent):
# as far as the sweep catches up missed days (policy.days_to_cover).
LOOKBACK = datetime.timedelta(days=7)
CREATE_BATCH = 2_000  # notifications given emails by one outbox run; the next run takes the rest


def _not_emailed(now: datetime.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(created_at__gte=now - LOOKBACK, email__isnull=True)


def _at_once() -> Q:
    preference = "recipient__reminder_preference"
    chose_at_once = Q(**{f"{preference}__isnull": True}) | Q(
        **{f"{preference}__notification_emails": NotificationEmails.IMMEDIATE}
    )
    return Q(kind__in=ALWAYS_AT_ONCE) | chose_at_once


def _in_summary() -> Q:
    summary = Q(recipient__reminder_preference__notification_emails=NotificationEmails.DAILY_SUMMARY)
    return summary & ~Q(kind__in=ALWAYS_AT_ONCE)


@transaction.atomic
def create_notification_emails(*, now: datetime.datetime, next_attempt_at: datetime.datetime) -> list[int]:
    """An email of its own for each notification to go at once that is in none yet: their digests' ids.

    The notifications are locked as they are taken (SKIP LOCKED), so two runs at once take different ones; the
    one-to-one NotificationEmail is the final guard, and an email that lost that race is deleted unsent."""
    rows = list(
        _not_emailed(now)
        .filter(_at_once())
        .order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "recipient_id", "recipient__email")[:CREATE_BATCH]
    )
    if not rows:
        return []
    run_id, today = uuid.uuid4(), london_date(now)
    digests = Digest.objects.bulk_create(
        Digest(
            kind=DigestKind.NOTIFICATION,
            recipient_id=recipient_id,
            email=email or "",
            period=today,
            run_id=run_id,
            created_at=now,
            next_attempt_at=next_attempt_at,
        )
        for _, recipient_id, email in rows
    )
    links = [
        NotificationEmail(notification_id=row[0], digest_id=digest.pk)
        for row, digest in zip(rows, digests, strict=True)
    ]
    NotificationEmail.objects.bulk_create(links, ignore_conflicts=True)
    return _keep_linked(run_id)


@transaction.atomic
def create_notification_summaries(
    today: datetime.date, *, now: datetime.datetime, next_attempt_at: datetime.datetime
) -> list[int]:
    """The morning sweep's: one summary for each person who chose one, of every notification in no email yet.
    At most one a day (the constraint notification_summary_one_per_user_per_day): a second sweep that day makes
    none, and what came since waits for tomorrow's."""
    rows = list(
        _not_emailed(now)
        .filter(_in_summary())
        .order_by("recipient_id", "pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "recipient_id", "recipient__email")
    )
    if not rows:
        return []
    run_id = uuid.uuid4()
    recipients = {recipient_id: email or "" for _, recipient_id, email in rows}
    Digest.objects.bulk_create(
        (
            Digest(
                kind=DigestKind.NOTIFICATION_SUMMARY,
                recipient_id=recipient_id,
                email=email,
                period=today,
                run_id=run_id,
                created_at=now,
                next_attempt_at=next_attempt_at,
            )
            for recipient_id, email in recipients.items()
        ),
        ignore_conflicts=True,
    )
    mine = dict(Digest.objects.filter(run_id=run_id).values_list("recipient_id", "pk"))
    links = [NotificationEmail(notification_id=pk, digest_id=mine[who]) for pk, who, _ in rows if who in mine]
    NotificationEmail.objects.bulk_create(links, ignore_conflicts=True)
    return _keep_linked(run_id)


def _keep_linked(run_id: uuid.UUID) -> list[int]:
    """This run's emails that carry a notification; one that carries none (another run took it first) is
    deleted before anything could send it."""
    Digest.objects.filter(run_id=run_id, notification_emails__isnull=True).delete()
    return sorted(Digest.objects.filter(run_id=run_id).values_list("pk", flat=True))


# --- what the email says ---


@dataclass(frozen=True)
class NotificationLine:
    title: str
    body: tuple[str, ...]  # its lines
    url: str  # opens it (marking it read), then what it is about
    created_at: datetime.datetime  # written by the templates' mojDate, as the Notifications page writes it


@dataclass(frozen=True)
class NotificationEmailContent:
    """One notification email, or a day's summary, ready to render: the same interface as a reminder digest's
    DigestContent for sweep._deliver."""

    digest_id: int
    email: str
    name: str
    period: datetime.date
    message_id: str
    summary: bool
    lines: tuple[NotificationLine, ...]
    notifications_url: str
    preferences_url: str
    withheld_ids: tuple[int, ...] = ()

    @property
    def has_content(self) -> bool:
        return bool(self.lines)

    def forget_dropped(self) -> None:
        """Record what is left out (the person may no longer see it): never emailed, never tried again."""
        if self.withheld_ids:
            NotificationEmail.objects.filter(pk__in=self.withheld_ids).update(withheld=True)

    def message(self) -> EmailMultiAlternatives:
        return render_notification_email(self)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def claimed_notification_emails(token: uuid.UUID) -> Iterator[NotificationEmailContent]:
    """Every notification email held by the claim `token`, each without what its recipient may no longer see
    (permissions.can_view, as the reminder digests check): a few queries for the batch."""
    links = list(
        NotificationEmail.objects.filter(digest__claim_token=token, withheld=False)
        .select_related("digest__recipient", "notification__recommendation__inspection", "notification__inspection")
        .order_by("digest_id", "notification__created_at", "notification_id")
    )
    seen = _inspections_seen(links)
    for digest_id, group in groupby(links, key=lambda link: link.digest_id):
        items = list(group)
        digest = items[0].digest
        person = digest.recipient
        kept = [link for link in items if _may_see(person, link.notification, seen)]
        yield NotificationEmailContent(
            digest_id=digest_id,
            email=digest.email,
            name=person.first_name if person else "",
            period=digest.period,
            message_id=message_id(digest_id, digest.period, digest.kind),
            summary=digest.kind == DigestKind.NOTIFICATION_SUMMARY,
            lines=tuple(_line(link.notification) for link in kept),
            notifications_url=_absolute(reverse("recommendations:notifications")),
            preferences_url=_absolute(reverse("reminders:preferences")),
            withheld_ids=tuple(link.pk for link in items if link not in kept),
        )


def _inspections_seen(links: list[NotificationEmail]) -> set[tuple[int, int]]:
    """(person, inspection) for each inspection named alone in these notifications that the person may see."""
    seen: set[tuple[int, int]] = set()
    wanted = {(link.digest.recipient, link.notification.inspection_id) for link in links}
    for person, inspection_id in wanted:
        if person is None or inspection_id is None:
            continue
        if visible_inspections(person).filter(pk=inspection_id).exists():
            seen.add((person.pk, inspection_id))
    return seen


def _may_see(person: User | None, notification: Notification, seen: set[tuple[int, int]]) -> bool:
    if person is None or not person.is_active:
        return False
    if notification.recommendation is not None:
        return permissions.can_view(notification.recommendation, person)
    if notification.inspection_id is not None:
        return (person.pk, notification.inspection_id) in seen
    return True  # about nothing a person may be kept from (an update round's own page checks its owner)


def _line(notification: Notification) -> NotificationLine:
    return NotificationLine(
        title=notification.title,
        body=tuple(line for line in notification.body.splitlines() if line.strip()),
        url=_absolute(reverse("recommendations:open_notification", args=[notification.pk])),
        created_at=notification.created_at,
    )


def render_notification_email(content: NotificationEmailContent) -> EmailMultiAlternatives:
    context = {"email": content, "lines": content.lines, "name": content.name}
    return render_email(
        "notification", context, to=content.email, digest_id=content.digest_id, msgid=content.message_id
    )
