"""A house waybill whose flight is only on its master (check ``master-known``): held until the master
waybill (same MAWB, from any sender) is known, then rendered with the master's flight; refused past
the hold's timeout with the reason, the sender told."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.checks import CHECKS, MasterKnown
from hub.models import Location, TransportLeg, WaybillType
from hub.routing import Router, RoutesFile, load_routes
from hub.store.base import DeliveryState
from hub.transport.base import Inbound, Topology
from hub.worker.holds import Holds
from hub.worker.ingest import IngestCore
from hub.worker.receipts import Sweeper
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = Topology("t")
MAWB = "999-22334454"
ROUTES = {
    "senders": {"AIRLINE-CA": {"name": "airline", "may_send": ["waybill", "manifest"]},
                "FORWARDER-X": {"name": "forwarder", "may_send": ["waybill"]}},
    "receivers": {"CUSTOMS": {"name": "customs", "accepts": ["gacc-mt1101", "gacc-mt2101"], "receipt_deadline": "2h"},
                  "ARCHIVE": {"name": "archive", "accepts": ["json"]}},
    "routes": [
        {"name": "imports", "match": {"kinds": ["waybill"], "direction": ["import", "transit"]},
         "hold": {"check": "master-known", "timeout": "2h"},
         "deliver": [{"receiver": "CUSTOMS", "format": "gacc-mt1101"}]},
        {"name": "exports", "match": {"kinds": ["waybill"], "direction": "export"},
         "hold": {"check": "master-known", "timeout": "2h"},
         "deliver": [{"receiver": "CUSTOMS", "format": "gacc-mt2101"}]},
        {"name": "archive", "deliver": [{"receiver": "ARCHIVE", "format": "json"}]},
    ]}


@pytest.fixture
def store(clocked_store):
    return clocked_store


@pytest.fixture
def router(engine, store, clock) -> IngestCore:
    return IngestCore(engine, Router(RoutesFile.model_validate(ROUTES), home_country="CN"), store, TOPOLOGY,
                      "EPORTHUB", clock)


def house_xfzb(engine, **changes) -> bytes:
    """The shape of examples/cargo_xml/xfzb-sha-fra.xml: a PVG -> FRA house of MAWB 999-22334454, no flight."""
    house = engine.read(example("cargo_xml", "xfzb-sha-fra.xml")).document.model_copy(update=changes)
    assert house.type is WaybillType.HOUSE and house.master_number == MAWB
    return engine.render(house, "xfzb", RenderContext(message_id=f"FZB-{house.number}")).data


def master_xfwb(engine, flight: str = "CA935", departure: str = "PVG", **changes) -> bytes:
    """A master XFWB for 999-22334454 on ``flight`` from ``departure`` to FRA."""
    master = engine.read(example("cargo_xml", "xfwb-pek-fra.xml")).document
    leg = TransportLeg(carrier="CA", number=flight, departure=Location(code=departure), arrival=Location(code="FRA"),
                       departure_at=datetime(2026, 11, 27, 5, 25, tzinfo=UTC))
    master = master.model_copy(update={"number": MAWB, "origin": Location(code=departure), "routing": [leg],
                                       **changes})
    return engine.render(master, "xfwb", RenderContext(message_id=f"FWB-{flight}")).data


def flight_manifest(engine, *awbs: str) -> bytes:
    """examples/cargo_xml/xffm-ca935-pvg-fra.xml (flight CA935 PVG -> FRA, 27 Nov) with its first
    consignments' AWBs replaced by ``awbs``."""
    ffm = engine.read(example("cargo_xml", "xffm-ca935-pvg-fra.xml")).document
    assert len(ffm.consignments) >= len(awbs)
    ffm = ffm.model_copy(update={"consignments": [
        c.model_copy(update={"transport_document": awbs[n]}) if n < len(awbs) else c
        for n, c in enumerate(ffm.consignments)]})
    return engine.render(ffm, "xffm", RenderContext(message_id=f"FFM-{'-'.join(awbs)}")).data


def flightless(**changes) -> dict:
    """A master's routing that names its airports but no flight (an FWB with RTG and no FLT line)."""
    return {"routing": [TransportLeg(departure=Location(code="PVG"), arrival=Location(code="FRA"))], **changes}


def send(router, *items: tuple[bytes, str]) -> list:
    return router.handle([Inbound(tag=i, body=body, sender=sender, message_id=f"M{i}-{len(body)}-{hash(body)}")
                          for i, (body, sender) in enumerate(items)])


def outs(works, receiver: str = "CUSTOMS") -> list:
    return [p for w in works for p in w.publications if p.exchange == TOPOLOGY.outbound and p.routing_key == receiver]


def events(works, name: str) -> list[dict]:
    return [json.loads(p.body) for w in works for p in w.publications
            if p.exchange == TOPOLOGY.status and p.headers.get("x-hub-event") == name]


def flight_of(engine, body: bytes) -> tuple[str, str, str, str]:
    m = engine.read(body).document
    c = m.consignments[0]
    return (m.conveyance.journey_id, m.loading_location.code, c.transport_document, ",".join(c.house_documents))


def test_a_house_after_its_master_goes_out_at_once_on_the_masters_flight(router, engine, store):
    send(router, (master_xfwb(engine), "AIRLINE-CA"))
    works = send(router, (house_xfzb(engine), "FORWARDER-X"))
    (out,) = outs(works)
    assert out.headers["x-hub-format"] == "gacc-mt2101"                 # PVG -> FRA: an export
    assert flight_of(engine, out.body) == ("CA935", "PVG", MAWB, "SHA2026110001")
    hub_id = out.headers["x-hub-message-id"]
    assert {d.receiver: d.state for d in store.deliveries(hub_id)}["CUSTOMS"] is DeliveryState.PENDING


def test_a_house_first_is_held_and_the_master_from_another_sender_releases_it_with_its_flight(
        router, engine, store):
    first = send(router, (house_xfzb(engine), "FORWARDER-X"))
    assert outs(first) == [] and len(outs(first, "ARCHIVE")) == 1   # the archive does not wait
    (accepted,) = events(first, "message.accepted")
    assert {"receiver": "CUSTOMS", "format": "gacc-mt2101", "held": "master-known"} in accepted["deliveries"]
    (held,) = events(first, "delivery.held")
    assert [e["code"] for e in held["errors"]] == ["MASTER_UNKNOWN"] and MAWB in held["errors"][0]["message"]
    hub_id = held["hub_message_id"]
    assert {d.receiver: d.state for d in store.deliveries(hub_id)}["CUSTOMS"] is DeliveryState.HELD

    later = send(router, (master_xfwb(engine, flight="CA937"), "AIRLINE-CA"))
    released = [p for p in outs(later) if p.headers["x-hub-message-id"] == hub_id]
    assert len(released) == 1
    assert flight_of(engine, released[0].body) == ("CA937", "PVG", MAWB, "SHA2026110001")
    assert released[0].message_id == f"{hub_id}.CUSTOMS"
    (told,) = events(later, "delivery.released")
    assert told["hub_message_id"] == hub_id and told["receiver"] == "CUSTOMS"
    delivery = next(d for d in store.deliveries(hub_id) if d.receiver == "CUSTOMS")
    assert delivery.state is DeliveryState.PENDING and delivery.id in later[-1].delivery_ids
    assert store.payload(delivery.id) == released[0].body       # a resend sends what was rendered at release


def test_a_house_and_its_master_in_one_batch_both_go_out(router, engine):
    works = send(router, (house_xfzb(engine), "FORWARDER-X"), (master_xfwb(engine), "AIRLINE-CA"))
    bodies = sorted(flight_of(engine, p.body) for p in outs(works))
    assert bodies == [("CA935", "PVG", MAWB, ""), ("CA935", "PVG", MAWB, "SHA2026110001")]


def test_a_house_with_its_own_flight_and_a_master_are_never_held(router, engine, store):
    own = TransportLeg(carrier="CA", number="CA931", departure=Location(code="PVG"), arrival=Location(code="FRA"),
                       departure_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    works = send(router, (house_xfzb(engine, routing=[own]), "FORWARDER-X"))
    assert flight_of(engine, outs(works)[0].body)[0] == "CA931" and events(works, "delivery.held") == []
    works = send(router, (master_xfwb(engine), "AIRLINE-CA"))
    assert len(outs(works)) == 1 and events(works, "delivery.held") == []


def test_past_the_timeout_the_house_is_refused_the_sender_told_and_a_late_master_changes_nothing(
        router, engine, store, clock):
    (held,) = events(send(router, (house_xfzb(engine), "FORWARDER-X")), "delivery.held")
    sweeper = Sweeper(store, TOPOLOGY, clock, holds=Holds(store, TOPOLOGY, engine, "EPORTHUB"))
    assert sweeper.tick().publications == []
    clock.now += timedelta(hours=2, minutes=1)
    work = sweeper.tick()
    (refused,) = [json.loads(p.body) for p in work.publications if p.headers.get("x-hub-event") == "delivery.refused"]
    assert refused["hub_message_id"] == held["hub_message_id"] and refused["check"] == "master-known"
    assert [e["code"] for e in refused["errors"]] == ["MASTER_UNKNOWN"] and MAWB in refused["errors"][0]["message"]
    natives = [p for p in work.publications if p.exchange == TOPOLOGY.status and p.content_type == "application/xml"]
    assert len(natives) == 1 and natives[0].routing_key == "FORWARDER-X"              # its XFNM
    assert b"MASTER_UNKNOWN" in natives[0].body
    customs = next(d for d in store.deliveries(held["hub_message_id"]) if d.receiver == "CUSTOMS")
    assert customs.state is DeliveryState.REFUSED and work.delivery_ids == []
    late = send(router, (master_xfwb(engine), "AIRLINE-CA"))
    assert all(p.headers["x-hub-message-id"] != held["hub_message_id"] for p in outs(late))


def test_a_master_known_by_the_timeout_releases_the_house_at_the_sweep(router, engine, store, clock):
    (held,) = events(send(router, (house_xfzb(engine), "FORWARDER-X")), "delivery.held")
    holds = Holds(store, TOPOLOGY, engine, "EPORTHUB")
    send(router, (master_xfwb(engine), "AIRLINE-CA"))        # released by the router already
    clock.now += timedelta(hours=3)
    assert Sweeper(store, TOPOLOGY, clock, holds=holds).tick().delivery_ids == []
    customs = next(d for d in store.deliveries(held["hub_message_id"]) if d.receiver == "CUSTOMS")
    assert customs.state is DeliveryState.PENDING


def test_a_master_without_a_flight_leaves_the_house_waiting_with_the_reason(engine):
    check = MasterKnown()
    house = engine.read(house_xfzb(engine)).document
    flightless = engine.read(master_xfwb(engine)).document.model_copy(update={"routing": []})
    (fact,) = check.index(flightless)
    problems = check.evaluate(check.index(house), {("waybill", MAWB): fact.values})
    assert [p.code for p in problems] == ["MASTER_NO_FLIGHT"] and MAWB in problems[0].message
    assert check.complete(house, check.index(house), {("waybill", MAWB): fact.values}).routing == []


def test_the_check_waits_only_for_houses_without_a_flight(engine):
    check = CHECKS["master-known"]
    house = engine.read(house_xfzb(engine)).document
    master = engine.read(master_xfwb(engine)).document
    assert check.waits(check.index(house)) == [("waybill", MAWB), ("manifested", MAWB)]
    assert check.waits(check.index(master)) == []
    assert check.index(master)[0].kind == "waybill" and check.index(master)[0].key == MAWB
    done = check.complete(house, check.index(house), {("waybill", MAWB): check.index(master)[0].values})
    assert [leg.number for leg in done.routing] == ["CA935"]


def test_the_shipped_routes_hold_an_airlines_house_until_its_master(engine, store, clock):
    core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml"), home_country="CN"), store, TOPOLOGY,
                      "EPORTHUB", clock)
    first = core.handle([Inbound(tag=1, body=example("cargo_xml", "xfzb-sha-fra.xml"), sender="AIRLINE-MU")])
    assert outs(first, "CUSTOMS-CN") == [] and len(outs(first, "ARCHIVE")) == 1
    (held,) = events(first, "delivery.held")
    assert held["receiver"] == "CUSTOMS-CN" and held["format"] == "gacc-mt2101"
    later = core.handle([Inbound(tag=2, body=master_xfwb(engine), sender="AIRLINE-CA")])
    mt2101 = [p for p in outs(later, "CUSTOMS-CN") if p.headers["x-hub-message-id"] == held["hub_message_id"]]
    assert len(mt2101) == 1 and flight_of(engine, mt2101[0].body)[:2] == ("CA935", "PVG")


def test_a_house_that_cannot_be_rendered_at_release_is_refused_and_the_sender_told(
        router, engine, store, monkeypatch):
    from hub.errors import ConversionError
    (held,) = events(send(router, (house_xfzb(engine), "FORWARDER-X")), "delivery.held")

    def cannot(delivery, check, known=None):
        raise ConversionError("JourneyID too long for GACC", code="CONVERT_FIELD_INVALID")
    monkeypatch.setattr(router.holds, "render", cannot)
    works = send(router, (master_xfwb(engine), "AIRLINE-CA"))
    assert all(p.headers["x-hub-message-id"] != held["hub_message_id"] for p in outs(works))
    (refused,) = events(works, "delivery.refused")
    assert refused["hub_message_id"] == held["hub_message_id"]
    assert refused["errors"][0]["code"] == "CONVERT_FIELD_INVALID" and "CUSTOMS" in refused["errors"][0]["message"]
    customs = next(d for d in store.deliveries(held["hub_message_id"]) if d.receiver == "CUSTOMS")
    assert customs.state is DeliveryState.REFUSED and customs.id not in works[-1].delivery_ids


def test_a_cargo_imp_fhl_waits_for_its_fwb_and_goes_out_on_its_flight(engine, store, clock):
    core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml"), home_country="CN"), store, TOPOLOGY,
                      "EPORTHUB", clock)
    first = core.handle([Inbound(tag=1, body=example("cargo_imp", "fhl-hkg-fra.txt"), sender="AIRLINE-CA")])
    (held,) = events(first, "delivery.held")                    # HKG -> FRA: transit, the original manifest
    assert (held["receiver"], held["format"]) == ("CUSTOMS-CN", "gacc-mt1101")
    assert "160-24680132" in held["errors"][0]["message"]
    later = core.handle([Inbound(tag=2, body=example("cargo_imp", "fwb-cx-hkg-fra.txt"), sender="AIRLINE-MU")])
    house = [p for p in outs(later, "CUSTOMS-CN") if p.headers["x-hub-message-id"] == held["hub_message_id"]]
    assert len(house) == 1
    assert flight_of(engine, house[0].body) == ("CX289", "HKG", "160-24680132", "KAF26110451")


def test_a_master_without_a_flight_is_held_until_a_flight_manifest_lists_it(router, engine, store):
    first = send(router, (master_xfwb(engine, **flightless()), "AIRLINE-CA"))
    (held,) = events(first, "delivery.held")
    assert [e["code"] for e in held["errors"]] == ["FLIGHT_UNKNOWN"] and MAWB in held["errors"][0]["message"]
    assert outs(first) == [] and len(outs(first, "ARCHIVE")) == 1        # the archive needs no flight
    assert events(first, "message.accepted")[0]["hub_message_id"] == held["hub_message_id"]

    later = send(router, (flight_manifest(engine, "999-00000022", MAWB), "AIRLINE-CA"))
    (out,) = [o for o in outs(later) if o.headers["x-hub-message-id"] == held["hub_message_id"]]
    assert out.headers["x-hub-format"] == "gacc-mt2101"                 # PVG -> FRA: an export
    assert flight_of(engine, out.body)[:3] == ("CA935", "PVG", MAWB)
    assert engine.read(out.body).document.conveyance.departure_date.isoformat() == "2026-11-27"
    customs = next(d for d in store.deliveries(held["hub_message_id"]) if d.receiver == "CUSTOMS")
    assert customs.state is DeliveryState.PENDING


def test_a_house_whose_master_has_no_flight_goes_out_on_the_manifests_flight(router, engine, store):
    send(router, (master_xfwb(engine, **flightless()), "AIRLINE-CA"))
    (held,) = events(send(router, (house_xfzb(engine), "FORWARDER-X")), "delivery.held")
    assert [e["code"] for e in held["errors"]] == ["MASTER_NO_FLIGHT"]
    later = send(router, (flight_manifest(engine, MAWB), "AIRLINE-CA"))
    released = {o.headers["x-hub-message-id"]: o for o in outs(later)}
    assert flight_of(engine, released[held["hub_message_id"]].body) == ("CA935", "PVG", MAWB, "SHA2026110001")
    assert len(released) == 2                                           # the master went out with it


def test_a_master_whose_flight_never_comes_is_refused_past_the_timeout(router, engine, store, clock):
    (held,) = events(send(router, (master_xfwb(engine, **flightless()), "AIRLINE-CA")), "delivery.held")
    clock.now += timedelta(hours=3)
    works = Sweeper(store, TOPOLOGY, clock, holds=Holds(store, TOPOLOGY, engine, "EPORTHUB")).tick()
    (refused,) = events([works], "delivery.refused")
    assert refused["hub_message_id"] == held["hub_message_id"]
    assert [e["code"] for e in refused["errors"]] == ["FLIGHT_UNKNOWN"]



def test_a_flight_kept_as_a_fact_keeps_its_places_names_and_one_stored_with_plain_codes_still_reads(engine):
    check = MasterKnown()
    house = engine.read(house_xfzb(engine)).document
    leg = TransportLeg(carrier="CA", number="CA935", departure=Location(code="PVG", name="Shanghai Pudong"),
                       arrival=Location(code="FRA", name="Frankfurt"), departure_at=datetime(2026, 11, 27, 5, 25))
    master = engine.read(master_xfwb(engine)).document.model_copy(update={"routing": [leg]})
    (fact,) = check.index(master)
    assert check.complete(house, check.index(house), {("waybill", MAWB): fact.values}).routing == [leg]
    old = {"routing": [{"carrier": "CA", "number": "CA935", "departure": "PVG", "arrival": "FRA",
                        "departure_at": "2026-11-27T05:25:00"}], "has_flight": True}
    (read,) = check.complete(house, check.index(house), {("waybill", MAWB): old}).routing
    assert read == leg.model_copy(update={"departure": Location(code="PVG"), "arrival": Location(code="FRA")})
