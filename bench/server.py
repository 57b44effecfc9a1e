"""A real server for the benchmark: gunicorn on loopback, DEBUG off, the bench database, the floor view on."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]  # (host, port) for AF_INET
        return port


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of the server, and of the in-process Django the runner uses for sessions and counts."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "BENCH_FLOOR_VIEW": "1",
        "LOG_LEVEL": "WARNING",
        "ENV_FILE": "/nonexistent",  # a developer's .env must not change what is measured
    }


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def worker_rss(self) -> dict[int, int]:
        return {pid: int(psutil.Process(pid).memory_info().rss) for pid in self.worker_pids()}

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time of all workers so far."""
        times = [psutil.Process(pid).cpu_times() for pid in self.worker_pids()]
        seconds: float = sum(t.user + t.system for t in times)
        return seconds

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def collectstatic(env: dict[str, str]) -> None:
    """DEBUG off serves hashed static names from the manifest: build it, as a deployment would."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True)


def start_server(env: dict[str, str], log_path: Path) -> Server:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
        "--timeout", "120", "--access-logfile", "-", "--log-level", "warning",
    ]  # fmt: skip
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, port)
    _wait_ready(server)
    return server


def _wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}: see bench/results/server.log")
        if _answers(server.base_url) and len(server.worker_pids()) >= WORKERS:
            return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within a minute")


def _answers(base_url: str) -> bool:
    try:
        urllib.request.urlopen(f"{base_url}/bench/floor/", timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer (a redirect to a login page that is not there yet) means it is up
    except (urllib.error.URLError, OSError):
        return False
    return True
