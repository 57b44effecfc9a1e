"""Timelines: history rows (one per change, ending in the recommendation's current state), progress updates,
follow-up activities, and action plans (not counted as timeline entries).

Entries are split over recommendations exactly: each gets the history rows its final state needs (created,
owner, response, target moves, closure), a few get a LONG timeline, and the rest is spread by age.
"""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from bench.dbload import insert_rows
from bench.gen_people import People
from bench.gen_recommendations import DAY, Rec
from bench.progress import Progress as Bar
from recommendations.models import (
    ACTIVE_STATUSES,
    REGIONAL_ADDRESSEES,
    ActionPlanItem,
    FollowUpActivity,
    FollowUpKind,
    Judgement,
    Progress,
    ProgressUpdate,
    Recommendation,
    Status,
)

HistoricalRecommendation = Recommendation.history.model

CHUNK = 20_000
# Which fields of the history snapshot each kind of change sets.
TOUCHES = {
    "owner": ("owner",),
    "response": ("response",),
    "target": ("target",),
    "progress": ("progress",),
    "judgement": ("judgement",),
    "request": ("status", "progress"),
    "close": ("status", "progress", "judgement"),
}
REASONS = {
    "owner": "Owner assigned",
    "response": "Response to the recommendation recorded",
    "target": "Target date moved: recruitment of the project lead took longer than planned",
    "progress": "Progress reported by the owner",
    "judgement": "Follow-up judgement recorded",
    "request": "Closure requested: evidence of implementation submitted",
    "close": "Closure decision after review of the evidence",
}
HISTORY_FIELDS = (
    "id", "addressee", "addressee_other", "number", "status", "target_date", "response", "response_reason",
    "responded_at", "progress", "judgement", "priority", "closed_at", "history_change_reason", "history_id",
    "history_date", "history_type", "history_user", "inspection", "owner", "pdu", "region", "superseded_by",
)  # fmt: skip
UPDATE_FIELDS = ("id", "recommendation", "author", "progress", "text", "evidence_url", "evidence_file", "created_at")
FOLLOW_UP_FIELDS = (
    "id", "recommendation", "kind", "activity_date", "conducted_by", "notes", "outcome", "created_at",
)  # fmt: skip
ACTION_FIELDS = (
    "id", "recommendation", "position", "description", "responsible", "target_date", "completed_on",
    "created_by", "created_at",
)  # fmt: skip


@dataclass
class Counters:
    history: int = 0
    updates: int = 0
    follow_ups: int = 0
    actions: int = 0
    long_ids: list[int] = field(default_factory=list)

    @property
    def timeline(self) -> int:
        return self.history + self.updates + self.follow_ups


def generate_timelines(
    rng: random.Random, recs: list[Rec], people: People, total: int, long_count: int, long_length: int,
    as_of: datetime.date,
) -> Counters:  # fmt: skip
    required = [_required_events(rng, rec) for rec in recs]
    counts, long_ids = _allocate(rng, recs, required, total, long_count, long_length, as_of)
    counters = Counters(long_ids=long_ids)
    bar = Bar("timeline entries", total)
    for start in range(0, len(recs), CHUNK):
        batch = _Batch(rng, people, as_of, counters)
        for index in range(start, min(start + CHUNK, len(recs))):
            batch.add(recs[index], required[index], counts[index])
        batch.insert(bar)
    bar.close()
    return counters


def _required_events(rng: random.Random, rec: Rec) -> list[str]:
    events = ["owner"] if rec.owner_id else []
    events += ["response"] if rec.responded_at else []
    events += ["target"] if rec.target != rec.initial_target else []
    if rec.status == Status.OPEN:
        events += ["progress"] if rec.progress != Progress.NOT_STARTED else []
        events += ["judgement"] if rec.judgement else []
    elif rec.status == Status.AWAITING_CLOSURE:
        events += (["judgement"] if rec.judgement else []) + ["request"]
    else:
        events += ["request", "close"] if rng.random() < 0.6 else ["close"]
    return events


def _allocate(
    rng: random.Random, recs: list[Rec], required: list[list[str]], total: int, long_count: int, long_length: int,
    as_of: datetime.date,
) -> tuple[list[int], list[int]]:  # fmt: skip
    """Entries per recommendation (1 for its creation + its required changes at least), summing to `total`."""
    counts = [1 + len(events) for events in required]
    candidates = [
        i for i, rec in enumerate(recs) if rec.status in ACTIVE_STATUSES and rec.addressee in REGIONAL_ADDRESSEES
    ]
    long_indexes = sorted(rng.sample(candidates, min(long_count, len(candidates))))
    for index in long_indexes:
        counts[index] = max(counts[index], long_length)
    extra = total - sum(counts)
    if extra < 0:
        raise ValueError(f"--timeline {total:,} is too small: these recommendations need {sum(counts):,} at least")
    long_set = set(long_indexes)
    weights = [0.0 if i in long_set else 1 + min((as_of - r.published_on).days / 365, 5) * 0.5
               for i, r in enumerate(recs)]  # fmt: skip
    _spread(rng, counts, weights, extra)
    return counts, [recs[i].id for i in long_indexes]


def _spread(rng: random.Random, counts: list[int], weights: list[float], extra: int) -> None:
    weight_total = sum(weights) or 1.0
    shares = [extra * weight / weight_total for weight in weights]
    added = [int(share) for share in shares]
    leftover = extra - sum(added)
    for index in rng.choices(range(len(counts)), weights=weights or None, k=leftover):
        added[index] += 1
    for index, value in enumerate(added):
        counts[index] += value


class _Batch:
    """The rows of one chunk of recommendations, inserted table by table."""

    def __init__(self, rng: random.Random, people: People, as_of: datetime.date, counters: Counters) -> None:
        self.rng, self.people, self.as_of, self.counters = rng, people, as_of, counters
        self.history: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        self.follow_ups: list[tuple[Any, ...]] = []
        self.actions: list[tuple[Any, ...]] = []

    def add(self, rec: Rec, required: list[str], count: int) -> None:
        extra = count - 1 - len(required)
        kinds = [self._extra_kind(rec) for _ in range(extra)]
        history_extras = [kind for kind in kinds if kind not in ("update", "follow_up")]
        self._history(rec, required, history_extras)
        self._updates(rec, kinds.count("update"))
        self._follow_ups(rec, kinds.count("follow_up"))
        self._actions(rec)

    def _extra_kind(self, rec: Rec) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return "update"
        if roll < 0.6:
            return "follow_up"
        options = ("progress", "judgement", "target", "owner") if rec.owner_id else ("progress", "judgement", "target")
        return self.rng.choice(options)

    def insert(self, bar: Bar) -> None:
        self.counters.history += insert_rows(HistoricalRecommendation, HISTORY_FIELDS, self.history, bar)
        self.counters.updates += insert_rows(ProgressUpdate, UPDATE_FIELDS, self.updates, bar)
        self.counters.follow_ups += insert_rows(FollowUpActivity, FOLLOW_UP_FIELDS, self.follow_ups, bar)
        self.counters.actions += insert_rows(ActionPlanItem, ACTION_FIELDS, self.actions)

    def _end(self, rec: Rec) -> datetime.datetime:
        return rec.closed_at or datetime.datetime.combine(self.as_of, datetime.time(7), tzinfo=datetime.UTC)

    def _dates(self, rec: Rec, count: int) -> list[datetime.datetime]:
        seconds = max(1, int((self._end(rec) - rec.created_at).total_seconds()) - 1)
        return [rec.created_at + datetime.timedelta(seconds=s) for s in sorted(self.rng.randrange(1, seconds + 1)
                for _ in range(count))]  # fmt: skip

    def _history(self, rec: Rec, required: list[str], extras: list[str]) -> None:
        status_path = [kind for kind in required if kind in ("request", "close")]
        head = [kind for kind in required if kind in ("owner", "response")]
        middle = [kind for kind in required if kind not in status_path and kind not in head] + extras
        self.rng.shuffle(middle)
        events = head + middle + status_path
        last = {name: i for i, kind in enumerate(events) for name in TOUCHES[kind]}
        dates = self._dates(rec, len(events))
        if status_path and status_path[-1] == "close":
            assert rec.closed_at is not None, "a closed recommendation has its closing time"
            dates[-1] = rec.closed_at
        state = _initial_state(rec)
        self._snapshot(rec, state, rec.created_at, "+", "Imported from the published report", None)
        decider = self.people.inspectorate[rec.inspection_id % len(self.people.inspectorate)]
        for index, (kind, when) in enumerate(zip(events, dates, strict=True)):
            for name in TOUCHES[kind]:
                state[name] = _final(rec, name) if last[name] == index else self._intermediate(rec, kind, name)
            if kind == "close":
                state["closed_at"] = rec.closed_at
            if kind == "response":
                state.update(response_reason=rec.response_reason, responded_at=rec.responded_at)
            user = (state["owner"] or decider) if kind in ("response", "progress", "request") else decider
            self._snapshot(rec, state, when, "~", REASONS[kind], user)

    def _intermediate(self, rec: Rec, kind: str, name: str) -> object:
        if name == "status":
            return Status.AWAITING_CLOSURE
        if name == "owner":
            return self.rng.choice(self.people.regional.get(rec.region_id or 0) or self.people.hmpps)
        if name == "target":
            return rec.published_on + DAY * self.rng.randrange(30, 720)
        if name == "judgement":
            return self.rng.choice((Judgement.INSUFFICIENT, Judgement.REASONABLE, Judgement.NO_MEANINGFUL))
        if kind == "request":
            return Progress.COMPLETED
        return self.rng.choice((Progress.NOT_STARTED, Progress.IN_PROGRESS))

    def _snapshot(
        self, rec: Rec, state: dict[str, Any], when: datetime.datetime, kind: str, reason: str, user: int | None
    ) -> None:
        history_id = self.counters.history + len(self.history) + 1
        self.history.append((
            rec.id, rec.addressee, rec.addressee_other, rec.number, state["status"], state["target"],
            state["response"], state["response_reason"], state["responded_at"], state["progress"],
            state["judgement"], rec.priority, state["closed_at"], reason, history_id, when, kind, user,
            rec.inspection_id, state["owner"], rec.pdu_id, rec.region_id, None,
        ))  # fmt: skip

    def _updates(self, rec: Rec, count: int) -> None:
        author = rec.owner_id or self.people.inspectorate[0]
        for when in self._dates(rec, count):
            update_id = self.counters.updates + len(self.updates) + 1
            progress = self.rng.choice((Progress.IN_PROGRESS, Progress.IN_PROGRESS, Progress.COMPLETED))
            text = f"Update {update_id}: {self.rng.choice(UPDATE_TEXTS)}"
            self.updates.append((update_id, rec.id, author, progress, text, "", "", when))

    def _follow_ups(self, rec: Rec, count: int) -> None:
        conductor = self.people.inspectorate[rec.id % len(self.people.inspectorate)]
        for when in self._dates(rec, count):
            follow_up_id = self.counters.follow_ups + len(self.follow_ups) + 1
            planned = rec.status in ACTIVE_STATUSES and self.rng.random() < 0.1
            day = self.as_of + DAY * self.rng.randrange(1, 90) if planned else when.date()
            outcome = "" if planned else "Evidence reviewed; progress is as reported."
            kind = self.rng.choice(FollowUpKind.values)
            self.follow_ups.append((follow_up_id, rec.id, kind, day, conductor, "Follow-up notes.", outcome, when))

    def _actions(self, rec: Rec) -> None:
        if not rec.responded_at or self.rng.random() > 0.4:
            return
        for position in range(1, self.rng.randrange(2, 5)):
            action_id = self.counters.actions + len(self.actions) + 1
            target = rec.published_on + DAY * self.rng.randrange(60, 400)
            done = target if rec.status == Status.CLOSED_IMPLEMENTED else None
            author = rec.owner_id or self.people.inspectorate[0]
            description = f"Action {position} of the plan"
            self.actions.append(
                (action_id, rec.id, position, description, "Head of PDU", target, done, author, rec.responded_at)
            )


UPDATE_TEXTS = (
    "Training sessions delivered to all teams; attendance recorded.",
    "New information-sharing agreement signed with the police.",
    "Recruitment campaign launched; three vacancies filled.",
    "Quality assurance audit completed; findings shared with managers.",
)


def _initial_state(rec: Rec) -> dict[str, Any]:
    return {
        "status": Status.OPEN, "target": rec.initial_target, "response": "awaiting", "response_reason": "",
        "responded_at": None, "progress": Progress.NOT_STARTED, "judgement": "", "owner": None, "closed_at": None,
    }  # fmt: skip


def _final(rec: Rec, name: str) -> object:
    return rec.target if name == "target" else (rec.owner_id if name == "owner" else getattr(rec, name))
