"""The database's clock for the hub's own timestamps, at the cost of the node's.

Design note: several nodes on one store must agree on time: a deadline stamped by one
node's router is compared by another node's sweeper, and a node whose clock is off by
minutes would mark deliveries overdue early or late. The store's ``database_now`` is the
shared clock (PostgreSQL: the server's), but one round trip per reading would cost a
router a query per message; ``DatabaseClock`` reads the offset between the database's
clock and this node's once per ``every`` and adds it to the node's own clock. A store
of one node (SQLite) has an offset of nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class HasDatabaseClock(Protocol):
    def database_now(self) -> datetime: ...


class DatabaseClock:
    """A clock that reads like ``store.database_now()`` (re-synchronised every ``every`` seconds of
    this node's monotonic time) and costs one reading of ``local`` otherwise."""

    def __init__(self, store: HasDatabaseClock, every: float = 30.0,
                 local: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store, self.every, self.local = store, every, local
        self.offset = timedelta(0)
        self._synced: float | None = None

    def __call__(self) -> datetime:
        if self._synced is None or time.monotonic() - self._synced >= self.every:
            self.sync()
        return self.local() + self.offset

    def sync(self) -> timedelta:
        """Read the database's clock now: the offset from this node's (half the round trip's error at most)."""
        before = self.local()
        database = self.store.database_now()
        after = self.local()
        self.offset, self._synced = database - (before + (after - before) / 2), time.monotonic()
        return self.offset


__all__ = ["DatabaseClock"]
