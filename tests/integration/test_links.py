"""Two e-port hubs linked on the real broker (issue 13, point 4): hub A routes an airline's waybill to
hub B (a receiver of kind hub), B routes it by its own routes.yaml to its customs, and the customs'
answer at B comes back to A's airline on A's status feed, through the shovels `hub links apply`
declares. Both hubs live on this broker's vhost under two test prefixes, each with its own store.

The link's accounts (A's sender account at B, B's receiver account at A) are made for the test, tagged
with its run, and deleted with its shovels and queues at its end; nothing else is touched.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.links import Links, links
from hub.models import Receipt, ReceiptStatus
from hub.parties import Management, management_url, party_url, vhost_of
from hub.parties.planning import HASHING, Permissions, hash_password
from hub.settings import Settings
from hub.store.base import DeliveryState, MessageFilter, MessageStatus
from hub.transport.base import Publication, Topology
from hub.transport.rabbitmq import publish_once
from hub.worker.serve import declare, hub_user, undeclare
from tests.conftest import example
from tests.integration.conftest import Hub, Queues, publish_as, wait_for

ENGINE = build_engine()
WAYBILL = ("cargo_xml", "xfwb-pek-fra.xml")      # AWB 999-12345675, PEK -> FRA: an export for a CN hub


@dataclass
class Linked:
    """Hub A (the airline's) and hub B (the customs'), linked: settings, names and the link's shovels."""

    a: Settings
    b: Settings
    hub_a: str            # A's sender name at B (the user of B's URL)
    hub_b: str            # B's receiver name at A
    links: Links

    def deliveries_to_b(self, store, hub_id: str):
        return [d for d in store.deliveries(hub_id) if d.receiver == self.hub_b]


def _settings(broker: str, tmp_path: Path, name: str, routes: dict) -> Settings:
    path = tmp_path / f"routes-{name}.yaml"
    path.write_text(yaml.safe_dump(routes, sort_keys=False), encoding="utf-8")
    return Settings(amqp_url=broker, store_url=f"sqlite:///{tmp_path / f'store-{name}.db'}",
                    topology_prefix=f"t{uuid.uuid4().hex[:10]}", queue_expires_ms=300_000,
                    retry_delays_ms=[200, 400], batch_ms=5, sweep_seconds=0.5, routes=path)


@pytest.fixture
def linked(broker, tmp_path) -> Iterator[Linked]:
    run = uuid.uuid4().hex[:6].upper()
    hub_a, hub_b = f"HUB-A-{run}", f"HUB-B-{run}"
    prefix_b = f"t{uuid.uuid4().hex[:10]}"
    url_env, password_env = f"HUB_TEST_LINK_URL_{run}", f"HUB_TEST_LINK_PW_{run}"
    a = _settings(broker, tmp_path, "a", {
        "senders": {"AIRLINE-CA": {"name": "Air China Cargo", "may_send": ["waybill"]}},
        "receivers": {hub_b: {"name": "hub B", "kind": "hub", "link": {"url_env": url_env, "prefix": prefix_b},
                              "accepts": ["json"], "receipt_formats": ["hub-status"],
                              "account": {"password_env": password_env}}},
        "routes": [{"name": "waybills-to-hub-b", "match": {"kinds": ["waybill"]},
                    "deliver": [{"receiver": hub_b, "format": "json"}]}]})
    b = _settings(broker, tmp_path, "b", {
        "senders": {hub_a: {"name": "hub A", "may_send": ["waybill"]}},
        "receivers": {"CUSTOMS-CN": {"name": "customs", "accepts": ["gacc-mt2101"],
                                     "receipt_formats": ["gacc-mt9999"]}},
        "routes": [{"name": "waybills-to-customs", "match": {"kinds": ["waybill"]},
                    "deliver": [{"receiver": "CUSTOMS-CN", "format": "gacc-mt2101"}]}]})
    b = b.model_copy(update={"topology_prefix": prefix_b})
    base, user, password = management_url(broker, None)
    api, tag = Management(base, user, password, vhost_of(broker)), f"hub-link-test:{run}"
    ta, tb = Topology(a.topology_prefix), Topology(b.topology_prefix)
    accounts = {hub_b: Permissions(write=f"^{ta.receipts}$", read=f"^{ta.receiver_queue(hub_b)}$"),
                hub_a: Permissions(write=f"^{tb.inbound}$", read=f"^{tb.sender_queue(hub_a)}$")}
    passwords = {name: uuid.uuid4().hex for name in accounts}
    os.environ[password_env] = passwords[hub_b]
    os.environ[url_env] = party_url(broker, hub_a, passwords[hub_a])
    for name, permissions in accounts.items():
        api.put_user(name, hash_password(passwords[name]), HASHING, frozenset({tag}))
        api.set_permissions(name, permissions)
    declare(a)
    declare(b)
    current = links(a)
    try:
        yield Linked(a, b, hub_a, hub_b, current)
    finally:
        current.remove_all()
        for name in accounts:
            api.delete_user(name)
        undeclare(a, if_empty=False)
        undeclare(b, if_empty=False)
        os.environ.pop(url_env, None)
        os.environ.pop(password_env, None)


def _customs_answer(b: Settings, message_id: str) -> None:
    """Customs at B accepts B's delivery (an MT9999 quoting its message id; MT9999 has no reference)."""
    body = ENGINE.render(Receipt(answers_message_id=message_id, answers_type="MT2101", business_key="999-12345675",
                                 status=ReceiptStatus.ACCEPTED, agency_status="01"),
                         "gacc-mt9999", RenderContext(message_id="CUSTOMS-1")).data
    publish_as(b, [("CUSTOMS-CN", Publication(Topology(b.topology_prefix).receipts, "", body, "CUSTOMS-1"))])


def _events(queues: Queues, sender: str, quiet: float = 1.0) -> list[dict]:
    return [json.loads(body) for props, body in queues.drain(queues.topology.sender_queue(sender), quiet=quiet)
            if props.content_type == "application/json"]


def test_plan_then_apply_declares_two_shovels_and_a_second_apply_changes_nothing(linked):
    planned = linked.links.plan()
    assert sorted(c.action for c in planned) == ["create", "create"]
    assert all("@" in c.describe() and os.environ[f"HUB_TEST_LINK_PW_{linked.hub_a[-6:]}"] not in c.describe()
               for c in planned)
    assert [c.shovel.name for c in linked.links.apply()] == [c.shovel.name for c in planned]
    assert linked.links.plan() == []
    assert wait_for(lambda: set(linked.links.states().values()) == {"running"} and linked.links.states(),
                    timeout=30)


def test_a_waybill_entered_at_a_reaches_customs_at_b_and_the_answer_comes_back_to_a(linked):
    linked.links.apply()
    qa, qb = Queues(linked.a), Queues(linked.b)
    try:
        with Hub(linked.a) as a, Hub(linked.b) as b:
            publish_as(linked.a, [("AIRLINE-CA", Publication(Topology(linked.a.topology_prefix).inbound, "",
                                                             example(*WAYBILL), "CA-LINK-1"))])
            (props, body), = qb.take(qb.topology.receiver_queue("CUSTOMS-CN"), 1, timeout=30)
            assert ENGINE.detect(body).name == "gacc-mt2101"
            b_id = props.headers["x-hub-message-id"]
            stored = b.store.message(b_id)
            assert stored.sender == linked.hub_a                    # B routed it as from hub A, authenticated
            a_id = stored.sender_message_id.rsplit(".", 1)[0]        # A's delivery id: <A's hub id>.<receiver>
            assert stored.sender_message_id == f"{a_id}.{linked.hub_b}"
            assert a.store.message(a_id).sender == "AIRLINE-CA"

            _customs_answer(linked.b, props.message_id)
            delivery = wait_for(lambda: next((d for d in linked.deliveries_to_b(a.store, a_id)
                                              if d.state is DeliveryState.ACCEPTED), None), timeout=30)
            assert delivery.agency_status == "CUSTOMS-CN: 01"
            assert delivery.agency_reference == b_id       # B's message id: the customs gave no reference of its own
            events = _events(qa, "AIRLINE-CA")
            assert [e["event"] for e in events] == ["message.accepted", "delivery.acknowledged", "delivery.accepted"]
            assert all(e["hub_message_id"] == a_id for e in events)
            answer = events[-1]
            assert answer["receiver"] == linked.hub_b and answer["agency_reference"] == b_id
            assert answer["agency_status"] == "CUSTOMS-CN: 01"
    finally:
        qa.close()
        qb.close()


def test_b_down_a_while_everything_waits_and_arrives_once_b_is_back(linked):
    """Three phases: the link down (no shovels yet: B's broker out of reach), A accepts and its deliveries
    wait in its queue for B; the link up, B's workers still down: they wait in B's inbound queue; B up:
    every one arrives at B's customs, once, and B's acceptance comes back to A."""
    qa, qb = Queues(linked.a), Queues(linked.b)
    count = 5
    try:
        with Hub(linked.a) as a:
            publish_as(linked.a, [("AIRLINE-CA", Publication(Topology(linked.a.topology_prefix).inbound, "",
                                                             _waybill(n), f"CA-DOWN-{n}"))
                                  for n in range(count)])
            accepted: list[dict] = []
            wait_for(lambda: accepted.extend(e for e in _events(qa, "AIRLINE-CA", quiet=0.3)
                                             if e["event"] == "message.accepted") or len(accepted) >= count,
                     timeout=30)
            assert len(accepted) == count                            # A kept accepting while B is down
            waiting = wait_for(lambda: _depth(qa, qa.topology.receiver_queue(linked.hub_b)) == count or None)
            assert waiting                                           # A's deliveries wait for the link
            linked.links.apply()
            waiting = wait_for(lambda: _depth(qb, Topology(linked.b.topology_prefix).inbound) == count or None,
                               timeout=30)
            assert waiting                                           # shovelled to B, waiting for B's workers
            assert qb.drain(qb.topology.receiver_queue("CUSTOMS-CN"), quiet=0.5) == []
            with Hub(linked.b) as b:
                got = qb.take(qb.topology.receiver_queue("CUSTOMS-CN"), count, timeout=30)
                assert len(got) == count
                assert len(qb.drain(qb.topology.receiver_queue("CUSTOMS-CN"), quiet=1.0)) == 0
                ids = {e["hub_message_id"] for e in accepted}
                wait_for(lambda: all(d.state is DeliveryState.ACKNOWLEDGED for i in ids
                                     for d in linked.deliveries_to_b(a.store, i)), timeout=30)
                assert len({b.store.message(p.headers["x-hub-message-id"]).sender_message_id
                            for p, _ in got}) == count
    finally:
        qa.close()
        qb.close()


def _waybill(n: int) -> bytes:
    """The example waybill under another AWB number (serial and its mod-7 check digit): another waybill."""
    serial = 1234567 + 1 + n
    return example(*WAYBILL).replace(b"12345675", f"{serial}{serial % 7}".encode())


def _depth(queues: Queues, queue: str) -> int:
    return int(queues.channel.queue_declare(queue, passive=True).method.message_count)


def test_a_delivery_shovelled_twice_is_delivered_once_at_b(linked):
    linked.links.apply()
    ta = Topology(linked.a.topology_prefix)
    document = ENGINE.inspect(example(*WAYBILL)).document
    out_id = f"HUB-{uuid.uuid4().hex[:24].upper()}.{linked.hub_b}"
    body = ENGINE.render(document, "json", RenderContext(message_id=out_id)).data
    repeat = Publication(ta.outbound, linked.hub_b, body, out_id, content_type="application/json")
    qb = Queues(linked.b)
    try:
        with Hub(linked.b) as b:
            publish_once(linked.a.amqp_url, [repeat], user_id=hub_user(linked.a))
            publish_once(linked.a.amqp_url, [repeat], user_id=hub_user(linked.a))
            got = qb.take(qb.topology.receiver_queue("CUSTOMS-CN"), 1, timeout=30)
            assert len(got) == 1
            assert qb.drain(qb.topology.receiver_queue("CUSTOMS-CN"), quiet=2.0) == []
            stored = wait_for(lambda: (lambda ms: ms if len(ms) == 2 else None)(
                b.store.find(MessageFilter(sender=linked.hub_a))), timeout=30)
            assert sorted(m.status for m in stored) == sorted([MessageStatus.ACCEPTED, MessageStatus.DUPLICATE])
            assert {m.sender_message_id for m in stored} == {out_id}
    finally:
        qb.close()
