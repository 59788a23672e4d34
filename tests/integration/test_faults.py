"""Delivery guarantees on the real broker: nothing lost, repeats recognisable, under faults.

Each test has its own topology prefix and store. Faults are real: a router process
killed with SIGKILL, the broker closing the hub's connections, a store that refuses
writes, SIGTERM while messages are in flight or while the broker comes back, a broker
user forging an identity.
Receivers drop repeats by message id, so the guarantee checked is: every message
reaches every receiver at least once (distinct ``x-hub-message-id`` = sent), and
every repeat carries the same AMQP ``message_id`` as its first copy.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pika
import pytest
import yaml
from click.testing import CliRunner
from pika.exceptions import ChannelClosedByBroker

from hub.cli import main
from hub.composition import build_engine
from hub.routing import Router, load_routes
from hub.settings import Settings
from hub.store import open_store
from hub.store.base import MessageFilter, MessageStatus
from hub.store.sqlite import SqliteStore
from hub.transport.base import Inbound, Publication, Topology
from hub.transport.rabbitmq import parameters
from hub.worker.ingest import IngestCore, hub_message_id
from hub.worker.serve import declare, republish_pending, undeclare
from tests.conftest import example
from tests.integration.conftest import ROOT, Hub, kill_group, publish_as, wait_for

HUB = str(Path(sys.executable).with_name("hub"))
RECEIVERS = ("CUSTOMS-CN", "ARCHIVE")          # where xfwb-pek-fra goes (not food: no inspection)
TEMPLATE = example("cargo_xml", "xfwb-pek-fra.xml")


# traffic ----------------------------------------------------------------------------------------

def awb(n: int) -> str:
    """A valid air waybill number: serial's last digit = its first seven digits mod 7."""
    first = 1_000_000 + n
    return f"999-{first}{first % 7}"


def waybills(count: int, start: int = 0) -> list[bytes]:
    """Distinct valid XFWB messages (distinct business keys: no duplicate detection between them)."""
    return [TEMPLATE.replace(b"999-12345675", awb(n).encode()) for n in range(start, start + count)]


def publish(settings: Settings, bodies: list[bytes], per_second: float | None = None, first: int = 0) -> None:
    """Hand the bodies in as AIRLINE-CA itself (its own account), sender message ids F-<first>, F-<first + 1> ..."""
    topo = Topology(settings.topology_prefix)
    publish_as(settings, [("AIRLINE-CA", Publication(topo.inbound, "", body, f"F-{first + n}"))
                          for n, body in enumerate(bodies)], per_second=per_second)


def in_background(target, *args, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def ready(settings: Settings, queue: str) -> int:
    """How many messages wait in a queue."""
    connection = pika.BlockingConnection(parameters(settings.amqp_url, "test-peek"))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def received(queues, receiver: str, timeout: float = 60.0) -> dict[str, list[str]]:
    """Everything a receiver got: hub message id -> the AMQP message_id of every physical copy."""
    copies: dict[str, list[str]] = defaultdict(list)
    for props, _ in queues.drain(queues.topology.receiver_queue(receiver), quiet=1.0, timeout=timeout):
        copies[props.headers["x-hub-message-id"]].append(props.message_id)
    return copies


def assert_every_receiver_got_all(queues, sent: int, label: str) -> dict[str, int]:
    """Per receiver: distinct messages = sent (none lost); every repeat carries its original's
    message_id (receivers can drop it). Returns the number of repeats per receiver."""
    repeats = {}
    for receiver in RECEIVERS:
        copies = received(queues, receiver)
        physical = sum(len(ids) for ids in copies.values())
        repeats[receiver] = physical - len(copies)
        print(f"{label}: {receiver}: sent {sent}, distinct {len(copies)}, physical {physical}, "
              f"duplicates {repeats[receiver]}, lost {sent - len(copies)}")
        assert len(copies) == sent, f"{receiver}: {sent - len(copies)} message(s) lost"
        assert all(set(ids) == {f"{hub_id}.{receiver}"} for hub_id, ids in copies.items())
    return repeats


def assert_store_settled(settings: Settings, accepted: int) -> None:
    """``accepted`` ACCEPTED messages, nothing else, and every delivery SENT."""
    with open_store(settings.store_url) as store:
        figures = store.stats()
    assert figures["by_status"] == {"ACCEPTED": accepted}
    assert {r: e["states"] for r, e in figures["by_receiver"].items()} == {r: {"SENT": accepted} for r in RECEIVERS}


def settled(settings: Settings, accepted: int):
    """A predicate for wait_for: the store holds ``accepted`` messages and no PENDING delivery."""
    def store_settled() -> bool:
        with open_store(settings.store_url) as store:
            figures = store.stats()
        states = [e["states"] for e in figures["by_receiver"].values()]
        return figures["by_status"].get("ACCEPTED") == accepted and not any("PENDING" in s for s in states) \
            and sum(s.get("SENT", 0) for s in states) == accepted * len(RECEIVERS)
    return store_settled


# processes and broker connections ---------------------------------------------------------------

def rabbitmqctl(*args: str) -> str:
    """Run rabbitmqctl on the local node (the tests run as root beside the broker)."""
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)}: {done.stderr}"
    return done.stdout


def broker_connections() -> dict[int, tuple[str, str]]:
    """Client port -> (the name the client gave its connection, the broker's pid for it)."""
    rows = json.loads(rabbitmqctl("list_connections", "peer_port", "client_properties", "--formatter", "json")
                      or "[]")
    names = {row["peer_port"]: _connection_name(row.get("client_properties")) for row in rows}
    pids = dict(line.split("\t")[::-1] for line in
                rabbitmqctl("list_connections", "--no-table-headers", "pid", "peer_port").splitlines() if line)
    return {port: (name, pids.get(str(port), "")) for port, name in names.items()}


def _connection_name(properties) -> str:
    """The connection_name client property; '' while a connection is still in its handshake (the
    broker then lists its properties as an empty value, not as [key, type, value] triples)."""
    if not isinstance(properties, list):
        return ""
    return next((item[2] for item in properties
                 if isinstance(item, list) and len(item) == 3 and item[0] == "connection_name"), "")


def local_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (from /proc: no psutil needed)."""
    inodes, ports = set(), set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                link = os.readlink(fd)
            except OSError:  # closed meanwhile (listing the directory takes a descriptor itself)
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        for table in ("tcp", "tcp6"):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    except OSError:  # the process went away meanwhile
        return set()
    return ports


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (their parent pid from /proc/<child>/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def connections_of(pid: int, prefix: str, pids: list[int] | None = None) -> dict[str, tuple[int, str]]:
    """Connection name -> (our pid, the broker's pid) for the broker connections of ``pids`` named ``prefix``*."""
    by_port = broker_connections()
    out = {}
    for owner in pids if pids is not None else [pid]:
        for port in local_ports(owner):
            name, broker_name = by_port.get(port, ("", ""))
            if name.startswith(prefix):
                out[name] = (owner, broker_name)
    return out


@pytest.fixture
def broker_users(broker):
    """Make broker users (name prefix, configure/write/read permissions on /); deleted at the end."""
    made = []

    def make(prefix: str, configure: str, write: str, read: str) -> tuple[str, str]:
        name, password = f"{prefix}-{secrets.token_hex(4).upper()}", secrets.token_hex(16)
        rabbitmqctl("add_user", name, password)
        made.append(name)
        rabbitmqctl("set_permissions", "-p", "/", name, configure, write, read)
        return name, password
    yield make
    for name in made:
        rabbitmqctl("delete_user", name)


def as_user(url: str, user: str, password: str) -> str:
    """The broker URL with another user's credentials (vhost /)."""
    params = pika.URLParameters(url)
    return f"amqp://{user}:{password}@{params.host}:{params.port}/%2F"


class Serve:
    """`hub serve --workers 2` as a subprocess on a test's prefix and store."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.settings, self.log = settings, tmp_path / "serve.log"
        self.env = dict(os.environ, HUB_AMQP_URL=settings.amqp_url, HUB_STORE_URL=settings.store_url,
                        HUB_TOPOLOGY_PREFIX=settings.topology_prefix, HUB_QUEUE_EXPIRES_MS="300000",
                        HUB_RETRY_DELAYS_MS=json.dumps(settings.retry_delays_ms),   # the queues teardown deletes
                        HUB_ROUTES=str(settings.routes), HUB_LOG_LEVEL="WARNING")
        self.proc: subprocess.Popen | None = None

    def start(self) -> Serve:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([HUB, "serve", "--workers", "2"], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: self.routers().keys() == {"hub-router-0", "hub-router-1"}, timeout=30)
        return self

    def routers(self) -> dict[str, tuple[int, str]]:
        assert self.proc.poll() is None, f"hub serve exited with {self.proc.returncode}: {self.log.read_text()}"
        return connections_of(self.proc.pid, "hub-router-", children(self.proc.pid))

    def workers(self) -> dict[str, tuple[int, str]]:
        """Every worker (routers and the receipt worker) by connection name."""
        assert self.proc.poll() is None, f"hub serve exited with {self.proc.returncode}: {self.log.read_text()}"
        return connections_of(self.proc.pid, "hub-", children(self.proc.pid))

    def stop(self, meanwhile=lambda: None) -> int:
        """SIGTERM (then ``meanwhile()``); the exit code (the test fails if serve takes over 30 s)."""
        self.proc.send_signal(signal.SIGTERM)
        meanwhile()
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"hub serve did not stop within 30 s of SIGTERM: {self.log.read_text()[-2000:]}")

    def kill_all(self) -> None:
        """Clean-up after a failed test: the process group of this serve (its own session), by its id."""
        kill_group(self.proc)


@pytest.fixture
def serving(settings, tmp_path):
    started: list[Serve] = []

    def start(as_settings: Settings | None = None) -> Serve:
        started.append(Serve(as_settings or settings, tmp_path))   # listed first: killed even if start fails
        return started[-1].start()
    yield start
    for s in started:
        s.kill_all()


# 1 SIGKILL -------------------------------------------------------------------------------------

def test_sigkilled_routers_lose_nothing_and_repeat_only_under_the_same_message_id(settings, queues, serving):
    sent, archive = 2000, queues.topology.receiver_queue("ARCHIVE")
    hub = serving()
    routers = hub.routers()
    sender = in_background(publish, settings, waybills(sent))
    for victim, at_least in (("hub-router-1", 400), ("hub-router-0", 900)):
        wait_for(lambda at_least=at_least: ready(settings, archive) >= at_least, timeout=60, interval=0.01)
        os.kill(routers[victim][0], signal.SIGKILL)
        delivered = ready(settings, archive)
        print(f"SIGKILL {victim} (pid {routers[victim][0]}) with {delivered} of {sent} in ARCHIVE")
        assert delivered < sent, "the kill came too late to test anything"
    restarted = wait_for(lambda: (lambda now: now if len(now) == 2 and all(now[n][0] != routers[n][0] for n in now)
                                  else None)(hub.routers()), timeout=30)
    print(f"restarted: {sorted(pid for pid, _ in restarted.values())}")
    sender.join(timeout=60)
    wait_for(settled(settings, sent), timeout=90, interval=0.5)
    assert ready(settings, queues.topology.inbound) == 0
    assert hub.stop() == 0
    assert_store_settled(settings, sent)
    assert_every_receiver_got_all(queues, sent, "SIGKILL")


def test_what_was_stored_but_never_confirmed_goes_out_again_and_nothing_in_flight_does(settings, queues):
    """Deliveries left PENDING go out again under their own message id: while the hub runs, the
    sweeper sends those PENDING for over a minute, never newer ones (a router may still await their
    confirm: republishing them would send repeats); when serve starts, before any worker runs,
    every one of them."""
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    declare(settings)
    with open_store(settings.store_url) as store:
        store.migrate()

    def route(bodies: list[bytes], at: datetime) -> list[str]:
        """Store PENDING deliveries as a router does before publishing (``at`` on the store's clock)."""
        with SqliteStore(settings.store_url.removeprefix("sqlite:///"), clock=lambda: at) as store:
            core = IngestCore(build_engine(settings), Router(load_routes(settings.routes)), store,
                              queues.topology, settings.party_id)
            works = core.handle([Inbound(tag=i, body=b, sender="AIRLINE-CA", message_id=f"M{i}-{at:%H%M%S}")
                                 for i, b in enumerate(bodies, 1)])
        return [p.headers["x-hub-message-id"] for w in works for p in w.publications if p.routing_key == "ARCHIVE"]

    stale, in_flight = route(waybills(3), long_ago), route(waybills(2, start=3), datetime.now(UTC))
    with Hub(settings) as hub:                                      # sweeps every 0.5 s
        wait_for(lambda: len(hub.store.pending()) == 2 * len(RECEIVERS), timeout=15)
        assert sorted(received(queues, "ARCHIVE", timeout=10)) == sorted(stale)     # each once
        time.sleep(1.5)                                             # three more sweeps
        assert len(hub.store.pending()) == 2 * len(RECEIVERS)       # still "awaited by their router"
    with open_store(settings.store_url) as store:
        assert republish_pending(settings, store, queues.topology) == 2 * len(RECEIVERS)
        assert sorted(received(queues, "ARCHIVE", timeout=10)) == sorted(in_flight)
        assert store.pending() == []
        sources = {m: {e.source for e in store.events(m) if e.type == "delivery.sent"} for m in stale + in_flight}
    assert sources == {**{m: {"sweeper"} for m in stale}, **{m: {"serve.start"} for m in in_flight}}


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_receipt_worker_yields_the_cpu_to_the_routers(settings, serving):
    hub = serving()
    workers = wait_for(lambda: (lambda now: now if len(now) == 3 else None)(hub.workers()), timeout=30)
    assert set(workers) == {"hub-router-0", "hub-router-1", "hub-receipts"}
    own = niceness(os.getpid())
    assert {name: niceness(pid) - own for name, (pid, _) in workers.items()} == {
        "hub-router-0": 0, "hub-router-1": 0, "hub-receipts": Settings().receipts_nice}
    assert Settings().receipts_nice == 10
    assert hub.stop() == 0


# 2 broker connection drop ------------------------------------------------------------------------

def test_consumers_reconnect_after_the_broker_closes_their_connections(settings, queues):
    sent, archive = 500, queues.topology.receiver_queue("ARCHIVE")
    with Hub(settings):
        before = wait_for(lambda: (lambda now: now if len(now) == 2 else None)(connections_of(os.getpid(), "test-r")))
        assert set(before) == {"test-router", "test-receipts"}
        sender = in_background(publish, settings, waybills(sent), per_second=100)
        wait_for(lambda: ready(settings, archive) >= 100, timeout=30)
        rabbitmqctl("close_connection", before["test-router"][1], "test: connection drop")
        delivered = ready(settings, archive)
        rabbitmqctl("close_connection", before["test-receipts"][1], "test: connection drop")
        print(f"closed {sorted(before)} with {delivered} of {sent} in ARCHIVE")
        assert delivered < sent
        after = wait_for(lambda: (lambda now: now if set(now) == set(before) else None)(
            connections_of(os.getpid(), "test-r")), timeout=30)
        assert all(after[name][1] != before[name][1] for name in before), "the consumers did not reconnect"
        sender.join(timeout=60)
        wait_for(settled(settings, sent), timeout=60, interval=0.3)
    assert_store_settled(settings, sent)
    assert_every_receiver_got_all(queues, sent, "connection drop")


# 3 transient store faults --------------------------------------------------------------------------

class RefusingStore:
    """The router's store, refusing ``refusals`` calls of record() with SQLite's busy error.

    Only batches holding an ACCEPTED/REJECTED/DUPLICATE outcome are refused: the FAILED
    record that the dead-letter path writes after the last retry passes (a store that is
    merely busy lets a later write through). A proxy: the SQLite connection is opened on
    first use, in the router's thread, which is the only one allowed to use it."""

    def __init__(self, settings: Settings, refusals: float) -> None:
        self.url, self.refusals, self.refused, self._store = settings.store_url, refusals, [], None

    def __getattr__(self, name: str):
        if self._store is None:
            self._store = open_store(self.url)
        return getattr(self._store, name)

    def record(self, messages, source):
        if self.refusals > 0 and any(m.status is not MessageStatus.FAILED for m in messages):
            self.refusals -= 1
            self.refused.extend(m.id for m in messages)
            raise sqlite3.OperationalError("database is locked")
        return self.__getattr__("record")(messages, source)


def test_a_store_that_is_busy_for_a_while_delays_messages_through_the_retry_queue(settings, queues):
    sent, store = 20, RefusingStore(settings, refusals=2)
    with Hub(settings, router_store=store):
        publish(settings, waybills(sent))
        wait_for(settled(settings, sent), timeout=30)
    assert store.refusals == 0 and store.refused
    print(f"busy store: {len(store.refused)} message(s) went through the retry queue")
    assert_store_settled(settings, sent)
    assert assert_every_receiver_got_all(queues, sent, "busy store") == {r: 0 for r in RECEIVERS}


def test_a_store_that_stays_down_dead_letters_the_message_and_replay_delivers_it(settings, queues):
    body, store = waybills(1, start=77)[0], RefusingStore(settings, refusals=float("inf"))
    hub_id = hub_message_id("AIRLINE-CA", "F-0", body)
    env = {"HUB_AMQP_URL": settings.amqp_url, "HUB_STORE_URL": settings.store_url,
           "HUB_TOPOLOGY_PREFIX": settings.topology_prefix, "HUB_ROUTES": str(settings.routes)}
    with Hub(settings, router_store=store) as hub:
        publish(settings, [body])
        wait_for(lambda: ready(settings, queues.topology.dead) == 1, timeout=30)
        method, props, _ = queues.channel.basic_get(queues.topology.dead, auto_ack=False)
        queues.channel.basic_nack(method.delivery_tag, requeue=True)
        assert props.headers["x-hub-attempts"] == len(settings.retry_delays_ms) + 1
        assert props.headers["x-hub-sender"] == "AIRLINE-CA" and "database is locked" in props.headers["x-hub-reason"]
        failed = hub.store.message(hub_id)
        assert failed.status is MessageStatus.FAILED and failed.errors[0]["code"] == "RETRIES_EXHAUSTED"
        assert "database is locked" in failed.errors[0]["message"]

        listed = CliRunner().invoke(main, ["dead-letters", "list"], env=env)
        assert listed.exit_code == 0, listed.output
        assert "AIRLINE-CA" in listed.stdout and "attempts 3" in listed.stdout and "database is locked" in listed.stdout
        store.refusals = 0
        replayed = CliRunner().invoke(main, ["dead-letters", "replay"], env=env)
        assert replayed.exit_code == 0, replayed.output
        wait_for(settled(settings, 1), timeout=30)
        assert ready(settings, queues.topology.dead) == 0
    assert hub.store.message(hub_id).status is MessageStatus.ACCEPTED
    assert_every_receiver_got_all(queues, 1, "dead letter replay")


# 4 graceful stop -----------------------------------------------------------------------------------

def test_sigterm_while_messages_flow_loses_nothing_after_a_restart(settings, queues, serving):
    sent, archive = 1000, queues.topology.receiver_queue("ARCHIVE")
    hub = serving()
    sender = in_background(publish, settings, waybills(sent), per_second=400)
    wait_for(lambda: ready(settings, archive) >= 200, timeout=60)
    assert hub.stop() == 0
    delivered = ready(settings, archive)
    print(f"SIGTERM with {delivered} of {sent} in ARCHIVE")
    assert delivered < sent
    sender.join(timeout=60)
    hub = serving()
    wait_for(settled(settings, sent), timeout=90, interval=0.5)
    assert hub.stop() == 0
    assert_store_settled(settings, sent)
    assert_every_receiver_got_all(queues, sent, "SIGTERM")


def test_sigterm_while_the_broker_comes_back_still_stops_serve(settings, serving, broker_users):
    user, password = broker_users("HUB-OUTAGE", ".*", ".*", ".*")
    hub = serving(settings.model_copy(update={"amqp_url": as_user(settings.amqp_url, user, password)}))
    workers = children(hub.proc.pid)
    rabbitmqctl("clear_permissions", "-p", "/", user)             # reconnecting now fails: access refused
    for _, broker_pid in connections_of(hub.proc.pid, "hub-", workers).values():
        rabbitmqctl("close_connection", broker_pid, "test: broker outage")
    wait_for(lambda: hub.log.read_text().count("broker.disconnected") >= 3, timeout=30)
    assert connections_of(hub.proc.pid, "hub-", workers) == {}
    started = time.monotonic()
    assert hub.stop(meanwhile=lambda: rabbitmqctl("set_permissions", "-p", "/", user, ".*", ".*", ".*")) == 0
    print(f"serve stopped {time.monotonic() - started:.1f} s after SIGTERM, the broker back meanwhile")


# 5 broker identity ---------------------------------------------------------------------------------

def test_the_broker_checked_user_is_the_sender_and_a_forged_one_is_refused(settings, queues, broker_users, tmp_path,
                                                                            request):
    user, password = broker_users("AIRLINE-ID", "^$", ".*", "^$")
    routes = yaml.safe_load((ROOT / "routes.yaml").read_text())
    routes["senders"][user] = {"name": "Test airline", "may_send": ["waybill"]}
    (tmp_path / "routes.yaml").write_text(yaml.safe_dump(routes))
    settings = settings.model_copy(update={"routes": tmp_path / "routes.yaml"})
    request.addfinalizer(lambda: undeclare(settings, if_empty=False))   # with this sender's status queue
    own, forged, anonymous = waybills(3, start=500)
    topo = Topology(settings.topology_prefix)
    with Hub(settings) as hub:
        connection = pika.BlockingConnection(parameters(as_user(settings.amqp_url, user, password), "test-user"))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            with pytest.raises(ChannelClosedByBroker) as refused:
                channel.basic_publish(topo.inbound, "", forged, pika.BasicProperties(user_id="AIRLINE-CA"))
            assert refused.value.reply_code == 406 and "PRECONDITION_FAILED" in refused.value.reply_text
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish(topo.inbound, "", anonymous, pika.BasicProperties(message_id="ANON-1"))
            channel.basic_publish(topo.inbound, "", own, pika.BasicProperties(user_id=user, message_id="OWN-1"))
        finally:
            connection.close()
        (props, body), = queues.take(topo.sender_queue(user), 1)
        event = json.loads(body)
        assert event["event"] == "message.accepted" and event["sender_message_id"] == "OWN-1"
        assert hub.store.message(event["hub_message_id"]).sender == user
        rejected = wait_for(lambda: hub.store.find(MessageFilter(status=MessageStatus.REJECTED)))
        assert [(m.sender, m.errors[0]["code"]) for m in rejected] == [("", "SENDER_UNKNOWN")]
        assert hub.store.find(MessageFilter(business_key=awb(501))) == []   # the forged one never arrived
        assert queues.drain(topo.sender_queue("AIRLINE-CA"), quiet=0.3) == []
