"""The engines the store contract runs on: SQLite (a file per test) and PostgreSQL (a schema per test).

PostgreSQL is at HUB_TEST_POSTGRES_URL (default: postgres on 127.0.0.1:5432, database
``test``, trust auth, as CI provides). A test on it creates a schema of its own and drops
it at the end. There is no skip when PostgreSQL is absent: those tests fail, loudly.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.store.sql import SqlStore
from hub.store.sqlite import SqliteStore
from tests.conftest import Clock

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgres")

TABLES = ("messages", "deliveries", "delivery_payloads", "delivery_keys", "events", "receipts")


@dataclass(frozen=True)
class Backend:
    """One engine under test: opens stores on one database, and reads and writes its rows through a
    connection of its own (committed data only). Picklable: a forked process opens its own."""

    engine: str
    path: str = ""                 # sqlite: the file
    schema: str = ""               # postgres: the test's schema
    url: str = field(default=POSTGRES_URL)

    def open(self, clock: Any = None, **kw: Any) -> SqlStore:
        """A store on this database (``kw``: the store's own, e.g. node and lease)."""
        if clock is not None:
            kw["clock"] = clock
        if self.engine == "sqlite":
            return SqliteStore(self.path, **kw)
        from hub.store.postgres import PostgresStore
        return PostgresStore(self.url, schema=self.schema, **kw)

    @property
    def integrity_error(self) -> type[Exception]:
        if self.engine == "sqlite":
            return sqlite3.IntegrityError
        import psycopg
        return psycopg.IntegrityError

    def _connect(self) -> Any:
        if self.engine == "sqlite":
            return sqlite3.connect(self.path, isolation_level=None)
        from hub.store.postgres import connect
        return connect(self.url, self.schema)

    def _sql(self, sql: str) -> str:
        return sql if self.engine == "sqlite" else sql.replace("%", "%%").replace("?", "%s")

    def rows(self, sql: str, *args: Any) -> list[tuple]:
        db = self._connect()
        try:
            return [tuple(r) for r in db.execute(self._sql(sql), args).fetchall()]
        finally:
            db.close()

    def row(self, sql: str, *args: Any) -> tuple | None:
        found = self.rows(sql, *args)
        return found[0] if found else None

    def execute(self, sql: str, *args: Any) -> None:
        db = self._connect()
        try:
            db.execute(self._sql(sql), args)
        finally:
            db.close()

    def insert_many(self, sql: str, rows: list[tuple]) -> None:
        db = self._connect()
        try:
            db.cursor().executemany(self._sql(sql), rows)
        finally:
            db.close()

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {t: self.row(f"SELECT COUNT(*) FROM {t}")[0] for t in TABLES}


@pytest.fixture(params=ENGINES)
def backend(request, tmp_path):
    """Each engine in turn, on an empty database of its own."""
    if request.param == "sqlite":
        yield Backend("sqlite", path=str(tmp_path / "hub.db"))
        return
    import psycopg
    schema = f"hub_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield Backend("postgres", schema=schema)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(backend, clock):
    """A migrated store on the test's engine, stamping rows with ``clock``."""
    s = backend.open(clock)
    s.migrate()
    yield s
    s.close()
