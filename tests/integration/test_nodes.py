"""Three hub nodes on one PostgreSQL store, on the real broker (issue 13, point 2).

Each node is a `hub serve --workers 1` process of its own (HUB_NODE_ID node-a, -b, -c) on one
topology prefix and one PostgreSQL schema; they compete for the inbound and receipt queues.
5,000 waybills (distinct AWBs) go in as AIRLINE-CA; an agency simulator answers every copy
each receiver gets (CUSTOMS-CN and ARCHIVE, each as itself) once per delivery id, as an agency
that drops repeats by message id does. Mid-run the node leading the sweepers is SIGKILLed (the
whole node: supervisor and workers) and, once another node has taken the lead, a third is
SIGTERMed. Then: every message stored once, one delivery row per (message, receiver), every
delivery reached its receiver and every receipt correlated; repeats are counted per receiver and
must all be deliveries the killed node had in flight (leased to it); the lead moved and its new
holder still beats. The figures are printed (pytest -s).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pika
import psycopg
import pytest

from hub.models import ReceiptStatus
from hub.settings import Settings
from hub.store import open_store
from hub.transport.base import Publication, Topology
from hub.transport.rabbitmq import parameters, properties
from hub.worker.serve import declare
from tests.integration.conftest import ROOT, kill_group, party_login, wait_for
from tests.integration.test_faults import HUB, RECEIVERS, publish, waybills
from tests.integration.test_flow import receipt
from tests.store.conftest import POSTGRES_URL

SENT = 5000
NODES = ("node-a", "node-b", "node-c")
PLACEHOLDER = "OUT-ID-PLACEHOLDER"
ANSWERS = {
    "CUSTOMS-CN": receipt("gacc-mt9999", answers_message_id=PLACEHOLDER, answers_type="MT2101",
                          business_key="999-12345675", status=ReceiptStatus.ACCEPTED, agency_status="01"),
    "ARCHIVE": receipt("json", answers_message_id=PLACEHOLDER, business_key="999-12345675",
                       status=ReceiptStatus.ACCEPTED),
}
"""Each receiver's answer to a delivery, its delivery id in place of the placeholder."""


@pytest.fixture
def schema():
    """A PostgreSQL schema of the test's own, dropped at the end."""
    name = f"hub_nodes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA "{name}" CASCADE')


class Db:
    """The test's own reads of the nodes' store (committed data)."""

    def __init__(self, schema: str) -> None:
        self.conn = psycopg.connect(POSTGRES_URL, autocommit=True)
        self.conn.execute("SELECT set_config('search_path', %s, false)", (f'"{schema}"',))

    def rows(self, sql: str, *args) -> list[tuple]:
        return [tuple(r) for r in self.conn.execute(sql, args).fetchall()]

    def value(self, sql: str, *args):
        return self.rows(sql, *args)[0][0]

    def lead(self) -> tuple[str, str] | None:
        """The sweepers' lead: (node, last beat), or None before any node took it."""
        found = self.rows("SELECT node, beat FROM leads WHERE name = 'sweeper'")
        return found[0] if found else None


class Node:
    """One hub node: `hub serve` in a session of its own (its supervisor and workers one process group)."""

    def __init__(self, name: str, settings: Settings, tmp_path: Path) -> None:
        self.name, self.log = name, tmp_path / f"{name}.log"
        self.env = dict(os.environ, HUB_AMQP_URL=settings.amqp_url, HUB_STORE_URL=settings.store_url,
                        HUB_TOPOLOGY_PREFIX=settings.topology_prefix,
                        HUB_QUEUE_EXPIRES_MS=str(settings.queue_expires_ms),
                        HUB_RETRY_DELAYS_MS=json.dumps(settings.retry_delays_ms), HUB_ROUTES=str(settings.routes),
                        HUB_LOG_LEVEL="WARNING", HUB_NODE_ID=name, HUB_SWEEP_SECONDS="1")
        self.proc: subprocess.Popen | None = None

    def start(self) -> Node:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([HUB, "serve", "--workers", "1"], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole node, supervisor and workers at once (its process group, by its id)."""
        kill_group(self.proc)

    def stop(self) -> int:
        """SIGTERM to the supervisor; its exit code (the test fails if it takes over 60 s)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.name} did not stop within 60 s of SIGTERM: {self.log.read_text()[-2000:]}")


class Agencies(threading.Thread):
    """CUSTOMS-CN and ARCHIVE: take every copy from their feeds and answer each delivery id once, each
    agency as itself on the receipts exchange (with confirms)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings, self.topology = settings, Topology(settings.topology_prefix)
        self.copies: dict[str, Counter[str]] = {r: Counter() for r in RECEIVERS}
        self.hub_ids: dict[str, set[str]] = {r: set() for r in RECEIVERS}
        self.answered = 0
        self.out: dict[str, pika.adapters.blocking_connection.BlockingChannel] = {}
        self.stopping = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.failure = exc
            raise

    def _run(self) -> None:
        feeds = pika.BlockingConnection(parameters(self.settings.amqp_url, "test-agency-feeds"))
        try:
            channel = feeds.channel()
            channel.basic_qos(prefetch_count=500)
            for receiver in RECEIVERS:
                channel.basic_consume(self.topology.receiver_queue(receiver),
                                      lambda ch, method, props, body, r=receiver: self._answer(r, ch, method, props))
            while not self.stopping.is_set():
                feeds.process_data_events(time_limit=0.2)
        finally:
            for connection in (feeds, *(c.connection for c in self.out.values())):
                if connection.is_open:
                    connection.close()

    def _publish(self, receiver: str, pub: Publication) -> None:
        """As the agency itself, with a confirm; its account made again if another test session's end
        removed it meanwhile (the parties' test accounts are shared by concurrent sessions)."""
        for attempt in range(3):
            try:
                if receiver not in self.out or not self.out[receiver].is_open:
                    login = parameters(party_login(self.settings.amqp_url, receiver), f"test-{receiver}")
                    self.out[receiver] = pika.BlockingConnection(login).channel()
                    self.out[receiver].confirm_delivery()
                self.out[receiver].basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, receiver))
                return
            except pika.exceptions.AMQPError:
                self.out.pop(receiver, None)
                if attempt == 2:
                    raise
                time.sleep(0.5)

    def _answer(self, receiver: str, channel, method, props) -> None:
        out_id = props.message_id
        self.copies[receiver][out_id] += 1
        self.hub_ids[receiver].add(props.headers["x-hub-message-id"])
        if self.copies[receiver][out_id] == 1:          # a repeat is dropped by its message id
            body = ANSWERS[receiver].replace(PLACEHOLDER.encode(), out_id.encode())
            self._publish(receiver, Publication(self.topology.receipts, "", body, f"R-{out_id}"))
            self.answered += 1
        channel.basic_ack(method.delivery_tag)


def consumers(settings: Settings, queue: str) -> int:
    connection = pika.BlockingConnection(parameters(settings.amqp_url, "test-peek"))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    finally:
        connection.close()


def test_three_nodes_share_5000_messages_through_a_sigkill_and_a_sigterm(settings, schema, tmp_path):
    settings = settings.model_copy(update={"store_url": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"})
    topology = Topology(settings.topology_prefix)
    with open_store(settings.store_url) as store:
        store.migrate()
    declare(settings)
    db, agencies = Db(schema), Agencies(settings)
    agencies.start()
    nodes = {name: Node(name, settings, tmp_path) for name in NODES}
    started = time.monotonic()
    try:
        for node in nodes.values():
            node.start()
        wait_for(lambda: consumers(settings, topology.inbound) == 3 and consumers(settings, topology.receipts) == 3,
                 timeout=60)
        publisher = threading.Thread(target=publish, args=(settings, waybills(SENT)), daemon=True)
        publisher.start()

        def stored() -> int:
            return db.value("SELECT COUNT(*) FROM messages")

        wait_for(lambda: stored() >= SENT * 3 // 10, timeout=120, interval=0.1)
        killed = nodes[wait_for(db.lead, timeout=10)[0]]        # the node leading the sweepers
        killed.kill()
        killed_at, stored_at_kill = time.monotonic(), stored()
        new_lead = wait_for(lambda: (lead := db.lead()) and lead[0] != killed.name and lead, timeout=15,
                            interval=0.05)
        take_over_s = time.monotonic() - killed_at
        wait_for(lambda: stored() >= SENT * 6 // 10, timeout=120, interval=0.1)
        terminated = next(n for n in nodes.values() if n.alive() and n.name != new_lead[0])
        stored_at_term = stored()
        assert terminated.stop() == 0, terminated.log.read_text()[-2000:]
        last = nodes[new_lead[0]]
        publisher.join(timeout=120)
        assert not publisher.is_alive()

        def settled() -> bool:
            return db.value("SELECT COUNT(*) FROM deliveries WHERE state = 'ACCEPTED'") == SENT * len(RECEIVERS)
        wait_for(settled, timeout=150, interval=0.5)
        beat_before = db.lead()
        time.sleep(2.5)                                      # two more sweeper ticks
        lead_after = db.lead()
        assert last.alive(), last.log.read_text()[-2000:]
        time.sleep(1.0)                                      # the last copies and receipts drain
        agencies.stopping.set()
        agencies.join(timeout=10)
        assert agencies.failure is None
        assert last.stop() == 0
        elapsed = time.monotonic() - started
    finally:
        agencies.stopping.set()
        for node in nodes.values():
            node.kill()
        # read the figures, then let the fixture drop the schema

    # 0 lost, every message stored once, one delivery row per (message, receiver)
    by_status = dict(db.rows("SELECT status, COUNT(*) FROM messages GROUP BY status"))
    assert by_status == {"ACCEPTED": SENT}
    assert db.rows("SELECT message_id, receiver FROM deliveries GROUP BY message_id, receiver "
                   "HAVING COUNT(*) > 1") == []
    assert dict(db.rows("SELECT receiver, COUNT(*) FROM deliveries GROUP BY receiver")) == \
        dict.fromkeys(RECEIVERS, SENT)
    for receiver in RECEIVERS:
        assert len(agencies.hub_ids[receiver]) == SENT and len(agencies.copies[receiver]) == SENT, receiver
    # every receipt correlated to its delivery
    outcomes = dict(db.rows("SELECT outcome, COUNT(*) FROM receipts GROUP BY outcome"))
    assert agencies.answered == SENT * len(RECEIVERS) and list(outcomes) == ["correlated"]
    assert db.value("SELECT COUNT(DISTINCT delivery_id) FROM receipts") == SENT * len(RECEIVERS)
    # a receipt the killed node's receipt worker applied but never acknowledged comes back to another
    # node and is stored again (correlated to the same delivery): at most its prefetch
    receipts_again = outcomes["correlated"] - agencies.answered
    assert 0 <= receipts_again <= settings.prefetch
    # repeats: only deliveries the killed node had in flight (leased to it: it stored them)
    repeats = {r: {out_id: n - 1 for out_id, n in agencies.copies[r].items() if n > 1} for r in RECEIVERS}
    leased = dict(db.rows("SELECT out_id, leased_by FROM deliveries"))
    beyond = {r: {o: leased[o] for o in repeats[r] if leased[o] != killed.name} for r in RECEIVERS}
    in_flight_of_killed = db.value("SELECT COUNT(*) FROM deliveries WHERE leased_by = %s", killed.name)
    # the lead moved off the killed node, and its holder still beats
    assert new_lead[0] != killed.name and lead_after[0] == new_lead[0]
    assert lead_after[1] > beat_before[1] > new_lead[1], (beat_before, lead_after)
    sweeper_events = db.value("SELECT COUNT(*) FROM events WHERE source = 'sweeper'")
    print(f"\n3 nodes, {SENT} messages x {len(RECEIVERS)} receivers on PostgreSQL, {elapsed:.0f} s: "
          f"SIGKILL {killed.name} (the leader) at {stored_at_kill} stored, lead taken by {new_lead[0]} in "
          f"{take_over_s:.2f} s; SIGTERM {terminated.name} at {stored_at_term} stored; "
          f"stored {sum(by_status.values())}, lost 0; deliveries stored by the killed node {in_flight_of_killed}")
    for receiver in RECEIVERS:
        print(f"  {receiver:<11} delivered {len(agencies.copies[receiver])} distinct, "
              f"{sum(agencies.copies[receiver].values())} copies, repeats {sum(repeats[receiver].values())} "
              f"(beyond the killed node's in-flight window: {len(beyond[receiver])})")
    print(f"  receipts answered {agencies.answered}, stored {outcomes['correlated']} all correlated "
          f"({receipts_again} applied again after the SIGKILL), sweeper events {sweeper_events}, "
          f"lead {lead_after[0]} beating at {lead_after[1]}")
    db.conn.close()
    assert beyond == dict.fromkeys(RECEIVERS, {}), beyond
