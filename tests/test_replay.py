"""`hub replay`'s decisions (hub.worker.replay): which messages run again and which deliveries are
resent, what is recorded before a publication and after the broker confirmed it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.routing import Router, load_routes
from hub.store.base import DeliveryState, MessageFilter, MessageStatus
from hub.transport.base import Headers, Inbound, Topology
from hub.worker import replay
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.parts import raw_of, sender_message_id_of
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = Topology("t")
WHO = "admin:tester"


@pytest.fixture
def stored(engine, store):
    """One accepted waybill (three deliveries) and one rejected one, both from AIRLINE-CA."""
    core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")
    good, bad = example("cargo_xml", "xfwb-food-fra-pek.xml"), example("bad", "xfwb-wrong-check-digit.xml")
    core.handle([Inbound(tag=1, body=good, sender="AIRLINE-CA", message_id="G-1"),
                 Inbound(tag=2, body=bad, sender="AIRLINE-CA", message_id="B-1")])
    accepted = store.message(hub_message_id("AIRLINE-CA", "G-1", good))
    rejected = store.message(hub_message_id("AIRLINE-CA", "B-1", bad))
    return accepted, rejected, bad


def test_the_pipeline_mode_runs_a_rejected_message_again_as_its_sender_and_skips_an_accepted_one(
        engine, store, stored):
    accepted, rejected, bad = stored
    planned = replay.plan(store, TOPOLOGY, engine.registry, [accepted, rejected], replay.Mode.PIPELINE, WHO)
    assert [s.message_id for s in planned.steps] == [rejected.id]
    assert planned.skipped == [f"{accepted.id}: accepted already; to deliver it again use --mode resend"]
    (step,) = planned.steps
    pub = step.publication
    assert (pub.exchange, pub.body, pub.message_id) == (TOPOLOGY.inbound, bad, "B-1")
    assert pub.headers == {Headers.SENDER: "AIRLINE-CA", Headers.REPLAY: WHO}
    assert step.delivery_id is None and "REJECTED" in step.says


def test_the_resend_mode_publishes_the_stored_payloads_only_to_the_receiver_asked_for(engine, store, stored):
    accepted, _, _ = stored
    every = replay.plan(store, TOPOLOGY, engine.registry, [accepted], replay.Mode.RESEND, WHO)
    assert sorted(s.publication.routing_key for s in every.steps) == ["ARCHIVE", "CUSTOMS-CN", "INSPECTION-CIQ"]
    (one,) = replay.plan(store, TOPOLOGY, engine.registry, [accepted], replay.Mode.RESEND, WHO, "CUSTOMS-CN").steps
    customs = next(d for d in store.deliveries(accepted.id) if d.receiver == "CUSTOMS-CN")
    assert one.delivery_id == customs.id and one.publication.body == store.payload(customs.id)


def test_a_resent_delivery_is_pending_while_it_goes_out_and_sent_once_the_broker_confirmed_it(
        engine, store, stored):
    accepted, _, _ = stored
    steps = replay.plan(store, TOPOLOGY, engine.registry, [accepted], replay.Mode.RESEND, WHO, "CUSTOMS-CN").steps
    seen = []

    def publish(pubs):
        seen.append([d.state for d in store.deliveries(accepted.id) if d.receiver == "CUSTOMS-CN"])
        assert [p.routing_key for p in pubs] == ["CUSTOMS-CN"]

    assert replay.Replay(store, WHO, replay.Mode.RESEND).run(steps, publish) == 1
    assert seen == [[DeliveryState.PENDING]]
    customs = next(d for d in store.deliveries(accepted.id) if d.receiver == "CUSTOMS-CN")
    assert customs.state is DeliveryState.SENT
    assert any(e.source == WHO for e in store.events(accepted.id))


def test_a_publication_that_fails_leaves_the_delivery_pending_for_the_worker_to_republish(engine, store, stored):
    accepted, _, _ = stored
    steps = replay.plan(store, TOPOLOGY, engine.registry, [accepted], replay.Mode.RESEND, WHO, "CUSTOMS-CN").steps

    def broker_down(pubs):
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        replay.Replay(store, WHO, replay.Mode.RESEND).run(steps, broker_down)
    customs = next(d for d in store.deliveries(accepted.id) if d.receiver == "CUSTOMS-CN")
    assert customs.state is DeliveryState.PENDING


def test_a_pipeline_replay_is_an_event_naming_who_asked_and_goes_out_in_parts(engine, store, stored):
    _, rejected, _ = stored
    steps = replay.plan(store, TOPOLOGY, engine.registry, [rejected, rejected], replay.Mode.PIPELINE, WHO).steps
    parts = []
    replay.Replay(store, WHO, replay.Mode.PIPELINE).run(steps, parts.append, part_size=1)
    assert [len(p) for p in parts] == [1, 1]
    replayed = [e for e in store.events(rejected.id) if e.type == "message.replayed"]
    assert len(replayed) == 2 and {e.source for e in replayed} == {WHO}


@pytest.fixture
def two_parts(engine, store, monkeypatch):
    """A message carrying two waybills (parts M1#1 and M1#2 of one body), accepted; returns a core to send
    more with, and the body."""
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    docs = [engine.read(example("cargo_xml", name)).document for name in ("xfwb-pek-fra.xml", "xfwb-food-fra-pek.xml")]
    monkeypatch.setattr(type(engine.registry.get("xfwb")), "parse_all", lambda self, probe: docs)
    core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")
    core.handle([Inbound(tag=1, body=body, sender="AIRLINE-CA", message_id="M1")])
    return core, body


def duplicates(store):
    return sorted(m.id for m in store.find(MessageFilter()) if m.status is MessageStatus.DUPLICATE)


def test_a_pipeline_replay_of_several_parts_of_one_message_sends_that_message_once(engine, store, two_parts):
    core, body = two_parts
    core.handle([Inbound(tag=2, body=body, sender="AIRLINE-CA", message_id="M2")])   # the same waybills again
    root = hub_message_id("AIRLINE-CA", "M2", body)
    assert duplicates(store) == [f"{root}-P1", f"{root}-P2"]
    parts = [store.message(f"{root}-P{n}") for n in (1, 2)]
    planned = replay.plan(store, TOPOLOGY, engine.registry, parts, replay.Mode.PIPELINE, WHO)
    (step,) = planned.steps
    assert (step.message_id, step.publication.body, step.publication.message_id) == (f"{root}-P1", body, "M2")
    assert planned.skipped == [f"{root}-P2: a part of {root}, which runs again with {root}-P1"]


def test_a_pipeline_replay_of_a_repeated_part_sends_the_bytes_and_the_id_its_sender_gave(engine, store, two_parts):
    core, body = two_parts
    core.handle([Inbound(tag=2, body=body, sender="AIRLINE-CA", message_id="M1")])   # the very same bytes again
    root = hub_message_id("AIRLINE-CA", "M1", body)
    first, second = duplicates(store)
    assert first.startswith(f"{root}-P1-R") and second.startswith(f"{root}-P2-R") and store.raw(second) == b""
    assert raw_of(store, second) == body and sender_message_id_of(second, "M1#2") == "M1"
    (step,) = replay.plan(store, TOPOLOGY, engine.registry, [store.message(second)], replay.Mode.PIPELINE, WHO).steps
    assert (step.publication.body, step.publication.message_id) == (body, "M1")
    both = replay.plan(store, TOPOLOGY, engine.registry, [store.message(first), store.message(second)],
                       replay.Mode.PIPELINE, WHO)
    assert [s.message_id for s in both.steps] == [first]
