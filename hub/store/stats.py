"""The figures behind ``hub stats``: volumes, receipt latency and overdue deliveries.

Latency is per delivery: the time of its first ``receipt.correlated`` event minus the
time of its first ``delivery.sent`` event (copied to ``receipt_at`` and ``sent_at`` when
the events are written). The 95th percentile interpolates linearly between ranks. Receipts
are counted by outcome; ``orphans_dropped`` counts every unmatched receipt retention dropped.
``answered_late`` counts, per receiver, the deliveries whose first receipt came after their deadline
(OVERDUE no longer says so once the receipt moved them on).
"""

from __future__ import annotations

from typing import Any

from .base import RECEIPT_OUTCOMES
from .rows import Tx


def stats(tx: Tx, since: str) -> dict[str, Any]:
    """Messages received and deliveries created at or after ``since`` (UTC text; "" for all)."""
    by_kind: dict[str, int] = dict(tx.all("SELECT COALESCE(kind, 'unknown'), COUNT(*) FROM messages "
                                          "WHERE received_at >= ? GROUP BY 1 ORDER BY 1", (since,)))
    by_status: dict[str, int] = dict(tx.all("SELECT status, COUNT(*) FROM messages WHERE received_at >= ? "
                                            "GROUP BY 1 ORDER BY 1", (since,)))
    by_receiver: dict[str, dict[str, Any]] = {}
    for receiver, state, count in tx.all("SELECT receiver, state, COUNT(*) FROM deliveries "
                                         "WHERE created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2", (since,)):
        entry = by_receiver.setdefault(receiver, {"deliveries": 0, "states": {}})
        entry["deliveries"] += count
        entry["states"][state] = count
    return {"by_kind": by_kind, "by_status": by_status, "by_receiver": by_receiver,
            "latency": _latency(tx, since),
            "overdue": {r: e["states"]["OVERDUE"] for r, e in by_receiver.items() if "OVERDUE" in e["states"]},
            "answered_late": _answered_late(tx, since), "receipts": _receipts(tx, since)}


def _answered_late(tx: Tx, since: str) -> dict[str, int]:
    """Deliveries whose receipt came after their deadline, per receiver: once answered a late delivery
    leaves OVERDUE for the state its receipt gives, and only this count still shows it was late."""
    return dict(tx.all("SELECT receiver, COUNT(*) FROM deliveries WHERE created_at >= ? AND receipt_at IS NOT NULL "
                       "AND deadline_at IS NOT NULL AND receipt_at > deadline_at GROUP BY 1 ORDER BY 1", (since,)))


def _receipts(tx: Tx, since: str) -> dict[str, int]:
    """Receipts received since then by outcome, and the unmatched ones dropped by retention ever."""
    counts = dict.fromkeys(RECEIPT_OUTCOMES, 0)
    # one range per outcome on the (outcome, received_at) index, never a scan of the table
    for outcome in RECEIPT_OUTCOMES:
        counts[outcome] = tx.value("SELECT COUNT(*) FROM receipts WHERE outcome = ? AND received_at >= ?",
                                   (outcome, since))
    dropped = tx.value("SELECT value FROM counters WHERE name = 'orphans_dropped'")
    return counts | {"orphans_dropped": dropped or 0}


def _latency(tx: Tx, since: str) -> dict[str, dict[str, Any]]:
    """Median and p95 seconds from SENT to the first receipt, per receiver."""
    samples: dict[str, list[float]] = {}
    seconds = tx.dialect.seconds_between("sent_at", "receipt_at")
    for receiver, took in tx.all(f"SELECT receiver, {seconds} FROM deliveries "
                                 "WHERE created_at >= ? AND sent_at IS NOT NULL AND receipt_at IS NOT NULL", (since,)):
        samples.setdefault(receiver, []).append(float(took))
    out = {}
    for receiver, values in sorted(samples.items()):
        values.sort()
        out[receiver] = {"median_s": round(_percentile(values, 0.5), 3),
                         "p95_s": round(_percentile(values, 0.95), 3), "count": len(values)}
    return out


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
