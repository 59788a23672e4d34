"""Dates without a year (Cargo-IMP FSU and FFM: ``26NOV``) resolve around the time the message was
received: by the router at arrival, and again whenever the stored message is read later (a hold
released, a replay), never around the time it happens to be read again."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hub.routing import Router, RoutesFile
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from hub.worker.parts import document_of
from tests.conftest import example

FSU = example("cargo_imp", "fsu-dep-999-87654346.txt")       # DEP/CA931/26NOV, no Type-B envelope
ROUTES = {"senders": {"AIRLINE-CA": {"name": "airline", "may_send": ["status"]}},
          "receivers": {"ARCHIVE": {"name": "archive", "accepts": ["json"]}},
          "routes": [{"name": "archive", "deliver": [{"receiver": "ARCHIVE", "format": "json"}]}]}


@pytest.mark.parametrize("received, day", [
    (datetime(2024, 1, 2, 8, 0, tzinfo=UTC), "2023-11-26"),      # late November is nearest in the year before
    (datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "2026-11-26"),
])
def test_the_engine_resolves_a_day_and_month_around_the_reception_time(engine, received, day):
    assert engine.read(FSU, received=received).document.happened_at.date().isoformat() == day


def core(engine, store, clock, routes: dict) -> IngestCore:
    return IngestCore(engine, Router(RoutesFile.model_validate(routes)), store, Topology("t"), "EPORTHUB", clock)


def test_a_stored_message_read_again_keeps_the_dates_of_its_reception(engine, clocked_store, clock):
    clock.now = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)            # years before the system clock
    (work,) = core(engine, clocked_store, clock, ROUTES).handle(
        [Inbound(tag=1, body=FSU, sender="AIRLINE-CA", message_id="FSU-1")])
    (out,) = [p for p in work.publications if p.routing_key == "ARCHIVE"]
    assert json.loads(out.body)["document"]["happened_at"].startswith("2023-11-26")
    hub_id = out.headers["x-hub-message-id"]
    clock.now = datetime(2024, 7, 1, tzinfo=UTC)                  # read again half a year on
    assert document_of(engine, clocked_store, hub_id).happened_at.date().isoformat() == "2023-11-26"


def test_a_replayed_message_resolves_its_dates_around_its_first_reception(engine, clocked_store, clock):
    nowhere = {**ROUTES, "routes": [{"name": "nowhere", "match": {"kinds": ["waybill"]},
                                     "deliver": [{"receiver": "ARCHIVE", "format": "json"}]}]}
    clock.now = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    core(engine, clocked_store, clock, nowhere).handle(                     # NO_ROUTE: rejected
        [Inbound(tag=1, body=FSU, sender="AIRLINE-CA", message_id="FSU-1")])
    clock.now = datetime(2024, 7, 1, tzinfo=UTC)        # the routes fixed, replayed half a year on
    (work,) = core(engine, clocked_store, clock, ROUTES).handle(
        [Inbound(tag=2, body=FSU, sender="AIRLINE-CA", message_id="FSU-1", replayed=True)])
    (out,) = [p for p in work.publications if p.routing_key == "ARCHIVE"]
    assert json.loads(out.body)["document"]["happened_at"].startswith("2023-11-26")   # not 2024-11-26


def test_only_the_hubs_own_user_marks_a_message_replayed():
    from hub.transport.base import Envelope, Headers, inbound_from
    envelope = Envelope(tag=1, body=b"x", headers={Headers.REPLAY: "admin:ops", Headers.SENDER: "AIRLINE-CA"},
                        user_id="hub")
    assert inbound_from(envelope, "hub").replayed and inbound_from(envelope, "hub").seen_before
    forged = Envelope(tag=1, body=b"x", headers={Headers.REPLAY: "admin:ops"}, user_id="AIRLINE-CA")
    assert not inbound_from(forged, "hub").replayed and not inbound_from(forged, "hub").seen_before
