"""Recurring recommendations: has the Inspectorate made this recommendation before, in other words?

Two texts are compared by rapidfuzz's `fuzz.ratio` (normalised Indel similarity, 0-100) on their comparison keys:
lower case, punctuation and the commonest words dropped, each word cut to its first STEM_LENGTH letters (so that
"assess", "assessed" and "assessment" meet), duplicates dropped and the words sorted (so that word order does not
count). The ratio on such keys scored best of rapidfuzz's scorers on the labelled pairs in
tests/recurrence/labelled_pairs.py (README, "Recurring recommendations"); LIKELY_REPEAT is the threshold chosen there.

Every new recommendation is compared with every recommendation already recorded (any region, report type or
addressee). Working out 100,000 keys takes far longer than comparing them, so each recommendation keeps its key in a
column (Recommendation.comparison_key, kept by save() and the import). They are then kept in this process (`_corpus`)
and brought up to date before each comparison with one query for the rows added or changed since; the suggestions
are then read again from the database and scored on their current text, so that a key kept here for a row since
deleted or changed never becomes a suggestion.

The first comparison in a process starts from the copy of every key that the processes share in Redis
(settings.CACHES["shared"]), one value, and reads from the database only the rows added or changed since that copy
was made: 100,000 rows read and turned into Python objects cost more than the comparison itself. With no copy (the
first process after Redis lost it, or a Redis that does not answer) it reads every key in one query, and shares
what it read. Beat renews the copy every settings.COMPARISON_KEYS_SHARE_SECONDS (share_keys), well within its hour,
so that an import in a process just started does not pay for reading every key.
"""

import bisect
import contextlib
import datetime
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import caches
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process
from redis.exceptions import RedisError

from core.shared_cache import SHARED_CACHE
from recommendations.comparison_keys import comparison_key
from recommendations.models import Recommendation

# Score (0-100) from which a pair is suggested as a likely repeat: chosen on the labelled pairs.
LIKELY_REPEAT = 70
# At most this many suggestions for one new recommendation, the most alike first.
MAX_SUGGESTIONS = 5
# Rows changed this long before the last refresh are read again: an import still being committed then (its rows
# numbered before rows already read) is not missed.
REFRESH_OVERLAP = datetime.timedelta(minutes=10)
# The keys every process shares, and how long one copy serves: a process starting later reads from the database every
# row changed since the copy was made, so the copy is made again (by the first process to find none) every hour.
SHARED_KEYS = "recurrence:keys"  # (made at, pks in order, keys joined by line ends): renamed if that changes
SHARED_KEYS_SECONDS = 60 * 60

logger = logging.getLogger(__name__)


def similarity(text: str, other: str) -> int:
    """How alike two recommendations are, 0-100 (LIKELY_REPEAT and above: a likely repeat)."""
    return round(fuzz.ratio(comparison_key(text), comparison_key(other)))


@dataclass(frozen=True)
class LikelyRepeat:
    recommendation: Recommendation  # with its inspection and region, to say where and when it was made
    score: int
    made_after: bool = False  # its report was published after the new one (imported out of order)

    @property
    def description(self) -> str:
        """'Made before: N57-PP-2025/H2, Kent, Surrey and Sussex, 2025, closed: not implemented'."""
        return f"Made {'after' if self.made_after else 'before'}: {made_where_and_when(self.recommendation)}"


@dataclass
class _Corpus:
    """The comparison keys of every recorded recommendation, in step with `pks`. The pks are kept in order, so that a
    row read again is found by bisection: a dict of 100,000 positions would cost each new process more to build than
    reading the keys shared with it."""

    pks: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    refreshed_at: datetime.datetime | None = None

    def refresh(self) -> None:
        now = timezone.now()
        # No ORDER BY (the model's default sorts by report): the rows are read in whatever order is quickest.
        rows = Recommendation.objects.order_by().values_list("pk", "comparison_key")
        if self.refreshed_at is None and not self._start_from_shared():
            # Sorted here: the table is read in about the order of its pks, which Python sorts at once, and
            # PostgreSQL's ORDER BY would sort 100,000 rows on disk.
            every = sorted(rows)
            self._start([pk for pk, _ in every], [key for _, key in every], at=now)
            self.share()
            return
        assert self.refreshed_at is not None  # kept here, or when the shared copy was made
        # A key changes only when save() writes a new text, which dates the row now (by the clock of whoever saved
        # it, hence the overlap on both sides). A row dated later than that was read before and has not changed
        # since: without the upper bound, data loaded with dates still to come (the bench's generated day) would be
        # read again by every refresh, and the query would scan the table rather than use its two indexes.
        changed = Q(updated_at__range=(self.refreshed_at - REFRESH_OVERLAP, now + REFRESH_OVERLAP))
        for pk, key in rows.filter(Q(pk__gt=self.pks[-1] if self.pks else 0) | changed):
            self._put(pk, key)
        self.refreshed_at = now

    def _start(self, pks: list[int], keys: list[str], *, at: datetime.datetime) -> None:
        """Every recorded key at once, as stored (Recommendation.comparison_key) at `at`, not worked out here."""
        self.pks, self.keys, self.refreshed_at = pks, keys, at

    def _start_from_shared(self) -> bool:
        """Start from the keys the processes share, as they were when the copy was made; False: there is none."""
        try:
            shared = caches[SHARED_CACHE].get(SHARED_KEYS)
        except RedisError:
            logger.warning("Recurrence: the shared cache did not answer; reading every key", exc_info=True)
            return False
        if shared is None:
            return False
        made_at, pks, keys = shared
        self._start(pks, keys.split("\n"), at=made_at)
        return True

    def share(self) -> None:
        """Keep a copy of every key for the processes that start later. The keys go as one string (a key is words
        joined by spaces, never a line end): pickled five times faster than 100,000 strings, read back no slower."""
        if not self.pks:
            return  # nothing to share ("" would read back as one empty key)
        try:
            shared = (self.refreshed_at, self.pks, "\n".join(self.keys))
            caches[SHARED_CACHE].set(SHARED_KEYS, shared, SHARED_KEYS_SECONDS)
        except RedisError:
            logger.warning("Recurrence: the shared cache did not answer; the keys are not shared", exc_info=True)

    def _put(self, pk: int, key: str) -> None:
        position = bisect.bisect_left(self.pks, pk)
        if position < len(self.pks) and self.pks[position] == pk:
            self.keys[position] = key
            return
        # Almost always at the end; a row whose import committed after a later one's goes in its place.
        self.pks.insert(position, pk)
        self.keys.insert(position, key)


_corpus = _Corpus()
_corpus_lock = threading.Lock()


def forget_keys(*, shared: bool = True) -> None:
    """Drop the keys kept in this process, and unless told otherwise their shared copy (tests whose database is
    emptied under them; the bench, to time a process starting without either)."""
    global _corpus
    with _corpus_lock:
        _corpus = _Corpus()
        if shared:
            with contextlib.suppress(RedisError):  # a Redis that does not answer has no copy to give either
                caches[SHARED_CACHE].delete(SHARED_KEYS)


def share_keys() -> int:
    """Beat (recommendations/tasks.py): bring this process's keys up to date and share them afresh, so that every
    process that starts finds a copy; how many keys. Harmless to run twice."""
    with _corpus_lock:
        _corpus.refresh()
        _corpus.share()
        return len(_corpus.pks)


def kept_keys() -> int:
    """How many recommendations' keys this process keeps (the bench reports it)."""
    return len(_corpus.pks)


def likely_repeats(texts: Sequence[str], published_on: datetime.date | None = None) -> list[list[LikelyRepeat]]:
    """For each text of a report published on `published_on`, the recorded recommendations it likely repeats,
    the most alike first."""
    if not texts:
        return []
    candidates = _candidates([comparison_key(text) for text in texts])
    found = Recommendation.objects.filter(pk__in={pk for pks in candidates for pk in pks})
    rows = {row.pk: row for row in found.select_related("inspection__region").defer(*_UNUSED_FIELDS)}
    return [
        _scored(text, [rows[pk] for pk in pks if pk in rows], published_on)
        for text, pks in zip(texts, candidates, strict=True)
    ]


_UNUSED_FIELDS = ("inspection__source_text", "inspection__summary", "inspection__follow_up_promise")


def _candidates(keys: list[str]) -> list[list[int]]:
    """For each key, the pks of the recorded recommendations whose kept keys score LIKELY_REPEAT or more."""
    with _corpus_lock:
        _corpus.refresh()
        if not _corpus.keys:
            return [[] for _ in keys]
        # One pass over all keys for all texts, on every core; 0 below the threshold.
        scores = process.cdist(
            keys, _corpus.keys, scorer=fuzz.ratio, score_cutoff=LIKELY_REPEAT, dtype=np.uint8, workers=-1
        )
        pks = _corpus.pks
    # A few more than are shown: some may be gone, or score less on their current text.
    best = [np.argsort(row, kind="stable")[::-1][: MAX_SUGGESTIONS * 2] for row in scores]
    return [[pks[i] for i in top if row[i]] for row, top in zip(scores, best, strict=True)]


def _scored(text: str, rows: list[Recommendation], published_on: datetime.date | None) -> list[LikelyRepeat]:
    scored = [LikelyRepeat(row, similarity(text, row.text), _published_after(row, published_on)) for row in rows]
    likely = [one for one in scored if one.score >= LIKELY_REPEAT]
    return sorted(likely, key=lambda one: (-one.score, one.recommendation.pk))[:MAX_SUGGESTIONS]


def made_where_and_when(recommendation: Recommendation) -> str:
    """'N57-PP-2025/H2, Kent, Surrey and Sussex, 2025, closed: not implemented' (its inspection's region)."""
    return f"{recommendation.reference}, {where_when_and_how(recommendation)}"


def where_when_and_how(recommendation: Recommendation) -> str:
    """'Kent, Surrey and Sussex, 2025, closed: not implemented': its inspection's region and year, and its status."""
    inspection = recommendation.inspection
    place = inspection.region.name if inspection.region else "national"
    year = inspection.published_on.year if inspection.published_on else "not dated"
    status = recommendation.get_status_display()
    return f"{place}, {year}, {status[:1].lower()}{status[1:]}"


def _published_after(recommendation: Recommendation, published_on: datetime.date | None) -> bool:
    made_on = recommendation.inspection.published_on
    return published_on is not None and made_on is not None and made_on > published_on
