"""On the real broker: an airline's house waybill without a flight waits for its master waybill, then
reaches customs as a GACC MT1101 on the master's flight (Cargo-IMP FHL, then FWB)."""

from __future__ import annotations

import json

from hub.composition import build_engine
from hub.store.base import DeliveryState
from tests.conftest import example
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_flow import send

ENGINE = build_engine()


def test_a_house_is_held_for_its_master_then_delivered_on_the_masters_flight(settings, queues):
    feed, airline = queues.topology.receiver_queue("CUSTOMS-CN"), queues.topology.sender_queue("AIRLINE-CA")
    with Hub(settings) as hub:
        send(settings, example("cargo_imp", "fhl-hkg-fra.txt"), "AIRLINE-CA", "CA-FHL-1")
        accepted, held = [json.loads(b) for p, b in queues.take(airline, 2)]
        assert (accepted["event"], held["event"]) == ("message.accepted", "delivery.held")
        assert [e["code"] for e in held["errors"]] == ["MASTER_UNKNOWN"]
        assert queues.drain(feed, quiet=0.5) == []                          # nothing for customs yet
        send(settings, example("cargo_imp", "fwb-cx-hkg-fra.txt"), "AIRLINE-MU", "MU-FWB-1")
        got = queues.take(feed, 2)
        house = [(p, b) for p, b in got if p.headers["x-hub-message-id"] == held["hub_message_id"]]
        assert len(house) == 1
        props, body = house[0]
        manifest = ENGINE.read(body).document
        assert props.headers["x-hub-format"] == "gacc-mt1101" and manifest.conveyance.journey_id == "CX289"
        assert manifest.consignments[0].house_documents == ["KAF26110451"]
        told = [json.loads(b)["event"] for p, b in queues.take(airline, 1)]
        assert told == ["delivery.released"]
        wait_for(lambda: next(d for d in hub.store.deliveries(held["hub_message_id"])
                              if d.receiver == "CUSTOMS-CN").state is DeliveryState.SENT)
