"""What every bench script times with: the median rate of a callable over a few timed rounds."""

from __future__ import annotations

import statistics
import time


def rate(fn, data: bytes, seconds: float, rounds: int = 5, batch: int = 1) -> float:
    """Median calls/s of ``fn(data)`` over ``rounds`` rounds of about ``seconds / rounds`` each,
    the clock read every ``batch`` calls (a larger batch for calls of a few microseconds)."""
    fn(data)  # warm caches (schemas compiled once per process, as in the hub)
    per_round = []
    for _ in range(rounds):
        n, start, deadline = 0, time.perf_counter(), time.perf_counter() + seconds / rounds
        while time.perf_counter() < deadline:
            for _ in range(batch):
                fn(data)
            n += batch
        per_round.append(n / (time.perf_counter() - start))
    return statistics.median(per_round)
