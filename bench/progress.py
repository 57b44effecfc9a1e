"""A tiny progress bar on stderr (no dependency): redrawn at most five times a second."""

import sys
import time


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self._drawn_at = 0.0
        self._started = time.monotonic()

    def update(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn_at >= 0.2 or self.done >= self.total:
            self._drawn_at = now
            self._draw(now)

    def close(self) -> None:
        self._draw(time.monotonic())
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _draw(self, now: float) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r{self.label:<22} [{bar:<30}] {share:6.1%} {self.done:>9,}/{self.total:,} {now - self._started:6.1f}s"
        )
        sys.stderr.flush()
