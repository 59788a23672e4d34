"""The router and receipt cores without a broker: what they store and what they ask to publish."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.models import Receipt, ReceiptStatus
from hub.routing import Router, load_routes
from hub.store.base import DeliveryState, MessageFilter, MessageStatus
from hub.store.sqlite import SqliteStore
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.parts import document_of, raw_of, sender_message_id_of
from hub.worker.receipts import ReceiptCore, Sweeper
from hub.worker.status import status_event
from tests.conftest import Clock, example

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = Topology("t")


@pytest.fixture
def router(engine, store):
    return IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")


def inbound(body: bytes, sender: str = "AIRLINE-CA", tag: int = 1, **kw) -> Inbound:
    return Inbound(tag=tag, body=body, sender=sender, **kw)


def test_an_accepted_waybill_asks_for_one_publication_per_receiver_and_a_status_event(router, store):
    work, = router.handle([inbound(example("cargo_xml", "xfwb-food-fra-pek.xml"), message_id="M1")])
    outs = [p for p in work.publications if p.exchange == TOPOLOGY.outbound]
    assert sorted(p.routing_key for p in outs) == ["ARCHIVE", "CUSTOMS-CN", "INSPECTION-CIQ"]
    assert len(work.delivery_ids) == 3
    assert all(p.message_id == f"{p.headers['x-hub-message-id']}.{p.routing_key}" for p in outs)
    status, = [json.loads(p.body) for p in work.publications if p.exchange == TOPOLOGY.status]
    assert status["event"] == "message.accepted"
    assert {d.state for d in store.deliveries(status["hub_message_id"])} == {DeliveryState.PENDING}


def test_a_rejected_cargo_xml_message_gets_json_and_an_xfnm(router, engine):
    work, = router.handle([inbound(example("bad", "xfwb-wrong-check-digit.xml"))])
    assert work.delivery_ids == []
    kinds = sorted(p.content_type for p in work.publications)
    assert kinds == ["application/json", "application/xml"]
    xfnm = next(p for p in work.publications if p.content_type == "application/xml")
    assert engine.detect(xfnm.body).name == "xfnm"


def test_two_copies_in_one_batch_are_one_delivery_and_one_duplicate(router, store):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    works = router.handle([inbound(body, tag=1, message_id="A"), inbound(body, tag=2, message_id="B")])
    assert [len(w.delivery_ids) for w in works] == [2, 0]
    dup = json.loads(works[1].publications[0].body)
    assert dup["event"] == "message.duplicate"
    assert store.message(dup["hub_message_id"]).status is MessageStatus.DUPLICATE


def test_one_batch_mixes_stored_originals_repeats_within_it_and_rejections_in_order(router, store):
    food, other = example("cargo_xml", "xfwb-food-fra-pek.xml"), example("cargo_xml", "xfwb-pek-fra.xml")
    first, = router.handle([inbound(food, message_id="F1")])
    works = router.handle([inbound(other, tag=1, message_id="O1"),
                           inbound(example("bad", "xfwb-wrong-check-digit.xml"), tag=2, message_id="X1"),
                           inbound(food, tag=3, message_id="F2"),        # same business key as the stored F1
                           inbound(other, tag=4, message_id="O1"),       # same sender message id as tag 1
                           inbound(other, tag=5, sender="AIRLINE-MU", message_id="O1")])  # another sender's
    events = [json.loads(w.publications[0].body) for w in works]
    assert [e["event"] for e in events] == ["message.accepted", "message.rejected", "message.duplicate",
                                            "message.duplicate", "message.accepted"]
    original = json.loads(first.publications[0].body)["hub_message_id"]
    assert events[2]["duplicate_of"] == original and events[3]["duplicate_of"] == events[0]["hub_message_id"]
    assert [len(w.delivery_ids) for w in works] == [2, 0, 0, 0, 2]


def test_a_redelivered_message_republishes_only_what_is_still_pending(router, store):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    first, = router.handle([inbound(body, message_id="A")])
    store.mark_sent(first.delivery_ids[:1], source="test")
    again, = router.handle([inbound(body, message_id="A", redelivered=True)])
    assert again.delivery_ids == first.delivery_ids[1:]
    assert [p.exchange for p in again.publications] == [TOPOLOGY.outbound]


def test_a_message_without_a_sender_is_rejected(router, store):
    work, = router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"), sender="")])
    hub_id = hub_message_id("", None, example("cargo_xml", "xfwb-pek-fra.xml"))
    assert store.message(hub_id).errors[0]["code"] == "SENDER_UNKNOWN" and work.publications == []


@pytest.mark.parametrize("fmt", ["xfnm", "json"])
def test_agency_receipts_in_xfnm_and_json_correlate_by_business_key(router, store, engine, fmt):
    work, = router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"))])
    store.mark_sent(work.delivery_ids, source="test")
    body = engine.render(Receipt(business_key="999-12345675", status=ReceiptStatus.ACCEPTED), fmt,
                         RenderContext(message_id="R1")).data
    receipt_work, = ReceiptCore(engine, store, TOPOLOGY).handle([inbound(body, sender="ARCHIVE")])
    hub_id = next(p.headers["x-hub-message-id"] for p in work.publications if p.exchange == TOPOLOGY.outbound)
    archive = next(d for d in store.deliveries(hub_id) if d.receiver == "ARCHIVE")
    assert archive.state is DeliveryState.ACCEPTED
    event = json.loads(receipt_work.publications[0].body)
    assert (event["event"], event["receiver"]) == ("delivery.accepted", "ARCHIVE")


@pytest.mark.parametrize("echoed, correlated", [
    ("HUB-0123456789ABCDEF01234567.ARCHIVE", False),   # another hub's delivery id: not ours to answer
    ("SENDER-OWN-ID-42", True),                         # an id the hub never wrote: the business key decides
])
def test_a_receipt_echoing_a_hub_delivery_id_answers_only_that_delivery(router, store, engine, echoed, correlated):
    work, = router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"))])
    store.mark_sent(work.delivery_ids, source="test")
    body = engine.render(Receipt(answers_message_id=echoed, business_key="999-12345675",
                                 status=ReceiptStatus.ACCEPTED), "json", RenderContext(message_id="R1")).data
    receipt_work, = ReceiptCore(engine, store, TOPOLOGY).handle([inbound(body, sender="ARCHIVE")])
    hub_id = next(p.headers["x-hub-message-id"] for p in work.publications if p.exchange == TOPOLOGY.outbound)
    archive = next(d for d in store.deliveries(hub_id) if d.receiver == "ARCHIVE")
    assert archive.state is (DeliveryState.ACCEPTED if correlated else DeliveryState.SENT)
    assert len(store.orphans()) == (0 if correlated else 1)
    assert len(receipt_work.publications) == (1 if correlated else 0)


def test_an_unreadable_receipt_is_kept_as_an_orphan(store, engine):
    work, = ReceiptCore(engine, store, TOPOLOGY).handle([inbound(b"<not-a-receipt/>", sender="CUSTOMS-CN")])
    assert work.publications == []
    assert store.orphans()[0]["receiver"] == "CUSTOMS-CN"


def test_a_receipt_answering_several_declarations_advances_each_of_them(router, store, engine):
    from hub.models import Receipt as R
    from tests.ecommerce_support import order
    works = router.handle([inbound(engine.render(order(order_no=no), "json", RenderContext(message_id=no)).data,
                                   sender="EC-PLATFORM", tag=i) for i, no in enumerate(("ORD-1", "ORD-2"))])
    ids = [i for w in works for i in w.delivery_ids]
    store.mark_sent(ids, source="test")
    answer = R(business_key="ORD-2", status=ReceiptStatus.ACCEPTED, agency_status="120",
               header={"recipient_id": "EC-PLATFORM"},
               more=[R(business_key="ORD-1", status=ReceiptStatus.ACKNOWLEDGED, agency_status="2",
                       header={"recipient_id": "EC-PLATFORM"}),
                     R(business_key="ORD-1", status=ReceiptStatus.ACCEPTED, agency_status="120",
                       header={"recipient_id": "EC-PLATFORM"})])
    body = engine.render(answer, "ceb312+dxp", RenderContext(message_id="R1", sender_id="CUSTOMS-CN-EC")).data
    work, = ReceiptCore(engine, store, TOPOLOGY).handle([inbound(body, sender="CUSTOMS-CN-EC")])
    events = [json.loads(p.body) for p in work.publications]
    assert [(e["business_key"], e["agency_status"]) for e in events] == [("ORD-1", "2"), ("ORD-1", "120"),
                                                                          ("ORD-2", "120")]
    assert len({p.message_id for p in work.publications}) == 3          # each event its own id
    for w in works:
        hub_id = next(p for p in w.publications if p.exchange == TOPOLOGY.outbound).headers["x-hub-message-id"]
        (d,) = store.deliveries(hub_id)
        assert (d.state, d.agency_status) == (DeliveryState.ACCEPTED, "120")


def test_the_sweeper_sends_again_what_stays_pending_once_a_minute_and_nothing_newer(engine, tmp_path):
    t0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    clock = Clock(t0)
    store = SqliteStore(tmp_path / "clocked.db", clock=clock)
    store.migrate()
    router = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")
    old, = router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"), message_id="OLD")])
    clock.advance(50)
    new, = router.handle([inbound(example("cargo_xml", "xfwb-food-fra-pek.xml"), message_id="NEW")])
    sweeper = Sweeper(store, TOPOLOGY, clock=clock, registry=engine.registry)

    def tick_at(seconds: int) -> list[str]:
        clock.now = t0 + timedelta(seconds=seconds)
        work = sweeper.tick()
        assert len(work.delivery_ids) == len(work.publications)      # each marked SENT on its confirm
        return sorted(p.message_id for p in work.publications)
    olds = sorted(p.message_id for p in old.publications if p.exchange == TOPOLOGY.outbound)
    news = sorted(p.message_id for p in new.publications if p.exchange == TOPOLOGY.outbound)
    assert tick_at(59) == []                         # a router may still await their confirms
    assert tick_at(61) == olds                       # stored over a minute ago, never confirmed
    assert tick_at(75) == []                         # sent again already: its confirm is awaited
    assert tick_at(111) == news
    assert tick_at(122) == olds                      # still PENDING a minute later: once more
    store.mark_sent([i for w in (old, new) for i in w.delivery_ids], source="router")
    assert tick_at(300) == []


def test_the_sweeper_keeps_orphan_receipts_for_their_period_and_up_to_their_count(engine, tmp_path):
    t0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    clock = Clock(t0)
    store = SqliteStore(tmp_path / "orphans.db", clock=clock)
    store.migrate()
    core = ReceiptCore(engine, store, TOPOLOGY, clock=clock, receivers=load_routes(ROOT / "routes.yaml").receivers)
    for n in range(5):
        body = engine.render(Receipt(business_key=f"NO-SUCH-{n}", status=ReceiptStatus.ACCEPTED), "json",
                             RenderContext(message_id=f"R{n}")).data
        core.handle([inbound(body, sender="INSPECTION-CIQ", tag=n)])
        clock.advance(3600)
    sweeper = Sweeper(store, TOPOLOGY, clock=clock, orphans_kept_for=timedelta(hours=3), orphans_kept=2)
    sweeper.tick()              # now 5 h after the first: 0 h and 1 h are too old, 2 h is beyond the count
    assert [o["keys"] for o in store.orphans()] == [["NO-SUCH-4"], ["NO-SUCH-3"]]
    assert store.stats()["receipts"]["orphans_dropped"] == 3
    clock.advance(24 * 3600)
    sweeper.tick()
    assert [o["keys"] for o in store.orphans()] == [["NO-SUCH-4"]]      # the newest id is never freed for reuse
    assert store.stats()["receipts"]["orphans_dropped"] == 4


def test_a_receipt_in_a_format_its_receiver_does_not_list_is_refused_not_applied(engine, store, router):
    router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"), message_id="M1")])
    core = ReceiptCore(engine, store, TOPOLOGY, receivers=load_routes(ROOT / "routes.yaml").receivers)
    body = engine.render(Receipt(business_key="999-12345675", status=ReceiptStatus.REJECTED), "json",
                         RenderContext(message_id="R1")).data
    work, = core.handle([inbound(body, sender="CUSTOMS-CN")])
    assert work.publications == []
    refused, = store.receipts(outcome="refused")
    assert refused["errors"][0]["code"] == "RECEIPT_FORMAT_NOT_ACCEPTED" and refused["format"] == "json"
    assert {d.state for d in store.deliveries(hub_message_id("AIRLINE-CA", "M1",
                                                             example("cargo_xml", "xfwb-pek-fra.xml")))} == \
        {DeliveryState.PENDING}


def test_a_status_event_never_fails_on_text_that_is_not_valid_unicode():
    event = status_event(TOPOLOGY, "AIRLINE-CA", "message.failed", "HUB-1", sender_message_id="M\udcff1")
    assert json.loads(event.body)["sender_message_id"] == "M?1"


def test_a_message_carrying_several_documents_is_routed_part_by_part(engine, store, router, monkeypatch):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    first = engine.read(body).document
    second = engine.read(example("cargo_xml", "xfwb-food-fra-pek.xml")).document
    monkeypatch.setattr(type(engine.registry.get("xfwb")), "parse_all", lambda self, probe: [first, second])
    work, = router.handle([inbound(body, message_id="M1")])            # one Work: acked when all parts are out
    hub_id = hub_message_id("AIRLINE-CA", "M1", body)
    parts = [store.message(f"{hub_id}-P{n}") for n in (1, 2)]
    assert [(m.status, m.business_key, m.sender_message_id) for m in parts] == [
        (MessageStatus.ACCEPTED, first.business_key, "M1#1"), (MessageStatus.ACCEPTED, second.business_key, "M1#2")]
    assert store.message(hub_id) is None and store.raw(parts[0].id) == body and parts[1].size == len(body)
    outs = sorted(p.message_id for p in work.publications if p.exchange == TOPOLOGY.outbound)
    assert outs == sorted([f"{hub_id}-P1.CUSTOMS-CN", f"{hub_id}-P1.ARCHIVE", f"{hub_id}-P2.CUSTOMS-CN",
                           f"{hub_id}-P2.INSPECTION-CIQ", f"{hub_id}-P2.ARCHIVE"])
    assert len(work.delivery_ids) == 5
    again, = router.handle([inbound(body, message_id="M1", tag=2, redelivered=True)])   # after a crash
    assert sorted(again.delivery_ids) == sorted(work.delivery_ids)
    assert store.stats()["by_status"] == {"ACCEPTED": 2}


def test_a_retry_after_one_part_raised_keeps_the_parts_already_accepted(engine, store, router, monkeypatch):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    first = engine.read(body).document
    second = engine.read(example("cargo_xml", "xfwb-food-fra-pek.xml")).document
    monkeypatch.setattr(type(engine.registry.get("xfwb")), "parse_all", lambda self, probe: [first, second])
    route = router._route

    def second_raises(inbound, base, adapter, doc, *rest):
        if doc is second:
            raise RuntimeError("a writer bug on the second part")
        return route(inbound, base, adapter, doc, *rest)
    monkeypatch.setattr(router, "_route", second_raises)
    work, = router.handle([inbound(body, message_id="M1")])
    assert [p.routing_key for p in work.publications if p.exchange == TOPOLOGY.retry] == ["0"]
    monkeypatch.setattr(router, "_route", route)
    retried, = router.handle([inbound(body, message_id="M1", tag=2, attempts=1)])
    hub_id = hub_message_id("AIRLINE-CA", "M1", body)
    assert {store.message(f"{hub_id}-P{n}").status for n in (1, 2)} == {MessageStatus.ACCEPTED}
    assert not [m for m in store.find(MessageFilter()) if m.status is MessageStatus.DUPLICATE]
    assert len(retried.delivery_ids) == 5          # the first part's PENDING ones again, the second's new


def test_a_part_is_read_again_from_the_bytes_its_message_came_in(engine, store, router, monkeypatch):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    first = engine.read(body).document
    second = engine.read(example("cargo_xml", "xfwb-food-fra-pek.xml")).document
    monkeypatch.setattr(type(engine.registry.get("xfwb")), "parse_all", lambda self, probe: [first, second])
    router.handle([inbound(body, message_id="M1")])
    hub_id = hub_message_id("AIRLINE-CA", "M1", body)
    assert raw_of(store, f"{hub_id}-P2") == body and raw_of(store, hub_id + "-P1") == body
    assert document_of(engine, store, f"{hub_id}-P2") == second
    assert sender_message_id_of(f"{hub_id}-P2", "M1#2") == "M1" and sender_message_id_of(hub_id, "A#2") == "A#2"


def test_a_node_that_loses_the_race_for_an_original_tells_its_sender_duplicate_not_accepted(router, store, monkeypatch):
    """Two nodes take repeats of one waybill at once: both look up, neither sees the other, both route.
    The store's unique index keeps one original; the loser's sender is told duplicate (naming the
    original), and nothing of the loser is published."""
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    first, = router.handle([inbound(body, message_id="N1")])
    original = json.loads(next(p.body for p in first.publications if p.exchange == TOPOLOGY.status))["hub_message_id"]
    monkeypatch.setattr(store, "find_duplicates", lambda same: [None] * len(same))   # the other node's look-up
    work, = router.handle([inbound(body, tag=2, message_id="N2")])
    events = [json.loads(p.body) for p in work.publications if p.exchange == TOPOLOGY.status]
    assert [(e["event"], e.get("duplicate_of")) for e in events] == [("message.duplicate", original)]
    assert not [p for p in work.publications if p.exchange == TOPOLOGY.outbound] and work.delivery_ids == []
    assert store.message(events[0]["hub_message_id"]).status is MessageStatus.DUPLICATE


def test_a_json_delivery_carries_the_hub_message_id_and_authenticated_sender_it_comes_from(router, engine):
    """What another e-port hub shows as the message's origin (it never authorises anything there)."""
    work, = router.handle([inbound(example("cargo_xml", "xfwb-pek-fra.xml"), message_id="O1")])
    archive = next(p for p in work.publications if p.exchange == TOPOLOGY.outbound and p.routing_key == "ARCHIVE")
    body = json.loads(archive.body)
    assert body["origin"] == {"hub_message_id": archive.headers["x-hub-message-id"], "sender": "AIRLINE-CA"}
    assert engine.read(archive.body).document.business_key == "999-12345675"     # still reads as canonical JSON
