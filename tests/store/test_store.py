"""The store against its contract, on every engine (tests/store/conftest.py: SQLite and PostgreSQL):
record, duplicates, sending, receipts, deadlines, admin, processes and times."""

from __future__ import annotations

import hashlib
import multiprocessing
from datetime import datetime, timedelta, timezone

import pytest

from hub.errors import ConfigError
from hub.store import record
from hub.store.base import DeliveryState, MessageFilter, MessageStatus, NewDelivery, NewMessage, NewReceipt, Sameness
from tests.store.conftest import T0, Backend


def delivery(receiver: str = "CUSTOMS-CN", fmt: str = "gacc-mt1101", keys: tuple[str, ...] = ("BK-1",),
             deadline: datetime | None = T0 + timedelta(hours=2)) -> NewDelivery:
    return NewDelivery(receiver=receiver, format=fmt, route="air-cargo-to-customs",
                       payload=f"<out to='{receiver}' format='{fmt}'/>".encode(), deadline_at=deadline,
                       correlation_keys=keys)


def message(id: str = "HUB-1", status: MessageStatus = MessageStatus.ACCEPTED, deliveries=None,
            sender: str = "AIRLINE-CA", sender_message_id: str | None = None, business_key: str | None = "",
            function: str | None = "original", kind: str | None = "waybill", received_at: datetime = T0,
            errors: tuple[dict, ...] = (), duplicate_of: str | None = None) -> NewMessage:
    raw = f"<waybill id='{id}'/>".encode()
    if business_key == "":      # one ACCEPTED original per business key: each message its own by default
        business_key = "BK-1" if id == "HUB-1" else f"BK-{id}"
    if deliveries is None:
        deliveries = (delivery(),) if status is MessageStatus.ACCEPTED else ()
    return NewMessage(id=id, sender=sender, sender_message_id=sender_message_id or f"SMID-{id}",
                      received_at=received_at, raw=raw, sha256=hashlib.sha256(raw).hexdigest(), status=status,
                      format="cargo-xml-xfwb", kind=kind, business_key=business_key, function=function,
                      errors=errors, duplicate_of=duplicate_of, deliveries=tuple(deliveries))


def receipt(keys: tuple[str, ...], state: DeliveryState | None = DeliveryState.ACKNOWLEDGED,
            receiver: str = "CUSTOMS-CN", agency_status: str | None = None,
            agency_reference: str | None = None) -> NewReceipt:
    return NewReceipt(receiver=receiver, format="gacc-mt9999", received_at=T0, raw=b"<receipt/>", keys=keys,
                      state=state, agency_status=agency_status, agency_reference=agency_reference)


# schema and connection -------------------------------------------------------------------------

def test_migrate_twice_is_a_no_op_and_returns_the_same_version(backend):
    s = backend.open()
    first = s.migrate()
    second = s.migrate()
    rows = backend.rows("SELECT version FROM schema_version ORDER BY version")
    s.close()
    assert first == second >= 1
    assert rows == [(v,) for v in range(1, first + 1)]


def test_two_processes_migrating_a_new_database_at_once_both_end_on_the_same_version(backend):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        versions = pool.map(_migrate, [backend] * 4)
    assert len(set(versions)) == 1
    assert backend.counts()["messages"] == 0


def _migrate(backend: Backend) -> int:
    s = backend.open()
    try:
        return s.migrate()
    finally:
        s.close()


def test_a_schema_newer_than_the_code_is_a_config_error(store, backend):
    backend.execute("INSERT INTO schema_version VALUES (999, 'future', '2030-01-01')")
    with pytest.raises(ConfigError) as err:
        store.migrate()
    assert err.value.code == "CONFIG_INVALID"


# record -----------------------------------------------------------------------------------------

def test_record_writes_the_message_its_pending_deliveries_and_events(store, tmp_path):
    created = store.record([message(deliveries=(delivery(), delivery("ARCHIVE", "json")))], source="router")
    assert [(d.receiver, d.state, d.out_id, d.attempts) for d in created] == [
        ("CUSTOMS-CN", DeliveryState.PENDING, "HUB-1.CUSTOMS-CN", 0),
        ("ARCHIVE", DeliveryState.PENDING, "HUB-1.ARCHIVE", 0)]
    assert store.deliveries("HUB-1") == created
    stored = store.message("HUB-1")
    assert (stored.status, stored.size, stored.business_key) == (MessageStatus.ACCEPTED, len(store.raw("HUB-1")),
                                                                 "BK-1")
    assert store.payload(created[1].id) == b"<out to='ARCHIVE' format='json'/>"
    assert [(e.type, e.state, e.delivery_id, e.source) for e in store.events("HUB-1")] == [
        ("message.accepted", "ACCEPTED", None, "router"),
        ("delivery.pending", "PENDING", created[0].id, "router"),
        ("delivery.pending", "PENDING", created[1].id, "router")]


def test_a_failure_mid_batch_stores_nothing_of_the_batch(store, backend):
    bad = message("HUB-2", deliveries=(delivery(), delivery()))  # the same (receiver, format) twice
    with pytest.raises(backend.integrity_error):
        store.record([message("HUB-1"), bad, message("HUB-3")], source="router")
    assert backend.counts() == dict.fromkeys(backend.counts(), 0)
    assert store.record([message("HUB-1")], source="router")  # the store is usable afterwards


def test_a_failure_after_every_row_is_written_rolls_the_batch_back(store, backend, monkeypatch):
    real_write = record.RecordBatch.write

    def write_then_fail(self, tx, new):
        real_write(self, tx, new)
        assert tx.value("SELECT COUNT(*) FROM messages") == 2  # written, not committed
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(record.RecordBatch, "write", write_then_fail)
    with pytest.raises(RuntimeError):
        store.record([message("HUB-1"), message("HUB-2")], source="router")
    assert backend.counts()["messages"] == 0
    assert backend.counts()["events"] == 0


def test_recording_an_accepted_or_duplicate_message_again_creates_nothing(store, backend):
    store.record([message("HUB-1"), message("HUB-2", MessageStatus.DUPLICATE, duplicate_of="HUB-1")], "router")
    before = backend.counts()
    again = store.record([message("HUB-1", deliveries=(delivery(), delivery("ARCHIVE", "json"))),
                          message("HUB-2", MessageStatus.ACCEPTED)], source="router")
    assert again == []
    assert backend.counts() == before
    assert store.message("HUB-2").status is MessageStatus.DUPLICATE


def test_a_rejected_message_recorded_again_is_updated_to_the_new_outcome(store, clock):
    errors = ({"code": "NO_ROUTE", "message": "no route", "line": None, "path": None},)
    store.record([message(status=MessageStatus.REJECTED, errors=errors)], source="router")
    clock.advance(60)
    created = store.record([message()], source="admin:ops")
    fixed = store.message("HUB-1")
    assert (fixed.status, fixed.errors) == (MessageStatus.ACCEPTED, ())
    assert [d.receiver for d in created] == ["CUSTOMS-CN"]
    assert [(e.type, e.state, e.source) for e in store.events("HUB-1")] == [
        ("message.rejected", "REJECTED", "router"),
        ("message.replayed", None, "admin:ops"),
        ("message.accepted", "ACCEPTED", "admin:ops"),
        ("delivery.pending", "PENDING", "admin:ops")]
    assert store.events("HUB-1")[1].detail == {"previous_status": "REJECTED"}


def test_a_replay_does_not_create_a_delivery_that_exists_already(store):
    store.record([message(status=MessageStatus.FAILED, deliveries=(delivery(),),
                          errors=({"code": "STORE_UNAVAILABLE"},))], source="router")
    created = store.record([message(deliveries=(delivery(), delivery("ARCHIVE", "json")))], source="admin:ops")
    assert [d.receiver for d in created] == ["ARCHIVE"]
    assert [d.receiver for d in store.deliveries("HUB-1")] == ["CUSTOMS-CN", "ARCHIVE"]


# duplicates --------------------------------------------------------------------------------------

def test_a_repeat_is_found_by_the_sender_message_id(store):
    store.record([message(sender_message_id="AMQP-42")], source="router")
    assert store.find_duplicate("AIRLINE-CA", "AMQP-42", "waybill", "OTHER-KEY", "original") == "HUB-1"
    assert store.find_duplicate("AIRLINE-MU", "AMQP-42", "waybill", "OTHER-KEY", "original") is None


def test_a_repeat_is_found_by_kind_business_key_and_function(store):
    store.record([message()], source="router")
    assert store.find_duplicate("AIRLINE-CA", "NEW-ID", "waybill", "BK-1", "original") == "HUB-1"
    assert store.find_duplicate("AIRLINE-CA", None, "manifest", "BK-1", "original") is None


def test_an_amendment_with_the_same_business_key_is_not_a_duplicate(store):
    store.record([message()], source="router")
    assert store.find_duplicate("AIRLINE-CA", "NEW-ID", "waybill", "BK-1", "amend") is None


def test_a_repeat_of_a_rejected_message_is_not_a_duplicate(store):
    store.record([message(status=MessageStatus.REJECTED, sender_message_id="AMQP-42")], source="router")
    assert store.find_duplicate("AIRLINE-CA", "AMQP-42", "waybill", "BK-1", "original") is None


def test_one_lookup_finds_the_earliest_original_of_every_message_in_a_batch(store, clock):
    store.record([message("HUB-1", sender_message_id="AMQP-1", business_key="BK-1")], source="router")
    clock.advance(1)
    store.record([message("HUB-2", sender_message_id="AMQP-2", business_key="BK-2", received_at=clock.now),
                  message("HUB-3", sender_message_id="AMQP-3", business_key="BK-3", received_at=clock.now,
                          sender="AIRLINE-MU")], source="router")
    asked = [Sameness("AIRLINE-CA", "AMQP-2", "waybill", "BK-9", "original"),   # by id: HUB-2
             Sameness("AIRLINE-CA", "NEW", "waybill", "BK-1", "original"),      # by key: the earliest, HUB-1
             Sameness("AIRLINE-CA", "AMQP-3", "waybill", "BK-3", "original"),   # another sender's: none
             Sameness("AIRLINE-MU", None, "waybill", "BK-3", "original"),       # HUB-3 by key
             Sameness("AIRLINE-CA", None, None, None, None)]
    assert store.find_duplicates(asked) == ["HUB-2", "HUB-1", None, "HUB-3", None]


# sending -----------------------------------------------------------------------------------------

def test_mark_sent_moves_only_pending_deliveries(store):
    one, two = store.record([message(deliveries=(delivery(), delivery("ARCHIVE", "json")))], "router")
    # ARCHIVE answered before the confirm came
    store.apply_receipt(receipt(("HUB-1.ARCHIVE",), receiver="ARCHIVE"))
    store.mark_sent([one.id, two.id, 9999], source="router")
    states = {d.receiver: d.state for d in store.deliveries("HUB-1")}
    assert states == {"CUSTOMS-CN": DeliveryState.SENT, "ARCHIVE": DeliveryState.ACKNOWLEDGED}
    assert [e.delivery_id for e in store.events("HUB-1") if e.type == "delivery.sent"] == [one.id]


def test_pending_lists_deliveries_oldest_first_with_their_payloads(store):
    store.record([message("HUB-1"), message("HUB-2")], source="router")
    store.record([message("HUB-3")], source="router")
    store.mark_sent([store.deliveries("HUB-2")[0].id], source="router")
    pending = store.pending()
    assert [d.message_id for d, _ in pending] == ["HUB-1", "HUB-3"]
    assert all(payload == store.payload(d.id) and payload.startswith(b"<out") for d, payload in pending)
    assert len(store.pending(limit=1)) == 1


def test_pending_since_lists_only_deliveries_unchanged_since_then(store, clock):
    store.record([message("HUB-1")], source="router")
    clock.advance(30)
    cut = clock()
    store.record([message("HUB-2")], source="router")
    (reset,) = store.deliveries("HUB-1")
    assert [d.message_id for d, _ in store.pending(unchanged_since=cut)] == ["HUB-1"]
    clock.advance(30)
    store.mark_sent([reset.id], source="router")
    store.reset_delivery(reset.id, source="admin:ops")       # PENDING again, but changed just now
    assert store.pending(unchanged_since=cut) == []
    assert [d.message_id for d, _ in store.pending(unchanged_since=clock())] == ["HUB-2"]


def test_reset_delivery_puts_it_back_to_pending_and_counts_the_attempt(store):
    (d,) = store.record([message()], source="router")
    store.mark_sent([d.id], source="router")
    again = store.reset_delivery(d.id, source="admin:ops")
    assert (again.state, again.attempts) == (DeliveryState.PENDING, 1)
    last = store.events("HUB-1")[-1]
    assert (last.type, last.state, last.source, last.detail["previous_state"]) == (
        "delivery.reset", "PENDING", "admin:ops", "SENT")


# receipts ----------------------------------------------------------------------------------------

def test_a_receipt_is_correlated_by_the_out_id(store):
    (d,) = store.record([message()], source="router")
    corr = store.apply_receipt(receipt(("HUB-1.CUSTOMS-CN", "BK-UNKNOWN"), agency_status="01"))
    assert corr.delivery.id == d.id and corr.message.id == "HUB-1"
    assert (corr.delivery.state, corr.delivery.agency_status) == (DeliveryState.ACKNOWLEDGED, "01")
    event = store.events("HUB-1")[-1]
    assert (event.type, event.state, event.source) == ("receipt.correlated", "ACKNOWLEDGED",
                                                       f"receipt:{corr.receipt_id}")
    assert event.detail["key"] == "HUB-1.CUSTOMS-CN"


def test_a_receipt_is_correlated_by_the_business_key_when_the_first_key_is_unknown(store):
    (d,) = store.record([message()], source="router")
    corr = store.apply_receipt(receipt(("SOMETHING-ELSE", "BK-1")))
    assert corr.delivery.id == d.id
    assert store.events("HUB-1")[-1].detail["key"] == "BK-1"


def test_keys_belong_to_their_receiver(store):
    store.record([message()], source="router")
    corr = store.apply_receipt(receipt(("HUB-1.CUSTOMS-CN", "BK-1"), receiver="CUSTOMS-GB"))
    assert corr.delivery is None
    assert store.deliveries("HUB-1")[0].state is DeliveryState.PENDING


def test_a_business_key_shared_by_an_original_and_its_amendment_finds_the_latest(store):
    store.record([message("HUB-1")], source="router")
    store.record([message("HUB-2", function="amend")], source="router")
    assert store.apply_receipt(receipt(("BK-1",))).delivery.message_id == "HUB-2"


def test_a_two_step_receipt_chain_follows_the_agency_reference(store):
    (d,) = store.record([message(deliveries=(delivery(fmt="gacc-dec", keys=("CLIENT-SEQ-7",)),))], "router")
    first = store.apply_receipt(receipt(("CLIENT-SEQ-7",), agency_status="0", agency_reference="SEQNO-123"))
    assert first.delivery.agency_reference == "SEQNO-123"
    second = store.apply_receipt(receipt(("SEQNO-123",), state=DeliveryState.ACCEPTED, agency_status="P",
                                         agency_reference="ENTRY-5300000001"))
    assert second.delivery.id == d.id
    assert (second.delivery.state, second.delivery.agency_reference) == (DeliveryState.ACCEPTED,
                                                                         "ENTRY-5300000001")
    third = store.apply_receipt(receipt(("ENTRY-5300000001",), state=None, agency_status="R"))
    assert third.delivery.id == d.id and third.delivery.agency_status == "R"


def test_each_rising_status_is_an_event(store):
    (d,) = store.record([message()], source="router")
    store.mark_sent([d.id], source="router")
    for state, code in ((DeliveryState.ACKNOWLEDGED, "01"), (DeliveryState.ACCEPTED, "02"), (None, "HELD"),
                        (None, "RELEASED")):
        store.apply_receipt(receipt(("HUB-1.CUSTOMS-CN",), state=state, agency_status=code))
    receipts = [e for e in store.events("HUB-1") if e.type == "receipt.correlated"]
    assert [(e.state, e.detail["agency_status"]) for e in receipts] == [
        ("ACKNOWLEDGED", "01"), ("ACCEPTED", "02"), (None, "HELD"), (None, "RELEASED")]
    final = store.deliveries("HUB-1")[0]
    assert (final.state, final.agency_status) == (DeliveryState.ACCEPTED, "RELEASED")


def test_a_batch_of_receipts_is_applied_in_order_in_one_call_chain_included(store):
    (d,) = store.record([message(deliveries=(delivery(fmt="gacc-dec", keys=("CLIENT-SEQ-7",)),))], "router")
    batch = [receipt(("CLIENT-SEQ-7",), agency_status="0", agency_reference="SEQNO-123"),
             receipt(("SEQNO-123",), state=DeliveryState.ACCEPTED, agency_status="P"),   # needs the first
             receipt(("NOBODY",))]
    first, second, orphan = store.apply_receipts(batch)
    assert first.delivery.id == second.delivery.id == d.id and orphan.delivery is None
    assert second.delivery.state is DeliveryState.ACCEPTED
    assert [e.detail["agency_status"] for e in store.events("HUB-1") if e.type == "receipt.correlated"] == ["0", "P"]
    assert store.apply_receipts([]) == []


def test_a_late_technical_receipt_does_not_undo_the_functional_answer(store):
    store.record([message()], source="router")
    store.apply_receipt(receipt(("BK-1",), state=DeliveryState.REJECTED, agency_status="E1"))
    late = store.apply_receipt(receipt(("BK-1",), state=DeliveryState.ACKNOWLEDGED, agency_status="01"))
    assert late.delivery.state is DeliveryState.REJECTED
    assert store.events("HUB-1")[-1].detail["previous_state"] == "REJECTED"


def test_unmatched_receipts_are_stored_and_listed_as_orphans_newest_first(store, backend):
    store.record([message()], source="router")
    first = store.apply_receipt(receipt(("NOBODY-1",), agency_reference="X"))
    matched = store.apply_receipt(receipt(("BK-1",)))
    second = store.apply_receipt(receipt(("NOBODY-2", "NOBODY-3"), state=None))
    assert (first.delivery, first.message, second.delivery) == (None, None, None)
    orphans = store.orphans()
    assert [o["id"] for o in orphans] == [second.receipt_id, first.receipt_id]
    assert orphans[0]["keys"] == ["NOBODY-2", "NOBODY-3"] and orphans[0]["received_at"] == T0
    assert backend.counts()["receipts"] == 3 and matched.delivery is not None
    orphaned = backend.rows("SELECT source FROM events WHERE type = 'receipt.orphaned' ORDER BY id")
    assert orphaned == [(f"receipt:{first.receipt_id}",), (f"receipt:{second.receipt_id}",)]
    # an orphan's agency reference is not a key of anything
    assert backend.row("SELECT COUNT(*) FROM delivery_keys WHERE key = 'X'") == (0,)


# deadlines ---------------------------------------------------------------------------------------

def test_mark_overdue_takes_only_sent_or_acknowledged_deliveries_past_their_deadline(store):
    late = T0 + timedelta(minutes=30)
    store.record([message("HUB-1", deliveries=(delivery(deadline=late),)),           # SENT, late
                  message("HUB-2", deliveries=(delivery(deadline=late),)),           # ACKNOWLEDGED, late
                  message("HUB-3", deliveries=(delivery(deadline=late),)),           # PENDING, late
                  message("HUB-4", deliveries=(delivery(deadline=T0 + timedelta(hours=3)),)),  # SENT, in time
                  message("HUB-5", deliveries=(delivery(deadline=late),)),           # ACCEPTED
                  message("HUB-6", deliveries=(delivery(deadline=None),))], "router")  # no deadline
    ids = {m: store.deliveries(m)[0].id for m in ("HUB-1", "HUB-2", "HUB-3", "HUB-4", "HUB-5", "HUB-6")}
    store.mark_sent([ids[m] for m in ("HUB-1", "HUB-2", "HUB-4", "HUB-5", "HUB-6")], source="router")
    store.apply_receipt(receipt(("HUB-2.CUSTOMS-CN",)))
    store.apply_receipt(receipt(("HUB-5.CUSTOMS-CN",), state=DeliveryState.ACCEPTED))
    overdue = store.mark_overdue(T0 + timedelta(hours=1), source="sweeper")
    assert [d.message_id for d in overdue] == ["HUB-1", "HUB-2"]
    assert all(d.state is DeliveryState.OVERDUE for d in overdue)
    assert store.events("HUB-2")[-1].detail["previous_state"] == "ACKNOWLEDGED"
    assert store.mark_overdue(T0 + timedelta(hours=1), source="sweeper") == []


# admin -------------------------------------------------------------------------------------------

def test_events_are_the_timeline_of_the_message_and_its_deliveries_oldest_first(store, clock):
    (d,) = store.record([message(), message("HUB-2")], source="router")[:1]
    clock.advance(1)
    store.mark_sent([d.id], source="router")
    clock.advance(1)
    store.add_event(None, d.id, "delivery.inspected", source="admin:ops", detail={"note": "ok"})
    events = store.events("HUB-1")
    assert [e.type for e in events] == ["message.accepted", "delivery.pending", "delivery.sent",
                                        "delivery.inspected"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[-1].message_id == "HUB-1" and events[-1].detail == {"note": "ok"}


def test_the_event_log_is_append_only(store, backend):
    store.record([message()], source="router")
    for sql in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
        with pytest.raises(backend.integrity_error, match="append-only"):
            backend.execute(sql)
    assert len(store.events("HUB-1")) == 2


@pytest.fixture
def catalogue(store, clock):
    """Four messages an hour apart: two senders, two kinds, three statuses, two receivers."""
    store.record([message("HUB-1", received_at=T0, deliveries=(delivery(), delivery("ARCHIVE", "json")))], "r")
    store.record([message("HUB-2", received_at=T0 + timedelta(hours=1), sender="AIRLINE-MU", kind="manifest",
                          business_key="BK-2")], "r")
    store.record([message("HUB-3", MessageStatus.REJECTED, received_at=T0 + timedelta(hours=2),
                          business_key="BK-3")], "r")
    store.record([message("HUB-4", received_at=T0 + timedelta(hours=3), business_key="BK-4",
                          deliveries=(delivery("ARCHIVE", "json"),))], "r")
    store.mark_sent([store.deliveries("HUB-1")[0].id], "r")
    return store


@pytest.mark.parametrize(("flt", "expected"), [
    (MessageFilter(), ["HUB-4", "HUB-3", "HUB-2", "HUB-1"]),
    (MessageFilter(limit=2), ["HUB-4", "HUB-3"]),
    (MessageFilter(status=MessageStatus.REJECTED), ["HUB-3"]),
    (MessageFilter(sender="AIRLINE-MU"), ["HUB-2"]),
    (MessageFilter(receiver="ARCHIVE"), ["HUB-4", "HUB-1"]),
    (MessageFilter(kind="manifest"), ["HUB-2"]),
    (MessageFilter(business_key="BK-3"), ["HUB-3"]),
    (MessageFilter(since=T0 + timedelta(hours=2)), ["HUB-4", "HUB-3"]),
    (MessageFilter(until=T0 + timedelta(hours=1)), ["HUB-1"]),
    (MessageFilter(delivery_state=DeliveryState.SENT), ["HUB-1"]),
    (MessageFilter(receiver="ARCHIVE", delivery_state=DeliveryState.SENT), []),
    (MessageFilter(sender="AIRLINE-CA", kind="waybill", since=T0 + timedelta(minutes=1)), ["HUB-4", "HUB-3"]),
])
def test_find_applies_every_given_filter_newest_first(catalogue, flt, expected):
    assert [m.id for m in catalogue.find(flt)] == expected


def test_stats_count_volumes_latency_and_overdue_on_a_known_data_set(store, clock):
    deliveries = (delivery("CUSTOMS-CN", deadline=T0 + timedelta(minutes=5)), delivery("ARCHIVE", "json"))
    created = store.record([message(f"HUB-{i}", deliveries=deliveries) for i in range(1, 5)]
                           + [message("HUB-R", MessageStatus.REJECTED, kind="manifest")], "router")
    customs = [d for d in created if d.receiver == "CUSTOMS-CN"]
    store.mark_sent([d.id for d in created], "router")          # every delivery SENT at T0
    for d, seconds in zip(customs[:3], (10, 20, 60)):           # CUSTOMS-CN answers 3 of 4 after 10, 20, 60 s
        clock.now = T0 + timedelta(seconds=seconds)
        store.apply_receipt(receipt((d.out_id,)))
        clock.advance(5)                                        # a second receipt does not change latency
        store.apply_receipt(receipt((d.out_id,), state=DeliveryState.ACCEPTED))
    store.mark_overdue(T0 + timedelta(minutes=10), "sweeper")   # the fourth is overdue
    figures = store.stats()
    assert figures["by_kind"] == {"waybill": 4, "manifest": 1}
    assert figures["by_status"] == {"ACCEPTED": 4, "REJECTED": 1}
    assert figures["by_receiver"] == {
        "ARCHIVE": {"deliveries": 4, "states": {"SENT": 4}},
        "CUSTOMS-CN": {"deliveries": 4, "states": {"ACCEPTED": 3, "OVERDUE": 1}}}
    assert figures["latency"] == {"CUSTOMS-CN": {"median_s": 20.0, "p95_s": 56.0, "count": 3}}
    assert figures["overdue"] == {"CUSTOMS-CN": 1}
    assert store.stats(since=T0 + timedelta(days=1))["by_kind"] == {}


# processes, times, URLs ----------------------------------------------------------------------------

def test_two_store_objects_on_one_database_both_write(backend):
    a, b = backend.open(), backend.open()
    a.migrate()
    b.migrate()
    a.record([message("HUB-A")], source="router-a")
    b.record([message("HUB-B")], source="router-b")
    a.mark_sent([d.id for d in b.deliveries("HUB-B")], source="router-a")
    assert {m.id for m in b.find(MessageFilter())} == {"HUB-A", "HUB-B"}
    assert a.deliveries("HUB-B")[0].state is DeliveryState.SENT
    a.close()
    b.close()


def test_worker_processes_record_batches_into_one_database_at_once(backend):
    _migrate(backend)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(3) as pool:
        created = pool.map(_record_batches, [(backend, prefix) for prefix in "ABC"])
    assert created == [5 * 20] * 3
    assert backend.counts()["messages"] == 300 and backend.counts()["deliveries"] == 300


def _record_batches(args: tuple[Backend, str]) -> int:
    backend, prefix = args
    s = backend.open()
    try:
        return sum(len(s.record([message(f"HUB-{prefix}-{b}-{i}") for i in range(20)], source=prefix))
                   for b in range(5))
    finally:
        s.close()


def test_times_are_timezone_aware_and_naive_times_are_refused(store):
    beijing = timezone(timedelta(hours=8))
    (d,) = store.record([message(received_at=datetime(2026, 11, 27, 16, 0, tzinfo=beijing))], source="router")
    stored = store.message("HUB-1")
    assert stored.received_at == T0 and stored.received_at.utcoffset() == timedelta(0)
    assert all(t.tzinfo is not None for t in (d.created_at, store.deliveries("HUB-1")[0].deadline_at,
                                              store.events("HUB-1")[0].at))
    with pytest.raises(ValueError, match="naive"):
        store.record([message("HUB-2", received_at=datetime(2026, 11, 27, 8, 0))], source="router")

