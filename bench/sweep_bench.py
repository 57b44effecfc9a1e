"""The reminder sweep over the whole data set, on a throw-away copy of the bench database (the sweep writes)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.smtp_sink import Sink, ceiling

HERE = Path(__file__).resolve().parent


def clone_url(database_url: str, suffix: str = "_sweep") -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=parts.path + suffix))


def clone_database(database_url: str) -> str:
    """createdb -T: a file-level copy, seconds for the full data set. Nobody may be connected to the source."""
    source, target = urlsplit(database_url), urlsplit(clone_url(database_url))
    common = ["-h", source.hostname or "127.0.0.1", "-p", str(source.port or 5432), "-U", source.username or "postgres"]
    subprocess.run(["dropdb", *common, "--if-exists", target.path[1:]], check=True)
    subprocess.run(["createdb", *common, "-T", source.path[1:], target.path[1:]], check=True)
    return clone_url(database_url)


def drop_clone(database_url: str) -> None:
    target = urlsplit(clone_url(database_url))
    common = ["-h", target.hostname or "127.0.0.1", "-p", str(target.port or 5432), "-U", target.username or "postgres"]
    subprocess.run(["dropdb", *common, "--if-exists", target.path[1:]], check=False)


def run_sweep(env: dict[str, str], clone: str) -> dict[str, Any]:
    with Sink() as sink:
        sink_ceiling = ceiling(sink.port)
        sink.reset()
        child_env = {
            **os.environ, **env, "DATABASE_URL": clone, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_USE_TLS": "0",
        }  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / "sweep_child.py")], env=child_env, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            return {"error": done.stderr[-3000:]}
        report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])  # the child's last line
        delivered = sink.counter.messages
    report.update(wall_with_startup=wall, delivered=delivered, sink_ceiling_per_s=sink_ceiling)
    report["digests_per_s"] = delivered / report["seconds"] if report["seconds"] else 0.0
    return report
