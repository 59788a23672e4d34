"""Integration fixtures: the real RabbitMQ on 127.0.0.1:5672, isolated per test by a unique prefix.

A missing broker skips these tests on a developer's machine and fails them when CI=true.
Each test deletes its queues; they also carry x-expires, so a killed run leaves nothing behind for long.

Parties publish as themselves (`publish_as`, and test_flow.send on it): each routes.yaml party has a
broker account of its own, user_id checked by RabbitMQ, no vouching header. Broker users are
broker-wide and the test prefixes are per test, so the accounts are shared by every test run on the
broker: permissions on any test prefix (t + 10 hex digits, least privilege otherwise), a password
derived from the hub's own (so concurrent runs agree on it), the tag hub-party:integration-tests@VHOST;
a session deletes them at its end (the next send of a concurrent run makes them again).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pika
import pytest
from pika.exceptions import AMQPConnectionError

from hub.composition import build_engine
from hub.parties import Accounts, Permissions, accounts, parties, party_url
from hub.routing import Router, load_routes
from hub.routing.table import Account
from hub.settings import Settings
from hub.store import open_store
from hub.transport.base import Publication, PublishLimit, Topology
from hub.transport.rabbitmq import BatchConsumer, ConsumerConfig, parameters, properties
from hub.worker.failures import Retries
from hub.worker.ingest import IngestCore
from hub.worker.serve import _mark_sent, declare, hub_user, receipt_worker, undeclare

AMQP_URL = os.environ.get("HUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def broker() -> str:
    try:
        pika.BlockingConnection(parameters(AMQP_URL, "test-probe")).close()
    except AMQPConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"RabbitMQ is not reachable at {AMQP_URL} (CI=true): {exc}")
        pytest.skip(f"RabbitMQ is not reachable at {AMQP_URL}")
    return AMQP_URL


TEST_PREFIX = r"t[0-9a-f]{10}"
"""Every test's topology prefix (the settings fixture's): what the parties' permissions cover."""
PARTIES = "integration-tests"
"""The parties' accounts are tagged hub-party:integration-tests@VHOST."""
_MADE: set[str] = set()
"""The AMQP URLs this session made party accounts on: deleted at its end."""


def _password_env(party: str) -> str:
    return "HUB_TEST_PARTY_" + re.sub(r"[^A-Za-z0-9]", "_", party)


def party_password(amqp_url: str, party: str) -> str:
    """The party's test password: derived from the hub's own password, so concurrent runs agree on it
    and nobody without the hub's password knows it."""
    hub_password = unquote(urlsplit(amqp_url).password or "guest")
    return hmac.new(hub_password.encode(), party.encode(), hashlib.sha256).hexdigest()[:32]


def party_accounts(amqp_url: str) -> Accounts:
    """routes.yaml's parties as the tests' shared accounts: each party's least-privilege permissions
    on any test prefix instead of one, and its derived password (through an account block, as
    `hub parties apply` reads one)."""
    made = accounts(Settings(amqp_url=amqp_url, routes=ROOT / "routes.yaml", topology_prefix=PARTIES))
    marker = "PREFIXMARKER"
    wanted = []
    for party in parties(load_routes(ROOT / "routes.yaml"), Topology(marker)):
        os.environ[_password_env(party.name)] = party_password(amqp_url, party.name)
        perms = party.permissions
        wanted.append(replace(party, account=Account(password_env=_password_env(party.name)), permissions=Permissions(
            *(r.replace(marker, TEST_PREFIX) for r in (perms.configure, perms.write, perms.read)))))
    return replace(made, wanted=wanted)


def party_login(amqp_url: str, party: str) -> str:
    """The URL ``party`` connects with as itself, its account made (or mended) first if it needs it."""
    party_accounts(amqp_url).apply()
    _MADE.add(amqp_url)
    return party_url(amqp_url, party, party_password(amqp_url, party))


def publish_as(settings: Settings, pubs: list[tuple[str, Publication]], per_second: float | None = None) -> None:
    """Publish each (party, publication) as that party itself, with confirms, in the list's order: one
    connection per party, user_id = the party, no vouching header."""
    channels = {}
    try:
        for party, pub in pubs:
            if party not in channels:
                login = parameters(party_login(settings.amqp_url, party), f"test-{party}")
                channels[party] = pika.BlockingConnection(login).channel()
                channels[party].confirm_delivery()
            started = time.monotonic()
            channels[party].basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, party),
                                          mandatory=True)
            if per_second:
                time.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))
    finally:
        for channel in channels.values():
            channel.connection.close()


@pytest.fixture(scope="session", autouse=True)
def _party_accounts_revoked() -> Iterator[None]:
    """The parties' accounts go with the session that made them (``_MADE`` as the test modules' import
    of this file, tests.integration.conftest, holds it: pytest loads its conftest under another name)."""
    yield
    from tests.integration.conftest import _MADE as made
    for amqp_url in made:
        party_accounts(amqp_url).revoke_all()


@pytest.fixture
def settings(broker, tmp_path) -> Iterator[Settings]:
    """Settings for one test: its own topology prefix, store and short retry delays. Its queues are
    deleted afterwards, so a long run does not leave hundreds of quorum queues on the broker."""
    settings = Settings(amqp_url=broker, store_url=f"sqlite:///{tmp_path / 'store.db'}",
                        topology_prefix=f"t{uuid.uuid4().hex[:10]}", queue_expires_ms=120_000,
                        retry_delays_ms=[200, 400], batch_ms=5, sweep_seconds=0.5, routes=ROOT / "routes.yaml")
    yield settings
    undeclare(settings, if_empty=False)


class Hub:
    """The router and receipt workers in threads of the test process, each with its own store
    (a store belongs to one thread); ``store`` is the test's own view of the same database.
    ``clock`` (default: the system's) is the router's: the reception time it stamps on messages."""

    def __init__(self, settings: Settings, router_store=None, clock: Callable[[], datetime] | None = None) -> None:
        self.settings, self.topology = settings, Topology(settings.topology_prefix)
        self.store = open_store(settings.store_url)
        self.store.migrate()
        declare(settings)
        self.router_store, self.clock = router_store, clock
        self.consumers: list[BatchConsumer] = []
        self.ready = threading.Barrier(3)
        self.threads = [threading.Thread(target=self._router, daemon=True),
                        threading.Thread(target=self._receipts, daemon=True)]

    def _router(self) -> None:
        settings, store = self.settings, self.router_store or open_store(self.settings.store_url)
        limit = PublishLimit(settings.max_output_bytes)
        clock = {"clock": self.clock} if self.clock else {}
        core = IngestCore(build_engine(settings), Router(load_routes(settings.routes)), store, self.topology,
                          settings.party_id, retries=Retries(self.topology, "in", tuple(settings.retry_delays_ms)),
                          limit=limit, **clock)
        config = ConsumerConfig(settings.amqp_url, self.topology.inbound, "test-router", hub_user(settings),
                                batch_size=settings.batch_size, batch_ms=settings.batch_ms, reconnect_for_s=30)
        self._run(BatchConsumer(config, core.handle, core.fail, _mark_sent(store), limit=limit))

    def _receipts(self) -> None:
        settings, store = self.settings, open_store(self.settings.store_url)
        core, sweeper, limit = receipt_worker(settings, store, self.topology)
        config = ConsumerConfig(settings.amqp_url, self.topology.receipts, "test-receipts", hub_user(settings),
                                batch_ms=settings.batch_ms, tick_seconds=settings.sweep_seconds, reconnect_for_s=30)
        self._run(BatchConsumer(config, core.handle, core.fail, _mark_sent(store, "sweeper"),
                                tick=lambda: [sweeper.tick()], limit=limit))

    def _run(self, consumer: BatchConsumer) -> None:
        self.consumers.append(consumer)
        self.ready.wait()
        consumer.run()

    def __enter__(self) -> Hub:
        for t in self.threads:
            t.start()
        self.ready.wait()
        return self

    def __exit__(self, *exc) -> None:
        for c in self.consumers:
            c.stop()
        for t in self.threads:
            t.join(timeout=10)


class Queues:
    """Read what the hub published: receiver feeds and sender status feeds."""

    def __init__(self, settings: Settings) -> None:
        self.topology = Topology(settings.topology_prefix)
        self.connection = pika.BlockingConnection(parameters(settings.amqp_url, "test-queues"))
        self.channel = self.connection.channel()

    def take(self, queue: str, count: int, timeout: float = 15.0) -> list[tuple]:
        """Exactly ``count`` messages within ``timeout`` (polling with a deadline), acknowledged."""
        got, deadline = [], time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            method, props, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                time.sleep(0.02)
                continue
            got.append((props, body))
        return got

    def drain(self, queue: str, quiet: float = 0.5, timeout: float = 30.0) -> list[tuple]:
        """Everything until the queue stays empty for ``quiet`` seconds."""
        got, last, deadline = [], time.monotonic(), time.monotonic() + timeout
        while time.monotonic() - last < quiet and time.monotonic() < deadline:
            method, props, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                time.sleep(0.02)
                continue
            got.append((props, body))
            last = time.monotonic()
        return got

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def queues(settings):
    q = Queues(settings)
    yield q
    q.close()


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Poll until ``predicate()`` is truthy; return its value or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s: {getattr(predicate, '__name__', predicate)}")


def kill_group(proc) -> None:
    """SIGKILL a process started in a session of its own (`hub serve`: supervisor and workers at once),
    by its process group, and reap it; nothing when it has gone already."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait(timeout=10)
