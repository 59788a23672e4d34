"""One ``record`` call as rows: messages, deliveries, payloads, correlation keys and events.

Design note: the router stores 100-500 messages per call, so the rows of the whole batch
are gathered first and written with one ``executemany`` per table inside the caller's
transaction. Delivery ids are assigned here from ``first_id`` (the caller holds the
store's write lock, so no other process can take them).

Several nodes may find no original for the same repeat at once (the duplicate look-up runs
before the write): the unique indexes on ACCEPTED originals (``schema.ORIGINALS``) let one
insert win; the message rows go in first with ON CONFLICT DO NOTHING, and a message whose row
did not go in is stored as a DUPLICATE of the winner instead, its deliveries dropped. Each
delivery is leased to the node that stores it (``Lease``) until a time on the database's clock,
so that another node's republication leaves it alone while this node publishes it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

import structlog

from .base import Delivery, DeliveryState, MessageStatus, NewDelivery, NewMessage
from .dialect import Row
from .rows import EVENT, Tx, codes, ts

log = structlog.get_logger()

_INSERT_MESSAGE = (
    "INSERT INTO messages (id, sender, sender_message_id, received_at, status, sha256, size, format, kind, "
    "business_key, function, errors, duplicate_of, updated_at, raw) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_ORIGINAL = _INSERT_MESSAGE + " ON CONFLICT DO NOTHING"
"""A message row that does not go in when an ACCEPTED original of the same sender id or business key
is there already (or when its id is: never, as ``record`` skips stored ids under the write lock)."""
_REPLAY_MESSAGE = (
    "UPDATE messages SET status = ?, format = ?, kind = ?, business_key = ?, function = ?, errors = ?, "
    "duplicate_of = ?, updated_at = ? WHERE id = ?")
_INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, message_id, receiver, format, route, out_id, state, deadline_at, attempts, "
    "created_at, updated_at, hold, held_until, leased_by, lease_until) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)")
_ORIGINAL_BY_ID = ("SELECT id FROM messages WHERE status = 'ACCEPTED' AND sender = ? AND sender_message_id = ? "
                   "AND id <> ?")
_ORIGINAL_BY_KEY = ("SELECT id FROM messages WHERE status = 'ACCEPTED' AND sender = ? AND business_key = ? "
                    "AND COALESCE(kind, '') = COALESCE(?, '') AND COALESCE(function, '') = COALESCE(?, '') "
                    "AND id <> ?")


class Lease(NamedTuple):
    """Who publishes a new PENDING delivery, and until when (stored-time text, the database's clock)."""

    node: str | None
    until: str | None
_INSERT_FACT = ("INSERT INTO facts (kind, key, message_id, seq, at, vals) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, key, message_id, seq) DO UPDATE SET at = excluded.at, vals = excluded.vals")
_INSERT_WAIT = "INSERT INTO delivery_waits (kind, key, delivery_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
_INSERT_PAYLOAD = "INSERT INTO delivery_payloads (delivery_id, payload) VALUES (?, ?)"
INSERT_KEY = "INSERT INTO delivery_keys (receiver, key, delivery_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"


class RecordBatch:
    """The rows of one ``record`` call, and the deliveries it creates."""

    def __init__(self, now: datetime, source: str, first_id: int, lease: Lease | None = None) -> None:
        self.now, self.at, self.source, self.next_id = now, ts(now), source, first_id
        self.lease = lease or Lease(None, None)
        self.inserts: list[Row] = []
        self.replays: list[Row] = []
        self.deliveries: list[Row] = []
        self.payloads: list[Row] = []
        self.keys: list[Row] = []
        self.events: list[Row] = []
        self.facts: list[Row] = []
        self.waits: list[Row] = []
        self.created: list[Delivery] = []

    def add(self, m: NewMessage, previous: str | None, existing: set[tuple[str, str]]) -> None:
        """A new message, or a replay of one stored as ``previous`` with these (receiver, format) taken."""
        errors = json.dumps(list(m.errors))
        if previous is None:
            size = len(m.raw) if m.size is None else m.size      # the whole input's, when raw is its head
            self.inserts.append((m.id, m.sender, m.sender_message_id, ts(m.received_at), m.status.value, m.sha256,
                                 size, m.format, m.kind, m.business_key, m.function, errors, m.duplicate_of,
                                 self.at, m.raw))
        else:
            self.replays.append((m.status.value, m.format, m.kind, m.business_key, m.function, errors,
                                 m.duplicate_of, self.at, m.id))
            self._event(m.id, None, "message.replayed", None, {"previous_status": previous})
        self._event(m.id, None, f"message.{m.status.value.lower()}", m.status.value, _outcome(m))
        self.facts.extend((kind, key, m.id, seq, self.at, json.dumps(values, ensure_ascii=False))
                          for seq, (kind, key, values) in enumerate(m.facts))
        for d in m.deliveries:
            if (d.receiver, d.format) not in existing:
                self._delivery(m.id, d)

    def _delivery(self, message_id: str, d: NewDelivery) -> None:
        id_, out_id = self.next_id, f"{message_id}.{d.receiver}"
        self.next_id += 1
        state = DeliveryState.HELD if d.hold else DeliveryState.PENDING
        leased = (self.lease.node or None, self.lease.until) if state is DeliveryState.PENDING else (None, None)
        self.deliveries.append((id_, message_id, d.receiver, d.format, d.route, out_id, state.value,
                                ts(d.deadline_at), self.at, self.at, d.hold, ts(d.held_until), *leased))
        self.payloads.append((id_, d.payload))
        self.keys.extend((d.receiver, key, id_) for key in dict.fromkeys((out_id, *d.correlation_keys)) if key)
        self.waits.extend((kind, key, id_) for kind, key in d.waits)
        detail: dict[str, Any] = {"receiver": d.receiver, "format": d.format, "route": d.route}
        if d.hold:
            detail |= {"check": d.hold, "held_until": ts(d.held_until)}
        self._event(message_id, id_, f"delivery.{state.value.lower()}", state.value, detail)
        self.created.append(Delivery(id=id_, message_id=message_id, receiver=d.receiver, format=d.format,
                                     route=d.route, state=state, out_id=out_id,
                                     created_at=self.now, updated_at=self.now,
                                     deadline_at=d.deadline_at.astimezone(UTC) if d.deadline_at else None))

    def _event(self, message_id: str, delivery_id: int | None, type_: str, state: str | None,
               detail: dict[str, Any]) -> None:
        self.events.append((self.at, message_id, delivery_id, type_, state, self.source,
                            json.dumps(detail) if detail else "{}"))

    def write(self, tx: Tx, messages: dict[str, NewMessage]) -> None:
        """Every row of the batch, one executemany per statement (in foreign-key order); the new
        messages first, and those that lost the race for an original stored as its DUPLICATEs."""
        tx.many(_INSERT_ORIGINAL, self.inserts)
        if self.inserts:
            where, args = tx.dialect.in_list("id", [row[0] for row in self.inserts])
            stored = {row[0] for row in tx.all(f"SELECT id FROM messages WHERE {where}", args)}
            lost = [messages[row[0]] for row in self.inserts if row[0] not in stored]
            if lost:
                self._as_duplicates(tx, lost)
        for sql, rows in ((_REPLAY_MESSAGE, self.replays),
                          (_INSERT_DELIVERY, self.deliveries), (_INSERT_PAYLOAD, self.payloads),
                          (INSERT_KEY, self.keys), (EVENT, self.events), (_INSERT_FACT, self.facts),
                          (_INSERT_WAIT, self.waits)):
            tx.many(sql, rows)


    def _as_duplicates(self, tx: Tx, lost: list[NewMessage]) -> None:
        """``lost`` found their original taken by another node's insert: each is stored as its
        DUPLICATE, without the deliveries, facts and events it came with."""
        ids = {m.id for m in lost}
        dropped = {row[0] for row in self.deliveries if row[1] in ids}
        self.deliveries = [row for row in self.deliveries if row[1] not in ids]
        self.payloads = [row for row in self.payloads if row[0] not in dropped]
        self.keys = [row for row in self.keys if row[2] not in dropped]
        self.waits = [row for row in self.waits if row[2] not in dropped]
        self.facts = [row for row in self.facts if row[2] not in ids]
        self.events = [row for row in self.events if row[1] not in ids]
        self.created = [d for d in self.created if d.message_id not in ids]
        rows, self.inserts = {row[0]: row for row in self.inserts}, []
        for m in lost:
            winner = original_of(tx, m)
            if winner is None:      # not an original's conflict (cannot happen under the write lock): say so
                tx.run(_INSERT_MESSAGE, rows[m.id])
                continue
            log.info("message.duplicate_raced", hub_message_id=m.id, duplicate_of=winner, sender=m.sender)
            self.add(replace(m, status=MessageStatus.DUPLICATE, duplicate_of=winner, deliveries=(), facts=()),
                     None, set())
        tx.many(_INSERT_MESSAGE, self.inserts)


def original_of(tx: Tx, m: NewMessage) -> str | None:
    """The ACCEPTED original stored for what ``m`` repeats (by sender message id, then business key),
    other than ``m`` itself: read inside the write transaction."""
    if m.sender_message_id and (found := tx.value(_ORIGINAL_BY_ID, (m.sender, m.sender_message_id, m.id))):
        return str(found)
    if m.business_key and (found := tx.value(_ORIGINAL_BY_KEY, (m.sender, m.business_key, m.kind, m.function,
                                                                 m.id))):
        return str(found)
    return None


def record(tx: Tx, messages: list[NewMessage], now: datetime, source: str,
           lease: Lease | None = None) -> list[Delivery]:
    """``Store.record`` inside the caller's write transaction: the stored outcomes first (a message
    already ACCEPTED or DUPLICATE is skipped; a REJECTED or FAILED one is replayed), then the batch.
    A replay that would make a second ACCEPTED original is stored as a DUPLICATE of the first."""
    where, args = tx.dialect.in_list("id", [m.id for m in messages])
    stored: dict[str, str] = dict(tx.all(f"SELECT id, status FROM messages WHERE {where}", args))
    batch = RecordBatch(now, source, tx.value("SELECT COALESCE(MAX(id), 0) + 1 FROM deliveries"), lease)
    new: dict[str, NewMessage] = {}
    for message in messages:
        previous = stored.get(message.id)
        if previous in (MessageStatus.ACCEPTED.value, MessageStatus.DUPLICATE.value):
            continue
        existing: set[tuple[str, str]] = set()
        if previous:
            existing = {(r, f) for r, f in tx.all("SELECT receiver, format FROM deliveries WHERE message_id = ?",
                                                  (message.id,))}
            if message.status is MessageStatus.ACCEPTED and (winner := original_of(tx, message)):
                message = replace(message, status=MessageStatus.DUPLICATE, duplicate_of=winner, deliveries=(),
                                  facts=())
        else:
            new[message.id] = message
        batch.add(message, previous, existing)
        stored[message.id] = message.status.value
    batch.write(tx, new)
    return batch.created


def _outcome(m: NewMessage) -> dict[str, Any]:
    """The event detail of a message's outcome: ids and codes, never content."""
    detail: dict[str, Any] = {}
    if m.errors:
        detail["codes"] = codes(m.errors)
    if m.duplicate_of:
        detail["duplicate_of"] = m.duplicate_of
    if m.deliveries:
        detail["deliveries"] = len(m.deliveries)
    if m.signer:
        detail["signer"] = m.signer
    if m.vouched_by:    # not the sender's own login: the hub's user published it as that sender
        detail["vouched_by"] = m.vouched_by
    return detail
