"""What is due for whom on a day. Plain Python, no Celery: the sweep (reminders/sweep.py) calls `due_reminders`.

Every rule works on dates, never on times. `today` is the Europe/London date of the run (`timezone.localdate()`),
so a run at 00:30 on a day in British Summer Time counts the London day, not the UTC one (still yesterday there),
and the day the clocks change is an ordinary day: date arithmetic has no 23- or 25-hour days.

Owners' reminders follow their preferences (a digest only on their chosen weekdays, holding every reminder that
fell due since their previous digest day); escalations to the Inspectorate go on the day they fall due, always.

A recommendation that waits on the Inspectorate (closure requested, or a new target date requested and not yet
decided) is not chased with its owner (`waits_on_inspectorate`); if the decision itself is late (`decision_late`),
the region's Inspectorate lead is told instead, on the day, like an escalation.

Whoever a digest goes to, it carries only what they may open (`may_receive`): the digest checks each item again
when it is read for sending (reminders/digest.py), whatever put it there.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from accounts.models import User
from inspections.models import Region
from recommendations import permissions
from recommendations.models import (
    ACTIVE_STATUSES,
    Recommendation,
    Response,
    Status,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
    closure_asked_at,
)
from reminders.models import WORKING_DAYS, ReminderKind, ReminderPolicy, ReminderPreference, parse_numbers

DEFAULT_DIGEST_DAYS = frozenset(parse_numbers(WORKING_DAYS))
ONE_DAY = datetime.timedelta(days=1)
# A sweep does the work of at most this many days without one before its own: a longer outage is for staff.
CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class Rules:
    """The reminder policy as plain values (defaults = the seeded policy)."""

    days_before: frozenset[int] = frozenset({30, 7, 1})
    first_day_overdue: bool = True
    repeat_every: int = 7  # 0: never repeat
    escalate_after: int = 28  # 0: never escalate
    escalate_to_region_lead: bool = True
    contact_user_id: int | None = None
    contact_email: str = ""
    response_due_days: int = 56  # 0: no response reminders
    decision_due_days: int = 14  # 0: the Inspectorate is never told of its late decisions

    @classmethod
    def from_policy(cls, policy: ReminderPolicy) -> "Rules":
        return cls(
            days_before=frozenset(parse_numbers(policy.days_before)),
            first_day_overdue=policy.remind_first_day_overdue,
            repeat_every=policy.repeat_overdue_every_days,
            escalate_after=policy.escalate_after_days_overdue,
            escalate_to_region_lead=policy.escalate_to_region_lead,
            contact_user_id=policy.escalation_contact_user_id,
            contact_email=policy.escalation_contact_email.strip().lower(),
            response_due_days=policy.response_due_days,
            decision_due_days=policy.decision_due_days,
        )


def load_rules() -> Rules:
    policy = ReminderPolicy.objects.first()
    return Rules.from_policy(policy) if policy else Rules()


def _repeats(rules: Rules, days_late: int) -> bool:
    return rules.repeat_every > 0 and days_late > 0 and days_late % rules.repeat_every == 0


# --- what waits on the Inspectorate ---

# Reminders about the target date: the owner's, and their escalation to the Inspectorate.
TARGET_DATE_KINDS = frozenset(
    {ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.STILL_OVERDUE, ReminderKind.ESCALATION}
)
# Told to the Inspectorate when its own decision is late.
DECISION_KINDS = frozenset({ReminderKind.CLOSURE_WAITING, ReminderKind.DATE_REQUEST_WAITING})
# What the policy sends to the Inspectorate: the only kinds an address with no user behind it may receive.
INSPECTORATE_KINDS = DECISION_KINDS | {ReminderKind.ESCALATION}


class Waiting(NamedTuple):
    """What an active recommendation waits for from the Inspectorate, and since when (the London day it was asked)."""

    region_id: int | None
    closure_since: datetime.date | None = None
    date_request_since: datetime.date | None = None
    proposed_date: datetime.date | None = None  # the target date asked for
    date_request_id: int | None = None  # the request for it, which the decision page is about

    def questions(self) -> Iterator[tuple[str, datetime.date]]:
        """(the kind that tells of it when late, since when) for each question put to the Inspectorate."""
        if self.closure_since is not None:
            yield ReminderKind.CLOSURE_WAITING, self.closure_since
        if self.date_request_since is not None:
            yield ReminderKind.DATE_REQUEST_WAITING, self.date_request_since


def waits_on_inspectorate(kind: str, waiting: Waiting | None) -> bool:
    """Whether a reminder of `kind` would chase the owner for what is the Inspectorate's to decide.

    Closure requested: nothing is asked of the owner (no target date or response reminder, no escalation of them).
    A new target date requested: nothing about the target date; a response the owner still owes is still owed."""
    if waiting is None or kind in DECISION_KINDS:
        return False
    if waiting.closure_since is not None:
        return True
    return waiting.date_request_since is not None and kind in TARGET_DATE_KINDS


def still_stands(kind: str, waiting: Waiting | None) -> bool:
    """Whether a reminder of `kind`, decided on earlier, still holds for a recommendation waiting as `waiting` is:
    a late decision only while the question still waits; anything else unless it now waits on the Inspectorate."""
    if kind in DECISION_KINDS:
        return waiting is not None and any(kind == asked for asked, _ in waiting.questions())
    return not waits_on_inspectorate(kind, waiting)


def decision_late(rules: Rules, day: datetime.date, asked_on: datetime.date) -> bool:
    """Whether the Inspectorate is told on `day` of a decision asked for on `asked_on`: on the first day it is late
    (more than `decision_due_days` after), then as often as an overdue item (every `repeat_every` days late)."""
    if not rules.decision_due_days:
        return False
    days_late = (day - asked_on).days - rules.decision_due_days
    return days_late == 1 or (days_late > 1 and _repeats(rules, days_late))


def london_date(moment: datetime.datetime) -> datetime.date:
    """The Europe/London date of a moment (see the note at the top), whatever time zone a request activated."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def waiting_decisions(recommendation_ids: Iterable[int] | None = None) -> dict[int, Waiting]:
    """Active recommendations that wait for a decision of the Inspectorate (of those in `recommendation_ids`, if
    given): two queries, one row per question asked."""
    # order_by(): the models' default orders join the report for nothing.
    closures = Recommendation.objects.filter(status=Status.AWAITING_CLOSURE).order_by()
    requests = TargetDateChangeRequest.objects.filter(
        status=TargetDateRequestStatus.PENDING, recommendation__status__in=ACTIVE_STATUSES
    ).order_by()
    if recommendation_ids is not None:
        ids = list(recommendation_ids)
        closures, requests = closures.filter(pk__in=ids), requests.filter(recommendation_id__in=ids)
    waiting: dict[int, Waiting] = {}
    for pk, region_id, asked_at in closures.annotate(asked_at=closure_asked_at()).values_list(
        "pk", "region_id", "asked_at"
    ):
        waiting[pk] = Waiting(region_id, closure_since=london_date(asked_at))
    for request_id, pk, region_id, asked_at, proposed in requests.values_list(
        "pk", "recommendation_id", "recommendation__region_id", "created_at", "proposed_date"
    ):
        found = waiting.get(pk) or Waiting(region_id)
        asked = london_date(asked_at)
        waiting[pk] = found._replace(date_request_since=asked, proposed_date=proposed, date_request_id=request_id)
    return waiting


def may_receive(user: User | None, recommendation: Recommendation, kind: str) -> bool:
    """Whether a digest may tell its recipient (`user`; None for an address with no user) about `recommendation`:
    only an active person who may open it; an address with no user behind it (the policy's escalation contact)
    only what the policy sends it."""
    if user is None:
        return kind in INSPECTORATE_KINDS
    return user.is_active and permissions.can_view(recommendation, user)


# --- who is reminded of what, on which day ---


def owner_kinds(
    rules: Rules,
    day: datetime.date,
    *,
    target_date: datetime.date | None,
    published_on: datetime.date | None = None,
    awaiting_response: bool = False,
    waiting: Waiting | None = None,
) -> set[str]:
    """The reminders for an active recommendation's owner that fall due on `day` (none about what `waiting` says
    waits on the Inspectorate)."""
    kinds: set[str] = set()
    if target_date is not None:
        days_left = (target_date - day).days
        if days_left in rules.days_before:
            kinds.add(ReminderKind.DUE_SOON)
        if days_left == -1 and rules.first_day_overdue:
            kinds.add(ReminderKind.OVERDUE)
        elif days_left < -1 and _repeats(rules, -days_left):  # days 7, 14, 21… overdue
            kinds.add(ReminderKind.STILL_OVERDUE)
    if awaiting_response and published_on is not None and rules.response_due_days:
        # Due `response_due_days` after publication: reminded on that day, then every `repeat_every` days.
        days_late = (day - published_on).days - rules.response_due_days
        if days_late == 0 or _repeats(rules, days_late):
            kinds.add(ReminderKind.RESPONSE_OVERDUE)
    return {kind for kind in kinds if not waits_on_inspectorate(kind, waiting)}


def escalates(rules: Rules, day: datetime.date, target_date: datetime.date | None) -> bool:
    """Escalation happens once, on the day the recommendation is `escalate_after` days overdue."""
    return bool(rules.escalate_after and target_date and (day - target_date).days == rules.escalate_after)


def digest_dates(digest_days: frozenset[int], today: datetime.date) -> tuple[datetime.date, ...]:
    """The days whose reminders belong in a digest sent `today`: every day since the previous digest day.

    Empty when today is not a digest day. Monday to Friday: Monday's digest holds Saturday's, Sunday's and
    Monday's reminders, so nothing that falls due at the weekend is lost. Weekly on Monday: the last seven days."""
    if today.weekday() not in digest_days:
        return ()
    back = 1
    while (today - back * ONE_DAY).weekday() not in digest_days:
        back += 1
    return tuple(today - offset * ONE_DAY for offset in range(back - 1, -1, -1))


def next_digest_day(digest_days: frozenset[int], start: datetime.date) -> datetime.date:
    """The first day from `start` on which someone with these digest days gets a digest (within a week)."""
    return next(day for day in (start + offset * ONE_DAY for offset in range(7)) if day.weekday() in digest_days)


def digest_days_of(user_id: int) -> frozenset[int]:
    """One person's digest days: their preference, or Monday to Friday without one."""
    preference = ReminderPreference.objects.filter(user_id=user_id).first()
    return preference.digest_days() if preference else DEFAULT_DIGEST_DAYS


def days_to_cover(today: datetime.date, last_swept: datetime.date | None) -> tuple[datetime.date, ...]:
    """The days a sweep on `today` does the work of: each day since the last sweep (`last_swept`, before today),
    at most CATCH_UP_DAYS of them, then today. Only today when no sweep ever ran: a new install owes nothing."""
    if last_swept is None or last_swept >= today:
        return (today,)
    first = max(last_swept + ONE_DAY, today - CATCH_UP_DAYS * ONE_DAY)
    return tuple(first + offset * ONE_DAY for offset in range((today - first).days + 1))


class Recipient(NamedTuple):
    user_id: int | None  # None: an escalation contact known only by address
    email: str

    def sort_key(self) -> tuple[bool, int, str]:
        return (self.user_id is None, self.user_id or 0, self.email)


@dataclass
class Directory:
    """Who can receive reminders: active users' addresses, their digest days, and each region's lead."""

    emails: dict[int, str]
    digest_days: dict[int, frozenset[int]]
    leads: dict[int, int]
    _windows: dict[tuple[int, tuple[datetime.date, ...]], tuple[datetime.date, ...]] = field(default_factory=dict)

    def recipient(self, user_id: int | None) -> Recipient | None:
        return Recipient(user_id, self.emails[user_id]) if user_id in self.emails else None

    def window(self, user_id: int, sweep_days: tuple[datetime.date, ...]) -> tuple[datetime.date, ...]:
        """The days whose reminders go in `user_id`'s digest from a sweep doing the work of `sweep_days`."""
        key = (user_id, sweep_days)
        if key not in self._windows:
            digest_days = self.digest_days.get(user_id, DEFAULT_DIGEST_DAYS)
            dates = {date for day in sweep_days for date in digest_dates(digest_days, day)}
            self._windows[key] = tuple(sorted(dates))
        return self._windows[key]


def load_directory() -> Directory:
    """Three queries, whatever the number of recommendations."""
    emails = dict(User.objects.filter(is_active=True).values_list("id", "email"))
    days = {
        user_id: ReminderPreference(frequency=frequency, days=weekdays, weekly_day=weekly_day).digest_days()
        for user_id, frequency, weekdays, weekly_day in ReminderPreference.objects.values_list(
            "user_id", "frequency", "days", "weekly_day"
        )
    }
    leads = dict(Region.objects.filter(inspectorate_lead__is_active=True).values_list("id", "inspectorate_lead_id"))
    return Directory(emails=emails, digest_days=days, leads=leads)


def escalation_contacts(rules: Rules, directory: Directory) -> list[Recipient]:
    """The policy's named contact: a user, or a bare address (a user's, if one of them has it)."""
    if rules.contact_user_id is not None:
        contact = directory.recipient(rules.contact_user_id)
        return [contact] if contact else []
    if not rules.contact_email:
        return []
    by_email = {email.lower(): user_id for user_id, email in directory.emails.items() if email}
    return [Recipient(by_email.get(rules.contact_email), rules.contact_email)]


# What the sweep reads for each active recommendation: plain tuples, never model instances (100,000 of them).
ROW_FIELDS = ("id", "owner_id", "region_id", "target_date", "response", "inspection__published_on")
ActiveRow = tuple[int, int | None, int | None, datetime.date | None, str, datetime.date | None]  # as ROW_FIELDS


def active_rows(chunk_size: int = 5000) -> Iterator[ActiveRow]:
    """Active recommendations that could have a reminder: one query, streamed (a server-side cursor on PostgreSQL).

    Closed and superseded recommendations are never read, so they never trigger anything."""
    could_be_due = Q(target_date__isnull=False) | Q(response=Response.AWAITING, inspection__published_on__isnull=False)
    rows = Recommendation.objects.filter(could_be_due, status__in=ACTIVE_STATUSES).order_by().values_list(*ROW_FIELDS)
    return rows.iterator(chunk_size=chunk_size)


DueReminders = dict[Recipient, dict[int, set[str]]]  # recipient -> recommendation id -> reminder kinds


def due_reminders(
    today: datetime.date, rules: Rules | None = None, sweep_days: tuple[datetime.date, ...] | None = None
) -> DueReminders:
    """Every reminder to send today, by recipient: 7 queries, however many recommendations there are.
    `sweep_days` (days_to_cover) adds what sweeps missed on earlier days would have sent."""
    sweep_days = sweep_days or (today,)
    rules = rules or load_rules()
    directory = load_directory()
    contacts = escalation_contacts(rules, directory)
    waiting = waiting_decisions()
    due: DueReminders = defaultdict(lambda: defaultdict(set))
    for pk, owner_id, region_id, target_date, response, published_on in active_rows():
        waits = waiting.get(pk)
        owner = directory.recipient(owner_id)
        if owner is not None and owner.user_id is not None:
            for day in directory.window(owner.user_id, sweep_days):
                kinds = owner_kinds(
                    rules,
                    day,
                    target_date=target_date,
                    published_on=published_on,
                    awaiting_response=response == Response.AWAITING,
                    waiting=waits,
                )
                if kinds:
                    due[owner][pk].update(kinds)
        if not waits_on_inspectorate(ReminderKind.ESCALATION, waits) and any(
            escalates(rules, day, target_date) for day in sweep_days
        ):
            for recipient in _escalation_recipients(rules, directory, region_id, contacts):
                due[recipient][pk].add(ReminderKind.ESCALATION)
    for pk, waits in waiting.items():
        for kind, since in waits.questions():
            if any(decision_late(rules, day, since) for day in sweep_days):
                for recipient in _decision_recipients(directory, waits.region_id, contacts):
                    due[recipient][pk].add(kind)
    return due


def _decision_recipients(directory: Directory, region_id: int | None, contacts: list[Recipient]) -> list[Recipient]:
    """The region's Inspectorate lead; for a national recommendation, or a region without an active lead, the
    escalation contacts (someone must hear of it)."""
    lead = directory.recipient(directory.leads.get(region_id)) if region_id is not None else None
    return [lead] if lead else contacts


def _escalation_recipients(
    rules: Rules, directory: Directory, region_id: int | None, contacts: list[Recipient]
) -> list[Recipient]:
    lead_id = directory.leads.get(region_id) if region_id is not None else None
    lead = directory.recipient(lead_id) if rules.escalate_to_region_lead else None
    return [lead, *contacts] if lead else contacts
