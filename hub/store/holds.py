"""Held deliveries: the facts checks compare, what a hold waits for, release and refusal.

Design note: facts are written by ``record`` with their message (same transaction); the
latest message's facts win for a (kind, key), so an amended order replaces the first. A
hold keeps its delivery's receipt deadline as a duration: released, the delivery's
deadline is counted from the release, not from the time it was first held. Each function
runs inside the transaction its caller (``sql.SqlStore``) opened.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..lifecycle import MOVES
from .base import Delivery
from .rows import DELIVERY, DELIVERY_D, EVENT, Tx, blob, starts, to_delivery, ts

_RELEASED = MOVES["released"]


def facts(tx: Tx, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest stored facts for each (kind, key) found."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, key in dict.fromkeys(pairs):
        vals = tx.value("SELECT vals FROM facts WHERE kind = ? AND key = ? ORDER BY at DESC, message_id DESC "
                        "LIMIT 1", (kind, key))
        if vals is not None:
            found[(kind, key)] = json.loads(vals)
    return found


def facts_of(tx: Tx, message_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The facts a message contributed, in record order."""
    rows = tx.all("SELECT kind, key, vals FROM facts WHERE message_id = ? ORDER BY seq", (message_id,))
    return [(kind, key, json.loads(vals)) for kind, key, vals in rows]


def held(tx: Tx, waiting_on: list[tuple[str, str]] | None, expired_at: datetime | None,
         limit: int) -> list[tuple[Delivery, str]]:
    """HELD deliveries with their check's name, waiting on any of ``waiting_on`` or expired by then."""
    if expired_at is not None:
        rows = tx.all(f"SELECT {DELIVERY_D}, d.hold FROM deliveries d WHERE d.state = 'HELD' AND "
                      "d.held_until <= ? ORDER BY d.id LIMIT ?", (ts(expired_at), limit))
    else:
        where, args = tx.dialect.in_pairs("w.kind", "w.key", list(dict.fromkeys(waiting_on or [])))
        rows = tx.all(f"SELECT DISTINCT {DELIVERY_D}, d.hold FROM delivery_waits w "
                      "JOIN deliveries d ON d.id = w.delivery_id "
                      f"WHERE d.state = 'HELD' AND {where} ORDER BY d.id LIMIT ?", (*args, limit))
    return [(to_delivery(row[:-1]), row[-1]) for row in rows]


def release(tx: Tx, delivery_ids: list[int], now: datetime, source: str,
            payloads: dict[int, bytes]) -> list[tuple[Delivery, bytes]]:
    """HELD -> PENDING (hub.lifecycle's "released"), the receipt deadline counted from ``now``;
    ``payloads`` replace stored ones."""
    at = ts(now)
    out = []
    for id_ in delivery_ids:
        row = tx.one(f"SELECT {DELIVERY} FROM deliveries WHERE id = ? AND {starts(_RELEASED)}", (id_,))
        if row is None:
            continue
        before = to_delivery(row)
        deadline = (now + (before.deadline_at - before.created_at)) if before.deadline_at else None
        after = tx.one(f"UPDATE deliveries SET state = '{_RELEASED.after.value}', deadline_at = ?, updated_at = ? "
                       f"WHERE id = ? RETURNING {DELIVERY}", (ts(deadline), at, id_))
        assert after is not None                # the row was read in this transaction
        tx.run(EVENT, (at, before.message_id, id_, _RELEASED.event, _RELEASED.after.value, source, "{}"))
        payload = payloads.get(id_)
        if payload is not None:     # rendered at release: the stored copy is what a resend sends
            tx.run("UPDATE delivery_payloads SET payload = ? WHERE delivery_id = ?", (payload, id_))
        else:
            payload = blob(tx.value("SELECT payload FROM delivery_payloads WHERE delivery_id = ?", (id_,)))
        out.append((to_delivery(after), payload))
    return out
