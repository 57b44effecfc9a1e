"""Importing a report: the seed reports of inspections/seeds/, each imported N times in a transaction rolled back;
and parsing one with a long line, to show the parser's time grows linearly with a line's length.

`python -m bench.import_bench` prints the long-line timings alone (no database needed).
"""

import contextlib
import datetime
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from recommendations.importing import ImportResult

SEEDS = Path(__file__).resolve().parent.parent / "inspections" / "seeds"
KENT = SEEDS / "kent-surrey-sussex-public-protection-2025.txt"
LINE_LENGTHS = (2_500, 5_000, 10_000)  # 10,000: the longest line the parser takes
# The line of the Kent report (by its start) that a long line replaces, and what the long line is made of: words,
# or a run of spaces (which made the old patterns rescan the run from each of its positions).
LONG_LINES: dict[str, tuple[str, Callable[[int], str]]] = {
    "words in a recommendation": ("- ensure that PSOs", lambda n: ("- ensure " + "all staff " * n)[: n - 4] + "PSOs"),
    "spaces in a recommendation": ("- ensure that PSOs", lambda n: "- ensure that" + " " * (n - 17) + "PSOs"),
    "spaces in a heading": ("HMPPS recommendations (Back to top)",
                            lambda n: "HMPPS recommendations" + " " * (n - 34) + "(Back to top)"),
    "spaces in a paragraph": ("This review of", lambda n: "This" + " " * (n - 13) + "review of"),
}  # fmt: skip


class _Rollback(Exception):
    pass


def time_imports(runs: int = 10) -> list[dict[str, Any]]:
    try:
        from recommendations.importing import import_report
    except ImportError as missing:
        return [{"report": "-", "error": f"not built yet ({missing})"}]
    return [_time_one(import_report, path, runs) for path in sorted(SEEDS.glob("*.txt"))]


def _time_one(import_report: Callable[..., ImportResult], path: Path, runs: int) -> dict[str, Any]:
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


def _import_and_roll_back(import_report: Callable[..., ImportResult], text: str) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = import_report(text=text, published_on=datetime.date(2025, 10, 14))
            if not result.created:
                raise RuntimeError("the report is already in the bench database: it would not be imported")
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return elapsed


def time_long_lines(runs: int = 5) -> list[dict[str, Any]]:
    """Parse time of the Kent report with one long line, for each kind of line and length; and a refused one."""
    from inspections.parsing import ReportFormatError, parse_report

    text = KENT.read_text(encoding="utf-8")
    results = []
    for kind, (anchor, make) in LONG_LINES.items():
        timings = {n: _median_parse(parse_report, _with_line(text, anchor, make(n)), runs) for n in LINE_LENGTHS}
        longest, half = LINE_LENGTHS[-1], LINE_LENGTHS[-2]
        results.append({"line": kind, "ms": timings, "growth": timings[longest] / max(timings[half], 1e-3)})
    refused = text.replace(
        LONG_LINES["spaces in a recommendation"][0], LONG_LINES["spaces in a recommendation"][1](32_000)
    )
    started = time.perf_counter()
    try:
        parse_report(refused)
    except ReportFormatError as error:
        said = str(error)[:120]
    else:
        said = ""  # read, not refused: a MISS
    elapsed = (time.perf_counter() - started) * 1000
    results.append({"line": "32,000 spaces", "refused_ms": elapsed, "refused": bool(said), "error": said})
    return results


def _with_line(text: str, start: str, line: str) -> str:
    lines = text.split("\n")
    index = next(index for index, old in enumerate(lines) if old.startswith(start))
    assert len(line) in (*LINE_LENGTHS, 32_000), len(line)
    return "\n".join([*lines[:index], line, *lines[index + 1 :]])


def _median_parse(parse_report: Callable[[str], object], text: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(Exception):  # a line the parser refuses is timed too: the time to say so
            parse_report(text)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    for one in time_long_lines():
        print(one)
