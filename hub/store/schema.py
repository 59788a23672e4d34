"""The migration runner: the schema versions a database lacks, applied in the caller's write transaction.

Design note: migration N is ``migrations[N - 1]`` of the store's dialect (the same names
and numbering in every engine: version N means the same tables everywhere);
``schema_version`` holds one row per migration applied. The runner works inside the
caller's write transaction, which holds the store's write lock, so two processes
starting at once serialise: the second finds the work done. Never edit a released
migration; append a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConfigError
from .dialect import Migration
from .rows import Tx


def apply_migrations(tx: Tx, migrations: Sequence[Migration], applied_at: str) -> int:
    """Apply the migrations the database lacks; returns the version now in force."""
    tx.run("CREATE TABLE IF NOT EXISTS schema_version ("
           "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    current: int = tx.value("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    if current > len(migrations):
        raise ConfigError(f"the store's schema is version {current}; this hub knows up to "
                          f"{len(migrations)}: upgrade the hub", code="CONFIG_INVALID")
    for version, migration in enumerate(migrations[current:], start=current + 1):
        for statement in migration.statements:
            tx.run(statement)
        tx.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
               (version, migration.name, applied_at))
    return len(migrations)
