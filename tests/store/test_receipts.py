"""Bounded storage in the store (on every engine): heads stored with their full size and hash, refused and
unreadable receipts, receipt outcomes, orphan retention and the receipts listing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from hub.store import postgres_schema, sqlite_schema
from hub.store.base import DeliveryState, NewReceipt
from tests.store.conftest import T0
from tests.store.test_store import message, receipt

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


def test_a_receipt_stored_by_its_head_keeps_the_full_size_and_hash(store, backend):
    whole = b"<receipt>" + b"y" * 100_000 + b"</receipt>"
    given = replace(receipt(("NOBODY",)), raw=whole[:512], sha256=hashlib.sha256(whole).hexdigest(),
                    size=len(whole))
    corr = store.apply_receipt(given)
    plain = store.apply_receipt(receipt(("NOBODY",)))
    sizes = {r["id"]: (r["size"], r["sha256"]) for r in store.orphans()}
    assert sizes[corr.receipt_id] == (len(whole), hashlib.sha256(whole).hexdigest())
    assert sizes[plain.receipt_id] == (len(b"<receipt/>"), hashlib.sha256(b"<receipt/>").hexdigest())
    assert backend.row("SELECT raw FROM receipts WHERE id = ?", corr.receipt_id) == (whole[:512],)


# outcomes: correlated, orphaned, unreadable, refused ------------------------------------------------

def events_of_receipts(backend) -> list[tuple]:
    return backend.rows("SELECT type, source, detail FROM events WHERE type LIKE 'receipt.%' ORDER BY id")


def test_a_refused_receipt_is_stored_with_its_errors_but_never_correlated_nor_applied(store, backend):
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
    assert backend.row("SELECT COUNT(*) FROM delivery_keys WHERE key = 'REF-9'") == (0,)
    (stored,) = store.orphans()
    assert (stored["id"], stored["outcome"], stored["errors"], stored["agency_status"]) == (
        corr.receipt_id, "refused", list(errors), "E1")
    ((type_, source, detail),) = events_of_receipts(backend)
    assert (type_, source) == ("receipt.refused", f"receipt:{corr.receipt_id}")
    assert '"RECEIPT_FORMAT_UNEXPECTED"' in detail and '"CUSTOMS-CN"' in detail


def test_every_receipt_has_its_outcome(store, backend):
    store.record([message()], source="router")
    unreadable = NewReceipt(receiver="CUSTOMS-CN", format=None, received_at=T0, raw=b"<garbage", keys=(),
                            state=None, errors=({"code": "XML_MALFORMED", "message": "bad"},))
    ids = {name: store.apply_receipt(r).receipt_id for name, r in (
        ("correlated", receipt(("BK-1",))),
        ("orphaned", receipt(("NOBODY",))),
        ("orphaned-status", receipt(("NOBODY",), state=None, agency_status="HELD")),  # read, no state change
        ("unreadable", unreadable),
        ("refused", replace(receipt(("BK-1",)), refused=True)))}
    outcomes = {name: backend.row("SELECT outcome FROM receipts WHERE id = ?", id_)[0]
                for name, id_ in ids.items()}
    assert outcomes == {"correlated": "correlated", "orphaned": "orphaned", "orphaned-status": "orphaned",
                        "unreadable": "unreadable", "refused": "refused"}
    assert [t for t, _, _ in events_of_receipts(backend)] == [
        "receipt.correlated", "receipt.orphaned", "receipt.orphaned", "receipt.orphaned", "receipt.refused"]


def test_the_outcome_migration_backfills_existing_receipts(backend, monkeypatch, clock):
    schema = sqlite_schema if backend.engine == "sqlite" else postgres_schema
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        old = backend.open(clock)
        assert old.migrate() == 2
        old.close()
    # a message and its delivery as version 2 stored them (today's record writes later columns)
    backend.insert_many("INSERT INTO messages (id, sender, received_at, status, sha256, size, updated_at, raw) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [("HUB-1", "AIRLINE-CA", "2026-11-27T08:00:00.000000+00:00", "ACCEPTED", "", 0,
                          "2026-11-27T08:00:00.000000+00:00", b"")])
    backend.insert_many("INSERT INTO deliveries (id, message_id, receiver, format, route, out_id, state, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(1, "HUB-1", "CUSTOMS-CN", "gacc-mt1101", "r", "HUB-1.CUSTOMS-CN", "SENT",
                          "2026-11-27T08:00:00.000000+00:00", "2026-11-27T08:00:00.000000+00:00")])
    d = SimpleNamespace(id=1)
    insert = ("INSERT INTO receipts (receiver, format, received_at, keys, state, agency_status, errors, "
              "delivery_id, sha256, size, raw) VALUES ('CUSTOMS-CN', 'gacc-mt9999', "
              "'2026-11-27T08:00:00.000000+00:00', '[]', ?, ?, '[]', ?, '', 0, ?)")
    backend.insert_many(insert, [("ACKNOWLEDGED", "01", d.id, b""), (None, "HELD", d.id, b""),
                                 ("ACCEPTED", "02", None, b""), (None, "HELD", None, b""), (None, None, None, b"")])
    new = backend.open(clock)
    assert new.migrate() == len(schema.MIGRATIONS) >= 3
    assert [r for r, in backend.rows("SELECT outcome FROM receipts ORDER BY id")] == [
        "correlated", "correlated", "orphaned", "orphaned", "unreadable"]
    new.close()


# orphan retention -------------------------------------------------------------------------------

def orphan_at(store, clock, hours: float, receiver: str = "CUSTOMS-CN", **kw) -> int:
    """An orphaned receipt received ``hours`` after T0 (and stored then)."""
    clock.now = T0 + timedelta(hours=hours)
    return store.apply_receipt(replace(receipt(("NOBODY",), receiver=receiver, **kw),
                                       received_at=clock.now)).receipt_id


def pruned_events(backend) -> list[dict]:
    return [json.loads(d) for d, in backend.rows("SELECT detail FROM events WHERE type = 'receipt.pruned' ORDER BY id")]


def test_prune_drops_unmatched_receipts_older_than_the_cut_and_counts_them(store, clock, backend):
    store.record([message()], source="router")
    correlated = store.apply_receipt(receipt(("BK-1",))).receipt_id             # at T0: old, but correlated
    old = [orphan_at(store, clock, h) for h in (1, 2)]
    old.append(store.apply_receipt(replace(receipt(("BK-1",)), refused=True, received_at=clock.now)).receipt_id)
    young = [orphan_at(store, clock, h) for h in (5, 6)]
    assert store.prune_orphans(older_than=T0 + timedelta(hours=3), keep=100) == 3
    assert [o["id"] for o in store.orphans()] == young[::-1]
    assert backend.row("SELECT COUNT(*) FROM receipts WHERE id = ?", correlated) == (1,)
    assert store.stats()["receipts"] == {"correlated": 1, "orphaned": 2, "unreadable": 0, "refused": 0,
                                         "orphans_dropped": 3}
    (event,) = pruned_events(backend)
    assert event["count"] == 3
    assert store.prune_orphans(older_than=T0 + timedelta(hours=3), keep=100) == 0   # nothing left: no event
    assert len(pruned_events(backend)) == 1


def test_prune_keeps_only_the_newest_unmatched_receipts_and_the_counter_adds_up(store, clock, backend):
    store.record([message()], source="router")
    ids = [orphan_at(store, clock, h) for h in range(6)]
    store.apply_receipt(receipt(("BK-1",)))                                     # correlated, newest of all
    assert store.prune_orphans(older_than=T0, keep=4) == 2
    assert [o["id"] for o in store.orphans()] == ids[:1:-1]
    assert store.prune_orphans(older_than=T0, keep=1) == 3
    assert [o["id"] for o in store.orphans()] == [ids[-1]]
    assert store.stats()["receipts"]["orphans_dropped"] == 5
    assert [e["count"] for e in pruned_events(backend)] == [2, 3]
    reopened = backend.open(clock)
    assert reopened.stats()["receipts"]["orphans_dropped"] == 5                 # persistent
    reopened.close()


def test_prune_never_frees_the_newest_receipt_id_for_reuse(store, clock):
    """Events name receipts by id ("receipt:<id>"): a dropped id must never come back."""
    first = orphan_at(store, clock, 0)
    last = orphan_at(store, clock, 1)
    assert store.prune_orphans(older_than=T0 + timedelta(days=1), keep=0) == 1      # both are due
    assert [o["id"] for o in store.orphans()] == [last]
    assert orphan_at(store, clock, 2) > last > first


def test_prune_works_in_bounded_steps(store, clock):
    for h in range(7):
        orphan_at(store, clock, h)
    assert store.prune_orphans(older_than=T0 + timedelta(days=1), keep=1, limit=4) == 4
    assert store.prune_orphans(older_than=T0 + timedelta(days=1), keep=1, limit=4) == 2
    assert len(store.orphans()) == 1


def test_stats_keep_their_keys_and_count_receipts_by_outcome_since_a_time(store, clock):
    store.record([message()], source="router")
    store.apply_receipt(receipt(("BK-1",)))
    orphan_at(store, clock, 1)
    orphan_at(store, clock, 2, state=None)                                      # unreadable
    clock.now = T0 + timedelta(hours=3)
    store.apply_receipt(replace(receipt(("X",)), refused=True, received_at=clock.now))
    figures = store.stats()
    assert set(figures) == {"by_kind", "by_status", "by_receiver", "latency", "overdue", "answered_late", "receipts"}
    assert figures["receipts"] == {"correlated": 1, "orphaned": 1, "unreadable": 1, "refused": 1,
                                   "orphans_dropped": 0}
    assert store.stats(since=T0 + timedelta(hours=2))["receipts"] == {
        "correlated": 0, "orphaned": 0, "unreadable": 1, "refused": 1, "orphans_dropped": 0}


# listing ------------------------------------------------------------------------------------------

@pytest.fixture
def mixed(store, clock):
    """Seven receipts an hour apart: every outcome, two receivers."""
    store.record([message()], source="router")
    ids = {"orphaned": orphan_at(store, clock, 0)}
    clock.now = T0 + timedelta(hours=1)
    ids["correlated"] = store.apply_receipt(replace(receipt(("BK-1",), agency_status="01"),
                                                    received_at=clock.now)).receipt_id
    ids["unreadable"] = orphan_at(store, clock, 2, state=None)
    clock.now = T0 + timedelta(hours=3)
    ids["refused"] = store.apply_receipt(replace(receipt(("BK-1",), receiver="CUSTOMS-GB"), refused=True,
                                                 received_at=clock.now)).receipt_id
    ids["orphaned-gb"] = orphan_at(store, clock, 4, receiver="CUSTOMS-GB")
    ids["orphaned-late"] = orphan_at(store, clock, 5)
    return store, ids


@pytest.mark.parametrize(("kw", "expected"), [
    ({}, ["orphaned-late", "orphaned-gb", "refused", "unreadable", "correlated", "orphaned"]),
    ({"limit": 2}, ["orphaned-late", "orphaned-gb"]),
    ({"outcome": "orphaned"}, ["orphaned-late", "orphaned-gb", "orphaned"]),
    ({"outcome": "correlated"}, ["correlated"]),
    ({"outcome": ("refused", "unreadable")}, ["refused", "unreadable"]),
    ({"receiver": "CUSTOMS-GB"}, ["orphaned-gb", "refused"]),
    ({"since": T0 + timedelta(hours=2)}, ["orphaned-late", "orphaned-gb", "refused", "unreadable"]),
    ({"outcome": "orphaned", "receiver": "CUSTOMS-CN", "since": T0 + timedelta(minutes=1)}, ["orphaned-late"]),
])
def test_receipts_lists_by_outcome_receiver_and_time_newest_first(mixed, kw, expected):
    store, ids = mixed
    names = {v: k for k, v in ids.items()}
    assert [names[r["id"]] for r in store.receipts(**kw)] == expected


def test_a_listed_receipt_has_its_fields_but_not_its_bytes(mixed):
    store, ids = mixed
    (correlated,) = store.receipts(outcome="correlated")
    assert "raw" not in correlated
    assert {k: correlated[k] for k in ("id", "receiver", "format", "received_at", "keys", "state", "agency_status",
                                       "outcome", "errors", "size")} == {
        "id": ids["correlated"], "receiver": "CUSTOMS-CN", "format": "gacc-mt9999",
        "received_at": T0 + timedelta(hours=1), "keys": ["BK-1"], "state": "ACKNOWLEDGED", "agency_status": "01",
        "outcome": "correlated", "errors": [], "size": len(b"<receipt/>")}
    assert correlated["delivery_id"] == store.deliveries("HUB-1")[0].id


def test_orphans_are_the_receipts_that_matched_no_delivery(mixed):
    store, ids = mixed
    assert [o["id"] for o in store.orphans()] == [ids[n] for n in ("orphaned-late", "orphaned-gb", "refused",
                                                                  "unreadable", "orphaned")]
    assert [o["id"] for o in store.orphans(limit=1)] == [ids["orphaned-late"]]


def test_an_unknown_outcome_is_refused(store):
    with pytest.raises(ValueError, match="lost"):
        store.receipts(outcome="lost")
