"""Bounded storage in the SQLite store: heads stored with their full size and hash, refused and
unreadable receipts, receipt outcomes, orphan retention and the receipts listing."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from hub.store.base import DeliveryState, NewReceipt
from hub.store.sqlite import SqliteStore
from test_sqlite_store import T0, clock, message, receipt, store  # noqa: F401 (fixtures)


def row(path, sql: str, *args) -> tuple:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchone()
    finally:
        db.close()


# heads of large inputs -------------------------------------------------------------------------

def test_a_message_stored_by_its_head_keeps_the_full_size_and_hash(store):
    whole = b"<waybill>" + b"x" * 5_000_000 + b"</waybill>"
    head = whole[:1024]
    store.record([replace(message(), raw=head, sha256=hashlib.sha256(whole).hexdigest(), size=len(whole))],
                 source="router")
    stored = store.message("HUB-1")
    assert (stored.size, stored.sha256) == (len(whole), hashlib.sha256(whole).hexdigest())
    assert store.raw("HUB-1") == head
    store.record([message("HUB-2")], source="router")                        # no size: the raw bytes'
    assert store.message("HUB-2").size == len(store.raw("HUB-2"))


def test_a_receipt_stored_by_its_head_keeps_the_full_size_and_hash(store, tmp_path):
    whole = b"<receipt>" + b"y" * 100_000 + b"</receipt>"
    given = replace(receipt(("NOBODY",)), raw=whole[:512], sha256=hashlib.sha256(whole).hexdigest(),
                    size=len(whole))
    corr = store.apply_receipt(given)
    plain = store.apply_receipt(receipt(("NOBODY",)))
    sizes = {r["id"]: (r["size"], r["sha256"]) for r in store.orphans()}
    assert sizes[corr.receipt_id] == (len(whole), hashlib.sha256(whole).hexdigest())
    assert sizes[plain.receipt_id] == (len(b"<receipt/>"), hashlib.sha256(b"<receipt/>").hexdigest())
    assert row(tmp_path / "hub.db", "SELECT raw FROM receipts WHERE id = ?", corr.receipt_id) == (whole[:512],)
