"""Digest emails: fetch what they show (one query for a whole batch), group it, render it from templates/emails/.

Rendering works on plain values fetched and formatted up front, so no template triggers a query and the templates
do little work (a sweep renders thousands). The HTML part is autoescaped; the plain-text templates turn
autoescaping off, so "A & B" reads as typed there (text/plain has nothing to escape).
"""

import datetime
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from recommendations.addressees import ADDRESSEE_CODES
from recommendations.models import ACTIVE_STATUSES, Recommendation
from reminders.models import Digest, DigestItem, DigestKind, ReminderKind, message_id
from reminders.policy import (
    ONE_DAY,
    Waiting,
    digest_days_of,
    due_reminders,
    load_rules,
    london_date,
    may_receive,
    next_digest_day,
    still_stands,
    waiting_decisions,
)

logger = logging.getLogger(__name__)

WAITING, OVERDUE, RESPONSE, DUE_SOON = "waiting", "overdue", "response", "due_soon"
SECTION_TITLES = {
    WAITING: "Waiting for your decision",
    OVERDUE: "Overdue",
    RESPONSE: "Response or action plan overdue",
    DUE_SOON: "Target date approaching",
}
# The owner's reminders about the target date (an escalation goes to the Inspectorate, which does not report progress).
OWNER_TARGET_DATE_KINDS = frozenset({ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.STILL_OVERDUE})
TEXT_LIMIT = 400  # characters of a recommendation's text shown in an email
# What a line shows of its recommendation, its region and its report.
LINE_FIELDS = (
    "addressee",
    "number",
    "text",
    "target_date",
    "region__name",
    "inspection__title",
    "inspection__reference",
    "inspection__published_on",
)
# One row per item: the digest and its recipient, then the item with its recommendation, region and report.
ROW_FIELDS = (
    "digest_id",
    "digest__email",
    "digest__period",
    "digest__recipient__first_name",
    "digest__recipient_id",
    "id",
    "recommendation__status",
    "recommendation_id",
    "kind",
    *(f"recommendation__{name}" for name in LINE_FIELDS),
)
ITEM_START = 7  # where the fields of one item (what `build_sections` reads) begin
DigestRow = tuple[Any, ...]  # the values of ROW_FIELDS, in order


@dataclass(frozen=True)
class NextStep:
    """Something the recipient can do about a recommendation, and the page where they do it."""

    text: str
    url: str


@dataclass
class DigestLine:
    """One recommendation in an email, every value already formatted for the templates."""

    reference: str
    text: str
    region: str
    report_title: str
    report_reference: str
    target_date: datetime.date | None
    target_date_display: str
    days_overdue: int
    when: str
    url: str
    published_on: datetime.date | None
    kinds: set[str] = field(default_factory=set)
    reasons: str = ""
    waiting_since: datetime.date | None = None  # the oldest question it puts to the Inspectorate
    next_steps: tuple[NextStep, ...] = ()


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    lines: tuple[DigestLine, ...]


@dataclass(frozen=True)
class DigestContent:
    digest_id: int
    email: str
    name: str
    period: datetime.date
    message_id: str
    sections: tuple[DigestSection, ...]
    preferences_url: str
    dropped_item_ids: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(section.lines) for section in self.sections)

    @property
    def overdue(self) -> int:
        return sum(len(section.lines) for section in self.sections if section.key == OVERDUE)

    @property
    def waiting(self) -> int:
        return sum(len(section.lines) for section in self.sections if section.key == WAITING)

    @property
    def escalation(self) -> bool:
        return any(ReminderKind.ESCALATION in line.kinds for section in self.sections for line in section.lines)

    # What sweep._deliver asks of every email it sends (notification_email.NotificationEmailContent too).
    @property
    def has_content(self) -> bool:
        return bool(self.sections)

    def forget_dropped(self) -> None:
        """Closed or superseded since the sweep: not sent, so not recorded as sent."""
        if self.dropped_item_ids:
            DigestItem.objects.filter(pk__in=self.dropped_item_ids).delete()

    def message(self) -> EmailMultiAlternatives:
        return render_digest(self)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


ROUTE_MARKERS = (987654321, 987654322)  # stand-ins for the ids, found again in the reversed path


@cache
def _route(name: str, arity: int) -> tuple[str, ...]:
    """A recommendation page's path split around its ids, found once (reverse() per line is slow for big sweeps)."""
    markers = ROUTE_MARKERS[:arity]
    path = reverse(f"recommendations:{name}", args=markers)
    return tuple(re.split("|".join(str(marker) for marker in markers), path))


def page_url(name: str, *ids: int) -> str:
    """The full address of the recommendations page `name` (recommendations/urls.py) for these ids."""
    first, *rest = _route(name, len(ids))
    return absolute_url(first + "".join(f"{pk}{piece}" for pk, piece in zip(ids, rest, strict=True)))


def _preferences_url() -> str:
    return absolute_url(reverse("reminders:preferences"))


def recommendation_url(pk: int) -> str:
    return page_url("detail", pk)


def claimed_digests(token: uuid.UUID, *, response_due_days: int) -> Iterator[DigestContent]:
    """Every digest held by the claim `token`, ready to render: a few queries for all of them, whatever their size.

    Items that no longer stand are left out of the email and listed in `dropped_item_ids`, so that the sender can
    delete them (the record must say only what was really sent): their recommendation was closed or superseded,
    or now waits on the Inspectorate (policy.still_stands), since the sweep; or the recipient may not open it
    (policy.may_receive: an inactive person, or one whose role or region changed, or an item a bug put there).
    The last are logged: they should never have been there."""
    rows = list(
        DigestItem.objects.filter(digest__claim_token=token)
        .order_by("digest_id", "recommendation_id", "kind")
        .values_list(*ROW_FIELDS)
    )
    return _contents(rows, response_due_days)


def _contents(rows: list[tuple[Any, ...]], response_due_days: int) -> Iterator[DigestContent]:
    """The digests of these rows (ROW_FIELDS, grouped by digest), each without the items that no longer stand."""
    recommendation_ids = {row[ITEM_START] for row in rows}
    recommendations = Recommendation.objects.in_bulk(recommendation_ids)
    recipients = User.objects.in_bulk({row[4] for row in rows if row[4] is not None})
    waiting = waiting_decisions(recommendation_ids) if rows else {}
    preferences_url = _preferences_url()
    for digest_id, group in groupby(rows, key=itemgetter(0)):
        items = list(group)
        _, email, period, first_name, recipient_id = items[0][:5]
        kept, dropped = [], []
        person = recipients.get(recipient_id)  # None: an address with no user (a user is never deleted)
        for row in items:
            item_id, status, pk, kind = row[5], row[6], row[ITEM_START], row[ITEM_START + 1]
            recommendation = recommendations.get(pk)  # None: deleted since the first query
            if recommendation is None or status not in ACTIVE_STATUSES or not still_stands(kind, waiting.get(pk)):
                dropped.append(item_id)
            elif not may_receive(person, recommendation, kind):
                logger.warning(
                    "Reminder digest %s: recommendation %s left out, %s may not open it", digest_id, pk, email
                )
                dropped.append(item_id)
            else:
                kept.append(row[ITEM_START:])
        yield DigestContent(
            digest_id=digest_id,
            email=email,
            name=first_name or "",
            period=period,
            message_id=message_id(digest_id, period),
            sections=build_sections(kept, period, response_due_days, waiting),
            preferences_url=preferences_url,
            dropped_item_ids=tuple(dropped),
        )


def next_digest(user: User, *, now: datetime.datetime) -> DigestContent:
    """What `user`'s next digest would hold if the tracker stayed as it is now: sent or recorded nowhere (the
    admin's preview). Its `period` is their next digest day from today (tomorrow, if they already have today's),
    and it holds every reminder due to them by then, as the sweeps of those days would find them."""
    today = london_date(now)
    had_today = Digest.objects.filter(recipient=user, period=today, kind=DigestKind.REMINDERS).exists()
    start = today + ONE_DAY if had_today else today
    day = next_digest_day(digest_days_of(user.pk), start)
    sweep_days = tuple(start + offset * ONE_DAY for offset in range((day - start).days + 1))
    rules = load_rules()
    due = due_reminders(day, rules, sweep_days=sweep_days)
    kinds = next((items for recipient, items in due.items() if recipient.user_id == user.pk), {})
    found = Recommendation.objects.filter(pk__in=kinds).order_by("pk").values_list("status", "pk", *LINE_FIELDS)
    # Rows shaped as ROW_FIELDS, for a digest that does not exist (id 0) and items that are not recorded (None).
    rows = [
        (0, user.email, day, user.first_name, user.pk, None, status, pk, kind, *fields)
        for status, pk, *fields in found
        for kind in sorted(kinds[pk])
    ]
    empty = DigestContent(0, user.email, user.first_name, day, message_id(0, day), (), _preferences_url())
    return next(_contents(rows, rules.response_due_days), empty)


def build_sections(
    rows: list[DigestRow],
    today: datetime.date,
    response_due_days: int = 56,
    waiting: dict[int, Waiting] | None = None,
) -> tuple[DigestSection, ...]:
    """One line per recommendation, grouped: decisions the Inspectorate owes (longest waiting first), overdue
    (oldest target first), late responses, approaching. `waiting` (policy.waiting_decisions) says since when."""
    lines: dict[int, DigestLine] = {}
    for row in rows:
        line = lines.get(row[0]) or lines.setdefault(row[0], _line(row, today))
        line.kinds.add(row[1])
    grouped: dict[str, list[DigestLine]] = {WAITING: [], OVERDUE: [], RESPONSE: [], DUE_SOON: []}
    for pk, line in lines.items():
        line.reasons = ", ".join(kind.label for kind in ReminderKind if kind in line.kinds)
        waits = (waiting or {}).get(pk)
        line.next_steps = next_steps(pk, line.kinds, has_target_date=line.target_date is not None, waiting=waits)
        asked = [(kind, since) for kind, since in waits.questions() if kind in line.kinds] if waits else []
        if asked and waits is not None:  # (there is something asked only when something waits)
            line.when = "; ".join(_asked(kind, since, today, waits) for kind, since in asked)
            line.waiting_since = min(since for _, since in asked)
            grouped[WAITING].append(line)
        elif line.days_overdue:
            grouped[OVERDUE].append(line)
        elif ReminderKind.RESPONSE_OVERDUE in line.kinds and line.published_on:
            late = (today - line.published_on).days - response_due_days
            line.when = f"Response {_days(late)} late" if late else "Response due today"
            grouped[RESPONSE].append(line)
        else:
            grouped[DUE_SOON].append(line)
    grouped[WAITING].sort(key=lambda line: (line.waiting_since, line.reference))
    grouped[OVERDUE].sort(key=lambda line: (line.target_date, line.reference))
    grouped[RESPONSE].sort(key=lambda line: (line.published_on, line.reference))
    grouped[DUE_SOON].sort(key=lambda line: (line.target_date or datetime.date.max, line.reference))
    return tuple(DigestSection(key, SECTION_TITLES[key], tuple(found)) for key, found in grouped.items() if found)


def next_steps(pk: int, kinds: set[str], *, has_target_date: bool, waiting: Waiting | None) -> tuple[NextStep, ...]:
    """What the reminder asks of its recipient, each a link to the page where it is done (the headings of those
    pages, recommendations/views/detail.py). The Inspectorate decides, or follows an escalation up; an owner
    reports progress, or asks for more time."""
    steps = []
    if ReminderKind.CLOSURE_WAITING in kinds:
        steps.append(NextStep("Decide whether to close it", page_url("change_status", pk)))
    if ReminderKind.DATE_REQUEST_WAITING in kinds and waiting and waiting.date_request_id:
        steps.append(
            NextStep("Decide on the new target date", page_url("decide_target_date", pk, waiting.date_request_id))
        )
    if ReminderKind.ESCALATION in kinds:
        steps.append(NextStep("Record follow-up activity", page_url("record_follow_up", pk)))
    if ReminderKind.RESPONSE_OVERDUE in kinds:
        steps.append(NextStep("Record the response", page_url("record_response", pk)))
    if kinds & OWNER_TARGET_DATE_KINDS:
        steps.append(NextStep("Add a progress update", page_url("add_progress_update", pk)))
        if has_target_date:
            steps.append(NextStep("Ask to move the target date", page_url("request_target_date", pk)))
    return tuple(steps)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _asked(kind: str, since: datetime.date, today: datetime.date, waiting: Waiting) -> str:
    """What waits for the Inspectorate's decision, and since when: 'Closure asked for on 1 June 2026 (15 days ago)'."""
    what = "Closure"
    if kind == ReminderKind.DATE_REQUEST_WAITING:
        what = f"New target date of {_date(waiting.proposed_date)}" if waiting.proposed_date else "New target date"
    return f"{what} asked for on {_date(since)} ({_days((today - since).days)} ago)"


def _line(row: DigestRow, today: datetime.date) -> DigestLine:
    pk, _, addressee, number, text, target_date, region, title, report_reference, published_on = row
    days_overdue = max(0, (today - target_date).days) if target_date else 0
    if days_overdue:
        when = f"{_days(days_overdue)} overdue"
    elif target_date is None:
        when = "No target date"
    else:
        when = "Due today" if target_date == today else f"Due in {_days((target_date - today).days)}"
    return DigestLine(
        reference=f"{report_reference}/{ADDRESSEE_CODES.get(addressee, 'O')}{number}",
        text=text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "…",
        region=region or "National",
        report_title=title,
        report_reference=report_reference,
        target_date=target_date,
        target_date_display=_date(target_date) if target_date else "not set",
        days_overdue=days_overdue,
        when=when,
        url=recommendation_url(pk),
        published_on=published_on,
    )


def render_digest(content: DigestContent) -> EmailMultiAlternatives:
    context = {"digest": content, "sections": content.sections, "name": content.name}
    return render_email("digest", context, to=content.email, digest_id=content.digest_id, msgid=content.message_id)


def render_email(
    templates: str, context: dict[str, Any], *, to: str, digest_id: int, msgid: str
) -> EmailMultiAlternatives:
    """Any email the outbox sends (a digest, a notification, a summary): `emails/<templates>-subject.txt`,
    `-body.txt` and `-body.html` rendered with `context`, to one address."""
    subject = " ".join(render_to_string(f"emails/{templates}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{templates}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        # Stable across attempts: a re-sent copy (see the at-least-once note in sweep.py) can be recognised.
        headers={"Message-ID": msgid, "X-Tracker-Digest": str(digest_id)},
    )
    message.attach_alternative(render_to_string(f"emails/{templates}-body.html", context), "text/html")
    return message
