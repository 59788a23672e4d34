"""On the real broker, failure modes that were fixed: a Cargo-IMP master waybill without a flight
(field corpus FWB/17: RTG and no FLT line) held for a flight manifest instead of reaching customs
without a flight, and a status message's year-less date resolved at its first reception even when it
is replayed long after (an FSU rejected for want of a route, replayed once the routes are fixed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hub.composition import build_engine
from hub.store.base import DeliveryState, MessageFilter, MessageStatus
from tests.conftest import corpus_folder, example
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_admin import hub_cli, routes_file
from tests.integration.test_flow import send
from tests.test_master_hold import flight_manifest

ENGINE = build_engine()
AWB = "933-34502720"


def test_a_cargo_imp_master_without_a_flight_waits_for_a_flight_manifest_listing_it(settings, queues, corpus):
    fwb = (corpus_folder(corpus, "field", "cargo_imp") / "FWB17_cargoimpcompiler_fwb17_test.txt").read_bytes()
    waybill = ENGINE.read(fwb).document
    assert (waybill.number, [(leg.departure.code, leg.arrival.code) for leg in waybill.routing]) == \
        (AWB, [("HKG", "NRT"), ("NRT", "ORD")])
    assert all(leg.number is None for leg in waybill.routing)                  # RTG, no FLT line
    feed, archive = queues.topology.receiver_queue("CUSTOMS-CN"), queues.topology.receiver_queue("ARCHIVE")
    airline = queues.topology.sender_queue("AIRLINE-CA")
    with Hub(settings) as hub:
        send(settings, fwb, "AIRLINE-CA", "CA-FWB17-1")
        accepted, held = [json.loads(b) for p, b in queues.take(airline, 2)]
        assert (accepted["event"], held["event"]) == ("message.accepted", "delivery.held")
        hub_id = held["hub_message_id"]
        assert accepted["hub_message_id"] == hub_id
        assert (held["receiver"], held["format"]) == ("CUSTOMS-CN", "gacc-mt1101")   # HKG -> ORD: transit
        assert [e["code"] for e in held["errors"]] == ["FLIGHT_UNKNOWN"] and AWB in held["errors"][0]["message"]
        (props, body), = queues.take(archive, 1)                               # the archive needs no flight
        assert props.headers["x-hub-message-id"] == hub_id and ENGINE.read(body).document.number == AWB
        assert queues.drain(feed, quiet=0.5) == []                              # nothing for customs yet
        assert {d.receiver: d.state for d in hub.store.deliveries(hub_id)}["CUSTOMS-CN"] is DeliveryState.HELD

        send(settings, flight_manifest(ENGINE, "999-00000022", AWB), "AIRLINE-CA", "CA-FFM-1")
        got = queues.take(feed, 2)                      # the manifest's own MT2101 (PVG -> FRA) and the master
        released = [(p, b) for p, b in got if p.headers["x-hub-message-id"] == hub_id]
        assert len(got) == 2 and len(released) == 1
        (props, body), = released
        assert props.headers["x-hub-format"] == "gacc-mt1101"
        manifest = ENGINE.read(body).document
        assert (manifest.conveyance.journey_id, manifest.loading_location.code) == ("CA935", "PVG")
        assert manifest.conveyance.departure_date.isoformat() == "2026-11-27"
        assert [c.transport_document for c in manifest.consignments] == [AWB]
        told = [json.loads(b) for p, b in queues.take(airline, 2) if p.content_type == "application/json"]
        assert [(e["event"], e["hub_message_id"]) for e in told if e["event"] == "delivery.released"] == [
            ("delivery.released", hub_id)]
        wait_for(lambda: next(d for d in hub.store.deliveries(hub_id)
                              if d.receiver == "CUSTOMS-CN").state is DeliveryState.SENT)


def test_a_replayed_status_keeps_the_date_resolved_at_its_first_reception(settings, queues, tmp_path):
    fsu = example("cargo_imp", "fsu-dep-999-87654346.txt")                     # DEP/CA931/26NOV, no envelope
    first = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)                              # late Nov is nearest in 2023

    def no_status_route(data):
        (archive,) = [r for r in data["routes"] if "status" in r["match"].get("kinds", [])]
        archive["match"]["kinds"].remove("status")
    strict = settings.model_copy(update={"routes": routes_file(tmp_path, no_status_route)})
    with Hub(strict, clock=lambda: first) as hub:
        send(strict, fsu, "AIRLINE-CA", "CA-FSU-1")
        (rejected,) = wait_for(lambda: hub.store.find(MessageFilter(status=MessageStatus.REJECTED)))
        assert [e["code"] for e in rejected.errors] == ["NO_ROUTE"] and rejected.received_at == first
    assert queues.drain(queues.topology.receiver_queue("ARCHIVE"), quiet=0.5) == []

    with Hub(settings) as hub:                                                  # routes fixed, system clock
        assert datetime.now(UTC).year > 2024
        done = hub_cli(settings, "replay", "--status", "REJECTED")
        assert done.exit_code == 0, done.output
        wait_for(lambda: hub.store.message(rejected.id).status is MessageStatus.ACCEPTED)
        (props, body), = queues.take(queues.topology.receiver_queue("ARCHIVE"), 1)
        assert props.headers["x-hub-message-id"] == rejected.id
        happened = json.loads(body)["document"]["happened_at"]
        assert happened.startswith("2023-11-26"), happened                      # not this year's 26 Nov
        assert hub.store.message(rejected.id).received_at == first
        assert [e for e in hub.store.events(rejected.id) if e.type == "message.replayed"]
