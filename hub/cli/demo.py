"""`hub demo`: the whole flow on the local broker, with simulated senders and agencies."""

from __future__ import annotations

import multiprocessing
import secrets
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import click
import yaml

from ..composition import build_engine
from ..demo import Agencies, Login
from ..errors import ConfigError
from ..parties import Accounts, Management, accounts, party_url
from ..routing import load_routes
from ..settings import Settings
from ..store import open_store
from ..store.base import DeliveryState, Message, MessageFilter, MessageStatus, Store
from ..transport.base import Publication, Topology
from ..transport.rabbitmq import BrokerUnavailable, host_of, ping, publish_once
from ..web.figures import reasons
from ..worker.serve import declare, hub_user, serve, undeclare

ANSWERED = {DeliveryState.ACKNOWLEDGED, DeliveryState.ACCEPTED, DeliveryState.REJECTED}
RUN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
"""A run's party names end in -<two of these>: short, as a DXP envelope's ids have at most 16 characters
(CUSTOMS-CN-EC-x7)."""
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
@click.option("--vouched", is_flag=True,
              help="Let the hub's own broker user vouch for every party (x-hub-sender) instead of creating "
                   "their accounts: for a broker without the management API.")
@click.option("--keep", is_flag=True,
              help="Keep the status API and console up on the demo's store at the end, until Ctrl-C; print "
                   "their URL, an admin token and the exports to inspect the store.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="With --keep: the console's port on 127.0.0.1.")
@click.pass_obj
def demo(settings: Settings, traffic: str | None, workers: int, deadline: int, timeout: float,
         vouched: bool, keep: bool, port: int) -> None:
    """Start the hub on the local broker, play the sample traffic as airlines, a forwarder and an
    e-commerce platform with its payment and logistics companies (bad and duplicate messages
    included), answer as the agencies, and summarise per receiver.

    Each party connects as itself: the demo creates its parties' broker accounts (`hub parties
    apply` for the demo's own routes, through the management API; passwords generated, kept in
    memory, never shown) under names unique to the run (AIRLINE-CA-x7: broker users are
    broker-wide), and deletes them at its end.

    \b
    Example:
      hub demo                      # RabbitMQ on 127.0.0.1:5672, guest/guest, rabbitmq_management
      HUB_AMQP_URL=amqp://hub:secret@broker/eport hub demo --workers 4
    """
    traffic = traffic or str(settings.examples_dir / "traffic.yaml")
    run = time.strftime("%Y%m%d-%H%M%S")
    work = Path("var") / "demo" / run
    work.mkdir(parents=True, exist_ok=True)
    if not vouched and (why := _no_management(settings)) is not None:
        click.echo(f"note: {why}; the parties are vouched for by the hub's user this time (as `hub demo "
                   "--vouched`). Enable rabbitmq_management for per-party accounts.", err=True)
        vouched = True
    suffix = "" if vouched else "-" + "".join(secrets.choice(RUN_CHARS) for _ in range(2))
    routes, names = demo_routes(settings.routes, work / "routes.yaml", f"{deadline}s", suffix)
    cfg = settings.model_copy(update={
        "topology_prefix": f"demo-{run}", "store_url": f"sqlite:///{work / 'store.sqlite3'}",
        "queue_expires_ms": 600_000, "sweep_seconds": 1.0, "retry_delays_ms": [500, 2000], "routes": routes})
    _check_broker(cfg.amqp_url)
    logins, created = _logins(cfg, names, vouched)
    try:
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
            receivers = load_routes(cfg.routes).receivers
            agencies = {name: login for name, login in logins.items() if login.party in receivers}
            with Agencies(engine, topology, agencies, late_by=deadline + 3):
                _play(logins, topology, Path(traffic).parent, plan)
                settled = _wait(store, len(plan), timeout)
        finally:
            hub.terminate()
            hub.join(timeout=30)
            _remove_topology(cfg)
    finally:
        if created is not None:
            _revoke(cfg, created)
    ok = _report(store, plan, settled, names)
    click.echo("\n" + (f"{len(logins)} parties connected as themselves (their own broker accounts, user_id "
                       "checked by RabbitMQ, no vouching header); their accounts are deleted"
                       if created is not None else
                       f"{len(logins)} parties vouched for by the hub's user {hub_user(cfg)} (--vouched)"))
    if keep:
        _keep(cfg, work, port)
    sys.exit(0 if ok else 1)


def _keep(cfg: Settings, work: Path, port: int) -> None:
    """The status API and console on the demo's store until Ctrl-C (the hub's workers have stopped: what
    is shown is what the demo left), with an admin token made for it and the exports to inspect it."""
    import uvicorn

    from ..web import create_app
    from ..web.tokens import TokenBook

    tokens_file = (work / "tokens.json").resolve()
    kept = cfg.model_copy(update={"tokens_file": tokens_file})
    _, token = TokenBook(tokens_file).create("demo-admin", admin=True)
    store_url = f"sqlite:///{(work / 'store.sqlite3').resolve()}"
    click.echo(f"\nconsole: http://127.0.0.1:{port}/  (log in with the admin token {token})\n"
               f"API: http://127.0.0.1:{port}/api/v1/messages  (Authorization: Bearer <token>)\n"
               f"inspect the store from a shell:\n"
               f"  export HUB_STORE_URL={store_url} HUB_TOPOLOGY_PREFIX={cfg.topology_prefix} "
               f"HUB_ROUTES={Path(cfg.routes).resolve()} HUB_TOKENS_FILE={tokens_file}\n"
               f"  hub messages list; hub stats\n"
               "Ctrl-C stops the console.")
    uvicorn.run(create_app(kept.model_copy(update={"store_url": store_url})), host="127.0.0.1", port=port,
                log_level="warning")


def _no_management(settings: Settings) -> str | None:
    """Why the management API cannot make the demo's accounts (not there: MANAGEMENT_UNREACHABLE), or
    None. Any other refusal (a wrong user, no administrator tag) is left to stop the demo with its
    reason: the operator asked for accounts and must fix that, whereas a broker without the plugin
    (a fresh install) still runs the README's first command."""
    api = Management.for_settings(settings, timeout=3.0)
    try:
        api.users()
    except ConfigError as exc:
        return f"no RabbitMQ management API at {api.base}" if exc.code == "MANAGEMENT_UNREACHABLE" else None
    return None


def _logins(cfg: Settings, names: dict[str, str], vouched: bool) -> tuple[dict[str, Login], Accounts | None]:
    """Each party's login, keyed by its routes.yaml name; with their accounts created (returned, for
    their deletion at the end) unless ``vouched``. A broker without the management API stops the demo
    before anything is declared, with how to enable it or run --vouched."""
    if vouched:
        user = hub_user(cfg)
        return {name: Login(cfg.amqp_url, party, user) for name, party in names.items()}, None
    try:
        made = accounts(cfg)
        passwords = {c.user: c.password for c in made.apply() if c.password}
    except ConfigError as exc:
        raise ConfigError(f"{exc.message}; the demo connects every party as its own broker account, created "
                          "through the management API (or run `hub demo --vouched`)", code=exc.code) from exc
    return {name: Login(",".join(party_url(node, party, passwords[party]) for node in cfg.amqp_nodes), party, party)
            for name, party in names.items()}, made


def _revoke(cfg: Settings, made: Accounts) -> None:
    """Delete the demo's party accounts (every user tagged for its prefix, as the broker has them now);
    a failure says which users are left."""
    try:
        accounts(cfg).revoke_all()
    except ConfigError as exc:
        click.echo(f"demo accounts left on the broker ({exc.message}): delete the users tagged {made.tag}",
                   err=True)


def _remove_topology(cfg: Settings) -> None:
    """The demo's queues go with it (the store stays for `hub messages list`); they also expire."""
    try:
        undeclare(cfg, if_empty=False)
    except Exception as exc:  # noqa: BLE001 - a broker gone by now: x-expires removes them later
        click.echo(f"demo queues left to expire: {exc}", err=True)


def demo_routes(routes: Path, target: Path, deadline: str, suffix: str) -> tuple[Path, dict[str, str]]:
    """The demo's routes.yaml: every receipt deadline short, every party renamed ``<name><suffix>`` (its
    broker user, unique to the run: users are broker-wide, and a deployment or another demo may have
    AIRLINE-CA). Returns it and the parties' names: routes.yaml's -> the run's."""
    data = yaml.safe_load(Path(routes).read_text(encoding="utf-8"))
    names = {name: name + suffix for name in {*data["senders"], *data["receivers"]}}
    for receiver in data["receivers"].values():
        receiver["receipt_deadline"] = deadline
    data["senders"] = {names[k]: v for k, v in data["senders"].items()}
    data["receivers"] = {names[k]: v for k, v in data["receivers"].items()}
    for route in data["routes"]:
        match = route.get("match") or {}
        if "senders" in match:      # a glob (AIRLINE-*) still matches the renamed parties
            match["senders"] = [names.get(s, s) for s in match["senders"]]
        for step in route.get("deliver") or []:
            step["receiver"] = names.get(step["receiver"], step["receiver"])
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target, names


def _check_broker(url: str) -> None:
    try:
        ping(url)
    except BrokerUnavailable as exc:
        raise ConfigError(f"no broker at {host_of(url)}: {START_RABBITMQ}",
                          code="BROKER_UNAVAILABLE") from exc


def _play(logins: dict[str, Login], topology: Topology, base: Path, plan: list[TrafficEntry]) -> None:
    """Each sender hands in its messages on its own connection, in the plan's order (the held
    inventory before its order, a duplicate after its original)."""
    runs: list[tuple[Login, list[Publication]]] = []
    for i, entry in enumerate(plan, 1):
        login = logins[entry["sender"]]
        pub = Publication(exchange=topology.inbound, routing_key="", body=(base / entry["file"]).read_bytes(),
                          message_id=f"{entry['sender']}-{i:03d}", headers=login.headers)
        if runs and runs[-1][0] == login:
            runs[-1][1].append(pub)
        else:
            runs.append((login, [pub]))
    for login, pubs in runs:
        publish_once(login.url, pubs, name=f"demo-{login.party}", user_id=login.user, per_second=20)
    click.echo(f"{len(plan)} messages handed in by {len({e['sender'] for e in plan})} senders")


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


def _reason(problems: list[dict[str, Any]]) -> str:
    """The agency's reason for a rejection, as it gave it (its code and text), for the summary line."""
    if not problems:
        return ""
    first = problems[0]
    text = " ".join(str(part) for part in (first.get("code"), first.get("message")) if part)
    return f' ("{text}")'


def _report(store: Store, plan: list[TrafficEntry], settled: bool, names: dict[str, str]) -> bool:
    shown = {party: name for name, party in names.items()}    # the run's party names as routes.yaml has them
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
            deliveries = store.deliveries(m.id)
            why = reasons(store, [d.id for d in deliveries if d.state is DeliveryState.REJECTED])
            line += "  " + ", ".join(f"{shown.get(d.receiver, d.receiver)} {d.state.value}"
                                     f"{' ' + d.agency_status if d.agency_status else ''}"
                                     f"{_reason(why.get(d.id, []))}"
                                     for d in deliveries)
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
        click.echo(f"{shown.get(receiver, receiver):<18} {row['deliveries']:>9} {states.get('ACCEPTED', 0):>9} "
                   f"{states.get('REJECTED', 0):>9} {late.get(receiver, 0):>5} "
                   f"{'-' if med is None else f'{med:.2f}':>9} {'-' if p95 is None else f'{p95:.2f}':>6}")
    if not settled:
        click.echo("\nsome deliveries were still waiting when the demo gave up", err=True)
    click.echo("\nlook closer: hub messages list / hub messages show ID / hub stats "
               "(with the demo's HUB_TOPOLOGY_PREFIX and HUB_STORE_URL above)")
    return unexpected == 0 and settled
