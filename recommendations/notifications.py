"""Telling people what happened to their recommendations: the one way a notification is recorded, and the events
that record one.

The email that carries it is reminders/'s business (it reads the Notification rows); this module only records
who is to be told what, inside the caller's transaction. Every path that changes an owner or a status (the pages,
the services, the admin's forms and inlines) saves the recommendation, which writes a history row: `history_written`
hears of each, so no path can forget. The admin's bulk actions write their history in bulk, without that signal,
and call `tell_of_bulk_changes` (services._bulk_save). Keys name the event, so telling it again tells nobody twice.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import Inspection
from recommendations.addressees import NATIONAL_ADDRESSEES, REGIONAL_ADDRESSEES
from recommendations.models import (
    FollowUpActivity,
    Notification,
    NotificationKind,
    Recommendation,
    Status,
    TargetDateChangeRequest,
    TargetDateRequestStatus,
    UpdateRound,
)

BODY_LIMIT = 300  # characters of a recommendation's text or a note carried in a notification
TITLE_LIMIT = 200  # Notification.title's max_length

# Sent after `notify_each` records notifications in one insert, which sends no post_save: reminders/ queues their
# email as it does for a notification saved one at a time.
notifications_recorded = Signal()


def notify(
    recipient: User | None,
    kind: NotificationKind,
    *,
    key: str,
    title: str,
    body: str = "",
    recommendation: Recommendation | None = None,
    inspection: Inspection | None = None,
    update_round: UpdateRound | None = None,
) -> Notification | None:
    """Record that `recipient` is to be told of an event, once: the notification, or None when there is nobody
    active to tell or the event (its `key`) was already told. Call it inside the transaction that records the
    event, so that both commit or neither does."""
    if recipient is None or not recipient.is_active:
        return None
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "kind": kind,
            "title": title[:TITLE_LIMIT],
            "body": body,
            "recommendation": recommendation,
            "inspection": inspection,
            "update_round": update_round,
        },
    )
    return notification if created else None


def notify_each(recipients: QuerySet[User], kind: NotificationKind, *, key: str, title: str, **fields: Any) -> None:
    """As `notify` for each active one of `recipients`, in one insert however many they are (a report is told to
    every HMPPS lead), their ids read and no more: `key` is formatted with each one's `pk`. An event one of them was
    already told of is skipped by the database (the key is unique)."""
    rows = [
        Notification(recipient_id=pk, kind=kind, key=key.format(pk=pk), title=title[:TITLE_LIMIT], **fields)
        for pk in recipients.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        notifications_recorded.send(sender=Notification)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1].rstrip() + "…"


def _date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _others(people: Iterable[User | None], by_id: int | None) -> list[User]:
    """Each person once, without the one who acted: nobody is told of their own action."""
    seen: dict[int, User] = {}
    for person in people:
        if person is not None and person.pk != by_id:
            seen.setdefault(person.pk, person)
    return list(seen.values())


# --- owners and closure decisions: from the recommendation's history ---


def tell_new_owner(recommendation: Recommendation, *, history_id: int, by_id: int | None) -> None:
    owner = recommendation.owner
    if owner is None or owner.pk == by_id:
        return
    notify(
        owner,
        NotificationKind.OWNER_ASSIGNED,
        key=f"owner:{history_id}",
        title=f"You are now the owner of {recommendation.reference}",
        body=_short(recommendation.text),
        recommendation=recommendation,
    )


CLOSURE_DECISIONS = {
    Status.OPEN: "Closure declined: it stays open",
    Status.CLOSED_IMPLEMENTED: "Closed as implemented",
    Status.CLOSED_NOT_IMPLEMENTED: "Closed as not implemented",
    Status.SUPERSEDED: "Closed as superseded",
}


def tell_closure_decided(
    recommendation: Recommendation, *, history_id: int, by_id: int | None, asked_by: User | None, reason: str
) -> None:
    """To whoever asked for closure and the owner: what was decided, and why."""
    decision = CLOSURE_DECISIONS.get(Status(recommendation.status), recommendation.get_status_display())
    for person in _others([asked_by, recommendation.owner], by_id):
        notify(
            person,
            NotificationKind.CLOSURE_DECIDED,
            key=f"closure:{history_id}:{person.pk}",
            title=f"Closure request for {recommendation.reference} decided: {decision.lower()}",
            body=f"Decision: {decision}." + (f"\nReason: {_short(reason)}" if reason.strip() else ""),
            recommendation=recommendation,
        )


def history_written(sender: Any, *, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple_history's post_create_historical_record, for each recommendation saved one at a time: a new owner
    or a decided closure is told. Compares the row with the one before it (one query)."""
    if not isinstance(instance, Recommendation) or history_instance.history_user_id is None:
        return  # a change nobody made in person (a script, a data load) is nobody's news
    previous = _history_before(history_instance, 1)
    before_owner, before_status = (previous[0]["owner_id"], previous[0]["status"]) if previous else (None, None)
    by_id = history_instance.history_user_id
    if instance.owner_id is not None and instance.owner_id != before_owner:
        tell_new_owner(instance, history_id=history_instance.history_id, by_id=by_id)
    if before_status == Status.AWAITING_CLOSURE and instance.status != Status.AWAITING_CLOSURE:
        tell_closure_decided(
            instance,
            history_id=history_instance.history_id,
            by_id=by_id,
            asked_by=_closure_asked_by(history_instance),
            reason=history_instance.history_change_reason or "",
        )


def _history_before(history_row: Any, count: int) -> list[dict[str, Any]]:
    rows = type(history_row).objects.filter(id=history_row.id, history_id__lt=history_row.history_id)
    return list(rows.order_by("-history_id").values("owner_id", "status", "history_user_id")[:count])


# A closure waits a while: the request is among the last rows before its decision (each later edit adds one).
CLOSURE_LOOKBACK = 100


def _closure_asked_by(history_row: Any) -> User | None:
    """Who asked for the closure just decided: the author of the first row of the run in 'awaiting closure'."""
    asked_by_id = None
    for row in _history_before(history_row, CLOSURE_LOOKBACK):
        if row["status"] != Status.AWAITING_CLOSURE:
            break
        asked_by_id = row["history_user_id"]
    return User.objects.filter(pk=asked_by_id).first() if asked_by_id else None


def tell_of_bulk_changes(rows: list[Recommendation], before: dict[int, tuple[int | None, str]], by: User) -> None:
    """The admin's bulk actions (their history written in bulk, without a signal): as `history_written` for each
    row whose owner or closure changed. `before`: each row's (owner id, status) before the change."""
    changed = [row for row in rows if (row.owner_id, row.status) != before[row.pk]]
    if not changed:
        return
    latest = _latest_history_ids([row.pk for row in changed])
    for row in changed:
        owner_before, status_before = before[row.pk]
        if row.owner_id is not None and row.owner_id != owner_before:
            tell_new_owner(row, history_id=latest[row.pk], by_id=by.pk)
        if status_before == Status.AWAITING_CLOSURE and row.status != Status.AWAITING_CLOSURE:
            history_row = Recommendation.history.get(history_id=latest[row.pk])
            asked_by = _closure_asked_by(history_row)
            reason = history_row.history_change_reason or ""
            tell_closure_decided(row, history_id=latest[row.pk], by_id=by.pk, asked_by=asked_by, reason=reason)


def _latest_history_ids(pks: list[int]) -> dict[int, int]:
    latest = Recommendation.history.filter(id__in=pks).values("id").annotate(last=Max("history_id"))
    return {row["id"]: row["last"] for row in latest}


# --- target date requests, follow-up, reports ---


def tell_date_request_decided(change_request: TargetDateChangeRequest, *, by: User) -> None:
    """To whoever asked and the owner: approved (the new date) or rejected (the note)."""
    recommendation = change_request.recommendation
    approved = change_request.status == TargetDateRequestStatus.APPROVED
    decision = "approved" if approved else "rejected"
    body = f"New target date: {_date(change_request.proposed_date)}." if approved else ""
    if note := change_request.decision_note.strip():
        body += f"\nReason: {_short(note)}"
    for person in _others([change_request.requested_by, recommendation.owner], by.pk):
        notify(
            person,
            NotificationKind.DATE_REQUEST_DECIDED,
            key=f"date-request:{change_request.pk}:{person.pk}",
            title=f"Request to move the target date of {recommendation.reference} {decision}",
            body=body.strip(),
            recommendation=recommendation,
        )


def tell_follow_up(activity: FollowUpActivity, *, by: User | None) -> None:
    """To the owner, unless they recorded it themselves."""
    recommendation = activity.recommendation
    owner = recommendation.owner
    if owner is None or (by is not None and owner.pk == by.pk):
        return
    notes = f"\n{_short(activity.notes)}" if activity.notes.strip() else ""
    notify(
        owner,
        NotificationKind.FOLLOW_UP_RECORDED,
        key=f"follow-up:{activity.pk}",
        title=f"Follow-up activity recorded on {recommendation.reference}",
        body=f"{activity.get_kind_display()} on {_date(activity.activity_date)}.{notes}",
        recommendation=recommendation,
    )


def tell_report_imported(inspection: Inspection, recommendations: list[Recommendation], *, by: User | None) -> None:
    """To the regional leads of its region, if it has recommendations for the region (or its PDUs), and to the
    HMPPS leads, if it has some for HMPPS or the Ministry of Justice: the people who answer for them."""
    regional = sum(1 for row in recommendations if row.addressee in REGIONAL_ADDRESSEES)
    national = sum(1 for row in recommendations if row.addressee in NATIONAL_ADDRESSEES)
    audiences: list[tuple[QuerySet[User], int, str]] = []
    if regional and inspection.region_id is not None:
        leads = User.objects.filter(role=Role.REGIONAL_LEAD, region_id=inspection.region_id)
        audiences.append((leads, regional, "your region"))
    if national:
        audiences.append((User.objects.filter(role=Role.HMPPS_LEAD), national, "HMPPS"))
    for people, count, whom in audiences:
        notify_each(
            people.exclude(pk=by.pk) if by else people,  # nobody is told of their own action
            NotificationKind.REPORT_IMPORTED,
            key=f"report:{inspection.pk}:{{pk}}",
            title=f"New inspection report: {inspection.title}",
            body=f"{count} recommendation{'' if count == 1 else 's'} for {whom}.",
            inspection=inspection,
        )


# --- reading them: the person's own, and nobody else's ---

INBOX_PAGE_SIZE = 25


def inbox(user: User) -> QuerySet[Notification]:
    """The Notifications page: `user`'s own, newest first (index notification_inbox)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """The header's count: one query over the partial index notification_unread."""
    return Notification.objects.filter(recipient=user).unread().count()


def notification_open(*, user: User, pk: int) -> Notification | None:
    """`user`'s notification `pk`, marked read as they open it; None if it is not theirs (or does not exist)."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read: how many."""
    return Notification.objects.filter(recipient=user).unread().update(read_at=timezone.now())
