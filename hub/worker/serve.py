"""`hub serve`: N router processes, one receipt worker with the deadline sweeper, supervised.

Each child builds its own engine, store and connection. The parent restarts a
child that dies (a crash or a SIGKILL) and, on SIGTERM or SIGINT, asks every
child to finish what it has in flight and waits for them. The parent also keeps
the store (WAL checkpoints) and, before the workers start, publishes again what
was stored but never seen confirmed.

Several nodes may serve one PostgreSQL store (each `hub serve` with its HUB_NODE_ID, on
every log line): they compete for the inbound and receipt queues; a PENDING delivery is
leased to the node that publishes it (``Store.lease_pending``), so no two nodes publish one
at once; the sweeper's periodic work runs on one node at a time, the lead's holder
(``Store.lead``), and another node takes it over on its next tick when that one dies.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, MutableMapping
from datetime import timedelta
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.synchronize import Event as EventType
from types import FrameType
from typing import Any

import structlog

from ..composition import build_engine
from ..logging import configure_logging
from ..routing import Router, load_routes
from ..settings import Settings
from ..signatures import SigningKey, load_signing_key
from ..store import open_store
from ..store.base import Store
from ..store.clock import DatabaseClock
from ..transport.base import PublishLimit, Topology, Work
from ..transport.rabbitmq import (
    BatchConsumer,
    ConsumerConfig,
    declare_topology,
    delete_topology,
    on_channel,
    publish_once,
    user_of,
)
from .failures import Retries
from .holds import Holds
from .ingest import IngestCore
from .outbound import republish
from .receipts import ReceiptCore, Sweeper

log = structlog.get_logger()


def hub_user(settings: Settings) -> str:
    return user_of(settings.amqp_url)


def declare(settings: Settings) -> list[str]:
    """`hub topology declare`: every exchange and queue routes.yaml needs."""
    return _on_topology(settings, declare_topology, settings.retry_delays_ms, settings.queue_expires_ms)


def undeclare(settings: Settings, if_empty: bool = True) -> list[str]:
    """`hub topology delete`: the same exchanges and queues, removed (a test's or a retired prefix's)."""
    return _on_topology(settings, delete_topology, settings.retry_delays_ms, if_empty)


def _on_topology(settings: Settings, action: Callable[..., list[str]], *args: Any) -> list[str]:
    """Run ``action(channel, topology, routes, *args)`` on one short connection."""
    routes = load_routes(settings.routes)
    return on_channel(settings.amqp_url, "hub-topology", action, Topology(settings.topology_prefix), routes, *args)


def _mark_sent(store: Store, source: str = "router") -> Callable[[list[Work]], None]:
    def on_confirmed(works: list[Work]) -> None:
        ids = [i for w in works for i in w.delivery_ids]
        if ids:
            store.mark_sent(ids, source=source)
    return on_confirmed


def republish_pending(settings: Settings, store: Store, topology: Topology) -> int:
    """At start, before any worker runs (so nothing of this node is in flight): publish again every
    delivery stored PENDING but never seen confirmed, under its own message id. Only those no other
    node holds a lease on (the ones it is publishing now), each leased to this node while it does
    (``Store.lease_pending``; a store of one node takes them all). While the hub runs, a router gets
    its own unsettled messages back and republishes them; the sweeper republishes what stays PENDING
    for over a minute (``Sweeper.republish_stale``)."""
    done, registry, limit = 0, None, PublishLimit(settings.max_output_bytes)
    try:
        while pending := store.lease_pending(500):
            registry = registry or build_engine(settings).registry
            # those over the limit (lowered since they were stored) are failed, their senders told
            pubs, sent = republish(store, topology, registry, pending, limit, "serve.start")
            publish_once(settings.amqp_url, pubs, name="hub-republish")
            store.mark_sent(sent, source="serve.start")
            done += len(sent)
    except Exception as exc:  # they stay PENDING: the sweeper takes them up in a minute
        log.warning("delivery.republish_failed", error=type(exc).__name__, reason=str(exc)[:200])
    if done:
        log.info("delivery.republished", count=done, source="serve.start")
    return done


def signing_key(settings: Settings) -> SigningKey | None:
    """The hub's key for signed outputs (HUB_SIGNING_KEY ...), or None; ConfigError when it cannot be loaded."""
    if settings.signing_key is None:
        return None
    password = settings.signing_key_password.get_secret_value() if settings.signing_key_password else None
    return load_signing_key(settings.signing_key, password, settings.signing_cert)


def configure_node_logging(settings: Settings) -> None:
    """The hub's logging (``configure_logging``), each line naming this node (HUB_NODE_ID)."""
    configure_logging(settings.log_level, settings.log_json)
    node = settings.node_id

    def add_node(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("node", node)
        return event
    structlog.configure(processors=[add_node, *structlog.get_config()["processors"]])


def run_router(settings: Settings, index: int) -> None:
    configure_node_logging(settings)
    topology, store = Topology(settings.topology_prefix), open_store(settings.store_url, settings.node_id)
    store.migrate()
    store.leave_upkeep_to_another()     # serve's supervisor checkpoints; a router never stalls on it
    limit = PublishLimit(settings.max_output_bytes)
    core = IngestCore(build_engine(settings), Router(load_routes(settings.routes)), store, topology,
                      settings.party_id, clock=DatabaseClock(store), limit=limit, signer=signing_key(settings),
                      retries=Retries(topology, "in", tuple(settings.retry_delays_ms)))
    config = ConsumerConfig(url=settings.amqp_url, queue=topology.inbound, name=f"hub-router-{index}",
                            hub_user=hub_user(settings), prefetch=settings.prefetch,
                            batch_size=settings.batch_size, batch_ms=settings.batch_ms)
    _run(BatchConsumer(config, core.handle, core.fail, _mark_sent(store), limit=limit))


def run_receipts(settings: Settings) -> None:
    lower_priority(settings.receipts_nice)
    configure_node_logging(settings)
    topology, store = Topology(settings.topology_prefix), open_store(settings.store_url, settings.node_id)
    store.migrate()
    store.leave_upkeep_to_another()
    core, sweeper, limit = receipt_worker(settings, store, topology)
    config = ConsumerConfig(url=settings.amqp_url, queue=topology.receipts, name="hub-receipts",
                            hub_user=hub_user(settings), prefetch=settings.prefetch, batch_size=50,
                            batch_ms=settings.batch_ms, tick_seconds=settings.sweep_seconds)
    _run(BatchConsumer(config, core.handle, core.fail, _mark_sent(store, "sweeper"), tick=lambda: [sweeper.tick()],
                       limit=limit))


def receipt_worker(settings: Settings, store: Store, topology: Topology) -> tuple[ReceiptCore, Sweeper, PublishLimit]:
    """The receipt worker's core and sweeper as settings and routes.yaml describe them, sharing one
    publish limit with the consumer that runs them."""
    engine, limit = build_engine(settings), PublishLimit(settings.max_output_bytes)
    clock = DatabaseClock(store)        # deadlines and holds' timeouts on the clock all nodes share
    core = ReceiptCore(engine, store, topology, receivers=load_routes(settings.routes).receivers,
                       retries=Retries(topology, "acks", tuple(settings.retry_delays_ms)))
    sweeper = Sweeper(store, topology, holds=Holds(store, topology, engine, settings.party_id, clock=clock,
                                                   signer=signing_key(settings)),
                      registry=engine.registry, limit=limit,
                      orphans_kept_for=timedelta(days=settings.orphan_retention_days), orphans_kept=settings.orphan_max,
                      retention=settings.retention_periods(), clock=clock)
    return core, sweeper, limit


def lower_priority(increment: int) -> int:
    """Make this process yield the CPU to the routers: raise its niceness by ``increment`` (any
    process may lower its own priority). Returns the niceness now."""
    return os.nice(increment)


def _run(consumer: BatchConsumer) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        consumer.stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # The engine, schemas and routes built so far live as long as the process: keep them out of the
    # cyclic collector, whose full collections otherwise stop a worker for 25-80 ms mid-flow.
    gc.collect()
    gc.freeze()
    consumer.run()


def run_web(settings: Settings, host: str, port: int) -> None:
    """The status API beside the workers (`hub serve --http`), supervised and restarted like them."""
    configure_node_logging(settings)
    import uvicorn

    from ..web import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def serve(settings: Settings, workers: int, stop_event: EventType | None = None,
          http: tuple[str, int] | None = None) -> None:
    """Start and supervise the worker processes until SIGTERM/SIGINT (or ``stop_event``); ``http``: also
    serve the status API on (host, port)."""
    configure_node_logging(settings)
    Router(load_routes(settings.routes))        # routes.yaml and the senders' certificates, once, before any
    signing_key(settings)                       # worker starts: a bad file is exit 2, not a restart loop
    store = open_store(settings.store_url, settings.node_id)   # kept for the store's upkeep meanwhile
    store.migrate()
    declare(settings)
    republish_pending(settings, store, Topology(settings.topology_prefix))
    ctx = multiprocessing.get_context("spawn")
    specs: dict[str, tuple[Callable[..., None], tuple[Any, ...]]] = {
        f"router-{i}": (run_router, (settings, i)) for i in range(workers)}
    specs["receipts"] = (run_receipts, (settings,))
    if http:
        specs["web"] = (run_web, (settings, *http))
    children = {name: _start(ctx, name, *spec) for name, spec in specs.items()}
    stopping = stop_event or multiprocessing.Event()
    # the handler only notes the signal: Event.set() from a handler that interrupted this thread's own
    # Event.wait() deadlocks (multiprocessing's Condition.notify waits for the sleeper to wake)
    signalled: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: signalled.append(signum))
                for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("hub.serving", workers=workers, node=settings.node_id)
    try:
        while not signalled and not stopping.is_set():
            for name, proc in list(children.items()):
                if not proc.is_alive():
                    log.warning("worker.restarted", worker=name, exitcode=proc.exitcode)
                    children[name] = _start(ctx, name, *specs[name])
            _upkeep(store)
            stopping.wait(0.5)
    finally:
        for proc in children.values():
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the child finishes in-flight work
        for proc in children.values():
            proc.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _upkeep(store)
        store.close()
        log.info("hub.stopped")


def _upkeep(store: Store) -> None:
    try:
        store.upkeep()
    except Exception as exc:  # a busy or full disk: the workers go on; the next round tries again
        log.warning("store.upkeep_failed", error=type(exc).__name__, reason=str(exc)[:200])


def _start(ctx: SpawnContext, name: str, target: Callable[..., None], args: tuple[Any, ...]) -> SpawnProcess:
    proc = ctx.Process(target=target, args=args, name=f"hub-{name}", daemon=False)
    proc.start()
    return proc


__all__ = ["configure_node_logging", "declare", "receipt_worker", "republish_pending", "run_receipts", "run_router",
           "run_web", "serve"]
