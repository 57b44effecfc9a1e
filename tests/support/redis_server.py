"""A private redis-server on a free loopback port, for fault tests (it can be restarted on the same port)."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.services import redis_problem

INSTALL_HINT = "redis-server is not installed: sudo apt-get install redis-server (Debian/Ubuntu) or brew install redis"


class RedisServer:
    """redis-server (nothing saved to disk) in `directory` on a free port: a restart loses everything queued."""

    def __init__(self, directory: Path, timeout: float = 10.0) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError(INSTALL_HINT)
        self.directory, self.timeout = directory, timeout
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", str(self.directory), "--logfile", str(self.log)])
        _wait_until_ready(self.process, self.url, self.timeout, self.log)

    def stop(self) -> None:
        """SIGKILL: what a crash or an OOM kill does; the queues are gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def private_redis_instance(directory: Path, timeout: float = 10.0) -> Iterator[RedisServer]:
    """Run a RedisServer for the block; kill it afterwards."""
    server = RedisServer(directory, timeout)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while redis_problem(url):
        if process.poll() is not None or time.monotonic() > deadline:
            details = log.read_text() if log.exists() else "(no log)"
            raise RuntimeError(f"private redis-server did not start at {url}:\n{details}")
        time.sleep(0.05)
