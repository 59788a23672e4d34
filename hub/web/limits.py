"""A request flood bounded per token: a token bucket in memory (one per API process)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Buckets:
    """``rate`` requests a second on average and ``burst`` at once, per key (a token's id)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}     # key -> (tokens left, when counted)

    def take(self, key: str) -> float:
        """0.0 when ``key`` may go ahead (one request counted), else the seconds until it may."""
        with self._lock:
            now = self.clock()
            left, then = self._buckets.get(key, (float(self.burst), now))
            left = min(float(self.burst), left + (now - then) * self.rate)
            if left >= 1.0:
                self._buckets[key] = (left - 1.0, now)
                return 0.0
            self._buckets[key] = (left, now)
            return (1.0 - left) / self.rate
