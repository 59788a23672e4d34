"""What the API and /metrics read from the store that the store's roles do not offer yet: the
agencies' reasons per delivery, the service report, the metrics' aggregates.

Design note: each is one aggregate or indexed query over the store's tables through its own
connection and dialect (read only, so nothing here bypasses an invariant of the store). They
belong in ``hub.store`` (an ``AdminStore`` method each) once its migrations settle; until then
they live here, beside their only callers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..store.base import UNMATCHED, Store
from ..store.rows import Tx, ts
from ..store.sql import SqlStore
from ..store.stats import _percentile

LATENCY_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 24 * 3600.0)
"""Receipt latency histogram buckets, seconds: an automated agency answers in seconds, a manual
check in hours; a receiver's default deadline is 4 h."""


def _tx(store: Store) -> Tx:
    if not isinstance(store, SqlStore):
        raise TypeError(f"{type(store).__name__}: the status API reads an SQL store")
    return Tx(store.connection.cursor(), store.dialect)


def reasons(store: Store, delivery_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The problems (code, message) the receipts answering each delivery gave, oldest first."""
    if not delivery_ids:
        return {}
    tx = _tx(store)
    where, args = tx.dialect.in_list("delivery_id", delivery_ids)
    out: dict[int, list[dict[str, Any]]] = {}
    for delivery_id, errors in tx.all(f"SELECT delivery_id, errors FROM receipts WHERE {where} "
                                      "ORDER BY received_at, id", args):
        out.setdefault(delivery_id, []).extend(json.loads(errors) if isinstance(errors, str) else errors)
    return out


@dataclass(frozen=True)
class Scope:
    """Which deliveries a report counts: every one (both None), one receiver's, one sender's messages'."""

    receiver: str | None = None
    sender: str | None = None


def service_report(store: Store, since: datetime | None, until: datetime | None, scope: Scope) -> dict[str, Any]:
    """Per receiver, of the deliveries created in [since, until): volumes by state, receipt latency
    (median, p95), acceptance and rejection rates of those answered, overdue now, and answered late
    (overdue once, or answered after the deadline, and in another state now)."""
    tx = _tx(store)
    secs = tx.dialect.seconds_between("d.sent_at", "d.receipt_at")
    rows = tx.all(
        f"SELECT d.receiver, d.state, {secs}, "
        "CASE WHEN d.receipt_at > d.deadline_at THEN 1 ELSE 0 END, "
        "CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.message_id = d.message_id AND e.delivery_id = d.id "
        "AND e.type = 'delivery.overdue') THEN 1 ELSE 0 END "
        "FROM deliveries d JOIN messages m ON m.id = d.message_id "
        "WHERE d.created_at >= ? AND d.created_at < ? AND d.receiver = COALESCE(?, d.receiver) "
        "AND m.sender = COALESCE(?, m.sender)",
        (ts(since) if since else "", ts(until) if until else "9999", scope.receiver, scope.sender))
    per: dict[str, dict[str, Any]] = {}
    samples: dict[str, list[float]] = {}
    for receiver, state, took, answered_after_deadline, went_overdue in rows:
        entry = per.setdefault(receiver, {"deliveries": 0, "states": {}, "overdue_now": 0, "answered_late": 0})
        entry["deliveries"] += 1
        entry["states"][state] = entry["states"].get(state, 0) + 1
        if state == "OVERDUE":
            entry["overdue_now"] += 1
        elif answered_after_deadline or went_overdue:
            entry["answered_late"] += 1
        if took is not None:
            samples.setdefault(receiver, []).append(float(took))
    for receiver, entry in per.items():
        accepted, rejected = entry["states"].get("ACCEPTED", 0), entry["states"].get("REJECTED", 0)
        answered = accepted + rejected
        values = sorted(samples.get(receiver, []))
        entry |= {"accepted": accepted, "rejected": rejected,
                  "acceptance_rate": round(accepted / answered, 4) if answered else None,
                  "rejection_rate": round(rejected / answered, 4) if answered else None,
                  "late": entry["overdue_now"] + entry["answered_late"],
                  "latency": {"median_s": round(_percentile(values, 0.5), 3) if values else None,
                              "p95_s": round(_percentile(values, 0.95), 3) if values else None,
                              "count": len(values)}}
    return dict(sorted(per.items()))


def metric_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The aggregates /metrics exposes, each one GROUP BY over the store (rows, not a row per message)."""
    tx = _tx(store)
    secs = tx.dialect.seconds_between("sent_at", "receipt_at")
    pipeline = tx.dialect.seconds_between("m.received_at", "d.sent_at")
    buckets = ", ".join(f"SUM(CASE WHEN s <= {b} THEN 1 ELSE 0 END)" for b in LATENCY_BUCKETS)
    unmatched, args = tx.dialect.in_list("outcome", list(UNMATCHED))
    return {
        "messages": tx.all("SELECT COALESCE(kind, 'unknown'), sender, status, COUNT(*) FROM messages GROUP BY 1, 2, 3"),
        "deliveries": tx.all("SELECT receiver, state, COUNT(*) FROM deliveries GROUP BY 1, 2"),
        "latency": tx.all(f"SELECT receiver, {buckets}, COUNT(*), SUM(s) FROM (SELECT receiver, {secs} AS s "
                          "FROM deliveries WHERE sent_at IS NOT NULL AND receipt_at IS NOT NULL) x GROUP BY 1"),
        "pipeline": tx.all(f"SELECT {buckets}, COUNT(*), SUM(s) FROM (SELECT {pipeline} AS s FROM deliveries d "
                           "JOIN messages m ON m.id = d.message_id WHERE d.sent_at IS NOT NULL) x"),
        "receipts": tx.all("SELECT outcome, COUNT(*) FROM receipts GROUP BY 1"),
        "orphans": [(tx.value(f"SELECT COUNT(*) FROM receipts WHERE {unmatched}", args),
                     tx.value("SELECT value FROM counters WHERE name = 'orphans_dropped'") or 0)],
    }
