"""The hub on the real broker: enter once, deliver to every agency, tell the sender, track receipts."""

from __future__ import annotations

import json

from lxml import etree

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.models import Receipt, ReceiptStatus
from hub.store.base import DeliveryState, MessageStatus
from hub.transport.base import Headers, Publication, Topology
from hub.transport.rabbitmq import publish_once
from hub.worker.serve import hub_user
from tests.conftest import example
from tests.integration.conftest import Hub, publish_as, wait_for

ENGINE = build_engine()


def send(settings, body: bytes, sender: str, message_id: str | None = None, receipt: bool = False) -> None:
    """Hand ``body`` in as the party ``sender`` itself (its own account: user_id checked by RabbitMQ, no
    vouching header); ``receipt``: to the receipts exchange, as an agency answers."""
    topo = Topology(settings.topology_prefix)
    publish_as(settings, [(sender, Publication(exchange=topo.receipts if receipt else topo.inbound, routing_key="",
                                               body=body, message_id=message_id or ""))])


def vouch(settings, body: bytes, sender: str, message_id: str | None = None) -> None:
    """Hand ``body`` in for ``sender`` as the hub's own user vouching for it, as `hub send --as` does: for
    a broker the tests make no party accounts on (a private node without the management API)."""
    topo = Topology(settings.topology_prefix)
    publish_once(settings.amqp_url, [Publication(topo.inbound, "", body, message_id or "",
                                                 headers={Headers.SENDER: sender})], user_id=hub_user(settings))


def status_events(queues, sender: str, count: int) -> list[dict]:
    got = queues.take(queues.topology.sender_queue(sender), count)
    return [json.loads(body) for props, body in got if props.content_type == "application/json"]


def test_a_food_waybill_reaches_customs_quarantine_and_archive_each_in_its_format(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("cargo_xml", "xfwb-food-fra-pek.xml"), "AIRLINE-CA", "CA-MSG-1")
        customs = queues.take(queues.topology.receiver_queue("CUSTOMS-CN"), 1)
        ciq = queues.take(queues.topology.receiver_queue("INSPECTION-CIQ"), 1)
        archive = queues.take(queues.topology.receiver_queue("ARCHIVE"), 1)
        events = status_events(queues, "AIRLINE-CA", 1)
        assert len(customs) == len(ciq) == len(archive) == 1
        (props, body), = customs
        assert ENGINE.detect(body).name == "gacc-mt1101"
        hub_id = props.headers["x-hub-message-id"]
        assert props.message_id == f"{hub_id}.CUSTOMS-CN" and props.delivery_mode == 2
        assert etree.fromstring(body).findtext(".//{*}MessageID") == props.message_id
        assert ENGINE.detect(archive[0][1]).name == "json"
        assert events[0]["event"] == "message.accepted" and events[0]["hub_message_id"] == hub_id
        assert {d["receiver"] for d in events[0]["deliveries"]} == {"CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE"}
        states = wait_for(lambda: {d.receiver: d.state for d in hub.store.deliveries(hub_id)}
                          if all(d.state is DeliveryState.SENT for d in hub.store.deliveries(hub_id)) else None)
        assert set(states) == {"CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE"}


def test_an_invalid_waybill_is_stored_rejected_and_the_sender_gets_json_and_xfnm(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("bad", "xfwb-wrong-check-digit.xml"), "AIRLINE-CA")
        got = queues.take(queues.topology.sender_queue("AIRLINE-CA"), 2)
        by_type = {props.content_type: body for props, body in got}
        event = json.loads(by_type["application/json"])
        assert event["event"] == "message.rejected"
        assert [e["code"] for e in event["errors"]] == ["RULE_AWB_CHECK_DIGIT"]
        native = ENGINE.read(by_type["application/xml"]).document
        assert isinstance(native, Receipt) and native.status is ReceiptStatus.REJECTED
        assert native.business_key == "999-12345676" and native.errors[0].code == "RULE_AWB_CHECK_DIGIT"
        stored = hub.store.message(event["hub_message_id"])
        assert stored.status is MessageStatus.REJECTED and stored.errors[0]["line"] == 19
        assert queues.drain(queues.topology.receiver_queue("CUSTOMS-CN"), quiet=0.3) == []


def test_a_sender_not_allowed_to_send_a_kind_is_rejected(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("cargo_xml", "xffm-ca932-fra-pek.xml"), "FORWARDER-SINOTRANS")
        event, = status_events(queues, "FORWARDER-SINOTRANS", 1)
        assert event["event"] == "message.rejected" and event["errors"][0]["code"] == "SENDER_NOT_ALLOWED"
        assert hub.store.message(event["hub_message_id"]).status is MessageStatus.REJECTED


def test_the_same_message_twice_is_delivered_once_and_the_sender_gets_a_duplicate_receipt(settings, queues):
    with Hub(settings):
        body = example("cargo_xml", "xfwb-pek-fra.xml")
        send(settings, body, "AIRLINE-CA", "CA-MSG-7")
        send(settings, body, "AIRLINE-CA", "CA-MSG-7")          # same sender message id
        send(settings, body, "AIRLINE-CA", "CA-MSG-8")          # same business key and function
        events = status_events(queues, "AIRLINE-CA", 3)
        assert sorted(e["event"] for e in events) == ["message.accepted", "message.duplicate", "message.duplicate"]
        original = next(e["hub_message_id"] for e in events if e["event"] == "message.accepted")
        assert all(e["duplicate_of"] == original for e in events if e["event"] == "message.duplicate")
        assert len(queues.drain(queues.topology.receiver_queue("CUSTOMS-CN"))) == 1


def receipt(fmt: str, **fields) -> bytes:
    return ENGINE.render(Receipt(**fields), fmt, RenderContext(message_id="AGENCY-1")).data


def test_customs_receipts_chain_from_client_seq_no_to_entry_number(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("gacc", "dec-import-air.xml"), "FORWARDER-SINOTRANS")
        (props, _), = queues.take(queues.topology.receiver_queue("CUSTOMS-CN"), 1)
        hub_id = props.headers["x-hub-message-id"]
        send(settings, receipt("gacc-dec-response", business_key="202611270000000731",
                               agency_reference="I20260000918273645", status=ReceiptStatus.ACCEPTED),
             "CUSTOMS-CN", receipt=True)
        send(settings, receipt("gacc-dec-result", business_key="I20260000918273645",
                               agency_reference="223320261000123456", agency_status="L",
                               status=ReceiptStatus.ACCEPTED), "CUSTOMS-CN", receipt=True)

        def customs():
            d = next(d for d in hub.store.deliveries(hub_id) if d.receiver == "CUSTOMS-CN")
            return d if d.agency_reference == "223320261000123456" else None
        delivery = wait_for(customs)
        assert delivery.agency_status == "L"
        events = [e for e in status_events(queues, "FORWARDER-SINOTRANS", 3) if e["event"].startswith("delivery.")]
        assert [e["receiver"] for e in events] == ["CUSTOMS-CN", "CUSTOMS-CN"]
        assert events[-1]["agency_reference"] == "223320261000123456"


def test_manifest_receipt_correlates_by_the_hub_message_id_it_echoes(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("cargo_xml", "xfwb-pek-fra.xml"), "AIRLINE-CA")
        (props, _), = queues.take(queues.topology.receiver_queue("CUSTOMS-CN"), 1)
        assert props.headers["x-hub-format"] == "gacc-mt2101"       # PEK -> FRA is an export
        send(settings, receipt("gacc-mt9999", answers_message_id=props.message_id, answers_type="MT2101",
                               business_key="999-12345675", status=ReceiptStatus.REJECTED, agency_status="03"),
             "CUSTOMS-CN", receipt=True)
        hub_id = props.headers["x-hub-message-id"]
        wait_for(lambda: any(d.state is DeliveryState.REJECTED for d in hub.store.deliveries(hub_id)))
        assert [e.type for e in hub.store.events(hub_id)].count("receipt.correlated") == 1


def test_a_receipt_that_matches_nothing_is_kept_as_an_orphan(settings, queues):
    with Hub(settings) as hub:
        send(settings, receipt("wco-res", business_key="NO-SUCH-LRN", status=ReceiptStatus.ACCEPTED,
                               agency_status="01"), "CUSTOMS-GB", receipt=True)
        orphans = wait_for(lambda: hub.store.orphans())
        assert orphans[0]["receiver"] == "CUSTOMS-GB"
