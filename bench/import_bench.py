"""Importing a report: the seed reports of inspections/seeds/, each imported N times in a transaction rolled back."""

import datetime
import statistics
import time
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

SEEDS = Path(__file__).resolve().parent.parent / "inspections" / "seeds"


class _Rollback(Exception):
    pass


def time_imports(runs: int = 10) -> list[dict]:
    try:
        from inspections.importing import import_report
    except ImportError as missing:
        return [{"report": "-", "error": f"not built yet ({missing})"}]
    return [_time_one(import_report, path, runs) for path in sorted(SEEDS.glob("*.txt"))]


def _time_one(import_report: object, path: Path, runs: int) -> dict:
    text, timings, queries = path.read_text(encoding="utf-8"), [], 0
    try:
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                timings.append(_import_and_roll_back(import_report, text))
            queries = len(captured.captured_queries)
    except Exception as error:  # a seed that is not a full report (e.g. a news item) is reported, not fatal
        skipped = type(error).__name__ == "ReportFormatError"
        return {"report": path.name, "error": f"{type(error).__name__}: {error}"[:200], "skipped": skipped}
    return {"report": path.name, "median_ms": statistics.median(timings) * 1000, "max_ms": max(timings) * 1000,
            "runs": runs, "queries": queries}  # fmt: skip


def _import_and_roll_back(import_report: object, text: str) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = import_report(text=text, published_on=datetime.date(2025, 10, 14))  # type: ignore[operator]
            if not result.created:
                raise RuntimeError("the report is already in the bench database: it would not be imported")
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return elapsed
