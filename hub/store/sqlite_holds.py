"""Held deliveries on SQLite: the facts checks compare, what a hold waits for, release and refusal.

Design note: facts are written by ``record`` with their message (same transaction); the
latest message's facts win for a (kind, key), so an amended order replaces the first. A
hold keeps its delivery's receipt deadline as a duration: released, the delivery's
deadline is counted from the release, not from the time it was first held.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from ..lifecycle import MOVES
from .base import Delivery
from .sqlite_record import _DELIVERY, _DELIVERY_D, _EVENT, _delivery, ts


class HoldsMixin:
    """Mixed into SqliteStore: uses its ``_db``, ``_write``, ``_settle``, ``_now`` and row mappers."""

    _db: sqlite3.Connection
    _write: Callable[[], AbstractContextManager[sqlite3.Cursor]]
    _settle: Callable[..., list[Delivery]]

    def facts(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        found: dict[tuple[str, str], dict] = {}
        for kind, key in dict.fromkeys(pairs):
            row = self._db.execute("SELECT vals FROM facts WHERE kind = ? AND key = ? ORDER BY at DESC, "
                                   "message_id DESC LIMIT 1", (kind, key)).fetchone()
            if row:
                found[(kind, key)] = json.loads(row[0])
        return found

    def facts_of(self, message_id: str) -> list[tuple[str, str, dict]]:
        rows = self._db.execute("SELECT kind, key, vals FROM facts WHERE message_id = ? ORDER BY seq",
                                (message_id,)).fetchall()
        return [(kind, key, json.loads(vals)) for kind, key, vals in rows]

    def held(self, waiting_on: list[tuple[str, str]] | None = None, expired_at: datetime | None = None,
             limit: int = 1000) -> list[tuple[Delivery, str]]:
        if expired_at is not None:
            rows = self._db.execute(f"SELECT {_DELIVERY_D}, d.hold FROM deliveries d WHERE d.state = 'HELD' AND "
                                    "d.held_until <= ? ORDER BY d.id LIMIT ?", (ts(expired_at), limit)).fetchall()
        else:
            pairs = json.dumps([list(p) for p in dict.fromkeys(waiting_on or [])])
            rows = self._db.execute(
                f"SELECT DISTINCT {_DELIVERY_D}, d.hold FROM delivery_waits w "
                "JOIN deliveries d ON d.id = w.delivery_id "
                "WHERE d.state = 'HELD' AND (w.kind, w.key) IN "
                "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)) "
                "ORDER BY d.id LIMIT ?", (pairs, limit)).fetchall()
        return [(_delivery(row[:-1]), row[-1]) for row in rows]

    def release(self, delivery_ids: list[int], source: str,
                payloads: dict[int, bytes] | None = None) -> list[tuple[Delivery, bytes]]:
        payloads = payloads or {}
        if not delivery_ids:
            return []
        now = self._now()
        at = ts(now)
        out = []
        with self._write() as cur:
            for id_ in delivery_ids:
                row = cur.execute(f"SELECT {_DELIVERY} FROM deliveries WHERE id = ? AND state = 'HELD'",
                                  (id_,)).fetchone()
                if row is None:
                    continue
                before = _delivery(row)
                deadline = (now + (before.deadline_at - before.created_at)) if before.deadline_at else None
                row = cur.execute(f"UPDATE deliveries SET state = 'PENDING', deadline_at = ?, updated_at = ? "
                                  f"WHERE id = ? RETURNING {_DELIVERY}", (ts(deadline), at, id_)).fetchone()
                cur.execute(_EVENT, (at, before.message_id, id_, "delivery.released", "PENDING", source, "{}"))
                if id_ in payloads:     # rendered at release: the stored copy is what a resend sends
                    cur.execute("UPDATE delivery_payloads SET payload = ? WHERE delivery_id = ?", (payloads[id_], id_))
                payload = cur.execute("SELECT payload FROM delivery_payloads WHERE delivery_id = ?",
                                      (id_,)).fetchone()[0]
                out.append((_delivery(row), payload))
        return out

    def refuse(self, delivery_ids: list[int], problems: list[dict], source: str) -> list[Delivery]:
        return self._settle(delivery_ids, MOVES["refused"], problems, source)
