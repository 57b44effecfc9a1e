"""Reminder delivery through a real worker: digests per second against a local SMTP sink, the sink's own ceiling
measured side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench python bench/delivery_bench.py --digests 2000

It makes a throw-away database next to DATABASE_URL's (`<name>_delivery`, dropped afterwards) with one recipient
per digest (one recommendation due in 7 days each), starts a private redis-server, the sink and
`celery -A config worker` (prefork, 2 processes), publishes the sweep as beat would, and times from the publish to
the last message accepted. It runs once per batch size (`--batches 1,50`: 1 is a task and a connection per digest,
as before batches). Every run also checks exactly-once: as many messages as digests, every digest `sent`.
Results: bench/results/delivery.json.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import free_port
from bench.smtp_sink import Sink, ceiling

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "delivery.json"

SEED = """
import datetime, sys
import django
django.setup()
from django.utils import timezone
from accounts.models import Role, User
from inspections.models import Inspection, InspectionType, Region
from recommendations.models import Addressee, Recommendation
from reminders.models import ReminderPolicy, ReminderPreference
count = int(sys.argv[1])
ReminderPolicy.objects.get_or_create(singleton=True)
region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "Bench region"})
inspection = Inspection.objects.create(
    region=region, type=InspectionType.REGIONAL, reference="BENCH-DELIVERY", title="Bench inspection",
    published_on=datetime.date(2020, 1, 1),
)
due = timezone.localdate() + datetime.timedelta(days=7)
for number in range(1, count + 1):
    owner = User.objects.create_user(
        username=f"bench-{number}", email=f"bench-{number}@example.test", first_name=f"Bench{number}",
        last_name="Owner", role=Role.REGIONAL_LEAD, region=region, password=None,
    )
    ReminderPreference.objects.create(user=owner, days="0,1,2,3,4,5,6")
    Recommendation.objects.create(
        inspection=inspection, addressee=Addressee.REGION, region=region, number=number,
        text=f"Improve point {number}.", response="agreed", owner=owner, target_date=due,
    )
"""

STATUS = """
import django, json
django.setup()
from django.db.models import Count
from reminders.models import Digest
print(json.dumps(dict(Digest.objects.values_list("status").annotate(n=Count("id")))))
"""


def database_args(url: str) -> list[str]:
    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]


def fresh_database(url: str) -> str:
    parts = urlsplit(url)
    target = urlunsplit(parts._replace(path=parts.path + "_delivery"))
    name = urlsplit(target).path[1:]
    subprocess.run(["dropdb", *database_args(url), "--if-exists", name], check=True)
    subprocess.run(["createdb", *database_args(url), name], check=True)
    return target


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-bench-only-not-secret-bench-only",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "SITE_URL": "https://tracker.example.test",
        "LOG_LEVEL": "INFO",
        **extra,
    }


def python(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(directory)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
            return process, url
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def one_run(database_url: str, digests: int, batch: int, concurrency: int) -> dict[str, Any]:
    """Seed, start Redis, the sink and a worker; publish the sweep; time it to the last message accepted."""
    from celery import Celery

    with tempfile.TemporaryDirectory() as directory, Sink() as sink:
        database = fresh_database(database_url)
        env = django_env(database)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        python(SEED, env, str(digests))
        redis, redis_url = start_redis(Path(directory))
        ceiling_before = ceiling(sink.port)
        sink.reset()
        worker_env = django_env(
            database, REDIS_URL=redis_url, CELERY_TASK_DEFAULT_QUEUE="bench", REMINDER_SEND_BATCH=str(batch),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port), EMAIL_USE_TLS="0", EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
        )  # fmt: skip
        log = Path(directory) / "worker.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
        command += [f"--concurrency={concurrency}", "-Q", "bench", "--without-heartbeat", "--without-gossip"]
        command += ["--without-mingle", "--loglevel=INFO"]
        with log.open("wb") as out:
            worker = subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=out, stderr=subprocess.STDOUT)
        try:
            time.sleep(4)  # the worker's start-up, not part of delivery
            app = Celery("bench-beat", broker=redis_url)
            started = time.perf_counter()
            app.send_task("reminders.sweep", queue="bench")
            deadline = started + 600
            while sink.counter.messages < digests and time.perf_counter() < deadline and worker.poll() is None:
                time.sleep(0.05)
            seconds = (sink.counter.last_at or time.perf_counter()) - started
            time.sleep(2)  # a second copy of anything would arrive now
            app.close()
            delivered, recipients = sink.counter.messages, len(sink.counter.recipients)
            # The machine's load moves: the ceiling is measured just before and just after, and averaged.
            ceiling_after = ceiling(sink.port)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            redis.kill()
            redis.wait(timeout=10)
        statuses = json.loads(python(STATUS, env).strip().splitlines()[-1])
        subprocess.run(
            ["dropdb", *database_args(database_url), "--if-exists", urlsplit(database).path[1:]], check=False
        )
        sweep_task, tail = sweep_seconds(log), log_tail(log)
    sink_ceiling = (ceiling_before + ceiling_after) / 2
    return {
        "batch": batch,
        "digests": digests,
        "delivered": delivered,
        "distinct_recipients": recipients,
        "statuses": statuses,
        "seconds": round(seconds, 2),
        "digests_per_s": round(delivered / seconds, 1) if seconds else 0.0,
        "sink_ceiling_per_s": round(sink_ceiling, 1),
        "sink_ceiling_before_after": [round(ceiling_before, 1), round(ceiling_after, 1)],
        "sweep_task_seconds": sweep_task,
        "share_of_ceiling": round(delivered / seconds / sink_ceiling, 2) if seconds else 0.0,
        "exactly_once": delivered == recipients == digests and statuses == {"sent": digests},
        "worker_log_tail": tail,
    }


def sweep_seconds(path: Path) -> float | None:
    """How long the sweep task itself took (phase 1 and queueing), from the worker's log."""
    found = re.search(r"reminders\.sweep\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", path.read_text(errors="replace"))
    return round(float(found.group(1)), 2) if found else None


def log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-1500:] if path.exists() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--digests", type=int, default=2000)
    parser.add_argument("--batches", default="1,50", help="batch sizes to run, comma-separated")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    if urlsplit(args.database_url).scheme not in {"postgres", "postgresql"} or shutil.which("redis-server") is None:
        sys.exit("needs DATABASE_URL naming PostgreSQL (a throw-away database is made next to it) and redis-server")
    runs = [one_run(args.database_url, args.digests, int(batch), args.concurrency) for batch in args.batches.split(",")]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(runs, indent=2))
    for run in runs:
        print(
            f"batch {run['batch']:>3}: {run['delivered']:,} of {run['digests']:,} digests in {run['seconds']:.1f} s, "
            f"{run['digests_per_s']:.0f}/s = {run['share_of_ceiling']:.0%} of the sink's "
            f"{run['sink_ceiling_per_s']:.0f}/s (one connection per message, {run['sink_ceiling_before_after']} before"
            f"/after); sweep task {run['sweep_task_seconds']} s; exactly once: {run['exactly_once']}"
        )


if __name__ == "__main__":
    main()
