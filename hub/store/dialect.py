"""What differs between the SQL engines the store runs on, and the DB-API surface it uses.

Design note: ``sql.SqlStore`` holds every query, written once with ``?`` placeholders in
the SQL both SQLite and PostgreSQL speak (``INSERT ... ON CONFLICT``, ``RETURNING``,
partial indexes, ``COALESCE``, ``LIMIT/OFFSET``). A ``Dialect`` supplies only what cannot
be written once:

- the placeholder style of the driver (``qmark`` as written, or ``format``: ``%s``);
- how a list travels as ONE parameter (SQLite: a JSON text read by ``json_each``;
  PostgreSQL: an array, ``= ANY(%s)``), for single values and for (kind, key) pairs;
- how a write transaction takes its lock. The store's writers are serialised, as on
  SQLite, where BEGIN IMMEDIATE takes the database's one write lock: delivery ids are
  assigned as MAX(id) + n and receipts are pruned by id under that lock. A server
  engine takes an equivalent lock of its own (PostgreSQL: a transaction-level advisory
  lock); reads never wait for it;
- the new row's id after an INSERT (``lastrowid``, or ``RETURNING id``);
- the few functions that differ (seconds between two stored times) and the planner
  hint SQLite needs (a unary ``+`` keeps it off an index);
- the database's clock as stored-time text (leases), row locks that skip the taken rows,
  and a lead (one node at a time) for the periodic work of several nodes on one database;
- the schema's migrations, in the engine's DDL (the same versions and names everywhere);
- the engine's housekeeping (SQLite: WAL checkpoints, ``PRAGMA optimize`` at close).

A dialect expects the connection in autocommit mode: it opens every transaction itself
(BEGIN ... COMMIT), so a single SELECT outside one is its own snapshot.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

Row = tuple[Any, ...]
"""A fetched row; the store's row mappers (``rows``) give it its types."""

Args = Sequence[Any]
"""The parameters of one statement, in placeholder order."""


class Cursor(Protocol):
    """The part of a PEP 249 cursor the store uses."""

    @property
    def lastrowid(self) -> int | None: ...

    def execute(self, sql: str, args: Args, /) -> object: ...

    def executemany(self, sql: str, rows: Iterable[Args], /) -> object: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of a PEP 249 connection the store uses (in autocommit mode: see the module note)."""

    def cursor(self) -> Any: ...

    def close(self) -> None: ...


class Migration(NamedTuple):
    """One schema version: its name (the same in every dialect) and the engine's statements."""

    name: str
    statements: tuple[str, ...]


class Dialect(ABC):
    """One SQL engine's differences (see the module note). One instance per store: a dialect may
    keep settings of its connection (SQLite: the busy timeout)."""

    name: str = "sql"
    paramstyle: str = "qmark"
    """``qmark`` (``?``, as the store's SQL is written) or ``format`` (``%s``)."""

    def sql(self, text: str) -> str:
        """The statement in the driver's placeholder style."""
        return text if self.paramstyle == "qmark" else _format_style(text)

    @abstractmethod
    def in_list(self, expr: str, values: Sequence[Any]) -> tuple[str, Args]:
        """``expr`` is one of ``values``: the SQL condition and its parameters (one list parameter
        however many values, so that the statement text, and its plan, stay the same)."""

    @abstractmethod
    def in_pairs(self, first: str, second: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, Args]:
        """(``first``, ``second``) is one of ``pairs`` (text values): the SQL condition and its parameters."""

    def unindexed(self, expr: str) -> str:
        """``expr`` in a condition the planner should not serve from an index of its own."""
        return expr

    @abstractmethod
    def seconds_between(self, start: str, end: str) -> str:
        """SQL for the seconds from the stored time ``start`` to ``end`` (as a float)."""

    returning_ids: bool = True
    """True: the id of a new row is read by ``INSERT ... RETURNING id``; False: ``cursor.lastrowid``."""

    @abstractmethod
    def begin_write(self, conn: Connection, cur: Cursor) -> None:
        """Open a write transaction holding the store's write lock (waiting a while for it)."""

    def begin_read(self, conn: Connection, cur: Cursor) -> None:
        """Open a read transaction: its SELECTs see one snapshot."""
        cur.execute("BEGIN", ())

    @abstractmethod
    def in_transaction(self, conn: Connection) -> bool:
        """Whether a transaction is open on the connection (a failed BEGIN opens none)."""

    def lost(self, conn: Connection) -> bool:
        """Whether the server dropped the connection (restarted, failed over, an administrator ended the
        session): the store then opens a new one for its next transaction. A file never drops it."""
        return False

    @abstractmethod
    def migrations(self) -> Sequence[Migration]:
        """The schema, as ordered migrations in this engine's DDL."""

    @abstractmethod
    def now_ts(self, seconds: float = 0.0) -> str:
        """SQL for the database's clock ``seconds`` from now, as stored-time text (``rows.ts``): leases
        are stamped and compared on this one clock, never on a node's (which may be off by minutes)."""

    skip_locked: str = ""
    """What ends a SELECT whose rows a transaction takes for itself, passing over rows another
    transaction has locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer at a time)."""

    shared_by_nodes: bool = False
    """True: several hub nodes may use one database at once, so periodic work needs a leader
    (``try_lead``); False: the engine belongs to one node (SQLite)."""

    def begin_lease(self, conn: Connection, cur: Cursor) -> None:
        """Open a transaction that takes rows for itself by row locks alone (``skip_locked``); an
        engine without row locks takes its write lock (the default)."""
        self.begin_write(conn, cur)

    def try_lead(self, conn: Connection, name: str) -> bool:
        """Take, or keep, the lead of ``name`` on ``conn`` (a connection of its own, held for as long as
        the lead is): True while this connection holds it. An engine of one node always leads."""
        return True

    def stop_inline_upkeep(self, conn: Connection) -> None:
        """This connection leaves the engine's periodic upkeep to another (``SweepStore``)."""

    def upkeep(self, conn: Connection) -> None:
        """The engine's periodic upkeep, off the workers' hot path."""

    def before_close(self, conn: Connection) -> None:
        """Anything the engine wants done on a connection before it closes."""


@lru_cache(maxsize=512)
def _format_style(text: str) -> str:
    """``?`` -> ``%s`` (and a literal ``%`` doubled). The store's SQL never has a ``?`` inside a
    string literal, so no parsing is needed; cached: the store's statements are constants."""
    return text.replace("%", "%%").replace("?", "%s")


__all__ = ["Args", "Connection", "Cursor", "Dialect", "Migration", "Row"]
