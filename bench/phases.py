"""The phases of one benchmark run, in order: in-process measurements first, then the sweep, then the server."""

import argparse
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from django.db import connections

from bench import explain, http_load, import_bench, querycount, recurrence_bench, server, sweep_bench, targets


def run_all(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    server.collectstatic(env)  # DEBUG off: pages need the static manifest, in-process as in the server
    people = targets.personas()
    built = targets.build_targets(people)
    counted = {target.key: _count(target) for target in built if target.large}
    results: dict[str, Any] = {
        "import": import_bench.time_imports(),
        "import_long_lines": import_bench.time_long_lines(),
        "recurrence": recurrence_bench.time_comparisons(),
    }
    results["explain"] = _explain_pages(counted)
    cookies = {user.pk: querycount.session_cookie(user) for user in {t.large.user for t in built if t.large}}
    results["sweep"] = {"error": "skipped (--skip-sweep)"} if args.skip_sweep else _sweep(args, env)
    results["explain"] += _explain_sweep(results["sweep"])
    connections.close_all()
    results["pages"], results["csv"] = _serve_and_measure(args, env, built, counted, cookies)
    return results


def _large(target: targets.Target) -> targets.Variant:
    """The page measured of a target that is built (its large variant)."""
    if target.large is None:
        raise ValueError(f"{target.key} is not built: {target.not_built}")
    return target.large


def _count(target: targets.Target) -> dict[str, Any]:
    large = querycount.count_queries(_large(target).user, _large(target).path)
    small = querycount.count_queries(target.small.user, target.small.path) if target.small else None
    return {"large": large, "small": small}


def _explain_pages(counted: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    plans = []
    for key, table, how_many, what in PLANNED:
        if key in counted:
            for index, sql in enumerate(counted[key]["large"].sql_touching(table)[:how_many]):
                plans.append(_plan(explain.explain(f"{key} page, {what}query {index + 1} by time", sql)))
    return plans


# The pages whose slowest queries reading a big table are explained. What's changed reads the history and each other
# kind of event since a date, the recommendations only by id.
PLANNED = (  # (page, table, how many of its slowest queries reading it, what they read)
    ("list", "recommendations_recommendation", 2, ""),
    ("my_actions", "recommendations_recommendation", 2, ""),
    ("whats_changed", "recommendations_historicalrecommendation", 1, "history "),
    ("whats_changed", "recommendations_progressupdate", 1, "progress updates "),
)


def _explain_sweep(sweep: dict[str, Any]) -> list[dict[str, Any]]:
    slowest = [sql for _, sql in sweep.get("slowest_reads", [])]
    return [_plan(explain.explain(f"sweep, query {i + 1} by time", sql)) for i, sql in enumerate(slowest[:2])]


def _plan(plan: explain.Plan) -> dict[str, Any]:
    summary = f"{plan.execution_ms:.1f} ms, " + ("index scans" if plan.uses_index else f"{'; '.join(plan.seq_scans)}")
    return {"label": plan.label, "uses_index": plan.uses_index, "execution_ms": plan.execution_ms,
            "summary": summary, "sql": plan.sql, "text": plan.text}  # fmt: skip


def _sweep(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    try:
        import reminders.sweep  # noqa: F401
    except ImportError as missing:
        return {"error": f"not built yet ({missing})"}
    connections.close_all()  # createdb -T needs nobody connected to the source database
    clone = sweep_bench.clone_database(args.database_url)
    try:
        return sweep_bench.run_sweep(env, clone)
    finally:
        sweep_bench.drop_clone(args.database_url)


def _serve_and_measure(
    args: argparse.Namespace,
    env: dict[str, str],
    built: list[targets.Target],
    counted: dict[str, dict[str, Any]],
    cookies: dict[int, str],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    args.out.mkdir(parents=True, exist_ok=True)
    running = server.start_server(env, Path(args.out) / "server.log")
    try:
        pages = _pages(args, running, built, counted, cookies)
        csv_target = next((t for t in built if t.streamed and t.large), None)
        csv = _csv(running, csv_target, counted, cookies) if csv_target else {"built": False}
    finally:
        running.stop()
    return pages, csv


def _pages(
    args: argparse.Namespace,
    running: server.Server,
    built: list[targets.Target],
    counted: dict[str, dict[str, Any]],
    cookies: dict[int, str],
) -> list[dict[str, Any]]:
    """Every page and the floor, measured in turn (http_load.measure_interleaved); the export, with fewer and
    longer requests, on its own; then each one's throughput with several clients."""
    requests = [
        http_load.Request(target.key, cookies[target.large.user.pk], target.large.path)
        for target in built
        if target.large is not None and not target.streamed
    ]
    measured = http_load.measure_interleaved(
        running.base_url, requests, warmup=3, rounds=args.requests, cpu_seconds=running.worker_cpu_seconds
    )
    for target in built:
        if target.large is not None and target.streamed:
            measured[target.key] = http_load.measure(
                running.base_url, cookies[target.large.user.pk], target.large.path, warmup=1, sequential=5,
                threads=0, each=0, cpu_seconds=running.worker_cpu_seconds,
            )  # fmt: skip
    for target in built:
        if target.large is not None:
            light = target.streamed
            cookie, path = cookies[target.large.user.pk], target.large.path
            threads, each = (2, 2) if light else (args.threads, args.each)
            http_load.concurrent(running.base_url, cookie, path, threads, each, measured[target.key])
    return [_page(target, measured.get(target.key), counted.get(target.key)) for target in built]


def _page(target: targets.Target, stats: http_load.Stats | None, counts: Any) -> dict[str, Any]:
    if target.large is None or stats is None:
        return {"key": target.key, "title": target.title, "built": False, "not_built": target.not_built}
    return {
        "key": target.key, "title": target.title, "built": True, "note": target.large.note, "path": target.large.path,
        "median_ms": stats.median * 1000, "p95_ms": stats.p95 * 1000, "seq_rps": stats.sequential_rps,
        "conc_rps": stats.concurrent_rps, "conc_p95_ms": stats.concurrent_p95 * 1000, "errors": stats.errors,
        "cpu_ms": stats.cpu_ms_per_request, "sql_ms": counts["large"].sql_ms,
        "queries": counts["large"].count, "queries_small": counts["small"].count if counts["small"] else None,
        "small_note": target.small.note if target.small else "", "status_in_process": counts["large"].status,
        "floor_ratio": target.floor_ratio,
    }  # fmt: skip


def _csv(
    running: server.Server, target: targets.Target, counted: dict[str, dict[str, Any]], cookies: dict[int, str]
) -> dict[str, Any]:
    large = _large(target)
    client = http_load.Client(running.base_url, cookies[large.user.pk])
    try:
        client.get(large.path)  # warm-up: imports and first-use allocations are not growth
        before = running.worker_rss()
        peaks, stop = dict(before), threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(running, peaks, stop))
        sampler.start()
        fetches = [client.get(large.path) for _ in range(5)]
        stop.set()
        sampler.join()
    finally:
        client.close()
    return _csv_result(target, fetches, before, peaks, running.worker_rss(), counted[target.key]["large"])


def _sample_rss(running: server.Server, peaks: dict[int, int], stop: threading.Event) -> None:
    while not stop.is_set():
        for pid, rss in running.worker_rss().items():
            peaks[pid] = max(peaks.get(pid, 0), rss)
        time.sleep(0.01)


def _csv_result(
    target: targets.Target,
    fetches: list[http_load.Fetch],
    before: dict[int, int],
    peaks: dict[int, int],
    after: dict[int, int],
    counts: Any,
) -> dict[str, Any]:
    headers = fetches[-1].headers
    chunked = headers.get("Transfer-Encoding", "").lower() == "chunked"
    streamed = chunked and "Content-Length" not in headers
    growth = max((peaks.get(pid, 0) - rss for pid, rss in before.items()), default=0) / 2**20
    return {
        "built": True, "path": _large(target).path, "rows": counts.lines - 1, "bytes": fetches[-1].size,
        "median_s": statistics.median(f.last_byte for f in fetches), "first_byte_s": fetches[-1].first_byte,
        "first_byte_max_s": max(f.first_byte for f in fetches), "fetches": len(fetches),
        "streamed": streamed, "transfer": "chunked, no Content-Length" if streamed else str(headers),
        "rss_before_mb": {pid: rss / 2**20 for pid, rss in before.items()},
        "rss_peak_mb": {pid: rss / 2**20 for pid, rss in peaks.items()},
        "rss_after_mb": {pid: rss / 2**20 for pid, rss in after.items()}, "rss_growth_mb": growth,
    }  # fmt: skip
