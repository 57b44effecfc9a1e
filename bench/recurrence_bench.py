"""Recurring recommendations: comparing one new report's recommendations with every recorded one (the national data
set, 100,000 recommendations), as the import does, timed apart from the rest of the import.

"Cold": the first comparison in a process, which reads and normalises every recorded text; "warm": each one after
it, which reads only what was added or changed since (recommendations/recurrence.py). Both seed reports, N runs.
Nothing is written. `python -m bench.recurrence_bench` prints the timings (DATABASE_URL names the bench database).
"""

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent / "inspections" / "seeds"
REPORTS = ("kent-surrey-sussex-public-protection-2025.txt", "south-central-public-protection-2025.txt")


def time_comparisons(runs: int = 10) -> list[dict[str, Any]]:
    try:
        from recommendations import recurrence
    except ImportError as missing:
        return [{"report": "-", "error": f"not built yet ({missing})"}]
    from inspections.parsing import parse_report

    results = []
    for name in REPORTS:
        texts = [item.text for item in parse_report((SEEDS / name).read_text(encoding="utf-8")).recommendations]
        recurrence.forget_keys()
        cold, _ = _timed(recurrence.likely_repeats, texts)
        warm = [_timed(recurrence.likely_repeats, texts) for _ in range(runs)]
        found = sum(len(one) for one in recurrence.likely_repeats(texts))
        results.append({
            "report": name, "recommendations": len(texts), "compared_with": recurrence.kept_keys(),
            "cold_ms": cold, "median_ms": statistics.median(ms for ms, _ in warm), "max_ms": max(ms for ms, _ in warm),
            "median_cpu_ms": statistics.median(cpu for _, cpu in warm), "runs": runs, "suggestions": found,
        })  # fmt: skip
    return results


def _timed(compare: Callable[[list[str]], object], texts: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds (all of this process's threads): on a loaded machine the CPU time says what
    the comparison itself costs."""
    started, started_cpu = time.perf_counter(), time.process_time()
    compare(texts)
    return (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


if __name__ == "__main__":
    from bench.django_env import setup_django

    setup_django()
    for one in time_comparisons():
        print(one)
