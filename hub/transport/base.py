"""Transport-neutral message shapes and the topology's names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..routing import RoutesFile

T = TypeVar("T")


class Headers:
    """The hub's own message headers (AMQP application headers), named once."""

    SENDER = "x-hub-sender"                 # the sender the hub's own user vouches for (retries, replays, send --as)
    ATTEMPTS = "x-hub-attempts"             # trips through the retry queues so far
    REASON = "x-hub-reason"                 # why the last try failed (class: message)
    LANE = "x-hub-lane"                     # "in" (a sender's message) or "acks" (an agency's receipt)
    DEAD_AT = "x-hub-dead-at"               # when it was dead-lettered (ISO 8601)
    REPLAY = "x-hub-replay"                 # who replayed it (admin:<user>)
    MESSAGE_ID = "x-hub-message-id"         # a delivery's hub message id
    RECEIVER = "x-hub-receiver"
    FORMAT = "x-hub-format"                 # the format of the body (a delivery's, a native negative receipt's)
    KIND = "x-hub-kind"
    BUSINESS_KEY = "x-hub-business-key"
    EVENT = "x-hub-event"                   # a status event's name (message.accepted, delivery.accepted ...)


@dataclass(frozen=True)
class Inbound:
    """A message taken from a queue, not yet acknowledged."""

    tag: int
    body: bytes
    sender: str                       # broker-authenticated identity (see inbound_from)
    message_id: str | None = None     # the AMQP message_id the sender set
    redelivered: bool = False
    attempts: int = 0                 # trips through the retry queues so far
    content_type: str | None = None
    replayed: bool = False            # an operator's replay (x-hub-replay, vouched for by the hub's user)
    vouched_by: str = ""              # the hub's user, when it vouched for a new message (`hub send --as`)

    @property
    def seen_before(self) -> bool:
        """Whether the hub may have taken this very message before: a broker redelivery, a retry, a replay."""
        return self.redelivered or self.attempts > 0 or self.replayed


@dataclass(frozen=True)
class Envelope:
    """A message as it lies in a queue, its properties read but not interpreted (dead letters, a
    receiver's feed): what the admin commands and the demo's agencies see of it."""

    tag: int
    body: bytes
    message_id: str | None = None
    content_type: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    redelivered: bool = False


def inbound_from(envelope: Envelope, hub_user: str) -> Inbound:
    """An envelope taken for a worker. The sender is the broker-checked identity (AMQP user_id);
    only the hub's own user may vouch for another sender (retried messages, `hub send --as`),
    through the x-hub-sender header, and only its retries count attempts and its replays are replays."""
    headers, user = envelope.headers, envelope.user_id or ""
    vouched = user == hub_user
    return Inbound(tag=envelope.tag, body=envelope.body,
                   sender=str(headers.get(Headers.SENDER) or "") if vouched else user,
                   message_id=envelope.message_id, redelivered=envelope.redelivered,
                   attempts=int(headers.get(Headers.ATTEMPTS, 0)) if vouched else 0,
                   content_type=envelope.content_type, replayed=vouched and bool(headers.get(Headers.REPLAY)),
                   vouched_by=user if vouched and Headers.SENDER in headers and not (
                       Headers.ATTEMPTS in headers or Headers.REPLAY in headers) else "")


@dataclass(frozen=True)
class Publication:
    """A message to publish with confirms: where, what, and the stable id receivers dedupe on."""

    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    content_type: str = "application/xml"
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Work:
    """What the runner must do for one inbound message: publish, then mark SENT, then ack."""

    inbound: Inbound | None                 # None: the sweeper's events, nothing to acknowledge
    publications: list[Publication] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Topology:
    """Every exchange and queue name, derived from one prefix; nothing else names queues."""

    prefix: str = "hub"

    @property
    def inbound(self) -> str:
        return f"{self.prefix}.in"

    @property
    def outbound(self) -> str:
        return f"{self.prefix}.out"

    @property
    def receipts(self) -> str:
        return f"{self.prefix}.acks"

    @property
    def status(self) -> str:
        return f"{self.prefix}.status"

    @property
    def retry(self) -> str:
        return f"{self.prefix}.retry"

    @property
    def dead(self) -> str:
        return f"{self.prefix}.dead"

    def receiver_queue(self, receiver: str) -> str:
        return f"{self.prefix}.out.{receiver}"

    def sender_queue(self, sender: str) -> str:
        return f"{self.prefix}.status.{sender}"

    @property
    def lanes(self) -> dict[str, str]:
        """Each consumer's lane -> the exchange its retries and dead letters return to: a message
        retried by the router comes back to the router, a receipt to the receipt worker."""
        return {"in": self.inbound, "acks": self.receipts}

    def retry_key(self, step: int, lane: str = "in") -> str:
        """The retry exchange's routing key for a lane's step (the inbound lane keeps its first names)."""
        return str(step) if lane == "in" else f"{lane}.{step}"

    def retry_queue(self, step: int, lane: str = "in") -> str:
        return f"{self.prefix}.retry.{self.retry_key(step, lane)}"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    exchange: str
    key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def topology_plan(topology: Topology, routes: RoutesFile,
                  retry_delays_ms: list[int]) -> tuple[list[tuple[str, str]], list[QueueSpec]]:
    """Every exchange (name, type) and queue the hub uses: the one place that lists them."""
    exchanges = [(topology.inbound, "fanout"), (topology.outbound, "direct"), (topology.receipts, "fanout"),
                 (topology.status, "direct"), (topology.retry, "direct"), (topology.dead, "fanout")]
    queues = [QueueSpec(topology.inbound, topology.inbound), QueueSpec(topology.receipts, topology.receipts),
              QueueSpec(topology.dead, topology.dead)]
    queues += [QueueSpec(topology.receiver_queue(r), topology.outbound, r) for r in routes.receivers]
    queues += [QueueSpec(topology.sender_queue(s), topology.status, s) for s in routes.senders]
    queues += [QueueSpec(topology.retry_queue(step, lane), topology.retry, topology.retry_key(step, lane), {
                   "x-message-ttl": delay, "x-dead-letter-exchange": home,
                   "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"})
               for lane, home in topology.lanes.items() for step, delay in enumerate(retry_delays_ms)]
    return exchanges, queues


class PublishLimit:
    """The largest body a worker publishes: HUB_MAX_OUTPUT_BYTES, lowered when the broker refuses a
    larger one (its max_message_size is below the setting). Shared by a worker's consumer, which
    learns the broker's limit, and its core, which refuses what would not fit."""

    def __init__(self, max_bytes: int) -> None:
        self.bytes = max_bytes

    def fits(self, body: bytes) -> bool:
        return len(body) <= self.bytes

    def lower_to(self, max_bytes: int) -> None:
        self.bytes = min(self.bytes, max_bytes)

    def split(self, items: list[tuple[T, bytes]]) -> tuple[list[tuple[T, bytes]], list[tuple[T, bytes]]]:
        """(what fits, what does not) of (thing, body) pairs."""
        fits = [(thing, body) for thing, body in items if self.fits(body)]
        return fits, [(thing, body) for thing, body in items if not self.fits(body)]
