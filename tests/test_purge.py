"""Personal data kept only as long as allowed: `hub purge` (by age, by kind, dry run), the sweeper's
retention per kind (HUB_RETENTION) on an injected clock, the audit trail that survives, and a purged
message's replay refused with PAYLOAD_PURGED."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hub.adapters import RenderContext
from hub.cli import main
from hub.routing import Router, load_routes
from hub.store.sqlite import SqliteStore
from hub.transport.base import Inbound, Topology
from hub.worker import replay
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.receipts import Sweeper
from tests.conftest import Clock
from tests.ecommerce_support import order
from tests.test_personal_data import persons_list
from tests.test_replay import two_parts  # noqa: F401 (the fixture)

TOPOLOGY = Topology("t")
ROUTES = {"senders": {"AIRLINE-CA": {"name": "a", "may_send": ["persons", "order"]}},
          "receivers": {"BORDER": {"name": "b", "accepts": ["json"], "receipt_formats": ["json"]}},
          "routes": [{"name": "all", "deliver": [{"receiver": "BORDER", "format": "json"}]}]}


@dataclass
class Stored:
    """A store holding an old passenger list, an old e-commerce order and a recent passenger list,
    every delivery SENT."""

    path: Path
    url: str
    old_persons: str
    old_order: str
    new_persons: str

    def open(self, clock: Clock | None = None) -> SqliteStore:
        store = SqliteStore(self.path, **({"clock": clock} if clock else {}))
        store.migrate()
        return store


def ingest(engine, store, routes: Path, received: datetime, *docs) -> list[str]:
    """Each document rendered as canonical JSON and handed in by AIRLINE-CA at ``received``; their ids."""
    core = IngestCore(engine, Router(load_routes(routes)), store, TOPOLOGY, "EPORTHUB", clock=lambda: received)
    bodies = [engine.render(doc, "json", RenderContext(message_id=f"m{i}")).data for i, doc in enumerate(docs)]
    inbound = [Inbound(tag=i, body=b, sender="AIRLINE-CA", message_id=f"S-{received:%s}-{i}")
               for i, b in enumerate(bodies)]
    core.handle(inbound)
    return [hub_message_id("AIRLINE-CA", i.message_id, i.body) for i in inbound]


@pytest.fixture
def stored(engine, tmp_path) -> Stored:
    routes = tmp_path / "routes.yaml"
    routes.write_text(yaml.safe_dump(ROUTES))
    path = tmp_path / "hub.db"
    store = SqliteStore(path)
    store.migrate()
    now = datetime.now(UTC)
    old_persons, old_order = ingest(engine, store, routes, now - timedelta(days=40), persons_list(), order())
    later = persons_list().model_copy(update={"journey_id": "CA934"})
    (new_persons,) = ingest(engine, store, routes, now - timedelta(days=5), later)
    ids = (old_persons, old_order, new_persons)
    assert all(store.message(m).status.value == "ACCEPTED" for m in ids)
    store.mark_sent([d.id for m in ids for d in store.deliveries(m)], "router")
    store.close()
    return Stored(path, f"sqlite:///{path}", old_persons, old_order, new_persons)


def hub(stored: Stored, *args: str, operator: str = "alice"):
    return CliRunner().invoke(main, list(args), env={"HUB_STORE_URL": stored.url, "HUB_OPERATOR": operator})


def purged(store: SqliteStore, message_id: str) -> bool:
    m = store.message(message_id)
    assert m is not None
    return m.purged_at is not None


def test_purge_of_one_kind_removes_its_payloads_and_personal_fields_and_leaves_the_rest(stored):
    done = hub(stored, "purge", "--older-than", "30d", "--kind", "persons")
    assert done.exit_code == 0, done.output
    assert "purged 1 message(s) of persons" in done.output and "1 delivery payload(s)" in done.output
    store = stored.open()
    assert purged(store, stored.old_persons) and store.raw(stored.old_persons) == b""
    assert all(store.payload(d.id) == b"" for d in store.deliveries(stored.old_persons))
    assert not purged(store, stored.old_order) and b"110101199001011234" in store.raw(stored.old_order)
    assert not purged(store, stored.new_persons) and b"ZHANG" in store.raw(stored.new_persons)
    (event,) = [e for e in store.events(stored.old_persons) if e.type == "message.purged"]
    assert event.source == "purge:alice"


def test_purge_of_every_kind_takes_the_personal_facts_too_and_keeps_the_audit_trail(stored):
    store = stored.open()
    before = {m: (store.message(m), store.deliveries(m), store.events(m)) for m in (stored.old_order,)}
    assert store.facts_of(stored.old_order)[0][2]["buyer_id"] == "110101199001011234"

    done = hub(stored, "purge", "--older-than", "30d")

    assert done.exit_code == 0, done.output
    assert "purged 2 message(s) of every kind" in done.output
    message, deliveries, events = before[stored.old_order]
    after = store.message(stored.old_order)
    assert (after.id, after.sender, after.kind, after.business_key, after.status, after.received_at, after.size,
            after.sha256) == (message.id, message.sender, message.kind, message.business_key, message.status,
                              message.received_at, message.size, message.sha256)
    assert [(d.id, d.receiver, d.state, d.out_id) for d in store.deliveries(stored.old_order)] == [
        (d.id, d.receiver, d.state, d.out_id) for d in deliveries]
    assert store.events(stored.old_order)[:len(events)] == events
    assert store.events(stored.old_order)[-1].type == "message.purged"
    (fact,) = store.facts_of(stored.old_order)
    assert fact[2]["buyer_id"] is None and fact[2]["consignee"] is None and fact[2]["order_no"] == "ORD-1"
    assert not purged(store, stored.new_persons)
    shown = hub(stored, "messages", "show", stored.old_order)
    assert shown.exit_code == 0 and "purged at" in shown.output and "message.purged" in shown.output


def test_a_dry_run_prints_what_would_go_and_changes_nothing(stored):
    store = stored.open()
    raws = {m: store.raw(m) for m in (stored.old_persons, stored.old_order, stored.new_persons)}
    events = {m: store.events(m) for m in raws}

    done = hub(stored, "purge", "--older-than", "30d", "--dry-run")

    assert done.exit_code == 0, done.output
    assert f"would purge {stored.old_persons}" in done.output and f"would purge {stored.old_order}" in done.output
    assert stored.new_persons not in done.output and "would purge 2 message(s)" in done.output
    assert {m: store.raw(m) for m in raws} == raws and {m: store.events(m) for m in raws} == events
    assert not any(purged(store, m) for m in raws)


def test_a_bad_span_is_a_usage_error(stored):
    done = hub(stored, "purge", "--older-than", "a month")
    assert done.exit_code == 2 and "30d" in done.output


def test_a_purged_message_is_not_replayed_and_says_why(stored):
    assert hub(stored, "purge", "--older-than", "30d", "--kind", "persons").exit_code == 0
    for mode in ("resend", "pipeline"):
        done = hub(stored, "replay", stored.old_persons, "--mode", mode, "--dry-run")
        assert done.exit_code == 1
        assert f"{stored.old_persons}: its payloads were purged" in done.output and "[PAYLOAD_PURGED]" in done.output
    fine = hub(stored, "replay", stored.new_persons, "--mode", "resend", "--dry-run")
    assert fine.exit_code == 0 and "would " in fine.output


def test_the_sweeper_purges_each_kind_after_its_retention_period(stored):
    clock = Clock(datetime.now(UTC))
    store = stored.open(clock)
    sweeper = Sweeper(store, TOPOLOGY, clock=clock, retention={"persons": timedelta(days=45),
                                                               "order": timedelta(days=60)})
    assert sweeper.retain() == 0                              # 40 days old: within both periods
    clock.advance(timedelta(days=6).total_seconds())
    sweeper.tick()
    assert purged(store, stored.old_persons) and not purged(store, stored.old_order)
    assert not purged(store, stored.new_persons)
    (event,) = [e for e in store.events(stored.old_persons) if e.type == "message.purged"]
    assert event.source == "sweeper"
    clock.advance(timedelta(days=15).total_seconds())
    assert sweeper.retain() == 1 and purged(store, stored.old_order)
    clock.advance(timedelta(days=400).total_seconds())
    assert sweeper.retain() == 1 and purged(store, stored.new_persons)


def test_the_sweeper_goes_a_bounded_batch_a_tick_and_reads_hub_retention(stored, monkeypatch):
    monkeypatch.setenv("HUB_RETENTION", '{"persons": "1d"}')
    store = stored.open()
    sweeper = Sweeper(store, TOPOLOGY, purge_limit=1)
    assert sweeper.retention == {"persons": timedelta(days=1)}
    assert sweeper.retain() == 1 and purged(store, stored.old_persons) and not purged(store, stored.new_persons)
    assert sweeper.retain() == 1 and purged(store, stored.new_persons)
    assert sweeper.retain() == 0 and not purged(store, stored.old_order)   # no retention for orders here



def test_a_part_whose_message_was_purged_is_not_replayed_either(engine, store, two_parts):
    core, body = two_parts
    core.handle([Inbound(tag=2, body=body, sender="AIRLINE-CA", message_id="M2")])   # repeats: replayable
    root = hub_message_id("AIRLINE-CA", "M2", body)
    store.connection.execute("UPDATE messages SET raw = ?, purged_at = ? WHERE id = ?",
                             (b"", "2026-01-01T00:00:00.000000+00:00", f"{root}-P1"))   # the part holding the bytes
    planned = replay.plan(store, TOPOLOGY, engine.registry, [store.message(f"{root}-P2")], replay.Mode.PIPELINE,
                          "admin:alice")
    assert planned.steps == [] and planned.skipped == [
        f"{root}-P2: the payload of {root} was purged; it cannot be replayed [PAYLOAD_PURGED]"]
