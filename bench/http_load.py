"""Timing real HTTP requests: keep-alive connections, time to first and to last byte, sequential and concurrent."""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Fetch:
    status: int
    first_byte: float
    last_byte: float
    size: int
    headers: dict[str, str]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    sequential_rps: float = 0.0
    concurrent_rps: float = 0.0
    concurrent_p95: float = 0.0
    errors: list[str] = field(default_factory=list)
    cpu_ms_per_request: float = float("nan")  # the server workers' CPU time: robust when the machine is busy

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)


def percentile(values: list[float], share: int) -> float:
    """Nearest-rank percentile (no interpolation: it is one of the measured values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * share // 100) - 1)]


class Client:
    """One keep-alive connection with a session cookie."""

    def __init__(self, base_url: str, cookie: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=120)
        self.cookie = cookie

    def get(self, path: str) -> Fetch:
        started = time.perf_counter()
        self.connection.request("GET", path, headers={"Cookie": self.cookie, "Accept-Encoding": "identity"})
        response = self.connection.getresponse()
        first = time.perf_counter() - started
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return Fetch(response.status, first, time.perf_counter() - started, size, dict(response.getheaders()))

    def close(self) -> None:
        self.connection.close()


def measure(
    base_url: str,
    cookie: str,
    path: str,
    *,
    warmup: int,
    sequential: int,
    threads: int,
    each: int,
    cpu_seconds: Callable[[], float] = lambda: float("nan"),
) -> Stats:
    stats = Stats()
    client = Client(base_url, cookie)
    try:
        for _ in range(warmup):
            _check(client.get(path), stats)
        started, cpu_before = time.perf_counter(), cpu_seconds()
        for _ in range(sequential):
            stats.latencies.append(_check(client.get(path), stats).last_byte)
        stats.sequential_rps = sequential / (time.perf_counter() - started)
        stats.cpu_ms_per_request = (cpu_seconds() - cpu_before) * 1000 / max(sequential, 1)
    finally:
        client.close()
    if threads and each:
        stats.concurrent_rps, stats.concurrent_p95 = _concurrent(base_url, cookie, path, threads, each, stats)
    return stats


@dataclass(frozen=True)
class Request:
    key: str
    cookie: str
    path: str


def measure_interleaved(
    base_url: str,
    requests: list[Request],
    *,
    warmup: int,
    rounds: int,
    cpu_seconds: Callable[[], float] = lambda: float("nan"),
) -> dict[str, Stats]:
    """Sequential latency of several pages, taken in turn (page 1, page 2, ..., page 1, ...) so that each page and
    the floor see the same machine: a run of slow seconds slows all of them, not whichever page it falls on."""
    clients = {request.key: Client(base_url, request.cookie) for request in requests}
    stats = {request.key: Stats() for request in requests}
    cpu = dict.fromkeys(stats, 0.0)
    try:
        for request in requests:
            for _ in range(warmup):
                _check(clients[request.key].get(request.path), stats[request.key])
        for _ in range(rounds):
            for request in requests:
                cpu_before = cpu_seconds()
                fetch = clients[request.key].get(request.path)
                cpu[request.key] += cpu_seconds() - cpu_before
                stats[request.key].latencies.append(_check(fetch, stats[request.key]).last_byte)
    finally:
        for client in clients.values():
            client.close()
    for key, page in stats.items():
        page.sequential_rps = len(page.latencies) / sum(page.latencies) if page.latencies else 0.0
        page.cpu_ms_per_request = cpu[key] * 1000 / max(rounds, 1)
    return stats


def concurrent(base_url: str, cookie: str, path: str, threads: int, each: int, stats: Stats) -> None:
    """Throughput and p95 of `threads` clients making `each` requests at once, into `stats`."""
    stats.concurrent_rps, stats.concurrent_p95 = _concurrent(base_url, cookie, path, threads, each, stats)


def _check(fetch: Fetch, stats: Stats) -> Fetch:
    if fetch.status != 200 and len(stats.errors) < 5:
        stats.errors.append(f"HTTP {fetch.status} {fetch.headers.get('Location', '')}".strip())
    return fetch


def _concurrent(base_url: str, cookie: str, path: str, threads: int, each: int, stats: Stats) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        client = Client(base_url, cookie)
        try:
            for _ in range(each):
                fetch = client.get(path)
                with lock:
                    latencies.append(_check(fetch, stats).last_byte)
        finally:
            client.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return threads * each / (time.perf_counter() - started), percentile(latencies, 95)
