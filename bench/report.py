"""Targets (PASS/MISS) and the results as Markdown (bench/results/latest.md) and JSON (latest.json)."""

import json
import math
from pathlib import Path
from typing import Any

FLOOR_RATIO = 4.0
MAX_QUERIES = 15
CSV_SECONDS = 2.0
CSV_MEMORY_MB = 20.0  # "flat": the worker grows by less than this while streaming 10,000 rows
SWEEP_SECONDS = 30.0
SWEEP_MEMORY_MB = 250.0
SWEEP_PHASE1_QUERIES = 20  # constant whatever the number of items
SWEEP_QUERIES_PER_DIGEST = 10
IMPORT_MS = 200.0
RECURRENCE_MS = 200.0  # comparing one report with the national data set, on top of the import
LINE_GROWTH = 2.5  # parse time, line twice as long: about 1x to 2x when linear, 4x when quadratic


def verdict(ok: bool | None, otherwise: str = "NOT BUILT") -> str:
    return otherwise if ok is None else ("PASS" if ok else "MISS")


def evaluate(results: dict[str, Any]) -> list[dict[str, str]]:
    checks = _page_checks(results) + _csv_checks(results.get("csv", {}), _floor_p95(results))
    checks += _sweep_checks(results.get("sweep", {})) + _import_checks(results.get("import", []))
    checks += _long_line_checks(results.get("import_long_lines", []))
    checks += _recurrence_checks(results.get("recurrence", []))
    for plan in results.get("explain", []):
        goal = "no Seq Scan on the big tables"
        checks.append(_check(f"EXPLAIN {plan['label']}: index use", goal, plan["summary"], plan["uses_index"]))
    return checks


def _check(name: str, target: str, measured: str, ok: bool | None, otherwise: str = "NOT BUILT") -> dict[str, str]:
    return {"target": name, "goal": target, "measured": measured, "result": verdict(ok, otherwise)}


def _floor_p95(results: dict[str, Any]) -> float:
    floor = next((page for page in results["pages"] if page["key"] == "floor"), None)
    return floor["p95_ms"] if floor and floor.get("built") else math.nan


def _page_checks(results: dict[str, Any]) -> list[dict[str, str]]:
    floor_p95 = _floor_p95(results)
    checks = []
    for page in results["pages"]:
        if page["key"] == "floor":
            continue
        if not page.get("built"):
            checks.append(_check(page["title"], "built", page.get("not_built", ""), None))
            continue
        ratio, goal = page["p95_ms"] / floor_p95, page.get("floor_ratio", FLOOR_RATIO)  # older results: FLOOR_RATIO
        checks.append(_check(f"{page['title']}: p95", f"<= {goal:g}x floor", f"{ratio:.1f}x", ratio <= goal))
        large, small = page["queries"], page.get("queries_small")
        constant = small is None or large == small
        shown = f"{large}" + ("" if small is None else f" (small variant {small})")
        checks.append(_check(f"{page['title']}: queries", f"constant, <= {MAX_QUERIES}", shown,
                             constant and large <= MAX_QUERIES))  # fmt: skip
    return checks


def _csv_checks(csv: dict[str, Any], floor_p95_ms: float) -> list[dict[str, str]]:
    if not csv.get("built"):
        return []
    first_ms = csv["first_byte_max_s"] * 1000
    return [
        # The whole download is 3 MB; how soon it starts is what compares with a page.
        _check("CSV export: time to first byte", f"<= {FLOOR_RATIO:g}x floor p95",
               f"slowest of {csv['fetches']}: {first_ms:.1f} ms, {first_ms / floor_p95_ms:.1f}x",
               first_ms <= FLOOR_RATIO * floor_p95_ms),
        _check("CSV export: streamed", "no Content-Length, chunked", csv["transfer"], csv["streamed"]),
        _check("CSV export: time to last byte", f"< {CSV_SECONDS:g} s",
               f"{csv['median_s']:.2f} s for {csv['rows']:,} rows", csv["median_s"] < CSV_SECONDS),
        _check("CSV export: worker memory", f"flat (< {CSV_MEMORY_MB:g} MB growth)", f"+{csv['rss_growth_mb']:.1f} MB",
               csv["rss_growth_mb"] < CSV_MEMORY_MB),
    ]  # fmt: skip


def _sweep_checks(sweep: dict[str, Any]) -> list[dict[str, str]]:
    if "seconds" not in sweep:
        return [_check("Reminder sweep", "built", sweep.get("error", "not run")[-300:], None)]
    per_digest = (sweep["queries"] - sweep["phase1_queries"]) / max(sweep["digests"], 1)
    phase1 = f"{sweep['phase1_seconds']:.1f} s ({sweep['digests']:,} digests, {sweep['items']:,} items)"
    ceiling = f"sink ceiling {sweep['sink_ceiling_per_s']:.0f}/s"
    inline = f"{sweep['seconds']:.1f} s, {sweep['digests_per_s']:.1f} digests/s ({ceiling})"
    return [
        _check("Sweep: what is due + digests and items (phase 1)", f"< {SWEEP_SECONDS:g} s", phase1,
               sweep["phase1_seconds"] < SWEEP_SECONDS),
        _check("Sweep: phase 1 + sending every digest inline, one process", f"< {SWEEP_SECONDS:g} s", inline,
               sweep["seconds"] < SWEEP_SECONDS),
        _check("Sweep: worker peak memory", f"< {SWEEP_MEMORY_MB:g} MB", f"{sweep['peak_rss_mb']:.0f} MB",
               sweep["peak_rss_mb"] < SWEEP_MEMORY_MB),
        _check("Sweep: queries grow with recipients, not items",
               f"phase 1 <= {SWEEP_PHASE1_QUERIES}, <= {SWEEP_QUERIES_PER_DIGEST}/digest",
               f"phase 1 {sweep['phase1_queries']}, {per_digest:.1f}/digest ({sweep['items']:,} items)",
               sweep["phase1_queries"] <= SWEEP_PHASE1_QUERIES and per_digest <= SWEEP_QUERIES_PER_DIGEST),
    ]  # fmt: skip


def _import_checks(imports: list[dict[str, Any]]) -> list[dict[str, str]]:
    checks = []
    for one in imports:
        if "median_ms" in one:
            ok, shown = one["median_ms"] < IMPORT_MS, f"{one['median_ms']:.0f} ms median ({one['queries']} queries)"
        elif one.get("skipped"):
            checks.append(_check(f"Import {one['report']}", "-", "not a report the importer takes", None, "SKIP"))
            continue
        else:
            ok, shown = (None if "not built" in one["error"] else False), one["error"]
        checks.append(_check(f"Import {one['report']}", f"< {IMPORT_MS:g} ms", shown, ok))
    return checks


def _recurrence_checks(comparisons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Comparing a new report with every recorded recommendation, on top of its import (recurrence_bench.py)."""
    checks = []
    for one in comparisons:
        name = f"Recurrence: compare {one['report']} with every recorded recommendation"
        if "median_ms" not in one:
            checks.append(_check(name, f"< {RECURRENCE_MS:g} ms", one["error"], None))
            continue
        shown = (
            f"{one['median_ms']:.0f} ms median ({one['median_cpu_ms']:.0f} ms CPU), {one['recommendations']} x "
            f"{one['compared_with']:,}; first in a fresh process {one['cold_ms']:.0f} ms median "
            f"({one['cold_cpu_ms']:.0f} ms CPU, slowest of {one['cold_runs']} {one['cold_max_ms']:.0f} ms)"
        )
        if "first_ms" in one:  # the first process of all, with no keys shared yet: not a target, said
            shown += f"; first of all, no keys shared yet, {one['first_ms']:.0f} ms ({one['first_cpu_ms']:.0f} ms CPU)"
        fast = one["median_ms"] < RECURRENCE_MS and one["cold_ms"] < RECURRENCE_MS
        checks.append(_check(name, f"< {RECURRENCE_MS:g} ms, warm and cold", shown, fast))
    return checks


def _long_line_checks(lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    checks = []
    for one in lines:
        name = f"Parse a report with a long line: {one['line']}"
        if "refused_ms" in one:
            shown = f"refused in {one['refused_ms']:.1f} ms" if one["refused"] else "read, not refused"
            checks.append(
                _check(name, f"refused, < {IMPORT_MS:g} ms", shown, one["refused"] and one["refused_ms"] < IMPORT_MS)
            )
            continue
        timings = {int(length): ms for length, ms in one["ms"].items()}  # JSON keys are strings
        longest = max(timings)
        shown = f"{timings[longest]:.0f} ms at {longest:,} characters, x{one['growth']:.1f} from {longest // 2:,}"
        ok = timings[longest] < IMPORT_MS and one["growth"] <= LINE_GROWTH
        checks.append(_check(name, f"< {IMPORT_MS:g} ms, x{LINE_GROWTH:g} or less", shown, ok))
    return checks


def write(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    path = directory / "latest.md"
    path.write_text(markdown(results), encoding="utf-8")
    return path


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Benchmark of {results['meta']['started']} ({results['meta']['data']}); {results['meta']['machine']}.",
        "",
    ]
    lines += [*_pages_table(results["pages"]), "", *_targets_table(results["checks"]), ""]
    lines += _details(results)
    return "\n".join(lines) + "\n"


def _pages_table(pages: list[dict[str, Any]]) -> list[str]:
    floor_p95 = next((p["p95_ms"] for p in pages if p["key"] == "floor" and p.get("built")), math.nan)
    lines = [
        "| Page | Measured on | median ms | p95 ms | p95 / floor | server CPU ms/req | SQL ms | req/s (1 client) "
        "| req/s (4 clients) | queries (large / small) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        if not page.get("built"):
            lines.append(f"| {page['title']} | {page.get('not_built', '')} | | | | | | | | |")
            continue
        small = "" if page.get("queries_small") is None else f" / {page['queries_small']}"
        lines.append(
            f"| {page['title']} | {page['note']} | {page['median_ms']:.1f} | {page['p95_ms']:.1f} | "
            f"{page['p95_ms'] / floor_p95:.1f}x | {page['cpu_ms']:.0f} | {page['sql_ms']:.0f} | "
            f"{page['seq_rps']:.1f} | {page['conc_rps']:.1f} | "
            f"{page['queries']}{small} |"
        )
    return lines


def _targets_table(checks: list[dict[str, str]]) -> list[str]:
    lines = ["| Target | Goal | Measured | Result |", "| --- | --- | --- | --- |"]
    lines += [f"| {c['target']} | {c['goal']} | {c['measured']} | **{c['result']}** |" for c in checks]
    return lines


def _details(results: dict[str, Any]) -> list[str]:
    lines = []
    if results.get("sweep", {}).get("seconds") is not None:
        sweep = results["sweep"]
        lines.append(
            f"Sweep: {sweep['digests']:,} digests, {sweep['items']:,} items, {sweep['queries']:,} queries, "
            f"{sweep['delivered']:,} delivered at {sweep['digests_per_s']:.0f}/s against the sink's ceiling of "
            f"{sweep['sink_ceiling_per_s']:.0f}/s (one connection per message)."
        )
    for plan in results.get("explain", []):
        lines += ["", f"<details><summary>EXPLAIN ANALYZE: {plan['label']}</summary>", "", "```", plan["text"], "```",
                  "", "</details>"]  # fmt: skip
    return lines
