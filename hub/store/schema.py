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

_EARLIER = ("(e.received_at < messages.received_at "
            "OR (e.received_at = messages.received_at AND e.id < messages.id))")
_SAME_ID = ("e.status = 'ACCEPTED' AND e.sender = messages.sender "
            "AND e.sender_message_id = messages.sender_message_id")
_SAME_KEY = ("e.status = 'ACCEPTED' AND e.sender = messages.sender AND e.business_key = messages.business_key "
             "AND COALESCE(e.kind, '') = COALESCE(messages.kind, '') "
             "AND COALESCE(e.function, '') = COALESCE(messages.function, '')")


def _demote(same: str, present: str) -> str:
    """Every ACCEPTED message but the earliest of those ``same`` as it becomes a DUPLICATE of that one."""
    return (f"UPDATE messages SET status = 'DUPLICATE', duplicate_of = (SELECT e.id FROM messages e WHERE {same} "
            f"ORDER BY e.received_at, e.id LIMIT 1) WHERE status = 'ACCEPTED' AND {present} IS NOT NULL "
            f"AND EXISTS (SELECT 1 FROM messages e WHERE {same} AND {_EARLIER})")


ORIGINALS = (
    _demote(_SAME_ID, "sender_message_id"),
    _demote(_SAME_KEY, "business_key"),
    "CREATE UNIQUE INDEX messages_original_id ON messages (sender, sender_message_id) "
    "WHERE status = 'ACCEPTED' AND sender_message_id IS NOT NULL",
    "CREATE UNIQUE INDEX messages_original_key ON messages "
    "(sender, COALESCE(kind, ''), business_key, COALESCE(function, '')) "
    "WHERE status = 'ACCEPTED' AND business_key IS NOT NULL",
)
"""One ACCEPTED original per (sender, sender message id) and per (sender, kind, business key, function),
as the duplicate look-up reads them (a missing kind or function is the same as another missing one):
two nodes that both found no original cannot both store one; the insert that loses is stored as a
DUPLICATE of the winner (``record``). The same statements in both engines. A store that already holds
such twins (two nodes raced before this version) keeps the earliest ACCEPTED and the others become its
DUPLICATEs, as the look-up has always answered."""


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
