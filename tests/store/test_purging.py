"""Purging personal data, on every engine (tests/store/conftest.py: SQLite and PostgreSQL): what goes
(payloads, problems' texts, personal facts), what stays (the audit trail), dry runs, kinds and batches."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from hub.store.base import MessageStatus, NewDelivery, NewMessage
from hub.store.sql import PURGED_TEXT
from tests.store.conftest import T0
from tests.store.test_store import receipt

BUYER_ID = "110101199001011234"


def order(id_: str, kind: str = "order", days_old: int = 100, deliver: bool = True) -> NewMessage:
    raw = f"<order id='{id_}' buyer='{BUYER_ID}'/>".encode()
    out = (NewDelivery(receiver="CUSTOMS-CN", format="ceb311", route="ceb", payload=raw + b"<rendered/>",
                       deadline_at=None, correlation_keys=(f"K-{id_}",)),) if deliver else ()
    return NewMessage(id=id_, sender="PLATFORM", sender_message_id=f"S-{id_}",
                      received_at=T0 - timedelta(days=days_old), raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                      status=MessageStatus.ACCEPTED, format="ceb311", kind=kind, business_key=f"K-{id_}",
                      function="original", deliveries=out,
                      errors=({"code": "W_CHECK", "message": f"buyer {BUYER_ID} odd", "line": 3, "path": "/b"},),
                      facts=((kind, f"K-{id_}", {"order_no": f"K-{id_}", "goods_value": "10.00",
                                                 "buyer_id": BUYER_ID, "consignee": "Li Xiaobao"}),))


def sent(store, *messages: NewMessage) -> None:
    """Stored and SENT (a PENDING delivery is still to publish: never purged)."""
    created = store.record(list(messages), "router")
    store.mark_sent([d.id for d in created], "router")


def test_purge_removes_payloads_and_personal_fields_and_keeps_the_audit_trail(store, backend):
    sent(store, order("HUB-A"))
    store.apply_receipt(receipt(("K-HUB-A",)))
    before = store.events("HUB-A")

    done = store.purge(T0 - timedelta(days=30), None, "purge:alice")

    assert done.message_ids == ("HUB-A",) and (done.deliveries, done.receipts, done.facts) == (1, 1, 1)
    assert done.bytes > 0
    m = store.message("HUB-A")
    assert m.purged_at == T0
    assert (m.sender, m.kind, m.business_key, m.status, m.format) == (
        "PLATFORM", "order", "K-HUB-A", MessageStatus.ACCEPTED, "ceb311")
    assert m.size > 0 and m.sha256                       # what it was stays provable, not what it said
    assert m.errors == ({"code": "W_CHECK", "message": PURGED_TEXT, "line": 3, "path": "/b"},)
    assert store.raw("HUB-A") == b""
    (d,) = store.deliveries("HUB-A")
    assert d.state.value == "ACKNOWLEDGED" and store.payload(d.id) == b""
    assert [bytes(r[0]) for r in backend.rows("SELECT raw FROM receipts")] == [b""]
    assert store.facts_of("HUB-A") == [("order", "K-HUB-A", {"order_no": "K-HUB-A", "goods_value": "10.00",
                                                             "buyer_id": None, "consignee": None})]
    after = store.events("HUB-A")
    assert after[:len(before)] == before                  # every earlier event untouched
    (purged,) = after[len(before):]
    assert (purged.type, purged.source, purged.detail) == (
        "message.purged", "purge:alice", {"deliveries": 1, "receipts": 1, "facts": 1})
    assert store.purge(T0, None, "purge:alice").message_ids == ()   # once purged, never again


def test_purge_by_kind_and_age_leaves_the_others_and_what_is_still_to_send(store):
    sent(store, order("HUB-OLD-ORDER"), order("HUB-OLD-WAYBILL", kind="waybill"),
         order("HUB-NEW-ORDER", days_old=5))
    store.record([order("HUB-OLD-PENDING")], "router")           # never confirmed: still to publish

    done = store.purge(T0 - timedelta(days=30), ["order"], "sweeper")

    assert done.message_ids == ("HUB-OLD-ORDER",)
    for kept in ("HUB-OLD-WAYBILL", "HUB-NEW-ORDER", "HUB-OLD-PENDING"):
        assert store.message(kept).purged_at is None and store.raw(kept) != b""
    assert store.purge(T0 - timedelta(days=30), [], "sweeper").message_ids == ()
    assert set(store.purge(T0 - timedelta(days=30), None, "sweeper").message_ids) == {"HUB-OLD-WAYBILL"}


def test_a_dry_run_counts_everything_and_changes_nothing(store, backend):
    sent(store, order("HUB-1"), order("HUB-2"), order("HUB-3", deliver=False))
    tables = ("messages", "delivery_payloads", "receipts", "facts", "events")
    before = {t: backend.rows(f"SELECT * FROM {t} ORDER BY 1") for t in tables}

    would = store.purge(T0, None, "purge:alice", dry_run=True, limit=1)

    assert would.message_ids == ("HUB-1", "HUB-2", "HUB-3") and (would.deliveries, would.facts) == (2, 3)
    assert {t: backend.rows(f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before


def test_purge_goes_a_bounded_batch_at_a_time_oldest_first(store):
    sent(store, *(order(f"HUB-{n}", days_old=100 - n) for n in range(5)))
    first = store.purge(T0, None, "sweeper", limit=2)
    second = store.purge(T0, None, "sweeper", limit=2)
    third = store.purge(T0, None, "sweeper", limit=2)
    assert (first.message_ids, second.message_ids, third.message_ids) == (
        ("HUB-0", "HUB-1"), ("HUB-2", "HUB-3"), ("HUB-4",))
