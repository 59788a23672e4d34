"""Receipts in the store: correlation to a delivery, outcomes, the listing and orphan retention.

Design note: a receipt is stored whatever becomes of it. It is correlated by (receiver,
key) over its keys in order; a key shared by several deliveries (an original and its
amendment share a business key) means the latest of them. The delivery moves by
hub.lifecycle.after_receipt (never down its rank) and a receipt's agency reference
becomes a further key of its delivery, for two-step chains. Unmatched receipts (orphaned,
unreadable, refused) stay listed until retention drops them, counted in ``counters``.
Each function runs inside the transaction its caller (``sql.SqlStore``) opened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from ..lifecycle import after_receipt
from .base import RECEIPT_OUTCOMES, UNMATCHED, Correlation, Delivery, DeliveryState, Message, NewReceipt
from .record import INSERT_KEY
from .rows import EVENT, MESSAGE_M, Tx, codes, dt, get_delivery, to_message, ts

_NAMES = ("id", "receiver", "format", "received_at", "keys", "state", "agency_status", "agency_reference",
          "errors", "size", "sha256", "outcome", "delivery_id")
_COLUMNS = ", ".join(_NAMES)
"""A receipt row as listed: every column but its bytes."""

PRUNE_LIMIT = 10_000
"""At most this many unmatched receipts are dropped by one ``prune_orphans`` call (one transaction
holding the write lock): the rest go at the next call."""

_INSERT = ("INSERT INTO receipts (receiver, format, received_at, keys, state, agency_status, agency_reference, "
           "errors, delivery_id, sha256, size, raw, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class _Match(NamedTuple):
    """The delivery a receipt answers, found by ``key``: its state before the receipt, and its message."""

    delivery_id: int
    key: str
    state: DeliveryState
    message: Message


def _outcome(receipt: NewReceipt, found: _Match | None) -> str:
    """The receipt's outcome: refused, correlated, unreadable (no state and no agency status: it could
    not be read; a receipt read without a state change carries its agency status) or orphaned."""
    if receipt.refused:
        return "refused"
    if found is not None:
        return "correlated"
    return "unreadable" if receipt.state is None and receipt.agency_status is None else "orphaned"


def apply(tx: Tx, receipt: NewReceipt, at: str) -> Correlation:
    """One receipt inside the caller's write transaction: a refused receipt is stored, never correlated."""
    found = None if receipt.refused else _correlate(tx, receipt.receiver, receipt.keys)
    outcome = _outcome(receipt, found)
    receipt_id = tx.insert(_INSERT, (
        receipt.receiver, receipt.format, ts(receipt.received_at), json.dumps(list(receipt.keys)),
        receipt.state.value if receipt.state else None, receipt.agency_status, receipt.agency_reference,
        json.dumps(list(receipt.errors)), found.delivery_id if found else None,
        receipt.sha256 or hashlib.sha256(receipt.raw).hexdigest(),
        len(receipt.raw) if receipt.size is None else receipt.size, receipt.raw, outcome))
    if found is None:
        detail: dict[str, Any] = {"receiver": receipt.receiver, "keys": list(receipt.keys), "outcome": outcome}
        if receipt.errors:
            detail |= {"format": receipt.format, "codes": codes(receipt.errors)}
        type_ = "receipt.refused" if receipt.refused else "receipt.orphaned"
        tx.run(EVENT, (at, None, None, type_, None, f"receipt:{receipt_id}", json.dumps(detail)))
        return Correlation(receipt_id, None, None)
    return Correlation(receipt_id, _advance(tx, found, receipt, receipt_id, at), found.message)


def _correlate(tx: Tx, receiver: str, keys: tuple[str, ...]) -> _Match | None:
    """The first key (in order) known for this receiver; a key shared by several deliveries means
    the latest of them. The same query reads the delivery's state and its message, which the
    caller needs next."""
    for key in keys:
        if not key:
            continue
        row = tx.one(f"SELECT k.delivery_id, d.state, {MESSAGE_M} FROM delivery_keys k "
                     "JOIN deliveries d ON d.id = k.delivery_id JOIN messages m ON m.id = d.message_id "
                     "WHERE k.receiver = ? AND k.key = ? ORDER BY k.delivery_id DESC LIMIT 1", (receiver, key))
        if row:
            return _Match(row[0], key, DeliveryState(row[1]), to_message(row[2:]))
    return None


def _advance(tx: Tx, found: _Match, receipt: NewReceipt, receipt_id: int, at: str) -> Delivery:
    """Move the delivery (hub.lifecycle.after_receipt: never down its rank); returns it as updated."""
    state = after_receipt(found.state, receipt.state)
    # UPDATE, then SELECT by id: cheaper than UPDATE ... RETURNING, which SQLite runs as a trigger
    tx.run("UPDATE deliveries SET state = ?, agency_status = COALESCE(?, agency_status), "
           "agency_reference = COALESCE(?, agency_reference), receipt_at = COALESCE(receipt_at, ?), "
           "updated_at = ? WHERE id = ?",
           (state.value, receipt.agency_status, receipt.agency_reference, at, at, found.delivery_id))
    delivery = get_delivery(tx, found.delivery_id)
    if receipt.agency_reference:
        tx.run(INSERT_KEY, (delivery.receiver, receipt.agency_reference, delivery.id))
    detail = {"receipt_id": receipt_id, "key": found.key, "previous_state": found.state.value,
              "agency_status": receipt.agency_status, "agency_reference": receipt.agency_reference,
              "codes": codes(receipt.errors)}
    tx.run(EVENT, (at, delivery.message_id, delivery.id, "receipt.correlated",
                   state.value if receipt.state is not None else None, f"receipt:{receipt_id}", json.dumps(detail)))
    return delivery


def listing(tx: Tx, outcome: str | Sequence[str] | None, receiver: str | None, since: datetime | None,
            limit: int) -> list[dict[str, Any]]:
    """Stored receipts, newest first, without their bytes (see ReceiptStore.receipts): one search of
    the (outcome, received_at) index per outcome asked for, merged."""
    outcomes = RECEIPT_OUTCOMES if outcome is None else (outcome,) if isinstance(outcome, str) else outcome
    unknown = sorted(set(outcomes) - set(RECEIPT_OUTCOMES))
    if unknown:
        raise ValueError(f"receipt outcome {', '.join(unknown)}: expected one of {', '.join(RECEIPT_OUTCOMES)}")
    rows = []
    for one in dict.fromkeys(outcomes):
        rows += tx.all(f"SELECT {_COLUMNS} FROM receipts WHERE outcome = ? AND received_at >= ? "
                       "AND receiver = COALESCE(?, receiver) ORDER BY received_at DESC, id DESC LIMIT ?",
                       (one, ts(since) if since else "", receiver, limit))
    rows.sort(key=lambda r: (r[3], r[0]), reverse=True)     # (received_at, id)
    out = [dict(zip(_NAMES, row)) for row in rows[:limit]]
    for item in out:
        item.update(received_at=dt(item["received_at"]), keys=json.loads(item["keys"]),
                    errors=json.loads(item["errors"]))
    return out


def prune(tx: Tx, older_than: datetime, keep: int, limit: int, at: str) -> tuple[int, int]:
    """Drop unmatched receipts received before ``older_than`` and the oldest beyond the newest ``keep``,
    at most ``limit`` (the oldest first), inside the caller's write transaction; count them and append
    one ``receipt.pruned`` event. The newest receipt of all is never dropped: SQLite would give its id
    to the next receipt, and events name receipts by id. Returns (dropped now, dropped ever)."""
    unmatched, args = tx.dialect.in_list("outcome", UNMATCHED)
    due = {id_ for id_, in tx.all(f"SELECT id FROM receipts WHERE {unmatched} AND received_at < ? LIMIT ?",
                                  (*args, ts(older_than), limit))}
    beyond = tx.value("SELECT id FROM receipts WHERE delivery_id IS NULL ORDER BY id DESC LIMIT 1 OFFSET ?",
                      (max(keep, 0),))
    if beyond is not None:
        due.update(id_ for id_, in tx.all("SELECT id FROM receipts WHERE delivery_id IS NULL AND id <= ? "
                                          "ORDER BY id LIMIT ?", (beyond, limit)))
    due.discard(tx.value("SELECT MAX(id) FROM receipts"))
    chosen = sorted(due)[:limit]
    if not chosen:
        return 0, 0
    where, args = tx.dialect.in_list("id", chosen)
    tx.run(f"DELETE FROM receipts WHERE {where}", args)
    total: int = tx.value("INSERT INTO counters (name, value) VALUES ('orphans_dropped', ?) ON CONFLICT (name) "
                          "DO UPDATE SET value = counters.value + excluded.value RETURNING value", (len(chosen),))
    tx.run(EVENT, (at, None, None, "receipt.pruned", None, "store:retention",
                   json.dumps({"count": len(chosen), "older_than": ts(older_than), "keep": keep,
                               "orphans_dropped": total})))
    return len(chosen), total
