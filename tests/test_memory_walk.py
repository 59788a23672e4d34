"""One message's walk through the hub on the in-memory transport double (no broker): a sender's
XFWB into the inbound exchange, the router, the receivers' queues, customs' MT9999 into the
receipts exchange, the receipt worker, and the sender told. The same walk on RabbitMQ is
tests/integration/test_flow.py; this one runs in milliseconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.models import Receipt, ReceiptStatus
from hub.pipeline import Engine
from hub.routing import Router, load_routes
from hub.store.base import DeliveryState, MessageStatus
from hub.transport.base import Publication, Topology
from hub.transport.memory import MemoryBroker, MemoryConsumer
from hub.worker.failures import Retries
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.receipts import ReceiptCore
from hub.worker.serve import _mark_sent
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = Topology("t")
DELAYS = (10, 20)
HUB = "hub"


@pytest.fixture
def broker() -> MemoryBroker:
    return MemoryBroker(TOPOLOGY, load_routes(ROOT / "routes.yaml"), DELAYS)


@pytest.fixture
def router(engine, store, broker) -> MemoryConsumer:
    core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB",
                      retries=Retries(TOPOLOGY, "in", DELAYS))
    return MemoryConsumer(broker, TOPOLOGY.inbound, core.handle, core.fail, _mark_sent(store), hub_user=HUB,
                          name="router")


@pytest.fixture
def receipts(engine, store, broker) -> MemoryConsumer:
    core = ReceiptCore(engine, store, TOPOLOGY, receivers=load_routes(ROOT / "routes.yaml").receivers,
                       retries=Retries(TOPOLOGY, "acks", DELAYS))
    return MemoryConsumer(broker, TOPOLOGY.receipts, core.handle, core.fail, _mark_sent(store, "sweeper"),
                          hub_user=HUB, name="receipts")


def hand_in(broker: MemoryBroker, body: bytes, message_id: str, sender: str = "AIRLINE-CA") -> None:
    """As the sender itself would: its own broker user is its identity."""
    assert broker.publish(Publication(TOPOLOGY.inbound, "", body, message_id), user_id=sender)


def events(broker: MemoryBroker, sender: str = "AIRLINE-CA") -> list[dict]:
    return [json.loads(e.body) for e in broker.drain(TOPOLOGY.sender_queue(sender))
            if e.content_type == "application/json"]


def test_an_xfwb_walks_from_its_sender_to_customs_and_customs_answer_back_to_the_sender(
        broker, router, receipts, store, engine):
    body = example("cargo_xml", "xfwb-food-fra-pek.xml")
    hand_in(broker, body, "CA-1")
    assert router.run() == 1
    assert broker.depth(TOPOLOGY.inbound) == 0 and router.in_flight == 0          # acknowledged

    hub_id = hub_message_id("AIRLINE-CA", "CA-1", body)
    copies = {r: broker.drain(TOPOLOGY.receiver_queue(r)) for r in ("CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE")}
    assert all(len(got) == 1 for got in copies.values())
    assert all(broker.depth(TOPOLOGY.receiver_queue(r)) == 0 for r in load_routes(ROOT / "routes.yaml").receivers)
    (customs,) = copies["CUSTOMS-CN"]
    assert customs.message_id == f"{hub_id}.CUSTOMS-CN" and customs.headers["x-hub-format"] == "gacc-mt1101"
    assert customs.user_id == HUB
    assert {d.receiver: d.state for d in store.deliveries(hub_id)} == dict.fromkeys(copies, DeliveryState.SENT)
    assert [e["event"] for e in events(broker)] == ["message.accepted"]

    answer = engine.render(Receipt(answers_message_id=customs.message_id, answers_type="MT1101",
                                   business_key="999-44556676", status=ReceiptStatus.ACCEPTED, agency_status="01"),
                           "gacc-mt9999", RenderContext(message_id="GACC-1")).data
    assert broker.publish(Publication(TOPOLOGY.receipts, "", answer, "GACC-1"), user_id="CUSTOMS-CN")
    assert receipts.run() == 1 and receipts.in_flight == 0

    states = {d.receiver: d.state for d in store.deliveries(hub_id)}
    assert states == {"CUSTOMS-CN": DeliveryState.ACCEPTED, "INSPECTION-CIQ": DeliveryState.SENT,
                      "ARCHIVE": DeliveryState.SENT}
    (told,) = events(broker)
    assert (told["event"], told["receiver"], told["hub_message_id"]) == ("delivery.accepted", "CUSTOMS-CN", hub_id)
    assert not broker.unroutable and all(broker.depth(q) == 0 for q in broker.queues)


def test_one_message_that_raises_goes_to_the_retry_exchange_alone_and_its_batch_is_delivered(
        broker, router, store, monkeypatch):
    bodies = [example("cargo_xml", name) for name in ("xfwb-pek-fra.xml", "xfwb-food-fra-pek.xml",
                                                      "xfzb-bjs-fra.xml")]
    poison = bodies[1]
    inspect = Engine.inspect

    def inspecting(self, data, *args, **kwargs):
        if data == poison:
            raise RuntimeError("an adapter bug met this message")
        return inspect(self, data, *args, **kwargs)
    monkeypatch.setattr(Engine, "inspect", inspecting)
    for n, body in enumerate(bodies):
        hand_in(broker, body, f"F-{n}")

    assert router.run() == 3 and [len(b) for b in router.batches] == [3]          # one batch
    assert broker.depth(TOPOLOGY.inbound) == 0 and router.in_flight == 0          # all three acknowledged
    (retried,) = broker.queues[TOPOLOGY.retry_queue(0)]
    assert retried.envelope.body == poison and retried.envelope.headers["x-hub-attempts"] == 1
    assert retried.envelope.headers["x-hub-sender"] == "AIRLINE-CA"
    poison_id = hub_message_id("AIRLINE-CA", "F-1", poison)
    assert store.message(poison_id).status is MessageStatus.FAILED
    assert store.message(poison_id).errors[0]["code"] == "INTERNAL_ERROR"
    delivered = [e.headers["x-hub-message-id"] for e in broker.drain(TOPOLOGY.receiver_queue("ARCHIVE"))]
    assert sorted(delivered) == sorted(hub_message_id("AIRLINE-CA", f"F-{n}", bodies[n]) for n in (0, 2))

    for _ in DELAYS:                      # each retry queue's TTL passes: back to the router, failing again
        assert broker.expire() == 1
        assert router.run() == 1
    assert broker.depth(TOPOLOGY.retry_queue(1)) == 0
    (dead,) = broker.drain(TOPOLOGY.dead)
    assert dead.body == poison and dead.headers["x-hub-lane"] == "in" and dead.headers["x-hub-sender"] == "AIRLINE-CA"
    assert dead.headers["x-hub-attempts"] == len(DELAYS) + 1
    told = [e for e in events(broker) if e["hub_message_id"] == poison_id]
    assert [(e["event"], e["retrying"]) for e in told] == [("message.failed", True)] * len(DELAYS) + [
        ("message.failed", False)]
    assert store.message(poison_id).errors[0]["dead_lettered"] is True


def test_a_nacked_publication_leaves_its_message_unacknowledged_and_it_is_delivered_again(broker, router, store):
    refused = []

    def refuse_first_archive_copy(pub: Publication) -> bool:
        if pub.routing_key == "ARCHIVE" and not refused:
            refused.append(pub)
            return True
        return False
    broker.refuse = refuse_first_archive_copy
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    hand_in(broker, body, "N-1")
    assert router.run() == 2                      # taken, nacked back to the queue, taken again (redelivered)
    assert [b[0].redelivered for b in router.batches] == [False, True]
    hub_id = hub_message_id("AIRLINE-CA", "N-1", body)
    assert {d.state for d in store.deliveries(hub_id)} == {DeliveryState.SENT}
    assert len(broker.drain(TOPOLOGY.receiver_queue("ARCHIVE"))) == 1 and router.in_flight == 0
