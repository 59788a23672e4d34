"""`hub send --as` is an admin tool: a message the hub's own broker user vouched for (x-hub-sender)
says so in its outcome event and in `hub messages show`; a party's own login never does, nor the
hub's retries and replays of a message (their sender was established when it first came in)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from hub.routing import Router, load_routes
from hub.transport.base import Headers, Publication, Topology
from hub.transport.memory import MemoryBroker, MemoryConsumer
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.serve import _mark_sent
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = Topology("t")
HUB = "hub-admin"


def outcome(store, hub_id: str) -> dict:
    event, = [e for e in store.events(hub_id) if e.type.startswith("message.")]
    return event.detail


def test_a_message_the_hubs_user_vouched_for_is_recorded_and_shown_as_vouched(engine, store, tmp_path):
    routes = load_routes(ROOT / "routes.yaml")
    broker = MemoryBroker(TOPOLOGY, routes)
    core = IngestCore(engine, Router(routes), store, TOPOLOGY, "EPORTHUB")
    router = MemoryConsumer(broker, TOPOLOGY.inbound, core.handle, core.fail, _mark_sent(store), hub_user=HUB)
    vouched, own, retried = (example("cargo_xml", name) for name in
                             ("xfwb-pek-fra.xml", "xfwb-food-fra-pek.xml", "xffm-ca932-fra-pek.xml"))
    broker.publish(Publication(TOPOLOGY.inbound, "", vouched, "V-1", headers={Headers.SENDER: "AIRLINE-CA"}),
                   user_id=HUB)                                                  # hub send --as AIRLINE-CA
    broker.publish(Publication(TOPOLOGY.inbound, "", own, "O-1"), user_id="AIRLINE-CA")    # its own login
    broker.publish(Publication(TOPOLOGY.inbound, "", retried, "R-1",
                               headers={Headers.SENDER: "AIRLINE-CA", Headers.ATTEMPTS: 1}), user_id=HUB)
    router.run()
    ids = [hub_message_id("AIRLINE-CA", mid, body) for mid, body in (("V-1", vouched), ("O-1", own),
                                                                     ("R-1", retried))]
    assert [store.message(i).sender for i in ids] == ["AIRLINE-CA"] * 3
    assert [outcome(store, i).get("vouched_by") for i in ids] == [HUB, None, None]

    def show(hub_id: str) -> str:
        result = CliRunner().invoke(main, ["messages", "show", hub_id],
                                    env={"HUB_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}"})
        assert result.exit_code == 0, result.output
        return result.output
    assert f"vouched by {HUB} (hub send --as)" in show(ids[0])
    assert "vouched by" not in show(ids[1])
