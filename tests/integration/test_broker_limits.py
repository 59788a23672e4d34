"""A broker whose max_message_size is below HUB_MAX_OUTPUT_BYTES: a delivery it refuses fails on its
own, the sender is told, and the workers learn the limit instead of reconnecting in a loop.

A private RabbitMQ node (tests/integration/private_broker.py) is started with a 1,800-byte limit:
a 669-byte FWB is let in, and its 2,199-byte GACC MT1101 for customs is refused by the broker,
while the JSON copy for the archive (1,329 bytes) and the status events fit.
"""

from __future__ import annotations

import json
import uuid

from hub.settings import Settings
from hub.store.base import DeliveryState, MessageStatus
from hub.worker.ingest import hub_message_id
from tests.conftest import example
from tests.integration.conftest import ROOT, Hub, Queues, wait_for
from tests.integration.private_broker import PrivateBroker, needs_rabbitmq_server
from tests.integration.test_flow import vouch

pytestmark = needs_rabbitmq_server

FWB = example("cargo_imp", "fwb-cx-hkg-fra.txt")
FSU = example("cargo_imp", "fsu-dep-999-87654346.txt")


def test_a_delivery_the_broker_refuses_for_size_fails_alone_and_the_workers_go_on(tmp_path):
    with PrivateBroker(config={"max_message_size": 1800}) as broker:
        settings = Settings(amqp_url=broker.url, store_url=f"sqlite:///{tmp_path / 'store.db'}",
                            topology_prefix=f"t{uuid.uuid4().hex[:10]}", retry_delays_ms=[200, 400], batch_ms=5,
                            sweep_seconds=0.5, routes=ROOT / "routes.yaml")
        assert settings.max_output_bytes > 1800          # the operator's setting is above the broker's limit
        hub = Hub(settings)
        queues = Queues(settings)
        first = hub_message_id("AIRLINE-CA", "FWB-1", FWB)
        vouch(settings, FWB, "AIRLINE-CA", message_id="FWB-1")     # the private node has no party accounts
        with hub:
            def settled():   # CUSTOMS-CN failed, and ARCHIVE's publication confirmed (it may come a moment later)
                states = {d.receiver: d.state for d in hub.store.deliveries(first)}
                done = states.get("CUSTOMS-CN") is DeliveryState.FAILED and states.get("ARCHIVE") is not \
                    DeliveryState.PENDING
                return done and states
            states = wait_for(settled, timeout=60)
            assert states == {"CUSTOMS-CN": DeliveryState.FAILED, "ARCHIVE": DeliveryState.SENT}
            failed = [e for e in hub.store.events(first) if e.type == "delivery.failed"]
            assert failed and failed[0].detail["codes"] == ["OUTPUT_TOO_LARGE"]
            [router] = [c for c in hub.consumers if c.config.queue == settings.topology_prefix + ".in"]
            assert router.limit.bytes == 1800                  # the router learnt the broker's limit

            second = FWB.replace(b"160-24680132", b"160-24680143")
            vouch(settings, second, "AIRLINE-CA", message_id="FWB-2")
            vouch(settings, FSU, "AIRLINE-CA", message_id="FSU-1")
            refused = wait_for(lambda: hub.store.message(hub_message_id("AIRLINE-CA", "FWB-2", second)))
            assert refused.status is MessageStatus.REJECTED and refused.errors[0]["code"] == "OUTPUT_TOO_LARGE"
            fsu = hub_message_id("AIRLINE-CA", "FSU-1", FSU)
            wait_for(lambda: [d.state for d in hub.store.deliveries(fsu)] == [DeliveryState.SENT], timeout=30)

            archive = {p.headers["x-hub-message-id"]
                       for p, _ in queues.drain(queues.topology.receiver_queue("ARCHIVE"))}
            assert archive == {first, fsu}
            assert queues.drain(queues.topology.receiver_queue("CUSTOMS-CN")) == []
            events = [json.loads(b) for p, b in queues.drain(queues.topology.sender_queue("AIRLINE-CA"))
                      if p.content_type == "application/json"]
            told = [e for e in events if e["event"] == "delivery.failed"]
            assert [(e["hub_message_id"], e["receiver"], e["errors"][0]["code"]) for e in told] == [
                (first, "CUSTOMS-CN", "OUTPUT_TOO_LARGE")]
        queues.close()
        depth = broker.ctl("list_queues", "name", "messages", "messages_unacknowledged")
        inbound = next(line.split() for line in depth.splitlines()
                       if line.startswith(settings.topology_prefix + ".in\t"))
        assert inbound[1:] == ["0", "0"], depth                 # nothing stuck unacknowledged
