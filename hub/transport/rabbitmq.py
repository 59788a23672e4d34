"""RabbitMQ with pika: topology, sender identity, and the batching consumer with confirms.

Design note: one SelectConnection per worker process, one channel in confirm
mode. Inbound messages are gathered into batches (``batch_size`` or
``batch_ms``, whichever first) and handed to a core (router or receipts),
which stores the batch and returns what to publish. Every publication is
tracked by its confirm sequence number; when all of an inbound message's
publications are confirmed its deliveries are marked SENT and only then is it
acknowledged. Confirms arriving within one batch window (``batch_ms``) are
finished together (one mark-SENT transaction) and acknowledged with one multiple
ack that covers only the head of messages all finished, in delivery order. A
nack or a lost connection leaves a message unacknowledged, so the broker delivers
it again; the core recognises it and republishes what is still PENDING.
Connection loss is retried with tenacity at this boundary only. HUB_AMQP_URL may list the nodes of a
cluster (comma-separated): every short connection tries them in turn, and a worker that loses its
node reconnects to the next one (its quorum queues live on every node). Those decisions
and that bookkeeping are ``batching.Batching``'s (the in-memory double in
``memory`` runs on them too); ``BatchConsumer`` is the pika channel under them.

A batch whose handling raises is not failed as a whole unless the fault is the
store's or the broker's (``disposition_of``): its messages are handled again one by
one, and only one that still raises goes to the core's ``fail`` (retries, then dead
letters). No publication larger than the broker takes is sent: the broker's
max_message_size, once it refuses a larger one, lowers the worker's ``PublishLimit``.
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, TypeVarTuple
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pika
import structlog
from pika.exceptions import AMQPConnectionError, AMQPError
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from ..errors import ConfigError
from ..routing import RoutesFile
from ..settings import amqp_urls
from .base import Envelope, Inbound, Publication, PublishLimit, QueueSpec, Topology, Work, inbound_from, topology_plan
from .batching import Batching, Failer, Handler

log = structlog.get_logger()

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_BROKER_MAX = re.compile(r"max(?:imum)? size (\d+)")
"""RabbitMQ's refusal of a publication over max_message_size names the limit (406 PRECONDITION_FAILED)."""


TransportError = AMQPError
"""Any fault of the broker or the connection to it, for callers that do not import pika."""

BrokerUnavailable = AMQPConnectionError
"""No connection to the broker could be opened (or it was lost)."""


_PATIENT = {"stack_timeout": 45, "connection_attempts": 3, "retry_delay": 2}
"""Defaults for a busy broker (a node creating hundreds of quorum queues answers a handshake late);
a URL's own query (``?connection_attempts=5``) wins."""


TLS_FILES = ("ca_file", "cert_file", "key_file")
"""The hub's own URL query keys of an amqps:// URL (HUB_AMQP_CA_FILE, _CERT_FILE, _KEY_FILE fold into them):
the CA that signed the broker's certificate, and the client certificate and key that log in with EXTERNAL."""


def _split_tls(url: str) -> tuple[str, dict[str, str]]:
    """(the URL without the hub's TLS keys, those keys): pika refuses query keys it does not know."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    tls = {key: query.pop(key)[-1] for key in TLS_FILES if key in query}
    netloc = parts.netloc
    if parts.username is not None and parts.password is None:   # amqps://CN@host (EXTERNAL): pika needs a ':'
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user}:@{host}"
    if not tls and netloc == parts.netloc:
        return url, tls
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, doseq=True))), tls


def _url_parameters(url: str) -> pika.URLParameters:
    """pika's parameters of a hub URL: TLS (amqps://) with the hub's CA and client certificate; a client
    certificate logs in with EXTERNAL (RabbitMQ's rabbitmq_auth_mechanism_ssl: the user is the
    certificate's CN), so the URL's user names the hub's user and its password is not sent."""
    plain, tls = _split_tls(url)
    params = pika.URLParameters(plain)
    if urlsplit(url).scheme != "amqps":
        if tls:
            raise ConfigError(f"HUB_AMQP_URL: TLS files ({', '.join(sorted(tls))}) given with a plain amqp:// "
                              "URL; use amqps://")
        return params
    try:
        context = ssl.create_default_context(cafile=tls.get("ca_file") or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"HUB_AMQP_CA_FILE: cannot load the CA certificates {tls.get('ca_file')}: {exc}") from exc
    try:
        if tls.get("cert_file"):
            context.load_cert_chain(tls["cert_file"], tls.get("key_file") or None)
            params.credentials = pika.credentials.ExternalCredentials()
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"HUB_AMQP_CERT_FILE / HUB_AMQP_KEY_FILE: cannot load the client certificate "
                          f"{tls.get('cert_file')}: {exc}") from exc
    params.ssl_options = pika.SSLOptions(context, server_hostname=params.host)
    return params


def parameters(url: str, name: str, **defaults: float) -> pika.URLParameters:
    """One node's parameters (the first node's, when ``url`` lists a cluster's: ``connect`` tries them
    all); ``defaults`` override ``_PATIENT``'s, and the URL's own query overrides both."""
    params = _url_parameters(amqp_urls(url)[0])
    named = parse_qs(urlsplit(amqp_urls(url)[0]).query)
    for key, value in {**_PATIENT, **defaults}.items():
        if key not in named:
            setattr(params, key, value)
    params.client_properties = {"connection_name": name}
    params.heartbeat = 30
    params.blocked_connection_timeout = 60
    return params


def node_parameters(url: str, name: str) -> list[pika.URLParameters]:
    """Every node's parameters, in HUB_AMQP_URL's order. With several nodes pika tries each in turn
    and starts over (connection_attempts times, retry_delay apart): a node that is down costs one
    refused connection, not three attempts before the next node is tried."""
    return [parameters(node, name) for node in amqp_urls(url)]


def connect(url: str, name: str) -> pika.BlockingConnection:
    """A blocking connection to the first node of ``url`` that answers (a single URL: as always)."""
    nodes = node_parameters(url, name)
    return pika.BlockingConnection(nodes[0] if len(nodes) == 1 else nodes)


def queue_arguments(expires_ms: int | None = None, **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"x-queue-type": "quorum", **extra}
    if expires_ms:
        args["x-expires"] = expires_ms
    return args


def declare_topology(channel: pika.channel.Channel, topology: Topology, routes: RoutesFile, retry_delays_ms: list[int],
                     expires_ms: int | None = None) -> list[str]:
    """Create every exchange and queue idempotently (durable, quorum); returns the queue names."""
    exchanges, queues = topology_plan(topology, routes, retry_delays_ms)
    for name, kind in exchanges:
        channel.exchange_declare(name, exchange_type=kind, durable=True)
    for q in queues:
        channel.queue_declare(q.name, durable=True, arguments=queue_arguments(expires_ms, **q.extra))
        channel.queue_bind(q.name, q.exchange, routing_key=q.key)
    return [q.name for q in queues]


def delete_topology(channel: pika.channel.Channel, topology: Topology, routes: RoutesFile, retry_delays_ms: list[int],
                    if_empty: bool = True) -> list[str]:
    """Delete every queue and exchange of the plan (missing ones are skipped); returns the deleted
    queue names. With ``if_empty`` nothing is deleted while any queue still holds messages."""
    exchanges, queues = topology_plan(topology, routes, retry_delays_ms)
    present: dict[str, int] = {}
    for q in queues:
        try:
            present[q.name] = channel.queue_declare(q.name, passive=True).method.message_count
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code != 404:
                raise
            channel = channel.connection.channel()
    holding = {name: count for name, count in present.items() if count}
    if if_empty and holding:
        listed = ", ".join(f"{name} ({count})" for name, count in holding.items())
        raise ConfigError(f"queues still hold messages: {listed}; nothing deleted (--force deletes them)",
                          code="TOPOLOGY_NOT_EMPTY")
    for name in present:
        channel.queue_delete(name)
    for name, _ in exchanges:
        channel.exchange_delete(name)
    return list(present)


def inbound_of(method: pika.spec.Basic.Deliver, props: pika.BasicProperties, body: bytes, hub_user: str) -> Inbound:
    return inbound_from(envelope_of(method, props, body), hub_user)


def properties(pub: Publication, user_id: str | None = None) -> pika.BasicProperties:
    """Persistent, with the stable message id; ``user_id`` (checked by the broker) when vouching."""
    return pika.BasicProperties(delivery_mode=2, message_id=pub.message_id or None,
                                content_type=pub.content_type or None, headers=pub.headers or None, user_id=user_id)


@dataclass
class ConsumerConfig:
    url: str
    queue: str
    name: str
    hub_user: str
    prefetch: int = 300
    batch_size: int = 100
    batch_ms: int = 10
    tick_seconds: float | None = None
    reconnect_for_s: float = 300.0
    extra: dict[str, Any] = field(default_factory=dict)


class BatchConsumer(Batching):
    """Consume a queue in batches; publish each batch's results with confirms; ack after confirms
    (the decisions and bookkeeping are ``Batching``'s; this is the pika channel under them)."""

    def __init__(self, config: ConsumerConfig, handle: Handler, fail: Failer,
                 on_confirmed: Callable[[list[Work]], None], tick: Callable[[], list[Work]] | None = None,
                 limit: PublishLimit | None = None) -> None:
        self.config, self.handle, self.fail, self.on_confirmed, self.tick = config, handle, fail, on_confirmed, tick
        self.limit = limit or PublishLimit(self.DEFAULT_LIMIT_BYTES)
        self._stopping = threading.Event()
        self._nodes = amqp_urls(config.url)
        self._node = 0                          # the node of the current or next connection
        self._connection: pika.SelectConnection | None = None
        self._error: BaseException | None = None
        self._reset()

    def _reset(self) -> None:
        self._channel: pika.channel.Channel | None = None
        self._batch: list[Inbound] = []
        self._timer: object | None = None     # the ioloop's handle of the batch window's timeout
        self._reset_book()
        self._consumer_tag: str | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def batch_ms(self) -> int:
        return self.config.batch_ms

    # lifecycle ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Run until stop(); reconnect with backoff when the broker goes away."""
        retrying = Retrying(retry=retry_if_exception_type((AMQPError, ConnectionError, OSError)),
                            wait=wait_exponential(multiplier=0.2, max=5),
                            stop=stop_after_delay(self.config.reconnect_for_s), reraise=True)
        while not self._stopping.is_set():
            for attempt in retrying:
                with attempt:
                    if not self._stopping.is_set():  # stop() during the backoff: no new connection
                        self._run_once()
            if not self._stopping.is_set():
                log.warning("broker.reconnecting", worker=self.config.name)

    def _run_once(self) -> None:
        """One connection, to the current node, until it closes. A connection that fails or is lost
        moves the worker to the next node of a cluster's list for the next attempt, which comes at
        once: one attempt per node (``connection_attempts=1``, unless the URL says otherwise), so a
        dead node is left after one refused connection."""
        self._reset()
        node = self._nodes[self._node]
        params = parameters(node, self.config.name, **({"connection_attempts": 1} if len(self._nodes) > 1 else {}))
        self._connection = pika.SelectConnection(params, on_open_callback=self._on_open,
                                                 on_open_error_callback=self._on_open_error,
                                                 on_close_callback=self._on_closed)
        self._error = None
        self._connection.ioloop.start()
        if self._error is not None and not self._stopping.is_set():
            if len(self._nodes) > 1:
                self._node = (self._node + 1) % len(self._nodes)
                log.warning("broker.failover", worker=self.config.name, failed=host_of(node),
                            next=host_of(self._nodes[self._node]))
            raise self._error

    def stop(self) -> None:
        """Thread- and signal-safe: finish in-flight work, then close."""
        self._stopping.set()
        conn = self._connection
        if conn is not None:
            conn.ioloop.add_callback_threadsafe(self._begin_stop)

    def _begin_stop(self) -> None:
        if self._channel is not None and self._channel.is_open and self._consumer_tag:
            self._channel.basic_cancel(self._consumer_tag)
            self._consumer_tag = None
        self._flush()
        self._close_when_idle()

    def _conn(self) -> pika.SelectConnection:
        """The connection of the current run: the callbacks below run on its ioloop, so there is one."""
        if self._connection is None:
            raise RuntimeError(f"{self.config.name}: no connection (a callback ran outside run())")
        return self._connection

    def _chan(self) -> pika.channel.Channel:
        """The open channel: the batching decisions send, ack and requeue only after ``_open()``."""
        if self._channel is None:
            raise RuntimeError(f"{self.config.name}: no channel")
        return self._channel

    def _close_when_idle(self) -> None:
        conn = self._conn()
        if (self._pending or self._confirmed) and conn.is_open:
            conn.ioloop.call_later(0.05, self._close_when_idle)
            return
        if conn.is_open:
            conn.close()

    def _on_open(self, connection: pika.SelectConnection) -> None:
        if self._stopping.is_set():  # stop() came while connecting: _begin_stop found nothing open to close
            connection.close()
            return
        connection.channel(on_open_callback=self._on_channel)

    def _on_open_error(self, connection: pika.SelectConnection, error: BaseException | str) -> None:
        self._error = AMQPConnectionError(str(error))
        connection.ioloop.stop()

    def _on_closed(self, connection: pika.SelectConnection, reason: BaseException) -> None:
        if self._timer is not None:
            connection.ioloop.remove_timeout(self._timer)
            self._timer = None
        self._batch = []  # unacknowledged: the broker delivers them again
        if not self._stopping.is_set():
            log.warning("broker.disconnected", worker=self.config.name, reason=str(reason))
            self._error = AMQPConnectionError(str(reason))
        connection.ioloop.stop()

    def _on_channel(self, channel: pika.channel.Channel) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.confirm_delivery(self._on_confirm)
        channel.basic_qos(prefetch_count=self.config.prefetch)
        self._consumer_tag = channel.basic_consume(self.config.queue, self._on_message)
        if self.tick is not None and self.config.tick_seconds:
            self._conn().ioloop.call_later(0, self._on_tick)    # at once: what fell due while it was down
        log.info("worker.started", worker=self.config.name, queue=self.config.queue,
                 node=host_of(self._nodes[self._node]))

    def _on_channel_closed(self, channel: pika.channel.Channel, reason: BaseException) -> None:
        """A channel the broker closed takes the connection down (what was in flight is redelivered).
        A refusal for size teaches this worker the broker's limit, so the redelivered message's
        publication is refused here, not sent again."""
        text = str(getattr(reason, "reply_text", reason))
        if getattr(reason, "reply_code", None) == 406 and (found := _BROKER_MAX.search(text)):
            self.limit.lower_to(int(found.group(1)))
            log.error("broker.refused_size", worker=self.config.name, broker_max=int(found.group(1)),
                      advice="set HUB_MAX_OUTPUT_BYTES below the broker's max_message_size")
        conn = self._conn()
        if conn.is_open:
            conn.close()

    # consuming ---------------------------------------------------------------------------------

    def _on_message(self, channel: pika.channel.Channel, method: pika.spec.Basic.Deliver,
                    props: pika.BasicProperties, body: bytes) -> None:
        inbound = inbound_of(method, props, body, self.config.hub_user)
        self._batch.append(inbound)
        self._received(inbound)
        if len(self._batch) >= self.config.batch_size:
            self._flush()
        elif self._timer is None:
            self._timer = self._conn().ioloop.call_later(self.config.batch_ms / 1000, self._flush)

    def _flush(self) -> None:
        if self._timer is not None:
            self._conn().ioloop.remove_timeout(self._timer)
            self._timer = None
        batch, self._batch = self._batch, []
        if not batch or not self._open():
            return  # a closed channel: the broker delivers these again after the reconnect
        self._publish(self._decide(batch))

    def _on_tick(self) -> None:
        if self.tick is None:  # scheduled only when there is one (_on_channel)
            return
        try:
            self._publish(self.tick())
        except Exception:
            log.exception("tick.failed", worker=self.config.name)
        if not self._stopping.is_set():
            self._conn().ioloop.call_later(self.config.tick_seconds, self._on_tick)

    # publishing with confirms ------------------------------------------------------------------

    def _open(self) -> bool:
        return self._channel is not None and self._channel.is_open

    def _send(self, pub: Publication) -> None:
        self._chan().basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, self.config.hub_user))

    def _ack_head(self, tag: int) -> None:
        self._chan().basic_ack(tag, multiple=True)

    def _requeue(self, tag: int) -> None:
        self._chan().basic_nack(tag, requeue=True)

    def _later(self, seconds: float, fn: Callable[[], None]) -> None:
        self._conn().ioloop.call_later(seconds, fn)

    def _on_confirm(self, frame: pika.frame.Method) -> None:
        method = frame.method
        self._settle(method.delivery_tag, multiple=bool(method.multiple),
                     nack=isinstance(method, pika.spec.Basic.Nack))


def publish_once(url: str, pubs: list[Publication], name: str = "hub-cli", user_id: str | None = None,
                 per_second: float | None = None, progress: Callable[[int], None] | None = None) -> None:
    """Publish with confirms from the CLI (send, replay, demo), one by one; optionally rate-limited."""
    connection = connect(url, name)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for pub in pubs:
            started = time.monotonic()
            channel.basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, user_id), mandatory=True)
            if progress:
                progress(1)
            if per_second:
                time.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))
    finally:
        connection.close()


# short blocking connections for the CLI, the demo and `hub serve`'s start -------------------------

def user_of(url: str) -> str:
    """The broker user a URL connects as: the hub's own user when it is the hub's URL (a cluster's
    nodes share their users: the first node's URL names it)."""
    plain, tls = _split_tls(amqp_urls(url)[0])
    if tls.get("cert_file") and not urlsplit(plain).username:
        raise ConfigError("HUB_AMQP_URL: with a client certificate (EXTERNAL login) name the hub's broker "
                          "user, its certificate's CN, in the URL: amqps://CN@HOST:5671/VHOST")
    username: str = pika.URLParameters(plain).credentials.username
    return username


def host_of(url: str) -> str:
    """A URL's host; a cluster's list: each node's HOST:PORT, comma-separated."""
    nodes = [pika.URLParameters(_split_tls(node)[0]) for node in amqp_urls(url)]
    if len(nodes) == 1:
        host: str = nodes[0].host
        return host
    return ",".join(f"{params.host}:{params.port}" for params in nodes)


def ping(url: str) -> None:
    """Open and close one connection (to any node of a cluster's list); ``BrokerUnavailable`` when no
    broker answers at ``url``."""
    nodes = [_url_parameters(node) for node in amqp_urls(url)]
    pika.BlockingConnection(nodes[0] if len(nodes) == 1 else nodes).close()


def envelope_of(method: pika.spec.Basic.Deliver | pika.spec.Basic.GetOk, props: pika.BasicProperties,
                body: bytes) -> Envelope:
    return Envelope(tag=method.delivery_tag, body=body, message_id=props.message_id,
                    content_type=props.content_type, headers=dict(props.headers or {}), user_id=props.user_id,
                    redelivered=bool(getattr(method, "redelivered", False)))


def on_channel(url: str, name: str, action: Callable[[pika.channel.Channel, *Ts], T], *args: *Ts) -> T:
    """``action(channel, *args)`` on one short connection (declaring or deleting the topology)."""
    connection = connect(url, name)
    try:
        return action(connection.channel(), *args)
    finally:
        connection.close()


class Client:
    """One short blocking connection with one channel in confirm mode: take messages off queues
    (``get``) and publish (``publish``). The demo's agencies use it."""

    def __init__(self, url: str, name: str) -> None:
        self._connection = connect(url, name)
        self._channel = self._connection.channel()
        self._channel.confirm_delivery()

    def get(self, queue: str) -> Envelope | None:
        """The next message of ``queue``, acknowledged as it is taken; None when it is empty."""
        method, props, body = self._channel.basic_get(queue, auto_ack=True)
        return None if method is None else envelope_of(method, props, body)

    def publish(self, pub: Publication, user_id: str | None = None) -> None:
        self._channel.basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, user_id))

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _get_unacked(channel: pika.channel.Channel, queue: str, limit: int) -> list[Envelope]:
    got: list[Envelope] = []
    while len(got) < limit:
        method, props, body = channel.basic_get(queue, auto_ack=False)
        if method is None:
            break
        got.append(envelope_of(method, props, body))
    return got


def peek(url: str, queue: str, limit: int, name: str = "hub-dead-letters") -> list[Envelope]:
    """Up to ``limit`` messages of ``queue``, left in it (taken unacknowledged, returned on close)."""
    connection = connect(url, name)
    try:
        return _get_unacked(connection.channel(), queue, limit)
    finally:
        connection.close()  # unacknowledged: every one goes back to the queue


def move(url: str, queue: str, limit: int, to: Callable[[Envelope], Publication | None],
         user_id: str | None = None, name: str = "hub-dead-letters") -> int:
    """Take up to ``limit`` messages of ``queue``; each one ``to`` gives a publication for is
    published with confirms (as ``user_id``) and only then removed from ``queue``; one it gives
    None for stays. Returns how many moved."""
    connection = connect(url, name)
    moved = 0
    try:
        channel = connection.channel()
        got = _get_unacked(channel, queue, limit)
        publisher = connection.channel()
        publisher.confirm_delivery()
        for envelope in got:
            pub = to(envelope)
            if pub is None:
                continue
            publisher.basic_publish(pub.exchange, pub.routing_key, pub.body, properties(pub, user_id),
                                    mandatory=True)
            channel.basic_ack(envelope.tag)
            moved += 1
    finally:
        connection.close()
    return moved


__all__ = ["AMQPError", "BatchConsumer", "BrokerUnavailable", "Client", "ConsumerConfig", "QueueSpec", "TransportError",
           "connect", "declare_topology", "delete_topology", "envelope_of", "host_of", "inbound_of", "move",
           "node_parameters", "on_channel", "parameters", "peek", "ping", "publish_once", "topology_plan", "user_of"]
