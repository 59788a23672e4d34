"""One ``record`` call as rows: messages, deliveries, payloads, correlation keys and events.

Design note: the router stores 100-500 messages per call, so the rows of the whole batch
are gathered first and written with one ``executemany`` per table inside the caller's
transaction. Delivery ids are assigned here from ``first_id`` (the caller holds the write
lock, so no other process can take them).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from .base import Delivery, DeliveryState, NewDelivery, NewMessage

_INSERT_MESSAGE = (
    "INSERT INTO messages (id, sender, sender_message_id, received_at, status, sha256, size, format, kind, "
    "business_key, function, errors, duplicate_of, updated_at, raw) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_REPLAY_MESSAGE = (
    "UPDATE messages SET status = ?, format = ?, kind = ?, business_key = ?, function = ?, errors = ?, "
    "duplicate_of = ?, updated_at = ? WHERE id = ?")
_INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, message_id, receiver, format, route, out_id, state, deadline_at, attempts, "
    "created_at, updated_at, hold, held_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")
_INSERT_FACT = "INSERT OR REPLACE INTO facts (kind, key, message_id, seq, at, vals) VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_WAIT = "INSERT OR IGNORE INTO delivery_waits (kind, key, delivery_id) VALUES (?, ?, ?)"
_INSERT_PAYLOAD = "INSERT INTO delivery_payloads (delivery_id, payload) VALUES (?, ?)"
_INSERT_KEY = "INSERT OR IGNORE INTO delivery_keys (receiver, key, delivery_id) VALUES (?, ?, ?)"

_DELIVERY = ("id, message_id, receiver, format, route, state, out_id, created_at, updated_at, deadline_at, "
             "agency_status, agency_reference, attempts")


def aliased(columns: str, alias: str) -> str:
    """A column list with each column qualified by a table alias, for joins: ``a, b`` -> ``d.a, d.b``."""
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


_DELIVERY_D = aliased(_DELIVERY, "d")
"""The same columns of a delivery row aliased ``d`` (in joins)."""
_EVENT = "INSERT INTO events (at, message_id, delivery_id, type, state, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _delivery(row: tuple) -> Delivery:
    (id_, message_id, receiver, fmt, route, state, out_id, created, updated, deadline, agency_status,
     agency_reference, attempts) = row
    return Delivery(id=id_, message_id=message_id, receiver=receiver, format=fmt, route=route,
                    state=DeliveryState(state), out_id=out_id, created_at=_dt(created), updated_at=_dt(updated),
                    deadline_at=_dt(deadline), agency_status=agency_status, agency_reference=agency_reference,
                    attempts=attempts)


def ts(value: datetime | None) -> str | None:
    """Fixed-width UTC ISO-8601 text (microseconds, +00:00), so that text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: the store takes timezone-aware times")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class RecordBatch:
    """The rows of one ``record`` call, and the deliveries it creates."""

    def __init__(self, now: datetime, source: str, first_id: int) -> None:
        self.now, self.at, self.source, self.next_id = now, ts(now), source, first_id
        self.inserts: list[tuple] = []
        self.replays: list[tuple] = []
        self.deliveries: list[tuple] = []
        self.payloads: list[tuple] = []
        self.keys: list[tuple] = []
        self.events: list[tuple] = []
        self.facts: list[tuple] = []
        self.waits: list[tuple] = []
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
        self.deliveries.append((id_, message_id, d.receiver, d.format, d.route, out_id, state.value,
                                ts(d.deadline_at), self.at, self.at, d.hold, ts(d.held_until)))
        self.payloads.append((id_, d.payload))
        self.keys.extend((d.receiver, key, id_) for key in dict.fromkeys((out_id, *d.correlation_keys)) if key)
        self.waits.extend((kind, key, id_) for kind, key in d.waits)
        detail = {"receiver": d.receiver, "format": d.format, "route": d.route}
        if d.hold:
            detail |= {"check": d.hold, "held_until": ts(d.held_until)}
        self._event(message_id, id_, f"delivery.{state.value.lower()}", state.value, detail)
        self.created.append(Delivery(id=id_, message_id=message_id, receiver=d.receiver, format=d.format,
                                     route=d.route, state=state, out_id=out_id,
                                     created_at=self.now, updated_at=self.now,
                                     deadline_at=d.deadline_at.astimezone(UTC) if d.deadline_at else None))

    def _event(self, message_id: str, delivery_id: int | None, type_: str, state: str | None, detail: dict) -> None:
        self.events.append((self.at, message_id, delivery_id, type_, state, self.source,
                            json.dumps(detail) if detail else "{}"))

    def write(self, cur: sqlite3.Cursor) -> None:
        """Every row of the batch, one executemany per statement."""
        for sql, rows in ((_INSERT_MESSAGE, self.inserts), (_REPLAY_MESSAGE, self.replays),
                          (_INSERT_DELIVERY, self.deliveries), (_INSERT_PAYLOAD, self.payloads),
                          (_INSERT_KEY, self.keys), (_EVENT, self.events), (_INSERT_FACT, self.facts),
                          (_INSERT_WAIT, self.waits)):
            if rows:
                cur.executemany(sql, rows)


def _outcome(m: NewMessage) -> dict:
    """The event detail of a message's outcome: ids and codes, never content."""
    detail: dict = {}
    if m.errors:
        detail["codes"] = sorted({str(e.get("code")) for e in m.errors})
    if m.duplicate_of:
        detail["duplicate_of"] = m.duplicate_of
    if m.deliveries:
        detail["deliveries"] = len(m.deliveries)
    return detail
