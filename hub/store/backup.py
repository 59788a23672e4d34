"""Backing up and restoring the embedded store (SQLite); PostgreSQL has its own tools.

SQLite: ``backup`` copies the live file with SQLite's online backup API in one step, inside
one read transaction: in WAL mode writers go on meanwhile, and the copy is the store as it
was when the step began (a consistent snapshot, never a half-written batch). The copy is a
new file, private (0600), checked (``PRAGMA integrity_check``) before it is reported done.

``restore`` checks the backup first (a readable SQLite file, intact, with the hub's
``schema_version`` table at a version this hub knows), then copies it over the store with
the same API: SQLite takes the store's write lock for the copy, so a hub writing at that
moment waits or fails rather than interleaving. Stop the hub first: messages and receipts
the hub took after the backup was made are not in it. At its next start ``hub serve``
republishes every delivery the backup holds PENDING (``republish_pending``); deliveries
already SENT wait for their receipts as before, and a receipt for a message the backup does
not hold is kept as an orphan, never dropped.

PostgreSQL: ``pg_dump``/``pg_restore`` for a logical copy and a standby with WAL archiving
for point-in-time recovery; the README's "Backup and restore" says how. ``backup`` and
``restore`` refuse a PostgreSQL URL with that pointer instead of doing half of it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import ConfigError
from .sqlite import connect

POSTGRES_HINT = ("the store is PostgreSQL: back it up with pg_dump (or a standby with WAL archiving for "
                 "point-in-time recovery) and restore with pg_restore; see the README, 'Backup and restore'")


def sqlite_path(url: str) -> str:
    """The file an ``sqlite:///`` store URL names; ConfigError for PostgreSQL (its own tools) or memory."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgres", "postgresql"):
        raise ConfigError(POSTGRES_HINT, code="CONFIG_INVALID")
    if scheme != "sqlite" or not rest.startswith("/") or rest[1:] in ("", ":memory:"):
        raise ConfigError("HUB_STORE_URL names no store file to back up or restore (sqlite:///path.db)",
                          code="CONFIG_INVALID")
    return rest[1:]


def backup(store_file: str, target: str | Path) -> dict[str, int]:
    """Copy the live store into the new file ``target``; returns its schema version, messages and deliveries."""
    target = Path(target)
    if target.exists():
        raise ConfigError(f"{target} exists: a backup goes to a new file", code="CONFIG_INVALID")
    if not Path(store_file).exists():
        raise ConfigError(f"there is no store at {store_file} (HUB_STORE_URL)", code="CONFIG_INVALID")
    source = connect(store_file)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)            # one step: one read transaction, a consistent snapshot
            copy.execute("PRAGMA journal_mode = DELETE")     # one self-contained file
            return _checked(copy, str(target))
        finally:
            copy.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()


def restore(store_file: str, source_file: str | Path) -> dict[str, int]:
    """Replace the store's content by the backup ``source_file`` once the backup is checked."""
    source_file = Path(source_file)
    if not source_file.is_file():
        raise ConfigError(f"no backup file at {source_file}", code="CONFIG_INVALID")
    try:
        backup_db = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ConfigError(f"{source_file} cannot be opened as a store backup: {exc}", code="CONFIG_INVALID") from exc
    try:
        facts = _checked(backup_db, str(source_file))
        store = connect(store_file)
        try:
            backup_db.backup(store)
        finally:
            store.close()
    finally:
        backup_db.close()
    return facts


def _checked(db: sqlite3.Connection, name: str) -> dict[str, int]:
    """What a store file holds, once SQLite and the hub's schema say it is whole."""
    from .sqlite_schema import migrations

    try:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        version = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        messages = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        deliveries = db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    except sqlite3.Error as exc:
        raise ConfigError(f"{name} is not a hub store: {exc}", code="CONFIG_INVALID") from exc
    if verdict != "ok":
        raise ConfigError(f"{name} fails SQLite's integrity check: {verdict}", code="CONFIG_INVALID")
    if not 0 < version <= len(migrations()):
        raise ConfigError(f"{name} has store schema version {version}; this hub knows 1 to {len(migrations())}",
                          code="CONFIG_INVALID")
    return {"schema_version": int(version), "messages": int(messages), "deliveries": int(deliveries)}
