"""The demo's simulated agencies, on a stand-in channel: they answer as receivers must (no broker needed)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pika

from hub.cli.demo import demo_routes
from hub.demo import Agencies, Login
from hub.routing import Router, load_routes
from hub.store.base import DeliveryState
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from hub.worker.receipts import ReceiptCore
from tests.conftest import ROOT, example

TOPOLOGY = Topology("t")


class FakeChannel:
    """basic_get from per-queue lists; basic_publish collects what the agencies send."""

    def __init__(self, queues: dict[str, list]) -> None:
        self.queues, self.published, self.lock = queues, [], threading.Lock()

    def confirm_delivery(self) -> None:
        pass

    def basic_get(self, queue: str, auto_ack: bool = False):
        with self.lock:
            items = self.queues.get(queue, [])
            return items.pop(0) if items else (None, None, None)

    def basic_publish(self, exchange: str, routing_key: str, body: bytes, properties=None) -> None:
        """The agency answers as itself: the broker-checked user_id, no vouching header."""
        assert "x-hub-sender" not in (properties.headers or {})
        self.published.append((properties.user_id, body))

    def drained(self) -> bool:
        with self.lock:
            return not any(self.queues.values())


def test_a_repeated_copy_of_the_late_delivery_is_dropped_not_answered_early(engine, store, monkeypatch):
    """The hub may publish a delivery twice under the same message id (a router starting while another
    one's deliveries are still PENDING republishes them). Receivers drop repeats; the demo's late
    agency answering the repeat at once settled the late delivery before its deadline (LATE 0)."""
    router = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")
    works = router.handle([Inbound(tag=1, body=example("cargo_xml", "xfwb-food-fra-pek.xml"), sender="AIRLINE-CA",
                                   message_id="AIRLINE-CA-003"),
                           Inbound(tag=2, body=example("cargo_xml", "xffm-ca932-fra-pek.xml"), sender="AIRLINE-CA",
                                   message_id="AIRLINE-CA-001")])
    store.mark_sent([i for w in works for i in w.delivery_ids], source="test")
    late, other = [next(p for p in w.publications if p.routing_key == "INSPECTION-CIQ") for w in works]

    def copy(pub):
        return (SimpleNamespace(delivery_tag=1), pika.BasicProperties(message_id=pub.message_id), pub.body)
    channel = FakeChannel({TOPOLOGY.receiver_queue("INSPECTION-CIQ"): [copy(late), copy(late), copy(other)]})
    monkeypatch.setattr(pika, "BlockingConnection",
                        lambda params: SimpleNamespace(channel=lambda: channel, close=lambda: None))

    login = Login("amqp://INSPECTION-CIQ:secret@127.0.0.1:5672/%2F", "INSPECTION-CIQ", "INSPECTION-CIQ")
    agencies = Agencies(engine, TOPOLOGY, {"INSPECTION-CIQ": login}, late_by=60.0)
    with agencies:
        deadline = time.monotonic() + 10
        while not channel.drained() and time.monotonic() < deadline:
            time.sleep(0.01)
    # leaving the block lets the agencies finish the pass that took the last copy (and send what is due)
    assert channel.drained()
    ReceiptCore(engine, store, TOPOLOGY).handle([Inbound(tag=i, body=body, sender=sender)
                                                for i, (sender, body) in enumerate(channel.published, 1)])

    def state(pub):
        return next(d.state for d in store.deliveries(pub.headers["x-hub-message-id"])
                    if d.receiver == "INSPECTION-CIQ")
    assert state(other) is DeliveryState.ACCEPTED     # answered at once, so the agencies did run
    assert state(late) is DeliveryState.SENT          # its answer is still 60 s away: no early settling
    assert len(channel.published) == 1 and agencies.received["INSPECTION-CIQ"] == 2


def test_an_agency_on_a_run_unique_account_reads_its_own_feed_and_answers_as_itself(engine, store, monkeypatch,
                                                                                      tmp_path):
    """The demo names its parties for the run (CUSTOMS-CN-x7: broker users are broker-wide); the
    agency still answers as CUSTOMS-CN would, from that account's feed, as that account."""
    path, names = demo_routes(ROOT / "routes.yaml", tmp_path / "routes.yaml", "5s", "-x7")
    assert names["CUSTOMS-CN"] == "CUSTOMS-CN-x7" and names["EC-PLATFORM"] == "EC-PLATFORM-x7"
    run_routes = load_routes(path)
    assert set(run_routes.receivers) == {f"{r}-x7" for r in load_routes(ROOT / "routes.yaml").receivers}
    router = IngestCore(engine, Router(run_routes), store, TOPOLOGY, "EPORTHUB")
    work, = router.handle([Inbound(tag=1, body=example("cargo_xml", "xfwb-pek-fra.xml"), sender="AIRLINE-CA-x7",
                                   message_id="AIRLINE-CA-002")])
    store.mark_sent(work.delivery_ids, source="test")
    pub = next(p for p in work.publications if p.routing_key == "CUSTOMS-CN-x7")
    channel = FakeChannel({TOPOLOGY.receiver_queue("CUSTOMS-CN-x7"): [
        (SimpleNamespace(delivery_tag=1), pika.BasicProperties(message_id=pub.message_id, headers=pub.headers),
         pub.body)]})
    monkeypatch.setattr(pika, "BlockingConnection",
                        lambda params: SimpleNamespace(channel=lambda: channel, close=lambda: None))
    login = Login("amqp://CUSTOMS-CN-x7:secret@127.0.0.1:5672/%2F", "CUSTOMS-CN-x7", "CUSTOMS-CN-x7")
    with Agencies(engine, TOPOLOGY, {"CUSTOMS-CN": login}) as agencies:
        deadline = time.monotonic() + 10
        while not channel.published and time.monotonic() < deadline:
            time.sleep(0.01)
    (sender, body), = channel.published
    assert sender == "CUSTOMS-CN-x7" and agencies.received == {"CUSTOMS-CN": 1}
    ReceiptCore(engine, store, TOPOLOGY).handle([Inbound(tag=1, body=body, sender=sender)])
    customs, = [d for d in store.deliveries(pub.headers["x-hub-message-id"]) if d.receiver == "CUSTOMS-CN-x7"]
    assert customs.state is DeliveryState.ACCEPTED and customs.agency_status == "01"


def test_only_a_party_the_hub_vouches_for_carries_the_vouching_header():
    assert Login("amqp://CUSTOMS-CN-x7:s@h/%2F", "CUSTOMS-CN-x7", "CUSTOMS-CN-x7").headers == {}
    assert Login("amqp://guest:guest@h/%2F", "CUSTOMS-CN", "guest").headers == {"x-hub-sender": "CUSTOMS-CN"}
