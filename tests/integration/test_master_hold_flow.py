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


def several_houses(count: int) -> bytes:
    """The example FHL with ``count`` houses under its master (own fixture: KAF2611045<n>, n pieces)."""
    lines = example("cargo_imp", "fhl-hkg-fra.txt").decode().splitlines()
    head, house = lines[:2], lines[2:]
    houses = []
    for n in range(1, count + 1):
        block = list(house)
        block[0] = f"HBS/KAF2611045{n}/HKGFRA/{n}/K{10 * n}.0/{n}/LAPTOP PARTS"
        houses += block
    return ("\n".join(head + houses) + "\n").encode()


def test_an_fhl_of_several_houses_delivers_each_house_on_its_own(settings, queues):
    fhl = several_houses(3)
    assert [d.number for d in ENGINE.read(fhl).documents] == ["KAF26110451", "KAF26110452", "KAF26110453"]
    feed, archive = queues.topology.receiver_queue("CUSTOMS-CN"), queues.topology.receiver_queue("ARCHIVE")
    with Hub(settings) as hub:
        send(settings, fhl, "AIRLINE-CA", "CA-FHL-3")
        copies = queues.take(archive, 3)
        ids = sorted(p.headers["x-hub-message-id"] for p, _ in copies)
        assert len(ids) == 3 and len({i.rsplit("-P", 1)[0] for i in ids}) == 1       # three parts of one message
        assert sorted(ENGINE.read(b).document.number for _, b in copies) == ["KAF26110451", "KAF26110452",
                                                                               "KAF26110453"]
        assert queues.drain(feed, quiet=0.5) == []                          # each waits for the master
        send(settings, example("cargo_imp", "fwb-cx-hkg-fra.txt"), "AIRLINE-MU", "MU-FWB-1")
        got = queues.take(feed, 4)
        houses = sorted(ENGINE.read(b).document.consignments[0].house_documents[0] for p, b in got
                        if p.headers["x-hub-message-id"] in ids)
        assert houses == ["KAF26110451", "KAF26110452", "KAF26110453"]
        wait_for(lambda: all(d.state is DeliveryState.SENT for i in ids for d in hub.store.deliveries(i)))
        assert hub.store.stats()["by_status"] == {"ACCEPTED": 4}
