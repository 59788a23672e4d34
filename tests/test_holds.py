"""The three-document check (三单对碰) as a hold: an inventory waits for its order, payment and
logistics bill, goes out when they agree, and is refused past the hold's timeout with the fields named."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hub.checks import ThreeDocuments
from hub.routing import Router, RoutesFile, load_routes
from hub.store.base import DeliveryState
from hub.transport.base import Inbound, Topology
from hub.worker.holds import Holds
from hub.worker.ingest import IngestCore
from hub.worker.receipts import Sweeper
from tests.ecommerce_support import inventory, logistics, order, payment

TOPOLOGY = Topology("t")
ROUTES = {
    "senders": {"EC-PLATFORM": {"name": "platform", "may_send": ["order", "inventory"]},
                "EC-PAY": {"name": "payment company", "may_send": ["payment"]},
                "EC-LOGISTICS": {"name": "logistics company", "may_send": ["logistics"]}},
    "receivers": {"CUSTOMS-EC": {"name": "customs e-commerce", "accepts": ["json"], "receipt_deadline": "1h"}},
    "routes": [
        {"name": "three-documents", "match": {"kinds": ["order", "payment", "logistics"]},
         "deliver": [{"receiver": "CUSTOMS-EC", "format": "json"}]},
        {"name": "inventory", "match": {"kinds": ["inventory"]},
         "hold": {"check": "three-documents", "timeout": "10m"},
         "deliver": [{"receiver": "CUSTOMS-EC", "format": "json"}]},
    ]}
SENDERS = {"order": "EC-PLATFORM", "inventory": "EC-PLATFORM", "payment": "EC-PAY", "logistics": "EC-LOGISTICS"}


@pytest.fixture
def store(clocked_store):
    return clocked_store


@pytest.fixture
def router(engine, store, clock) -> IngestCore:
    return IngestCore(engine, Router(RoutesFile.model_validate(ROUTES)), store, TOPOLOGY, "EPORTHUB", clock)


def send(router, engine, ctx, *docs) -> list:
    batch = [Inbound(tag=i, body=engine.render(d, "json", ctx.__class__(message_id=f"S{i}-{d.business_key}")).data,
                     sender=SENDERS[d.kind.value]) for i, d in enumerate(docs)]
    return router.handle(batch)


def outs(works) -> list:
    return [p for w in works for p in w.publications if p.exchange == TOPOLOGY.outbound]


def events(works, name: str) -> list[dict]:
    return [json.loads(p.body) for w in works for p in w.publications
            if p.exchange == TOPOLOGY.status and p.headers.get("x-hub-event") == name]


def test_an_inventory_after_its_three_documents_goes_out_at_once(router, engine, ctx, store):
    send(router, engine, ctx, order(), payment(), logistics())
    works = send(router, engine, ctx, inventory())
    (out,) = outs(works)
    hub_id = out.headers["x-hub-message-id"]
    assert [d.state for d in store.deliveries(hub_id)] == [DeliveryState.PENDING]
    assert [e.type for e in store.events(hub_id)][-2:] == ["delivery.held", "delivery.released"]
    assert works[-1].delivery_ids == [store.deliveries(hub_id)[0].id]


def test_an_inventory_first_is_held_and_released_by_the_last_document_in(router, engine, ctx, store):
    first = send(router, engine, ctx, inventory())
    assert outs(first) == []
    (held,) = events(first, "delivery.held")
    assert sorted(e["code"] for e in held["errors"]) == ["THREE_DOC_MISSING"] * 3
    assert {d.state for d in store.deliveries(held["hub_message_id"])} == {DeliveryState.HELD}
    assert outs(send(router, engine, ctx, order(), payment())) != []     # those two go out, the inventory not
    assert store.deliveries(held["hub_message_id"])[0].state is DeliveryState.HELD
    last = send(router, engine, ctx, logistics())
    released = [p for p in outs(last) if p.headers["x-hub-message-id"] == held["hub_message_id"]]
    assert len(released) == 1
    assert events(last, "delivery.released")[0]["hub_message_id"] == held["hub_message_id"]


def test_all_four_in_one_batch_release_the_inventory(router, engine, ctx):
    works = send(router, engine, ctx, inventory(), order(), payment(), logistics())
    assert len(outs(works)) == 4


@pytest.mark.parametrize("bad, field", [
    (lambda: payment(amount="160"), "amount"),
    (lambda: logistics(consignee="Someone Else"), "consignee"),
    (lambda: order(value="140", paid="170"), "goods value"),
])
def test_a_disagreement_keeps_it_held_and_past_the_timeout_refuses_it_naming_the_field(
        router, engine, ctx, store, clock, bad, field):
    docs = {"order": order(), "payment": payment(), "logistics": logistics()}
    wrong = bad()
    docs[wrong.kind.value] = wrong
    send(router, engine, ctx, *docs.values())
    (held,) = events(send(router, engine, ctx, inventory()), "delivery.held")
    assert [e["code"] for e in held["errors"]] == ["THREE_DOC_MISMATCH"] and field in held["errors"][0]["message"]
    holds = Holds(store, TOPOLOGY, engine, "EPORTHUB")
    sweeper = Sweeper(store, TOPOLOGY, clock, holds=holds)
    assert sweeper.tick().publications == []                       # not yet: the hold lasts 10 minutes
    clock.now += timedelta(minutes=11)
    work = sweeper.tick()
    (refused,) = [json.loads(p.body) for p in work.publications if p.headers.get("x-hub-event") == "delivery.refused"]
    assert refused["hub_message_id"] == held["hub_message_id"] and field in refused["errors"][0]["message"]
    assert store.deliveries(held["hub_message_id"])[0].state is DeliveryState.REFUSED
    assert work.delivery_ids == []


def test_a_missing_document_past_the_timeout_is_refused_and_a_late_one_changes_nothing(
        router, engine, ctx, store, clock):
    send(router, engine, ctx, order(), payment())
    (held,) = events(send(router, engine, ctx, inventory()), "delivery.held")
    holds = Holds(store, TOPOLOGY, engine, "EPORTHUB")
    clock.now += timedelta(minutes=11)
    work = Sweeper(store, TOPOLOGY, clock, holds=holds).tick()
    (refused,) = [json.loads(p.body) for p in work.publications if p.headers.get("x-hub-event") == "delivery.refused"]
    assert [(e["code"], e["path"]) for e in refused["errors"]] == [("THREE_DOC_MISSING", "/records/0/logistics_no")]
    late = send(router, engine, ctx, logistics())
    assert all(p.headers["x-hub-message-id"] != held["hub_message_id"] for p in outs(late))
    assert store.deliveries(held["hub_message_id"])[0].state is DeliveryState.REFUSED


def test_a_corrected_order_replaces_the_first_and_releases_the_hold(router, engine, ctx, store):
    send(router, engine, ctx, order(paid="999"), payment(), logistics())
    (held,) = events(send(router, engine, ctx, inventory()), "delivery.held")
    fixed = order()
    fixed.header.function = fixed.header.function.AMEND
    works = send(router, engine, ctx, fixed)
    assert any(p.headers["x-hub-message-id"] == held["hub_message_id"] for p in outs(works))


def test_released_delivery_deadline_counts_from_the_release(router, engine, ctx, store, clock):
    (held,) = events(send(router, engine, ctx, inventory()), "delivery.held")
    clock.now += timedelta(minutes=5)
    send(router, engine, ctx, order(), payment(), logistics())
    (d,) = store.deliveries(held["hub_message_id"])
    assert d.deadline_at == clock.now + timedelta(hours=1)


def test_the_check_needs_nothing_for_documents_it_does_not_hold():
    check = ThreeDocuments()
    assert check.waits(check.index(order())) == []
    assert check.waits(check.index(inventory())) == [("order", "ORD-1"), ("payment", "ORD-1"), ("logistics", "LOG-1")]


def test_the_ceb_examples_pass_the_check_under_the_project_routes(engine, store, clock):
    from pathlib import Path

    from tests.conftest import example
    root = Path(__file__).resolve().parent.parent
    core = IngestCore(engine, Router(load_routes(root / "routes.yaml")), store, TOPOLOGY, "EPORTHUB", clock)
    plan = [("ceb621-inventory.xml", "EC-PLATFORM"), ("ceb311-order.xml", "EC-PLATFORM"),
            ("ceb411-payment.xml", "EC-PAYMENT"), ("ceb511-logistics.xml", "EC-LOGISTICS")]
    works = [core.handle([Inbound(tag=1, body=example("ceb", name), sender=sender)])[0] for name, sender in plan]
    assert outs(works[:1]) == [] and events(works[:1], "delivery.held")
    released = [p for p in outs(works[3:]) if p.headers["x-hub-format"] == "ceb621+dxp"]
    assert len(released) == 1 and released[0].routing_key == "CUSTOMS-CN-EC"
    inner = engine.read(released[0].body)
    assert (inner.envelope.name, inner.adapter.name) == ("dxp", "ceb621")
    assert sorted(p.headers["x-hub-format"] for p in outs(works)) == ["ceb311+dxp", "ceb411+dxp", "ceb511+dxp",
                                                                       "ceb621+dxp"]
