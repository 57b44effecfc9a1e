"""Run the reminder sweep once, in its own process, and print what it cost as JSON (run by bench/run.py).

The process's own peak RSS (getrusage) is the sweep worker's peak memory. Queries are counted with an execute
wrapper (DEBUG stays off); those of phase 1 (create_digests: what is due, the digests and their items) are
counted apart from those of sending, to show which grows with recipients and which with items.
"""

import datetime
import json
import os
import resource
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_env import setup_django


class QueryLog:
    def __init__(self) -> None:
        self.count = 0
        self.slowest: list[tuple[float, str]] = []
        self.slowest_reads: list[tuple[float, str]] = []  # of recommendations: what the EXPLAIN is about

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self._keep(time.perf_counter() - started, context, sql, params)

    def _keep(self, seconds: float, context: dict[str, Any], sql: str, params: Any) -> None:
        reads = sql.startswith("SELECT") and "recommendations_recommendation" in sql
        if len(self.slowest) < 5 or seconds > self.slowest[-1][0] or reads:
            from django.db import connection

            text = connection.ops.last_executed_query(context["cursor"], sql, params)
            self.slowest = sorted([*self.slowest, (seconds, text)], reverse=True)[:5]
            if reads:
                self.slowest_reads = sorted([*self.slowest_reads, (seconds, text)], reverse=True)[:3]


def sweep_time() -> datetime.datetime:
    """07:00 in London on the next Monday (or BENCH_SWEEP_DATE): the heaviest sweep, since digests go on working
    days by default and Monday's holds everything that fell due over the weekend. On a Saturday only escalations go.
    """
    from django.utils import timezone

    today = timezone.localdate()
    chosen = os.environ.get("BENCH_SWEEP_DATE")
    day = datetime.date.fromisoformat(chosen) if chosen else today + datetime.timedelta(days=(7 - today.weekday()) % 7)
    return datetime.datetime.combine(day, datetime.time(7), tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def main() -> None:
    setup_django()
    from django.db import connection

    from reminders import sweep
    from reminders.models import Digest, DigestItem

    log, phase = QueryLog(), dict[str, float]()
    original = sweep.create_digests

    def counted_create_digests(*args: Any, **kwargs: Any) -> list[int]:
        before, started = log.count, time.perf_counter()
        created = original(*args, **kwargs)
        phase.update(queries=log.count - before, seconds=time.perf_counter() - started)
        return created

    sweep.create_digests = counted_create_digests
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    now = sweep_time()
    started = time.perf_counter()
    with connection.execute_wrapper(log):
        result = sweep.run_sweep(now=now)
    seconds = time.perf_counter() - started
    report = {
        "swept_at": now.isoformat(),
        "seconds": seconds,
        "queries": log.count,
        "phase1_queries": phase.get("queries"),
        "phase1_seconds": phase.get("seconds"),
        "digests": len(result.created) + len(result.requeued),
        "items": DigestItem.objects.filter(digest_id__in=result.created).count(),
        "sent": Digest.objects.filter(pk__in=result.created, status="sent").count(),
        "baseline_rss_mb": baseline_kb / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "slowest": log.slowest,
        "slowest_reads": log.slowest_reads,
    }
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
