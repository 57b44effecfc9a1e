"""A private redis-server on a free loopback port, for fault tests."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.services import redis_problem

INSTALL_HINT = "redis-server is not installed: sudo apt-get install redis-server (Debian/Ubuntu) or brew install redis"


@contextmanager
def private_redis_server(directory: Path, timeout: float = 10.0) -> Iterator[str]:
    """Run redis-server (nothing saved to disk) in `directory`; yield its URL; kill it afterwards."""
    if shutil.which("redis-server") is None:
        raise RuntimeError(INSTALL_HINT)
    port = free_port()
    log = directory / "redis.log"
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", str(directory), "--logfile", str(log)])
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_until_ready(process, url, timeout, log)
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while redis_problem(url):
        if process.poll() is not None or time.monotonic() > deadline:
            details = log.read_text() if log.exists() else "(no log)"
            raise RuntimeError(f"private redis-server did not start at {url}:\n{details}")
        time.sleep(0.05)
