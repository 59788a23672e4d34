"""The figures behind ``hub stats``: volumes, receipt latency and overdue deliveries.

Latency is per delivery: the time of its first ``receipt.correlated`` event minus the
time of its first ``delivery.sent`` event (copied to ``receipt_at`` and ``sent_at`` when
the events are written). The 95th percentile interpolates linearly between ranks. Receipts
are counted by outcome; ``orphans_dropped`` counts every unmatched receipt retention dropped.
"""

from __future__ import annotations

import sqlite3

from .base import RECEIPT_OUTCOMES


def stats(cur: sqlite3.Cursor, since: str) -> dict:
    """Messages received and deliveries created at or after ``since`` (UTC text; "" for all)."""
    by_kind = dict(cur.execute("SELECT COALESCE(kind, 'unknown'), COUNT(*) FROM messages WHERE received_at >= ? "
                               "GROUP BY 1 ORDER BY 1", (since,)))
    by_status = dict(cur.execute("SELECT status, COUNT(*) FROM messages WHERE received_at >= ? "
                                 "GROUP BY 1 ORDER BY 1", (since,)))
    by_receiver: dict[str, dict] = {}
    for receiver, state, count in cur.execute("SELECT receiver, state, COUNT(*) FROM deliveries "
                                              "WHERE created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2", (since,)):
        entry = by_receiver.setdefault(receiver, {"deliveries": 0, "states": {}})
        entry["deliveries"] += count
        entry["states"][state] = count
    return {"by_kind": by_kind, "by_status": by_status, "by_receiver": by_receiver,
            "latency": _latency(cur, since),
            "overdue": {r: e["states"]["OVERDUE"] for r, e in by_receiver.items() if "OVERDUE" in e["states"]},
            "receipts": _receipts(cur, since)}


def _receipts(cur: sqlite3.Cursor, since: str) -> dict[str, int]:
    """Receipts received since then by outcome, and the unmatched ones dropped by retention ever."""
    counts = dict.fromkeys(RECEIPT_OUTCOMES, 0)
    # one range per outcome on the (outcome, received_at) index, never a scan of the table
    for outcome in RECEIPT_OUTCOMES:
        counts[outcome] = cur.execute("SELECT COUNT(*) FROM receipts WHERE outcome = ? AND received_at >= ?",
                                      (outcome, since)).fetchone()[0]
    row = cur.execute("SELECT value FROM counters WHERE name = 'orphans_dropped'").fetchone()
    return counts | {"orphans_dropped": row[0] if row else 0}


def _latency(cur: sqlite3.Cursor, since: str) -> dict[str, dict]:
    """Median and p95 seconds from SENT to the first receipt, per receiver."""
    samples: dict[str, list[float]] = {}
    for receiver, seconds in cur.execute(
            "SELECT receiver, (julianday(receipt_at) - julianday(sent_at)) * 86400.0 FROM deliveries "
            "WHERE created_at >= ? AND sent_at IS NOT NULL AND receipt_at IS NOT NULL", (since,)):
        samples.setdefault(receiver, []).append(seconds)
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
