"""Recurring recommendations: comparing one new report's recommendations with every recorded one (the national data
set, 100,000 recommendations), as the import does, timed apart from the rest of the import.

"Cold": the first comparison in a fresh process (a subprocess per run, Django set up and connected to the database
first, as an import would be), which starts from the keys shared in Redis by an earlier process and reads what was
added or changed since; "first of all": one such process with no shared copy, which reads every recorded comparison
key and shares them (as the first process after a deploy, or an hour after the last copy); "warm": each comparison
after the first in one process, which reads only what was added or changed since (recommendations/recurrence.py).
Both seed reports; N runs of each. Nothing is written to the database. `python -m bench.recurrence_bench` prints the
timings (DATABASE_URL names the bench database).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "inspections" / "seeds"
REPORTS = ("kent-surrey-sussex-public-protection-2025.txt", "south-central-public-protection-2025.txt")
COLD_RUNS = 5


def time_comparisons(runs: int = 10, cold_runs: int = COLD_RUNS) -> list[dict[str, Any]]:
    try:
        from recommendations import recurrence
    except ImportError as missing:
        return [{"report": "-", "error": f"not built yet ({missing})"}]

    results = []
    for name in REPORTS:
        texts = seed_texts(name)
        recurrence.forget_keys()  # no shared copy: the next process reads every key, and shares them
        first_ms, first_cpu_ms = _cold_in_a_fresh_process(name)
        cold = [_cold_in_a_fresh_process(name) for _ in range(cold_runs)]
        recurrence.forget_keys(shared=False)
        recurrence.likely_repeats(texts)  # this process's first comparison: what follows is warm
        warm = [_timed(recurrence.likely_repeats, texts) for _ in range(runs)]
        found = sum(len(one) for one in recurrence.likely_repeats(texts))
        results.append({
            "report": name, "recommendations": len(texts), "compared_with": recurrence.kept_keys(),
            "cold_ms": statistics.median(ms for ms, _ in cold), "cold_max_ms": max(ms for ms, _ in cold),
            "cold_cpu_ms": statistics.median(cpu for _, cpu in cold), "cold_runs": cold_runs,
            "first_ms": first_ms, "first_cpu_ms": first_cpu_ms,
            "median_ms": statistics.median(ms for ms, _ in warm), "max_ms": max(ms for ms, _ in warm),
            "median_cpu_ms": statistics.median(cpu for _, cpu in warm), "runs": runs, "suggestions": found,
        })  # fmt: skip
    return results


def seed_texts(name: str) -> list[str]:
    from inspections.parsing import parse_report

    return [item.text for item in parse_report((SEEDS / name).read_text(encoding="utf-8")).recommendations]


def _cold_in_a_fresh_process(name: str) -> tuple[float, float]:
    """(wall-clock, CPU) milliseconds of the first comparison in a new Python process: no key kept yet."""
    command = [sys.executable, "-m", "bench.recurrence_bench", "--cold", name]
    done = subprocess.run(command, cwd=ROOT, env=os.environ, capture_output=True, text=True, check=True)
    timed: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return timed["ms"], timed["cpu_ms"]


def _first_comparison(name: str) -> dict[str, float]:
    """Run in the fresh process: what an import pays for its first comparison, on top of parsing and connecting."""
    from django.db import connection

    from recommendations import recurrence

    texts = seed_texts(name)
    connection.ensure_connection()  # the import has its connection open before it compares
    ms, cpu_ms = _timed(recurrence.likely_repeats, texts)
    return {"ms": ms, "cpu_ms": cpu_ms, "kept": recurrence.kept_keys()}


def _timed(compare: Callable[[list[str]], object], texts: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds (all of this process's threads): on a loaded machine the CPU time says what
    the comparison itself costs."""
    started, started_cpu = time.perf_counter(), time.process_time()
    compare(texts)
    return (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


if __name__ == "__main__":
    from bench.django_env import setup_django

    setup_django()
    if sys.argv[1:2] == ["--cold"]:
        print(json.dumps(_first_comparison(sys.argv[2])))
    else:
        for one in time_comparisons():
            print(one)
