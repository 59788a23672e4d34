"""The store on PostgreSQL: a dialect and a connection factory (psycopg 3) for ``sql.SqlStore``.

Design note: the SQL is the SQLite store's (``sql``); this module holds only what is
PostgreSQL's. Lists travel as arrays (``= ANY(%s)``, pairs through ``unnest``). Writers
are serialised as on SQLite: a write transaction first takes a transaction-level
advisory lock, one per schema, waiting at most the lock timeout (then
``psycopg.errors.LockNotAvailable``, an OperationalError, like SQLite's "database is
locked"); readers never wait for it and read one snapshot (REPEATABLE READ). A finer
scheme (sequences for delivery ids, row locks) would let writers overlap; one writer
at a time is what the store's SQL assumes today (delivery ids as MAX(id) + n, orphan
pruning by id, the migration runner). Several hub nodes keep it: measured on 2 cores
(three processes recording 100-message batches, 2 deliveries each), the lock held
writers at 980-1,300 messages a second against 1,100-1,660 with a delivery-id sequence
and no lock, the difference within the noise of a shared machine, while three nodes
routing end to end store about 150 a second: the routers' CPU, not the lock, is the
limit. What several nodes need runs beside it: leases take rows by row locks (SKIP
LOCKED) without the lock, a lead is a session-level advisory lock of its own, and
duplicates are settled by unique indexes, not by the lock. Autovacuum is the upkeep:
``upkeep`` does nothing. A store may live in a schema of its own (``schema``: its
search_path), or the URL's ``options=-csearch_path=...`` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from . import postgres_schema
from .dialect import Args, Connection, Cursor, Dialect, Migration
from .sql import LEASE, SqlStore, utc_now

LOCK_TIMEOUT_S = 10.0
"""How long a writer waits for another's transaction before giving up (SQLite's busy timeout)."""

_LOCK_CLASS = 0x4855_4221
"""The first key of the store's advisory lock ("HUB!"); the second is the schema's hash."""

_LEAD_CLASS = 0x4855_424C
"""The first key of a lead's session-level advisory lock ("HUBL"); the second hashes schema and name."""


def connect(url: str, schema: str | None = None, node: str | None = None) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (the dialect opens the transactions); with ``schema``, that
    schema first on its search_path (it must exist); with ``node``, the connection's application_name
    (pg_stat_activity shows which node holds what)."""
    conn = psycopg.connect(url, autocommit=True) if node is None else \
        psycopg.connect(url, autocommit=True, application_name=node[:63])
    if schema is not None:
        conn.execute("SELECT set_config('search_path', %s, false)", (f'"{schema}"',))
    return conn


def _pg(conn: Connection) -> psycopg.Connection[Any]:
    if not isinstance(conn, psycopg.Connection):
        raise TypeError(f"the PostgreSQL dialect needs a psycopg connection, not {type(conn).__name__}")
    return conn


class PostgresDialect(Dialect):
    """PostgreSQL (11 or later): format placeholders, arrays for lists, an advisory lock per schema
    for the writers, RETURNING for new ids; row locks (SKIP LOCKED) for leases, a session-level
    advisory lock for a lead, the server's clock for both."""

    name = "postgresql"
    paramstyle = "format"
    returning_ids = True

    def __init__(self, lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        self.lock_timeout = lock_timeout

    def in_list(self, expr: str, values: Sequence[Any]) -> tuple[str, Args]:
        return f"{expr} = ANY(?)", (list(values),)

    def in_pairs(self, first: str, second: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, Args]:
        return (f"({first}, {second}) IN (SELECT * FROM unnest(?::text[], ?::text[]))",
                ([a for a, _ in pairs], [b for _, b in pairs]))

    def seconds_between(self, start: str, end: str) -> str:
        return f"EXTRACT(EPOCH FROM ({end}::timestamptz - {start}::timestamptz))"

    def begin_write(self, conn: Connection, cur: Cursor) -> None:
        """BEGIN, then the schema's advisory lock (held to the end of the transaction), waiting at
        most the lock timeout; a transaction that could not take it is rolled back here."""
        cur.execute("BEGIN", ())
        try:
            cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(self.lock_timeout * 1000)}ms",))
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", (_LOCK_CLASS,))
        except BaseException:
            cur.execute("ROLLBACK", ())
            raise

    def begin_read(self, conn: Connection, cur: Cursor) -> None:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", ())

    skip_locked = " FOR UPDATE SKIP LOCKED"
    shared_by_nodes = True

    def now_ts(self, seconds: float = 0.0) -> str:
        """The server's clock (clock_timestamp: it moves within a transaction, as a lease's time does)."""
        return (f"to_char((clock_timestamp() + interval '{float(seconds):.6f} seconds') AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')")

    def begin_lease(self, conn: Connection, cur: Cursor) -> None:
        """BEGIN without the schema's write lock: the rows are taken by row locks (SKIP LOCKED), so a
        lease never waits for a writer nor a writer long for a lease."""
        cur.execute("BEGIN", ())
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(self.lock_timeout * 1000)}ms",))

    def try_lead(self, conn: Connection, name: str) -> bool:
        """A session-level advisory lock per schema and name on ``conn``: the server releases it when
        that connection ends (its node died or lost the network), so another node takes the lead on
        its next try."""
        cur = _pg(conn).cursor()
        cur.execute("SELECT pg_try_advisory_lock(%s, hashtext(current_schema() || '/' || %s))", (_LEAD_CLASS, name))
        row = cur.fetchone()
        return bool(row and row[0])

    def in_transaction(self, conn: Connection) -> bool:
        return _pg(conn).info.transaction_status != TransactionStatus.IDLE

    def lost(self, conn: Connection) -> bool:
        pg = _pg(conn)
        return pg.closed or pg.broken

    def migrations(self) -> Sequence[Migration]:
        return postgres_schema.MIGRATIONS


class PostgresStore(SqlStore):
    """The Store on a PostgreSQL database (``url``: a libpq connection string or URL), in ``schema``
    when given (else the connection's search_path); one per thread, call ``migrate`` once."""

    def __init__(self, url: str, *, schema: str | None = None, clock: Callable[[], datetime] = utc_now,
                 lock_timeout: float = LOCK_TIMEOUT_S, node: str | None = None, lease: timedelta = LEASE) -> None:
        self.schema = schema
        super().__init__(lambda: connect(url, schema, self.node), PostgresDialect(lock_timeout), clock=clock, node=node,
                         lease=lease)


__all__ = ["LOCK_TIMEOUT_S", "PostgresDialect", "PostgresStore", "connect"]
