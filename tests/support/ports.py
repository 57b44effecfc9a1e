"""Free loopback ports for tests that start private servers."""

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel reports free on `host` right now (another process could still take it before we do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]  # (host, port) for AF_INET
        return port
