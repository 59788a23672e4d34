"""`hub demo`: the whole flow on the local broker, with simulated senders and agencies."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NotRequired, TypedDict

import click
import yaml

from ..composition import build_engine
from ..demo import Agencies
from ..errors import ConfigError
from ..routing import load_routes
from ..settings import Settings
from ..store import open_store
from ..store.base import DeliveryState, Message, MessageFilter, MessageStatus, Store
from ..transport.base import Headers, Publication, Topology
from ..transport.rabbitmq import BrokerUnavailable, host_of, ping, publish_once
from ..worker.serve import declare, hub_user, serve, undeclare

ANSWERED = {DeliveryState.ACKNOWLEDGED, DeliveryState.ACCEPTED, DeliveryState.REJECTED}
START_RABBITMQ = ("start RabbitMQ on 127.0.0.1:5672 first: `rabbitmq-server -detached` (Debian: apt-get install "
                  "rabbitmq-server), or `docker compose up -d rabbitmq`; or point HUB_AMQP_URL at a broker")


class TrafficEntry(TypedDict):
    """One message of examples/traffic.yaml: a file, who hands it in, and what should become of it."""

    file: str
    sender: str
    expect: NotRequired[str]        # delivered (the default), rejected or duplicate


@click.command()
@click.option("--traffic", type=click.Path(exists=True, dir_okay=False),
              help="Which example files to play, as which sender [default: HUB_EXAMPLES_DIR/traffic.yaml].")
@click.option("--workers", type=click.IntRange(1, 8), default=2, show_default=True)
@click.option("--deadline", type=click.IntRange(1, 60), default=3, show_default=True,
              help="Every receiver's receipt deadline in the demo, in seconds; one agency answers later.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Give up waiting after this long.")
@click.pass_obj
def demo(settings: Settings, traffic: str | None, workers: int, deadline: int, timeout: float) -> None:
    """Start the hub on the local broker, play the sample traffic as airlines, a forwarder and an
    e-commerce platform with its payment and logistics companies (bad and duplicate messages
    included), answer as the agencies, and summarise per receiver.

    \b
    Example:
      hub demo                      # RabbitMQ on 127.0.0.1:5672, guest/guest
      HUB_AMQP_URL=amqp://hub:secret@broker/eport hub demo --workers 4
    """
    traffic = traffic or str(settings.examples_dir / "traffic.yaml")
    run = time.strftime("%Y%m%d-%H%M%S")
    work = Path("var") / "demo" / run
    work.mkdir(parents=True, exist_ok=True)
    cfg = settings.model_copy(update={
        "topology_prefix": f"demo-{run}", "store_url": f"sqlite:///{work / 'store.sqlite3'}",
        "queue_expires_ms": 600_000, "sweep_seconds": 1.0, "retry_delays_ms": [500, 2000],
        "routes": _short_deadlines(settings.routes, work / "routes.yaml", f"{deadline}s")})
    _check_broker(cfg.amqp_url)
    declare(cfg)
    store = open_store(cfg.store_url)
    store.migrate()         # before the hub's processes start: the demo reads the store while they do
    plan: list[TrafficEntry] = yaml.safe_load(Path(traffic).read_text(encoding="utf-8"))["messages"]
    hub = multiprocessing.get_context("spawn").Process(target=serve, args=(cfg, workers), name="hub-serve")
    hub.start()
    click.echo(f"hub started: {workers} routers, receipts, sweeper; topology {cfg.topology_prefix}.*, "
               f"store {work / 'store.sqlite3'}")
    topology, engine = Topology(cfg.topology_prefix), build_engine(cfg)
    try:
        with Agencies(engine, cfg.amqp_url, topology, hub_user(cfg), list(load_routes(cfg.routes).receivers),
                      late_by=deadline + 3):
            _play(cfg, topology, Path(traffic).parent, plan)
            settled = _wait(store, len(plan), timeout)
    finally:
        hub.terminate()
        hub.join(timeout=30)
        _remove_topology(cfg)
    ok = _report(store, plan, settled)
    sys.exit(0 if ok else 1)


def _remove_topology(cfg: Settings) -> None:
    """The demo's queues go with it (the store stays for `hub messages list`); they also expire."""
    try:
        undeclare(cfg, if_empty=False)
    except Exception as exc:  # noqa: BLE001 - a broker gone by now: x-expires removes them later
        click.echo(f"demo queues left to expire: {exc}", err=True)


def _short_deadlines(routes: Path, target: Path, deadline: str) -> Path:
    data = yaml.safe_load(Path(routes).read_text(encoding="utf-8"))
    for receiver in data["receivers"].values():
        receiver["receipt_deadline"] = deadline
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _check_broker(url: str) -> None:
    try:
        ping(url)
    except BrokerUnavailable as exc:
        raise ConfigError(f"no broker at {host_of(url)}: {START_RABBITMQ}",
                          code="BROKER_UNAVAILABLE") from exc


def _play(cfg: Settings, topology: Topology, base: Path, plan: list[TrafficEntry]) -> None:
    pubs = [Publication(exchange=topology.inbound, routing_key="", body=(base / entry["file"]).read_bytes(),
                        message_id=f"{entry['sender']}-{i:03d}", headers={Headers.SENDER: entry["sender"]})
            for i, entry in enumerate(plan, 1)]
    publish_once(cfg.amqp_url, pubs, name="demo-senders", user_id=hub_user(cfg), per_second=20)
    click.echo(f"{len(pubs)} messages handed in by {len({e['sender'] for e in plan})} senders")


def _wait(store: Store, expected: int, timeout: float) -> bool:
    """Until every message is stored and every delivery has its answer (the late one included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = store.find(MessageFilter(limit=1000))
        if len(messages) >= expected and all(d.state in ANSWERED for m in messages
                                             for d in store.deliveries(m.id)):
            return True
        time.sleep(0.5)
    return False


def _late(store: Store, messages: Iterable[Message]) -> dict[str, int]:
    """Deliveries that went OVERDUE before their answer came, per receiver."""
    receivers: dict[str, int] = {}
    for m in messages:
        names = {d.id: d.receiver for d in store.deliveries(m.id)}
        for ev in store.events(m.id):
            if ev.type == "delivery.overdue" and ev.delivery_id in names:
                receivers[names[ev.delivery_id]] = receivers.get(names[ev.delivery_id], 0) + 1
    return receivers


def _report(store: Store, plan: list[TrafficEntry], settled: bool) -> bool:
    by_sender_id = {m.sender_message_id: m for m in store.find(MessageFilter(limit=1000))}
    unexpected = 0
    click.echo("")
    for i, entry in enumerate(plan, 1):
        m = by_sender_id.get(f"{entry['sender']}-{i:03d}")
        expected = {"delivered": MessageStatus.ACCEPTED, "rejected": MessageStatus.REJECTED,
                    "duplicate": MessageStatus.DUPLICATE}[entry.get("expect", "delivered")]
        status = m.status if m else None
        unexpected += status is not expected
        line = f"{Path(entry['file']).name:<32} {entry['sender']:<20} {status.value if status else 'MISSING':<9}"
        if m and m.status is MessageStatus.ACCEPTED:
            line += "  " + ", ".join(f"{d.receiver} {d.state.value}{' ' + d.agency_status if d.agency_status else ''}"
                                     for d in store.deliveries(m.id))
            if any(e.type == "delivery.released" for e in store.events(m.id)):
                line += "  (held until its order, payment and logistics bill agreed)"
        elif m and m.errors:
            line += f"  {m.errors[0]['code']}"
        elif m and m.duplicate_of:
            line += f"  of {m.duplicate_of}"
        click.echo(line + ("" if status is expected else f"   <-- expected {expected.value}"))
    figures, late = store.stats(), _late(store, by_sender_id.values())
    click.echo(f"\n{'RECEIVER':<18} {'DELIVERED':>9} {'ACCEPTED':>9} {'REJECTED':>9} {'LATE':>5} "
               f"{'MEDIAN s':>9} {'P95 s':>6}")
    for receiver, row in sorted(figures["by_receiver"].items()):
        states, lat = row["states"], figures["latency"].get(receiver, {})
        med, p95 = lat.get("median_s"), lat.get("p95_s")
        click.echo(f"{receiver:<18} {row['deliveries']:>9} {states.get('ACCEPTED', 0):>9} "
                   f"{states.get('REJECTED', 0):>9} {late.get(receiver, 0):>5} "
                   f"{'-' if med is None else f'{med:.2f}':>9} {'-' if p95 is None else f'{p95:.2f}':>6}")
    if not settled:
        click.echo("\nsome deliveries were still waiting when the demo gave up", err=True)
    click.echo("\nlook closer: hub messages list / hub messages show ID / hub stats "
               "(with the demo's HUB_TOPOLOGY_PREFIX and HUB_STORE_URL above)")
    return unexpected == 0 and settled
