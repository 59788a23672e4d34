"""The SQLite schema as ordered migrations (the runner is ``schema.apply_migrations``).

Design note: migration N is ``MIGRATIONS[N - 1]``, as SQL scripts split into statements
here (``executescript`` would commit the open transaction). Never edit a released
migration; append a new one (and its PostgreSQL twin, under the same name).

Layout choices: rendered payloads live in their own table so that a delivery's state
changes (SENT, ACKNOWLEDGED, ...) rewrite a ~200-byte row, not the payload with it; a
message's raw bytes stay in its row (last column) because messages are rarely updated.
``sent_at`` and ``receipt_at`` copy the times of a delivery's first ``delivery.sent`` and
first ``receipt.correlated`` events, so latency figures need no scan of the event log.
Triggers keep the event log append-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from .dialect import Migration
from .schema import ORIGINALS

_INITIAL = """
CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    sender            TEXT NOT NULL,
    sender_message_id TEXT,
    received_at       TEXT NOT NULL,
    status            TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    format            TEXT,
    kind              TEXT,
    business_key      TEXT,
    function          TEXT,
    errors            TEXT NOT NULL DEFAULT '[]',
    duplicate_of      TEXT REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
    updated_at        TEXT NOT NULL,
    raw               BLOB NOT NULL
);
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_status ON messages (status, received_at);
CREATE INDEX messages_sender ON messages (sender, received_at);
CREATE INDEX messages_sender_message_id ON messages (sender_message_id);
CREATE INDEX messages_business_key ON messages (business_key, kind, function);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    message_id       TEXT NOT NULL REFERENCES messages (id),
    receiver         TEXT NOT NULL,
    format           TEXT NOT NULL,
    route            TEXT NOT NULL,
    out_id           TEXT NOT NULL,
    state            TEXT NOT NULL,
    deadline_at      TEXT,
    agency_status    TEXT,
    agency_reference TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    sent_at          TEXT,
    receipt_at       TEXT,
    UNIQUE (message_id, receiver, format)
);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'PENDING';
CREATE INDEX deliveries_awaiting ON deliveries (deadline_at) WHERE state IN ('SENT', 'ACKNOWLEDGED');

CREATE TABLE delivery_payloads (
    delivery_id INTEGER PRIMARY KEY REFERENCES deliveries (id),
    payload     BLOB NOT NULL
);

CREATE TABLE delivery_keys (
    receiver    TEXT NOT NULL,
    key         TEXT NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    PRIMARY KEY (receiver, key, delivery_id)
) WITHOUT ROWID;

CREATE TABLE receipts (
    id               INTEGER PRIMARY KEY,
    receiver         TEXT NOT NULL,
    format           TEXT,
    received_at      TEXT NOT NULL,
    keys             TEXT NOT NULL,
    state            TEXT,
    agency_status    TEXT,
    agency_reference TEXT,
    errors           TEXT NOT NULL DEFAULT '[]',
    delivery_id      INTEGER REFERENCES deliveries (id),
    sha256           TEXT NOT NULL,
    size             INTEGER NOT NULL,
    raw              BLOB NOT NULL
);
CREATE INDEX receipts_delivery ON receipts (delivery_id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    message_id  TEXT REFERENCES messages (id),
    delivery_id INTEGER REFERENCES deliveries (id),
    type        TEXT NOT NULL,
    state       TEXT,
    source      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_message ON events (message_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"""

_HOLDS = """
ALTER TABLE deliveries ADD COLUMN hold TEXT;
ALTER TABLE deliveries ADD COLUMN held_until TEXT;
CREATE INDEX deliveries_held ON deliveries (held_until) WHERE state = 'HELD';

CREATE TABLE facts (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    message_id TEXT NOT NULL REFERENCES messages (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    vals       TEXT NOT NULL,
    PRIMARY KEY (kind, key, message_id, seq)
) WITHOUT ROWID;
CREATE INDEX facts_message ON facts (message_id, seq);

CREATE TABLE delivery_waits (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    PRIMARY KEY (kind, key, delivery_id)
) WITHOUT ROWID;
"""

_RECEIPT_OUTCOMES = """
ALTER TABLE receipts ADD COLUMN outcome TEXT NOT NULL DEFAULT 'correlated'
    CHECK (outcome IN ('correlated', 'orphaned', 'unreadable', 'refused'));
UPDATE receipts SET outcome = CASE WHEN state IS NULL AND agency_status IS NULL THEN 'unreadable'
                                   ELSE 'orphaned' END
WHERE delivery_id IS NULL;
CREATE INDEX receipts_outcome ON receipts (outcome, received_at);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""
"""Every receipt's outcome in a column of its own (the DEFAULT only fills the correlated rows
already there without rewriting them: every insert names its outcome); receipts indexed by
outcome and age (orphan retention, the receipts listing, the counts in ``stats``; the
unmatched ones in id order come from ``receipts_delivery``); persistent counters
(``orphans_dropped``)."""

_PURGE = """
ALTER TABLE messages ADD COLUMN purged_at TEXT;
CREATE INDEX messages_unpurged ON messages (received_at) WHERE purged_at IS NULL;
"""
"""When a message's payloads and personal fields were removed (`hub purge`, the sweeper's retention
per kind); the messages still to purge indexed by age, so that a retention pass reads only those."""

_NODES = """
ALTER TABLE deliveries ADD COLUMN leased_by TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until TEXT;
CREATE TABLE leads (
    name  TEXT PRIMARY KEY,
    node  TEXT NOT NULL,
    since TEXT NOT NULL,
    beat  TEXT NOT NULL
) WITHOUT ROWID;
"""
"""Several hub nodes on one store: a PENDING delivery's publication is leased to one node until a time
on the database's clock (the node that stored it, or one that republishes it), so that no two nodes
publish it at once; which node leads each periodic task (the sweeper), since when, and its last beat
(both on the database's clock: an operator, or a test, sees the lead move and the leader tick); and
``ORIGINALS``."""

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("initial", _INITIAL),
    ("holds: HELD deliveries, the facts checks compare, what a hold waits for", _HOLDS),
    ("receipt outcomes (correlated, orphaned, unreadable, refused), orphan retention, counters",
     _RECEIPT_OUTCOMES),
    ("purge: personal data kept only as long as allowed (messages.purged_at)", _PURGE),
    ("nodes: delivery leases, one ACCEPTED original per sender message id and per business key",
     _NODES + ";\n".join(ORIGINALS) + ";\n"),
)
"""(name, SQL script) in order; the schema version is the count applied."""


def migrations() -> tuple[Migration, ...]:
    """``MIGRATIONS`` as the runner takes them: each script split into its statements."""
    return tuple(Migration(name, tuple(_statements(script))) for name, script in MIGRATIONS)


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (a trigger's body holds semicolons of its own)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending.strip()
            pending = ""
