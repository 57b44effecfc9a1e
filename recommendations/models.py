"""Recommendations and everything that follows them up.

Three things are kept apart, as mature trackers do: the addressee's *response*, the *progress* the owner
reports, and the Inspectorate's *judgement* at follow-up, which ends in *closure* (the workflow `status`).
"""

import datetime
from collections.abc import Callable, Collection
from typing import Any, Self, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.models import User
from recommendations import permissions
from recommendations.addressees import ADDRESSEE_CODES

# Re-exported for those who import them here.
from recommendations.addressees import NATIONAL_ADDRESSEES as NATIONAL_ADDRESSEES
from recommendations.addressees import REGIONAL_ADDRESSEES as REGIONAL_ADDRESSEES
from recommendations.addressees import Addressee as Addressee
from recommendations.comparison_keys import comparison_key

TARGET_DATE_MOVED_WITHOUT_REASON = "Give a reason for moving the target date."


def target_date_refusal(current: datetime.date | None, target_date: datetime.date | None, reason: str) -> str:
    """The rule that a target date never moves without a written reason: why it may not go from `current` to
    `target_date` with this `reason`, or "" if it may (the first date needs none). The model's clean and save, the
    services and every form that sets one ask here."""
    if current is not None and target_date != current and not reason.strip():
        return TARGET_DATE_MOVED_WITHOUT_REASON
    return ""


class Status(models.TextChoices):
    OPEN = "open", "Open"
    AWAITING_CLOSURE = "awaiting_closure", "Awaiting closure decision"
    CLOSED_IMPLEMENTED = "closed_implemented", "Closed: implemented"
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented", "Closed: not implemented"
    SUPERSEDED = "superseded", "Superseded"


ACTIVE_STATUSES = (Status.OPEN, Status.AWAITING_CLOSURE)
CLOSED_STATUSES = (Status.CLOSED_IMPLEMENTED, Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED)
# Each status's GOV.UK tag colour (macros/tags.html): the words carry the meaning, the colour only reinforces it.
STATUS_COLOURS: dict[str, str] = {
    Status.OPEN: "blue",
    Status.AWAITING_CLOSURE: "purple",
    Status.CLOSED_IMPLEMENTED: "green",
    Status.CLOSED_NOT_IMPLEMENTED: "orange",
    Status.SUPERSEDED: "grey",
}


def status_colour(status: str) -> str:
    """The colour of a status's tag (grey for one not listed)."""
    return STATUS_COLOURS.get(status, "grey")


class Response(models.TextChoices):
    AWAITING = "awaiting", "Awaiting response"
    AGREED = "agreed", "Agreed"
    PARTLY_AGREED = "partly_agreed", "Partly agreed"
    NOT_AGREED = "not_agreed", "Not agreed"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Judgement(models.TextChoices):
    NOT_ASSESSED = "", "Not yet assessed"
    NO_MEANINGFUL = "no_meaningful", "No meaningful progress"
    INSUFFICIENT = "insufficient", "Insufficient progress"
    REASONABLE = "reasonable", "Reasonable progress"
    GOOD = "good", "Good progress"


class Theme(models.Model):
    """A subject that recommendations share (workforce, information sharing…), to see repeats across reports."""

    name = models.CharField(max_length=80, unique=True)
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated words that suggest this theme on import."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The letter of a reference (N57-PP-2025/R3) back to its addressee: the inverse of Recommendation.addressee_code.
ADDRESSEE_BY_CODE = {code: addressee for addressee, code in ADDRESSEE_CODES.items()} | {"O": Addressee.OTHER}


def reference_match(value: str) -> Q:
    """The recommendation a whole reference names ("N57-PP-2025/R1", any case); matches nothing if it is not one."""
    inspection_reference, _, tail = value.strip().rpartition("/")
    code, number = tail[:1].upper(), tail[1:]
    if not inspection_reference or code not in ADDRESSEE_BY_CODE or not number.isdigit() or len(number) > 4:
        return Q(pk__in=[])
    return Q(inspection__reference__iexact=inspection_reference, addressee=ADDRESSEE_BY_CODE[code], number=int(number))


class Question(models.TextChoices):
    """What a recommendation can wait for the Inspectorate to decide (its "Waiting for you" queue)."""

    TARGET_DATE = "target_date", "A new target date"
    CLOSURE = "closure", "Closure"


def _pending_requests() -> "models.QuerySet[TargetDateChangeRequest]":
    """The request to move the outer recommendation's target date that waits for a decision (one at most)."""
    return TargetDateChangeRequest.objects.filter(
        recommendation=OuterRef("pk"), status=TargetDateRequestStatus.PENDING
    ).order_by()


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def closure_asked_at() -> Coalesce:
    """When the recommendation (an outer row) last moved to 'awaiting closure decision': closure_requested_at, set
    by the workflow; else (a status set some other way) its first history row in that status after the last one in
    any other; else the time of its last change."""
    history = Recommendation.history.model.objects  # simple_history's model
    last_other = (
        history.filter(id=OuterRef("id"))
        .exclude(status=Status.AWAITING_CLOSURE)
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    asked = (
        history.filter(id=OuterRef("pk"), status=Status.AWAITING_CLOSURE)
        .filter(
            history_date__gt=Coalesce(Subquery(last_other), models.Value(EPOCH, output_field=models.DateTimeField()))
        )
        .order_by("history_date")
        .values("history_date")[:1]
    )
    return Coalesce(F("closure_requested_at"), Subquery(asked), F("updated_at"))


def date_request_asked_at() -> Subquery:
    """When the request to move the (outer) recommendation's target date now waiting for a decision was made."""
    return Subquery(_pending_requests().values("created_at")[:1])


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def active(self) -> "RecommendationQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> "RecommendationQuerySet":
        return self.active().filter(target_date__lt=today or timezone.localdate())

    def with_overdue_flag(self, today: datetime.date | None = None) -> "RecommendationQuerySet":
        today = today or timezone.localdate()
        return self.annotate(
            # Coalesce: with no target date the comparison is NULL, and NULL would escape filter(is_overdue=False).
            is_overdue=Coalesce(
                models.ExpressionWrapper(
                    Q(status__in=ACTIVE_STATUSES, target_date__lt=today), output_field=models.BooleanField()
                ),
                models.Value(False),
            )
        )

    def out_of_sight_of(self, user: User) -> "RecommendationQuerySet":
        """Those `user`, with their role and region as they are now (perhaps not yet saved), may not see
        (permissions.scope_filter): given them to own, their reminders would carry text they may not read."""
        condition = permissions.scope_filter(user)
        return self.none() if condition is None else self.exclude(condition)

    def with_latest_progress_update(self) -> "RecommendationQuerySet":
        """Each row's latest progress update: when it was made (latest_update_at) and what it said
        (latest_update_text), NULL without one. Subqueries on the progress_update_timeline index, in the same query:
        one query whatever the number of rows."""
        latest = ProgressUpdate.objects.filter(recommendation=OuterRef("pk")).order_by("-created_at", "-pk")
        return self.annotate(
            latest_update_at=Subquery(latest.values("created_at")[:1]),
            latest_update_text=Subquery(latest.values("text")[:1]),
        )

    def with_requests(self) -> "RecommendationQuerySet":
        """When each question waiting for the Inspectorate was asked, in the same query: the target date request
        waiting for a decision (date_request_at) and the older of it and the closure request (asked_at, with
        closure_requested_at); NULL where none waits."""
        asked = self.annotate(date_request_at=date_request_asked_at())
        return asked.annotate(
            asked_at=Least(
                Coalesce("date_request_at", "closure_requested_at"), Coalesce("closure_requested_at", "date_request_at")
            )
        )

    def waiting_for_decision(self, questions: Collection[str] = ()) -> "RecommendationQuerySet":
        """Those with a question waiting for the Inspectorate's decision (Question; any of them if none given)."""
        wanted = set(questions) or set(Question.values)
        waiting = Q(pk__in=[])
        if Question.TARGET_DATE in wanted:
            # A request left pending on a closed recommendation asks nothing more (as the reminders see it).
            waiting |= Q(Exists(_pending_requests()), status__in=ACTIVE_STATUSES)
        if Question.CLOSURE in wanted:
            waiting |= Q(status=Status.AWAITING_CLOSURE)
        return self.filter(waiting)

    def touch(self, at: datetime.datetime | None = None) -> int:
        """Record that something happened to these recommendations now (or `at`): their last_updated_at."""
        return self.update(last_updated_at=at or timezone.now())

    def updated_since(self, day: datetime.date) -> "RecommendationQuerySet":
        """Those on which something was recorded on `day` or later (UK time): a range of rec_last_updated."""
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return self.filter(last_updated_at__gte=start)

    def for_lists(self) -> "RecommendationQuerySet":
        # Not the report's imported text (about 25 kB) or summary on every row: no list shows them.
        related = self.select_related("inspection", "region", "pdu", "owner")
        return related.defer("inspection__source_text", "inspection__summary")


def _fsm_permission(rule: Callable[["Recommendation", Any], bool]) -> Callable[[models.Model, Any], bool]:
    """A rule of permissions.py as django-fsm's transition() takes it: typed there for any model, it is only ever
    called with the Recommendation whose status changes."""
    return cast(Callable[[models.Model, Any], bool], rule)


CAN_RESPOND = _fsm_permission(permissions.can_respond)
CAN_DECIDE = _fsm_permission(permissions.can_decide)


class Recommendation(ConcurrentTransitionMixin, models.Model):
    inspection = models.ForeignKey("inspections.Inspection", on_delete=models.PROTECT, related_name="recommendations")
    addressee = models.CharField(max_length=10, choices=Addressee.choices)
    # Copied from the inspection (or the PDU) so that scoping and lists filter without a join.
    region = models.ForeignKey(
        "inspections.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    pdu = models.ForeignKey(
        "inspections.ProbationDeliveryUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    addressee_other = models.CharField(max_length=200, blank=True, help_text="Who, when the addressee is 'Other'.")
    number = models.PositiveSmallIntegerField(help_text="Its number within the report's list for this addressee.")
    text = models.TextField()
    # The text as recurring recommendations are compared (comparison_keys.py), kept by save() and the import: a
    # process comparing its first report reads the recorded keys instead of working 100,000 of them out again.
    comparison_key = models.TextField(blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A person who owns recommendations is deactivated, never deleted with their work.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_recommendations",
    )
    status = FSMField(max_length=24, choices=Status.choices, default=Status.OPEN)
    target_date = models.DateField(null=True, blank=True)
    response = models.CharField(max_length=16, choices=Response.choices, default=Response.AWAITING)
    response_reason = models.TextField(blank=True, help_text="Why it is only partly agreed or not agreed.")
    responded_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    judgement = models.CharField(max_length=16, choices=Judgement.choices, blank=True)
    priority = models.BooleanField(default=False)
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The first target date it was given and how many times a new one was set since (rates.py's slippage): kept by
    # save() and the bulk service from the change itself (note_target_date_change), so that counting a region's
    # slippage reads these columns instead of walking the history of every recommendation (seconds at 100,000).
    original_target_date = models.DateField(null=True, blank=True, editable=False)
    target_date_moves = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # When closure was last asked for, while it waits for the decision: the Inspectorate's queue is oldest first.
    closure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When something was last recorded on it: a change, a progress update, a follow-up activity, a target date
    # request or decision, an action. The list's "Last updated" and "Updated since" (rec_last_updated), written by
    # the services through `touch` (and `_save`), so that it is one definition read from one indexed column.
    last_updated_at = models.DateTimeField(default=timezone.now, editable=False)

    # Every change of status, owner, target date… is kept with who, when and why (history_change_reason).
    history = HistoricalRecords(
        # Not kept: the times (the status's history says when), the text and its comparison key, and the target
        # date's first date and its moves (the target date's own history says them).
        excluded_fields=[
            "updated_at",
            "created_at",
            "text",
            "comparison_key",
            "closure_requested_at",
            "last_updated_at",
            "original_target_date",
            "target_date_moves",
        ],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "addressee", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "addressee", "number"], name="recommendation_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="recommendation_number_positive"),
            models.CheckConstraint(
                condition=Q(region__isnull=False) | ~Q(addressee__in=REGIONAL_ADDRESSEES),
                name="recommendation_regional_has_region",
                violation_error_message="A recommendation to a region or PDU needs its region.",
            ),
            models.CheckConstraint(
                condition=Q(pdu__isnull=False) | ~Q(addressee=Addressee.PDU),
                name="recommendation_pdu_has_pdu",
                violation_error_message="A recommendation to a PDU needs its PDU.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES, closed_at__isnull=False)
                | Q(status__in=ACTIVE_STATUSES, closed_at__isnull=True),
                name="recommendation_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(response__in=[Response.AWAITING, Response.AGREED]) | ~Q(response_reason=""),
                name="recommendation_disagreement_has_reason",
                violation_error_message="Say why the recommendation is only partly agreed or not agreed.",
            ),
            models.CheckConstraint(condition=~Q(superseded_by=F("pk")), name="recommendation_not_superseded_by_itself"),
        ]
        indexes = [
            # Reminder sweep and 'overdue' lists: active items by target date.
            models.Index(fields=["target_date"], condition=Q(status__in=ACTIVE_STATUSES), name="rec_active_target"),
            # My actions: an owner's active items by target date.
            models.Index(
                fields=["owner", "target_date"], condition=Q(status__in=ACTIVE_STATUSES), name="rec_owner_active"
            ),
            # Regional scoping and the dashboard's counts by region and status.
            models.Index(fields=["region", "status", "target_date"], name="rec_region_status"),
            # National (HMPPS/MoJ) scoping and the dashboard's counts by addressee.
            models.Index(fields=["addressee", "status", "target_date"], name="rec_addressee_status"),
            # "Has this report a recommendation in the region?" (the list's inspection choices, a lead's reports):
            # one index probe per report instead of reading its ~200 recommendations.
            models.Index(fields=["inspection", "region"], name="rec_inspection_region"),
            # Recurrence: the texts added or changed since the comparison keys were last brought up to date.
            models.Index(fields=["updated_at"], name="rec_updated_at"),
            # The list's and the exports' "Updated since": a range scan, newest first, at any number of rows.
            models.Index(fields=["last_updated_at"], name="rec_last_updated"),
            # The Inspectorate's queue: closure requests, oldest first (the dashboard's "Waiting for you").
            models.Index(
                fields=["closure_requested_at"], condition=Q(status=Status.AWAITING_CLOSURE), name="rec_closure_queue"
            ),
        ]

    # Set before a save: django-simple-history writes them on the history row (the reason also allows a moved date).
    _history_user: Any
    _change_reason: str

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if refusal := self._target_date_refusal():
            raise ValidationError({"target_date": refusal})
        if "text" in self.__dict__:  # not when it was left unread (only(), defer()): it has not changed then
            self.comparison_key = comparison_key(self.text)
        if (fields := kwargs.get("update_fields")) is not None and "text" in fields:
            kwargs["update_fields"] = {*fields, "comparison_key"}
        self.note_target_date_change()
        super().save(*args, **kwargs)
        self._loaded_values = self._tracked_values()
        self._change_reason = ""  # a reason explains one change; the next move needs its own

    # --- the values as stored, which the rules below compare a change with ---

    # The target date (it moves only with a reason) and who answers for it, its owner and its replacement (checked
    # only when they change, so that someone who has left keeps old work until it is given to another).
    TRACKED_FIELDS = ("target_date", "owner_id", "addressee", "region_id", "superseded_by_id")

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Self:
        # Django's documented way to compare a change with the values loaded ("Customizing model loading"): no
        # query of its own, where reading them again in clean() would cost one per row of the report's inline.
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_values = instance._tracked_values()
        return instance

    def _tracked_values(self) -> dict[str, object]:
        """The TRACKED_FIELDS as they are now (deferred fields are left out)."""
        return {name: self.__dict__[name] for name in self.TRACKED_FIELDS if name in self.__dict__}

    # --- the rule that a target date never moves without a written reason (target_date_refusal) ---

    def _target_date_refusal(self) -> str:
        """target_date_refusal() from the date as loaded to the date now, with the reason given for this save."""
        stored = getattr(self, "_loaded_values", {}).get("target_date")
        return target_date_refusal(stored, self.target_date, getattr(self, "_change_reason", ""))

    def note_target_date_change(self) -> None:
        """Before a save: a target date set where none was loaded, or a different one, is its original date the
        first time and a move every time after (cleared and set again counts as a move too)."""
        stored = getattr(self, "_loaded_values", {}).get("target_date")
        if self.target_date is None or self.target_date == stored:
            return
        if self.original_target_date is None:
            self.original_target_date = self.target_date
        else:
            self.target_date_moves += 1

    def target_date_moved(self) -> bool:
        """Whether the target date differs from the one loaded (a first date is no move)."""
        stored = getattr(self, "_loaded_values", {}).get("target_date")
        return bool(target_date_refusal(stored, self.target_date, reason=""))

    # --- the rule that only people who can see a recommendation own it, and only one they answer for replaces it ---

    def scoping_changed(self, *names: str) -> bool:
        """Whether any of these TRACKED_FIELDS differs from what was loaded (a new one: True). Only then are they
        checked, so that someone who has left keeps old work until it is given to another."""
        loaded = getattr(self, "_loaded_values", None)
        now = self._tracked_values()
        return loaded is None or any(now.get(name) != loaded.get(name) for name in names)

    def clean(self) -> None:
        super().clean()
        if refusal := self._target_date_refusal():
            raise ValidationError({"target_date": refusal})
        if self.addressee in REGIONAL_ADDRESSEES and self.region_id is None and self.inspection_id:
            self.region_id = self.inspection.region_id
        if self.region_id and self.inspection_id and self.inspection.region_id not in (None, self.region_id):
            # A region's own report speaks to that region only (filter_options.py relies on it).
            raise ValidationError({"region": "A report on one region cannot make a recommendation to another."})
        errors = {}
        changed_owner = self.scoping_changed("owner_id", "addressee", "region_id")
        if changed_owner and self.owner_id is not None and (refusal := permissions.owner_refusal(self, self.owner)):
            errors["owner"] = refusal  # its reminders would send its text to someone who may not read it
        # Only when it is chosen: the forms that can change the addressee (the report's inline) do not show it.
        replacement = self.superseded_by_id is not None and self.scoping_changed("superseded_by_id")
        replacing = self.superseded_by if replacement else None
        if replacing is not None and (refusal := permissions.replacement_refusal(self, replacing)):
            errors["superseded_by"] = refusal
        if errors:
            raise ValidationError(errors)

    @property
    def reference(self) -> str:
        return f"{self.inspection.reference}/{self.addressee_code}{self.number}"

    @property
    def addressee_code(self) -> str:
        return ADDRESSEE_CODES.get(self.addressee, "O")

    @property
    def addressee_name(self) -> str:
        if self.addressee == Addressee.REGION and self.region is not None:
            return self.region.name
        if self.addressee == Addressee.PDU and self.pdu is not None:
            return self.pdu.name
        if self.addressee == Addressee.OTHER and self.addressee_other:
            return self.addressee_other
        return self.get_addressee_display()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def status_colour(self) -> str:
        return status_colour(self.status)

    def closed_refusal(self, *, named: bool = False) -> str:
        """Why it takes no change now, or "": once closed or superseded, nothing changes but reopening (by the
        Inspectorate). `named`: the message names it (one of a batch)."""
        if self.is_active:
            return ""
        return f"{self.reference if named else 'This recommendation'} is closed: reopen it first to change it."

    def days_overdue(self, today: datetime.date | None = None) -> int:
        if not self.is_active or self.target_date is None:
            return 0
        return max(0, ((today or timezone.localdate()) - self.target_date).days)

    # --- workflow (who may take each step: recommendations/rules.py) ---

    @transition(field=status, source=Status.OPEN, target=Status.AWAITING_CLOSURE, permission=CAN_RESPOND)
    def request_closure(self) -> None:
        self.closure_requested_at = timezone.now()

    @transition(field=status, source=Status.AWAITING_CLOSURE, target=Status.OPEN, permission=CAN_DECIDE)
    def decline_closure(self) -> None:
        self.closure_requested_at = None

    @transition(field=status, source=ACTIVE_STATUSES, target=Status.CLOSED_IMPLEMENTED, permission=CAN_DECIDE)
    def close_implemented(self) -> None:
        self.closed_at, self.closure_requested_at = timezone.now(), None

    @transition(field=status, source=ACTIVE_STATUSES, target=Status.CLOSED_NOT_IMPLEMENTED, permission=CAN_DECIDE)
    def close_not_implemented(self) -> None:
        self.closed_at, self.closure_requested_at = timezone.now(), None

    @transition(field=status, source=ACTIVE_STATUSES, target=Status.SUPERSEDED, permission=CAN_DECIDE)
    def supersede(self) -> None:
        self.closed_at, self.closure_requested_at = timezone.now(), None

    @transition(field=status, source=CLOSED_STATUSES, target=Status.OPEN, permission=CAN_DECIDE)
    def reopen(self) -> None:
        self.closed_at = None
        self.superseded_by = None


class ProgressUpdate(models.Model):
    """A dated update from the owner on implementation, optionally with evidence."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="progress_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(max_length=12, choices=Progress.choices)
    text = models.TextField()
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "-created_at"]
        indexes = [
            # A recommendation's timeline, newest first.
            models.Index(fields=["recommendation", "-created_at"], name="progress_update_timeline"),
            # What's changed: the updates since a date, newest first (recommendations/changes.py).
            models.Index(fields=["created_at"], name="progress_update_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_progress_display()} ({self.created_at:%d %b %Y})"


class ActionPlanItem(models.Model):
    """One action of the owner's plan for a recommendation."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.TextField()
    responsible = models.CharField(max_length=200, blank=True, help_text="Who will do it (a name or a team).")
    target_date = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "position", "id"]
        indexes = [
            # What's changed: actions added, and completed, since a date.
            models.Index(fields=["created_at"], name="action_added"),
            models.Index(fields=["completed_on"], condition=Q(completed_on__isnull=False), name="action_completed"),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class FollowUpKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    EVIDENCE_REVIEW = "evidence_review", "Evidence review"
    VISIT = "visit", "Visit"
    REINSPECTION = "reinspection", "Re-inspection"
    LETTER = "letter", "Letter"


class FollowUpActivity(models.Model):
    """What the Inspectorate did, or plans to do, to follow a recommendation up."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=16, choices=FollowUpKind.choices)
    activity_date = models.DateField(help_text="When it took place, or is planned for.")
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="Empty while the activity is still planned.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "-activity_date"]
        verbose_name = "follow-up activity"
        verbose_name_plural = "follow-up activities"
        indexes = [
            # A recommendation's timeline, newest first.
            models.Index(fields=["recommendation", "-activity_date"], name="follow_up_timeline"),
            # What's changed: the activities recorded since a date, newest first.
            models.Index(fields=["created_at"], name="follow_up_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.activity_date:%d %b %Y}"


class TargetDateRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class TargetDateChangeRequest(models.Model):
    """An addressee's request to move a target date; only the Inspectorate moves it (services.py)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="target_date_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_date = models.DateField()
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=TargetDateRequestStatus.choices, default=TargetDateRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="target_date_request_has_reason",
                violation_error_message="Say why the target date should move.",
            ),
            models.CheckConstraint(
                condition=Q(status=TargetDateRequestStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                | Q(
                    status__in=[TargetDateRequestStatus.APPROVED, TargetDateRequestStatus.REJECTED],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="target_date_request_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status=TargetDateRequestStatus.REJECTED) | ~Q(decision_note=""),
                name="target_date_request_rejection_has_note",
                violation_error_message="Say why the request is rejected.",
            ),
            # One open question at a time: a second request waits until the first is decided.
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(status=TargetDateRequestStatus.PENDING),
                name="target_date_request_one_pending",
                violation_error_message="A request to move this target date is already waiting for a decision.",
            ),
        ]
        indexes = [
            # A recommendation's timeline, newest first.
            models.Index(fields=["recommendation", "-created_at"], name="target_date_request_timeline"),
            # The Inspectorate's queue: requests waiting for a decision, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status=TargetDateRequestStatus.PENDING),
                name="target_date_request_queue",
            ),
            # What's changed: requests made, and decisions taken, since a date.
            models.Index(fields=["created_at"], name="target_date_request_made"),
            models.Index(
                fields=["decided_at"], condition=Q(decided_at__isnull=False), name="target_date_request_decided"
            ),
        ]

    def __str__(self) -> str:
        return f"Move to {self.proposed_date:%d %b %Y} ({self.get_status_display().lower()})"


class RecurrenceState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed: a repeat"
    DISMISSED = "dismissed", "Dismissed: not a repeat"


class RecurrenceLinkQuerySet(models.QuerySet["RecurrenceLink"]):
    def confirmed(self) -> "RecurrenceLinkQuerySet":
        return self.filter(state=RecurrenceState.CONFIRMED)

    def seen_by(self, user: Any) -> "RecurrenceLinkQuerySet":
        """Links whose two recommendations `user` may both see (permissions.scope_filter)."""
        condition = permissions.scope_filter(user)
        if condition is None:  # everything: no subquery over every recommendation
            return self
        visible = Recommendation.objects.filter(condition).values("pk")
        return self.filter(earlier__in=visible, later__in=visible)


class RecurrenceLink(models.Model):
    """A later recommendation that is likely the same as an earlier one, in other words: suggested on import with
    how alike the two are (recommendations/recurrence.py), then confirmed or dismissed by Inspectorate staff."""

    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="repeated_by")
    later = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="repeats")
    score = models.PositiveSmallIntegerField(help_text="How alike the two texts are, 0-100.")
    state = models.CharField(max_length=10, choices=RecurrenceState.choices, default=RecurrenceState.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecurrenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-score", "pk"]
        verbose_name = "recurrence"
        constraints = [
            models.UniqueConstraint(fields=["earlier", "later"], name="recurrence_link_unique_pair"),
            models.CheckConstraint(condition=~Q(earlier=F("later")), name="recurrence_link_not_itself"),
            models.CheckConstraint(condition=Q(score__lte=100), name="recurrence_link_score_at_most_100"),
            models.CheckConstraint(
                condition=Q(state=RecurrenceState.SUGGESTED, decided_by__isnull=True, decided_at__isnull=True)
                | Q(state__in=[RecurrenceState.CONFIRMED, RecurrenceState.DISMISSED], decided_at__isnull=False),
                name="recurrence_link_decision_matches_state",
            ),
        ]
        indexes = [
            # The recurring recommendations page and each recommendation's page read confirmed links only.
            models.Index(fields=["state", "earlier"], name="recurrence_link_state"),
        ]

    def __str__(self) -> str:
        return f"{self.later} repeats {self.earlier} ({self.score}% alike)"


class NotificationKind(models.TextChoices):
    OWNER_ASSIGNED = "owner_assigned", "You are the owner"
    DATE_REQUEST_DECIDED = "date_request_decided", "Target date request decided"
    CLOSURE_DECIDED = "closure_decided", "Closure request decided"
    REPORT_IMPORTED = "report_imported", "New inspection report"
    FOLLOW_UP_RECORDED = "follow_up_recorded", "Follow-up activity recorded"
    ROUND_OPENED = "round_opened", "Update round opened"
    ROUND_CHASER = "round_chaser", "Update round reminder"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something one person is told about, in the app and by email (reminders/ delivers the emails).

    Written by `recommendations.notifications.notify` in the same transaction as the event it tells of, so it
    commits with the event or not at all; its `key` names the event, so the same event never notifies twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    # What it is about: the page its link opens.
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    update_round = models.ForeignKey(
        "UpdateRound", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    # In words at the time of the event (a decision and its reason), as the email said it.
    body = models.TextField(blank=True)
    key = models.CharField(max_length=200, unique=True, help_text="The event it tells of; one notification each.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The Notifications page: one person's, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The header's unread count.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The email outbox and the morning's summaries: the last days' notifications not yet in an email.
            models.Index(fields=["created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient})"

    def get_absolute_url(self) -> str:
        """The page it is about: a round's opening and chasers open "Update your recommendations"; else its
        recommendation's, else its inspection's, else the Notifications page."""
        if self.update_round_id is not None:
            return reverse("recommendations:round_update", args=[self.update_round_id])
        if self.recommendation_id is not None:
            return reverse("recommendations:detail", args=[self.recommendation_id])
        if self.inspection_id is not None:
            return reverse("inspections:detail", args=[self.inspection_id])
        return reverse("recommendations:notifications")


class ChangesVisit(models.Model):
    """When a person last looked at What's changed, and their visit before that: the page shows by default what
    happened since the visit before (services.changes_visit_record)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    previous_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "visit to What's changed"

    def __str__(self) -> str:
        return f"{self.user} saw What's changed on {self.seen_at:%d %b %Y %H:%M}"


# --- update rounds: the Inspectorate asks every owner in scope for their progress at once ---


class RoundScope(models.TextChoices):
    ALL = "all", "All recommendations"
    REGIONS = "regions", "Some regions"
    NATIONAL = "national", "National (HMPPS and the Ministry of Justice)"


class UpdateRoundQuerySet(models.QuerySet["UpdateRound"]):
    def open(self) -> "UpdateRoundQuerySet":
        return self.filter(closed_at__isnull=True)


class UpdateRound(models.Model):
    """A round of returns ("Quarter 3 2026 returns"): every owner of an open recommendation in its scope is asked
    to update all of theirs by the due date, on one page (recommendations/rounds.py)."""

    name = models.CharField(max_length=120)
    due_date = models.DateField()
    scope = models.CharField(max_length=10, choices=RoundScope.choices, default=RoundScope.ALL)
    regions = models.ManyToManyField("inspections.Region", blank=True, related_name="update_rounds")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = UpdateRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True)
                | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="update_round_closed_by_whom",
            ),
        ]
        indexes = [
            # My actions' banner and the list of rounds: the open ones.
            models.Index(fields=["due_date"], condition=Q(closed_at__isnull=True), name="update_round_open"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def scope_filter(self) -> Q:
        """A filter on recommendations: those the round asks about, open or not (a subquery for its regions, so
        that a page reads them in the same query)."""
        if self.scope == RoundScope.NATIONAL:
            return Q(addressee__in=NATIONAL_ADDRESSEES)
        if self.scope == RoundScope.REGIONS:
            regions = UpdateRound.regions.through.objects.filter(updateround_id=self.pk).values("region_id")
            return Q(addressee__in=REGIONAL_ADDRESSEES, region_id__in=regions)
        return Q()

    def items(self) -> RecommendationQuerySet:
        """The open, owned recommendations in the round's scope: what its owners are asked to update."""
        return Recommendation.objects.active().filter(self.scope_filter(), owner__isnull=False)


class RoundReturn(models.Model):
    """One recommendation returned in a round: the progress update it saved, who, when, and whether after the due
    date. A second return of the same item in the round replaces the first here (both updates stay in its history)."""

    update_round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="returns")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="round_returns")
    progress_update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="+")
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(default=timezone.now)
    late = models.BooleanField(default=False, help_text="Returned after the round's due date.")

    class Meta:
        ordering = ["update_round", "recommendation"]
        constraints = [
            models.UniqueConstraint(fields=["update_round", "recommendation"], name="round_return_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} in {self.update_round_id}{' (late)' if self.late else ''}"
