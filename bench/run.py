"""Run the benchmark suite against the generated data set: `python bench/run.py [--database-url URL]`.

One run: query counts and report import in-process; the reminder sweep on a copy of the database with a local
SMTP sink; then a real gunicorn server (DEBUG off) for the pages, the floor and the CSV export; EXPLAIN ANALYZE
of the list and sweep queries. Writes bench/results/latest.md and latest.json.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import ROOT, server_env

RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument(
        "--requests", type=int, default=100, help="sequential requests per page, the pages in turn (after 3 warm-ups)"
    )
    parser.add_argument("--threads", type=int, default=4, help="clients in the concurrent phase")
    parser.add_argument("--each", type=int, default=10, help="requests per client in the concurrent phase")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = server_env(args.database_url, secret_key="bench-secret-key-" + "x" * 40)
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    from bench.django_env import setup_django

    setup_django()
    from bench import phases, report

    results: dict[str, Any] = {"meta": _meta(args)}
    results.update(phases.run_all(args, env))
    results["checks"] = report.evaluate(results)
    path = report.write(results, args.out)
    print(path.read_text(encoding="utf-8"))
    return 0


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Count  # noqa: F401  (Django is set up by now)

    from accounts.models import User
    from recommendations.models import Recommendation

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = os.getloadavg()
    return {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "commit": commit.stdout.strip(),
        "data": f"{Recommendation.objects.count():,} recommendations, {User.objects.count():,} users",
        "machine": f"{os.cpu_count()} cores, {platform.python_version()}, load average {load[0]:.1f} at start",
        "requests": {"sequential": args.requests, "threads": args.threads, "each": args.each},
    }


if __name__ == "__main__":
    sys.exit(main())
