"""Cross-party attacks on the real broker, each party connected as its own account (`hub parties apply`).

One test per attempt. Each is refused by the broker (the channel closed with ACCESS_REFUSED 403 or
PRECONDITION_FAILED 406) or stored by the hub as REJECTED or orphaned, with a code. The parties' names
are unique to the run (broker users are broker-wide; runs share the broker) and their accounts are
revoked at the end (`Accounts.revoke_all`: every user tagged for the run's prefix).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker, ConnectionClosedByBroker

from hub.lifecycle import hub_message_id
from hub.models import ReceiptStatus
from hub.parties import accounts, party_url
from hub.settings import Settings
from hub.store.base import DeliveryState, MessageStatus
from hub.transport.base import Topology
from hub.transport.rabbitmq import parameters
from hub.worker.serve import declare, undeclare
from tests.conftest import example
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_flow import receipt

ACCESS_REFUSED, PRECONDITION_FAILED = 403, 406


def routes_yaml(run: str) -> str:
    """Two airlines, customs and inspection, named for this run; airline waybills go to customs."""
    return f"""\
version: 1
senders:
  CA-{run}: {{name: test airline, may_send: [waybill, manifest]}}
  MU-{run}: {{name: another test airline, may_send: [waybill, manifest]}}
receivers:
  CN-{run}: {{name: test customs, accepts: [gacc-mt2101], receipt_formats: [gacc-mt9999]}}
  CIQ-{run}: {{name: test inspection, accepts: [json], receipt_formats: [json]}}
routes:
  - name: waybills-to-customs
    match: {{kinds: [waybill], senders: ["*-{run}"]}}
    deliver: [{{receiver: CN-{run}, format: gacc-mt2101}}]
"""


@dataclass
class Parties:
    """This run's parties: names, their passwords (from apply's output) and the settings."""

    settings: Settings
    run: str
    passwords: dict[str, str]

    def name(self, role: str) -> str:
        return f"{role}-{self.run}"

    def channel(self, role: str) -> pika.adapters.blocking_connection.BlockingChannel:
        """A new connection as ``role``'s own account, and a channel on it in confirm mode."""
        user = self.name(role)
        url = party_url(self.settings.amqp_url, user, self.passwords[user])
        channel = pika.BlockingConnection(parameters(url, f"test-{role}")).channel()
        channel.confirm_delivery()
        return channel

    def publish(self, role: str, exchange: str, body: bytes, message_id: str, user_id: str | None = None) -> None:
        """Publish as ``role`` (user_id: its own unless given), waiting for the broker's confirm."""
        channel = self.channel(role)
        try:
            channel.basic_publish(exchange, "", body, pika.BasicProperties(
                message_id=message_id, user_id=user_id or self.name(role), delivery_mode=2), mandatory=True)
        finally:
            if channel.connection.is_open:
                channel.connection.close()


@pytest.fixture
def parties(settings: Settings, tmp_path: Path) -> Iterator[Parties]:
    run = uuid.uuid4().hex[:8]
    path = tmp_path / "routes.yaml"
    path.write_text(routes_yaml(run))
    ours = settings.model_copy(update={"routes": path})
    done = accounts(ours).apply()
    assert {c.user for c in done if c.action == "create"} == {f"{r}-{run}" for r in ("CA", "MU", "CN", "CIQ")}
    yield Parties(ours, run, {c.user: c.password for c in done if c.password})
    undeclare(ours, if_empty=False)
    revoked = accounts(ours).revoke_all()
    assert {c.user for c in revoked} == {f"{r}-{run}" for r in ("CA", "MU", "CN", "CIQ")}


def refused(attempt: Callable[[], object]) -> int:
    """The AMQP reply code with which the broker closed the channel (or connection) on ``attempt``."""
    with pytest.raises((ChannelClosedByBroker, ConnectionClosedByBroker)) as closed:
        attempt()
    return int(closed.value.reply_code)


def delivered(parties: Parties, hub: Hub) -> tuple[str, str]:
    """CA sends a waybill as itself; CN takes its delivery as itself: (hub id, the delivery's message id)."""
    parties.publish("CA", hub.topology.inbound, example("cargo_xml", "xfwb-pek-fra.xml"), f"W-{parties.run}")
    channel = parties.channel("CN")

    def taken():
        method, props, _ = channel.basic_get(hub.topology.receiver_queue(parties.name("CN")), auto_ack=True)
        return props if method else None
    props = wait_for(taken)
    channel.connection.close()
    hub_id = props.headers["x-hub-message-id"]
    wait_for(lambda: state(hub, hub_id, parties.name("CN")) is DeliveryState.SENT)
    return hub_id, props.message_id


def state(hub: Hub, hub_id: str, receiver: str) -> DeliveryState | None:
    return next((d.state for d in hub.store.deliveries(hub_id) if d.receiver == receiver), None)


def answer(out_id: str) -> bytes:
    """CN's MT9999 accepting the delivery ``out_id``."""
    return receipt("gacc-mt9999", answers_message_id=out_id, answers_type="MT2101", business_key="999-12345675",
                   status=ReceiptStatus.ACCEPTED, agency_status="01")


def test_each_party_as_itself_sends_takes_its_delivery_and_answers_it(parties):
    """The control: with these accounts the legitimate traffic flows end to end."""
    with Hub(parties.settings) as hub:
        hub_id, out_id = delivered(parties, hub)
        assert hub.store.message(hub_id).sender == parties.name("CA")
        parties.publish("CN", hub.topology.receipts, answer(out_id), f"R-{parties.run}")
        wait_for(lambda: state(hub, hub_id, parties.name("CN")) is DeliveryState.ACCEPTED)


def test_a_sender_publishing_with_another_partys_user_id_is_refused_by_the_broker(parties):
    declare(parties.settings)
    inbound = Topology(parties.settings.topology_prefix).inbound
    code = refused(lambda: parties.publish("CA", inbound, example("cargo_xml", "xfwb-pek-fra.xml"), "X-1",
                                           user_id=parties.name("MU")))
    assert code == PRECONDITION_FAILED


def test_a_sender_reading_an_agencys_delivery_queue_is_refused(parties):
    declare(parties.settings)
    queue = Topology(parties.settings.topology_prefix).receiver_queue(parties.name("CN"))
    assert refused(lambda: parties.channel("CA").basic_get(queue, auto_ack=True)) == ACCESS_REFUSED


def test_a_sender_reading_another_senders_status_feed_is_refused(parties):
    declare(parties.settings)
    queue = Topology(parties.settings.topology_prefix).sender_queue(parties.name("MU"))
    assert refused(lambda: parties.channel("CA").basic_get(queue, auto_ack=True)) == ACCESS_REFUSED


def test_a_sender_publishing_a_receipt_for_customs_delivery_is_refused_and_the_delivery_stays(parties):
    with Hub(parties.settings) as hub:
        hub_id, out_id = delivered(parties, hub)
        code = refused(lambda: parties.publish("CA", hub.topology.receipts, answer(out_id), "FAKE-R"))
        assert code == ACCESS_REFUSED
        assert state(hub, hub_id, parties.name("CN")) is DeliveryState.SENT
        assert hub.store.orphans() == []


def test_another_agencys_receipt_for_customs_delivery_is_orphaned_and_the_delivery_stays(parties):
    with Hub(parties.settings) as hub:
        hub_id, out_id = delivered(parties, hub)
        forged = receipt("json", answers_message_id=out_id, business_key="999-12345675",
                         status=ReceiptStatus.REJECTED)
        parties.publish("CIQ", hub.topology.receipts, forged, "CIQ-R-1")
        orphan, = wait_for(lambda: hub.store.orphans())
        assert orphan["receiver"] == parties.name("CIQ") and orphan["outcome"] == "orphaned"
        assert state(hub, hub_id, parties.name("CN")) is DeliveryState.SENT
        assert [e.type for e in hub.store.events(hub_id)].count("receipt.correlated") == 0


def test_a_receiver_publishing_into_the_inbound_exchange_as_a_sender_is_refused(parties):
    declare(parties.settings)
    inbound = Topology(parties.settings.topology_prefix).inbound
    code = refused(lambda: parties.publish("CN", inbound, example("cargo_xml", "xfwb-pek-fra.xml"), "X-2"))
    assert code == ACCESS_REFUSED


def test_a_party_declaring_a_queue_is_refused(parties):
    name = f"{parties.settings.topology_prefix}.out.{parties.name('CA')}-own"
    assert refused(lambda: parties.channel("CA").queue_declare(name, arguments={"x-expires": 60_000})) == \
        ACCESS_REFUSED


def test_a_party_deleting_a_queue_is_refused(parties):
    declare(parties.settings)
    queue = Topology(parties.settings.topology_prefix).receiver_queue(parties.name("CN"))
    assert refused(lambda: parties.channel("CN").queue_delete(queue)) == ACCESS_REFUSED


def test_a_message_with_no_user_id_from_the_hubs_user_without_a_sender_header_is_rejected(parties):
    body = example("cargo_xml", "xfwb-pek-fra.xml")
    with Hub(parties.settings) as hub:
        connection = pika.BlockingConnection(pika.URLParameters(parties.settings.amqp_url))
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(hub.topology.inbound, "", body, pika.BasicProperties(message_id="ANON-1"))
        connection.close()
        stored = wait_for(lambda: hub.store.message(hub_message_id("", "ANON-1", body)))
        assert stored.status is MessageStatus.REJECTED and stored.errors[0]["code"] == "SENDER_UNKNOWN"
        assert hub.store.deliveries(stored.id) == []
