#!/usr/bin/env python3
"""Make sure a Redis server answers; start a private one on loopback when it does not and redis-server is installed.

    ensure_redis.py [--url URL] [--var-dir DIR]   print the Redis URL to use (stdout), or explain and exit 1
    ensure_redis.py --stop [--var-dir DIR]         shut down the private server started before, if any

Only the URL goes to stdout, so a shell can do REDIS_URL=$(scripts/ensure_redis.py). The private server keeps
nothing on disk; its pidfile, log and URL live in DIR/redis/.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"
FIRST_PRIVATE_PORT = 6390
NOT_INSTALLED = (
    "Redis is not running at {url} and redis-server is not installed. Install it with: sudo apt-get install "
    "redis-server (Debian/Ubuntu) or brew install redis (macOS), or set REDIS_URL."
)


def ping(url: str, timeout: float = 1.0) -> bool:
    """True when a Redis server answers PING at `url`."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        with client:
            return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def redact(url: str) -> str:
    """The URL with any password replaced, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def free_port(start: int = FIRST_PRIVATE_PORT, host: str = "127.0.0.1") -> int:
    """The first port from `start` on which nothing listens on `host`."""
    for port in range(start, start + 200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {start} and {start + 199} on {host}")


def private_url(url: str, port: int) -> str:
    """A URL for the private server that keeps the database number of `url`."""
    path = urlsplit(url).path or "/0"
    return f"redis://127.0.0.1:{port}{path}"


def _state_dir(var_dir: Path) -> Path:
    return var_dir.resolve() / "redis"


def start_private(url: str, var_dir: Path, timeout: float = 10.0) -> str:
    """Start a daemonized redis-server on a free loopback port; return its URL once it answers PING."""
    state = _state_dir(var_dir)
    state.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--daemonize", "yes", "--pidfile", str(state / "redis.pid"), "--logfile", str(state / "redis.log")]
    subprocess.run([*command, "--dir", str(state)], check=True, stdout=subprocess.DEVNULL)
    new_url = private_url(url, port)
    deadline = time.monotonic() + timeout
    while not ping(new_url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not answer on port {port}; see {state / 'redis.log'}")
        time.sleep(0.1)
    (state / "url").write_text(new_url)
    return new_url


def stop_private(var_dir: Path) -> bool:
    """Shut down the private server recorded under `var_dir`; False when there was none."""
    url_file = _state_dir(var_dir) / "url"
    if not url_file.exists():
        return False
    url = url_file.read_text().strip()
    url_file.unlink()
    if not ping(url):
        return False
    with redis.Redis.from_url(url, socket_timeout=5) as client:
        client.shutdown(nosave=True)
    return True


def ensure(url: str, var_dir: Path) -> str:
    """The URL of a Redis that answers: `url` itself, a private server left running before, or a new one."""
    if ping(url):
        return url
    url_file = _state_dir(var_dir) / "url"
    if url_file.exists() and ping(previous := url_file.read_text().strip()):
        print(f"Redis is not running at {redact(url)}; using the private one at {previous}", file=sys.stderr)
        return previous
    if shutil.which("redis-server") is None:
        raise SystemExit(NOT_INSTALLED.format(url=redact(url)))
    new_url = start_private(url, var_dir)
    print(f"Redis is not running at {redact(url)}; started a private redis-server at {new_url}", file=sys.stderr)
    return new_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("REDIS_URL") or DEFAULT_URL)
    parser.add_argument("--var-dir", type=Path, default=Path(__file__).resolve().parent.parent / "var")
    parser.add_argument("--stop", action="store_true", help="stop the private server started before")
    args = parser.parse_args(argv)
    if args.stop:
        if stop_private(args.var_dir):
            print("Stopped the private redis-server.", file=sys.stderr)
        return 0
    print(ensure(args.url, args.var_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
