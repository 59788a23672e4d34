"""Cross-border e-commerce on the real broker: the inventory waits for its three documents
(三单对碰), everything reaches customs in DXP envelopes, the platform's DxpRep and customs' CEB622
answer in DXP correlate."""

from __future__ import annotations

import json

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.models import Receipt, ReceiptStatus
from hub.store.base import DeliveryState
from tests.conftest import example
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_flow import send

ENGINE = build_engine()


def test_the_inventory_is_held_for_its_documents_then_delivered_and_its_receipt_correlates(settings, queues):
    feed, platform = queues.topology.receiver_queue("CUSTOMS-CN-EC"), queues.topology.sender_queue("EC-PLATFORM")
    with Hub(settings) as hub:
        send(settings, example("ceb", "ceb621-inventory.xml"), "EC-PLATFORM", "EC-INV-1")
        accepted, held = [json.loads(b) for _, b in queues.take(platform, 2)]
        assert (accepted["event"], held["event"]) == ("message.accepted", "delivery.held")
        assert sorted(e["code"] for e in held["errors"]) == ["THREE_DOC_MISSING"] * 3
        assert queues.drain(feed, quiet=0.5) == []                        # nothing for customs yet
        send(settings, example("ceb", "ceb311-order.xml"), "EC-PLATFORM", "EC-ORD-1")
        send(settings, example("ceb", "ceb411-payment.xml"), "EC-PAYMENT", "EC-PAY-1")
        send(settings, example("ceb", "ceb511-logistics.xml"), "EC-LOGISTICS", "EC-LOG-1")
        got = queues.take(feed, 4)
        formats = sorted(props.headers["x-hub-format"] for props, _ in got)
        assert formats == ["ceb311+dxp", "ceb411+dxp", "ceb511+dxp", "ceb621+dxp"]
        props, body = next((p, b) for p, b in got if p.headers["x-hub-format"] == "ceb621+dxp")
        inner = ENGINE.read(body)
        assert (inner.envelope.name, inner.adapter.name) == ("dxp", "ceb621")
        events = [json.loads(b)["event"] for _, b in queues.take(platform, 2)]
        assert events == ["message.accepted", "delivery.released"]
        hub_id = props.headers["x-hub-message-id"]
        wait_for(lambda: hub.store.deliveries(hub_id)[0].state is DeliveryState.SENT)

        taken = Receipt(answers_message_id=props.message_id, business_key="-", status=ReceiptStatus.ACKNOWLEDGED)
        send(settings, ENGINE.render(taken, "dxp-rep", RenderContext(message_id="DXP-1", sender_id="CUSTOMS-CN-EC",
                                                                      receiver_id="EPORTHUB")).data,
             "CUSTOMS-CN-EC", receipt=True)
        (event,) = [json.loads(b) for _, b in queues.take(platform, 1)]
        assert (event["event"], event["agency_status"]) == ("delivery.acknowledged", "0")   # the platform took it

        receipt = Receipt(business_key=inner.document.business_key, status=ReceiptStatus.ACCEPTED,
                          agency_status="800", agency_reference="B20261127000000042", text="released")
        answer = ENGINE.render(receipt, "ceb622+dxp", RenderContext(message_id="CUS-1", sender_id="CUSTOMS-CN-EC",
                                                                    receiver_id="EPORTHUB")).data
        send(settings, answer, "CUSTOMS-CN-EC", receipt=True)
        (event,) = [json.loads(b) for _, b in queues.take(platform, 1)]
        assert (event["event"], event["receiver"], event["agency_status"]) == ("delivery.accepted",
                                                                               "CUSTOMS-CN-EC", "800")
        delivery = hub.store.deliveries(hub_id)[0]
        assert (delivery.state, delivery.agency_status) == (DeliveryState.ACCEPTED, "800")
