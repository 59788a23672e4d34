"""The embedded message store: one SQLite file in WAL mode, shared by the worker processes.

Design note: this module is what is SQLite about the store and is not its SQL (that is
``sql.SqlStore``, written once for every engine): the file and its directories created
private (0600/0700) before SQLite opens it, WAL mode and the pragmas, the busy timeout,
the write lock taken by BEGIN IMMEDIATE with short polls, the schema in SQLite's DDL
(``sqlite_schema``), lists passed as JSON text to ``json_each``, and the upkeep (WAL
checkpoints; planner statistics at close). ``SqliteStore(path)`` is the store on a file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from ..errors import ConfigError
from . import sqlite_schema
from .dialect import Args, Connection, Cursor, Dialect, Migration
from .sql import LEASE, PRUNE_LIMIT, SqlStore, utc_now

log = structlog.get_logger()

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's transaction before giving up."""


def _private_file(path: Path) -> None:
    """Make the database file (and the directories the store creates for it) private before
    SQLite opens it: new directories 0700, a new file 0600 (SQLite gives its -wal and -shm
    files the database file's mode); an existing file, WAL or SHM readable by others is
    tightened to 0600, with a warning. No umask change: it is process-wide."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            continue                        # another process made it: theirs to set
        os.chmod(directory, 0o700)          # exactly 0700, whatever the umask
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        try:
            os.fchmod(fd, 0o600)            # exactly 0600, whatever the umask
        finally:
            os.close(fd)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~0o600:
            try:
                os.chmod(file, 0o600)
            except PermissionError:
                log.warning("store.file_mode_loose", path=str(file), mode=oct(mode))
                continue
            log.warning("store.file_mode_tightened", path=str(file), mode=oct(mode), now="0o600")


def connect(path: str, busy_timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection to the store's file (created private) in WAL mode, autocommit (the dialect opens
    the transactions), with the busy timeout and the pragmas; ConfigError when it cannot be had."""
    db = None
    try:
        if path != ":memory:":
            _private_file(Path(path))
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = _use_wal(db, busy_timeout)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except (OSError, sqlite3.Error) as exc:
        if db is not None:
            db.close()
        raise ConfigError(f"cannot open the store at {path}: {exc}", code="CONFIG_INVALID") from exc
    if mode.lower() not in ("wal", "memory"):
        db.close()
        raise ConfigError(f"the store at {path} cannot use WAL mode (got {mode!r})", code="CONFIG_INVALID")
    return db


def _use_wal(db: sqlite3.Connection, timeout: float) -> str:
    """Switch the file to WAL (persistent). Switching needs a moment alone with a new file
    and SQLite does not wait for that itself, so retry while another process has it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite(conn: Connection) -> sqlite3.Connection:
    if not isinstance(conn, sqlite3.Connection):
        raise TypeError(f"the SQLite dialect needs a sqlite3 connection, not {type(conn).__name__}")
    return conn


class SqliteDialect(Dialect):
    """SQLite (3.35 or later: RETURNING): qmark placeholders, lists as JSON text read by ``json_each``,
    BEGIN IMMEDIATE for the write lock, WAL upkeep."""

    name = "sqlite"
    paramstyle = "qmark"
    returning_ids = False           # lastrowid: no RETURNING on the receipts' insert

    def __init__(self, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.busy_timeout = busy_timeout

    def in_list(self, expr: str, values: Sequence[Any]) -> tuple[str, Args]:
        return f"{expr} IN (SELECT value FROM json_each(?))", (json.dumps(list(values)),)

    def in_pairs(self, first: str, second: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, Args]:
        return (f"({first}, {second}) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
                "FROM json_each(?))", (json.dumps([list(p) for p in pairs]),))

    def unindexed(self, expr: str) -> str:
        """A unary '+': SQLite's way to keep the planner on another condition's index."""
        return f"+{expr}"

    def seconds_between(self, start: str, end: str) -> str:
        return f"(julianday({end}) - julianday({start})) * 86400.0"

    def now_ts(self, seconds: float = 0.0) -> str:
        """The file's clock is this machine's: milliseconds, padded to the stored width."""
        return f"(strftime('%Y-%m-%dT%H:%M:%f', 'now', '{float(seconds):+.3f} seconds') || '000+00:00')"

    def begin_write(self, conn: Connection, cur: Cursor) -> None:
        """Take the write lock, trying again every millisecond while another connection holds it.

        SQLite's own busy handler backs off in growing sleeps (1, 2, 5, 10 ... 100 ms), so a worker
        waiting behind a 20 ms batch wakes long after the lock is free; short polls keep the
        hand-over prompt when routers and the receipt worker write at once."""
        db = _sqlite(conn)
        db.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + self.busy_timeout
            while True:
                try:
                    cur.execute("BEGIN IMMEDIATE", ())
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.001)
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def in_transaction(self, conn: Connection) -> bool:
        return _sqlite(conn).in_transaction

    def migrations(self) -> Sequence[Migration]:
        return sqlite_schema.migrations()

    def stop_inline_upkeep(self, conn: Connection) -> None:
        _sqlite(conn).execute("PRAGMA wal_autocheckpoint = 0")

    def upkeep(self, conn: Connection) -> None:
        """Copy what the WAL holds into the database file (PASSIVE: never waits for a writer or a
        reader), so the WAL is reused instead of growing."""
        _sqlite(conn).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def before_close(self, conn: Connection) -> None:
        """Let SQLite refresh its planner statistics, never holding up a shutdown for them."""
        db = _sqlite(conn)
        try:
            db.execute("PRAGMA busy_timeout = 100")
            db.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # a busy or read-only file: statistics can wait for the next close


class SqliteStore(SqlStore):
    """The Store on one SQLite file (or ``:memory:``); open one per thread, call ``migrate`` once."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = utc_now,
                 busy_timeout: float = BUSY_TIMEOUT_S, node: str | None = None, lease: timedelta = LEASE) -> None:
        self.path = str(path)
        super().__init__(lambda: connect(self.path, busy_timeout), SqliteDialect(busy_timeout), clock=clock,
                         node=node, lease=lease)

    @property
    def connection(self) -> sqlite3.Connection:
        """The sqlite3 connection (for diagnostics and tests)."""
        return _sqlite(self._conn)


__all__ = ["BUSY_TIMEOUT_S", "PRUNE_LIMIT", "SqliteDialect", "SqliteStore", "connect"]
