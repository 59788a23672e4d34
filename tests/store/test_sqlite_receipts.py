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


# outcomes: correlated, orphaned, unreadable, refused ------------------------------------------------

def events_of_receipts(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT type, source, detail FROM events WHERE type LIKE 'receipt.%' ORDER BY id").fetchall()
    finally:
        db.close()


def test_a_refused_receipt_is_stored_with_its_errors_but_never_correlated_nor_applied(store, tmp_path):
    (d,) = store.record([message()], source="router")
    store.mark_sent([d.id], source="router")
    errors = ({"code": "RECEIPT_FORMAT_UNEXPECTED", "message": "CUSTOMS-CN does not send xfnm", "line": None,
               "path": None},)
    refused = replace(receipt(("HUB-1.CUSTOMS-CN", "BK-1"), state=DeliveryState.REJECTED, agency_status="E1",
                              agency_reference="REF-9"), refused=True, errors=errors)
    corr = store.apply_receipt(refused)
    assert (corr.delivery, corr.message) == (None, None)
    after = store.deliveries("HUB-1")[0]
    assert (after.state, after.agency_status, after.agency_reference) == (DeliveryState.SENT, None, None)
    assert [e.type for e in store.events("HUB-1")] == ["message.accepted", "delivery.pending", "delivery.sent"]
    assert row(tmp_path / "hub.db", "SELECT COUNT(*) FROM delivery_keys WHERE key = 'REF-9'") == (0,)
    (stored,) = store.orphans()
    assert (stored["id"], stored["outcome"], stored["errors"], stored["agency_status"]) == (
        corr.receipt_id, "refused", list(errors), "E1")
    ((type_, source, detail),) = events_of_receipts(tmp_path / "hub.db")
    assert (type_, source) == ("receipt.refused", f"receipt:{corr.receipt_id}")
    assert '"RECEIPT_FORMAT_UNEXPECTED"' in detail and '"CUSTOMS-CN"' in detail


def test_every_receipt_has_its_outcome(store, tmp_path):
    store.record([message()], source="router")
    unreadable = NewReceipt(receiver="CUSTOMS-CN", format=None, received_at=T0, raw=b"<garbage", keys=(),
                            state=None, errors=({"code": "XML_MALFORMED", "message": "bad"},))
    ids = {name: store.apply_receipt(r).receipt_id for name, r in (
        ("correlated", receipt(("BK-1",))),
        ("orphaned", receipt(("NOBODY",))),
        ("orphaned-status", receipt(("NOBODY",), state=None, agency_status="HELD")),  # read, no state change
        ("unreadable", unreadable),
        ("refused", replace(receipt(("BK-1",)), refused=True)))}
    outcomes = {name: row(tmp_path / "hub.db", "SELECT outcome FROM receipts WHERE id = ?", id_)[0]
                for name, id_ in ids.items()}
    assert outcomes == {"correlated": "correlated", "orphaned": "orphaned", "orphaned-status": "orphaned",
                        "unreadable": "unreadable", "refused": "refused"}
    assert [t for t, _, _ in events_of_receipts(tmp_path / "hub.db")] == [
        "receipt.correlated", "receipt.orphaned", "receipt.orphaned", "receipt.orphaned", "receipt.refused"]


def test_the_outcome_migration_backfills_existing_receipts(tmp_path, monkeypatch, clock):
    from hub.store import sqlite_schema

    path = tmp_path / "hub.db"
    with monkeypatch.context() as m:
        m.setattr(sqlite_schema, "MIGRATIONS", sqlite_schema.MIGRATIONS[:2])
        old = SqliteStore(path, clock=clock)
        assert old.migrate() == 2
        (d,) = old.record([message()], source="router")
        old.close()
    db = sqlite3.connect(path)
    insert = ("INSERT INTO receipts (receiver, format, received_at, keys, state, agency_status, errors, "
              "delivery_id, sha256, size, raw) VALUES ('CUSTOMS-CN', 'gacc-mt9999', '2026-11-27T08:00:00.000000+00:00', "
              "'[]', ?, ?, '[]', ?, '', 0, x'')")
    db.executemany(insert, [("ACKNOWLEDGED", "01", d.id), (None, "HELD", d.id), ("ACCEPTED", "02", None),
                            (None, "HELD", None), (None, None, None)])
    db.commit()
    db.close()
    new = SqliteStore(path, clock=clock)
    assert new.migrate() == len(sqlite_schema.MIGRATIONS) >= 3
    assert [r for r, in new._db.execute("SELECT outcome FROM receipts ORDER BY id")] == [
        "correlated", "correlated", "orphaned", "orphaned", "unreadable"]
    new.close()
