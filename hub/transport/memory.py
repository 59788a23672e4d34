"""An in-memory transport double: the hub's topology, routed as RabbitMQ routes it, in one process.

Design note: like dramatiq's StubBroker or httpx's MockTransport, this is a stand-in for
tests, not a second runtime. ``MemoryBroker`` builds its exchanges and queues from the same
``topology_plan`` that ``hub topology declare`` declares on RabbitMQ (fanout and direct
exchanges, bindings by routing key, retry queues that dead-letter into their lane's exchange)
and confirms each publication (or nacks the ones ``refuse`` picks). ``MemoryConsumer`` runs a
core's ``handle`` / ``fail`` / ``on_confirmed`` with the very decisions and bookkeeping the
RabbitMQ consumer uses (``batching.Batching``): batches, failure isolation, publish limit,
mark SENT after the confirms, one multiple ack for the finished head. It runs synchronously:
``run()`` consumes until its queue is empty and everything it took is settled.

Time does not pass by itself: ``MemoryBroker.expire()`` does what the retry queues' TTL does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import count
from typing import TYPE_CHECKING

from .base import Envelope, Inbound, Publication, PublishLimit, QueueSpec, Topology, Work, inbound_from, topology_plan
from .batching import Batching, Failer, Handler

if TYPE_CHECKING:
    from ..routing import RoutesFile


@dataclass(frozen=True)
class _Queued:
    envelope: Envelope          # tag 0 while it lies in a queue
    routing_key: str


class MemoryBroker:
    """Exchanges, bindings and queues of one topology, in memory."""

    def __init__(self, topology: Topology, routes: RoutesFile, retry_delays_ms: list[int] | tuple[int, ...] = (),
                 refuse: Callable[[Publication], bool] = lambda pub: False) -> None:
        self.topology, self.refuse = topology, refuse
        exchanges, queues = topology_plan(topology, routes, list(retry_delays_ms))
        self.kinds: dict[str, str] = dict(exchanges)
        self.specs: dict[str, QueueSpec] = {q.name: q for q in queues}
        self.queues: dict[str, deque[_Queued]] = {q.name: deque() for q in queues}
        self.bindings: dict[str, list[QueueSpec]] = {name: [] for name in self.kinds}
        for q in queues:
            self.bindings[q.exchange].append(q)
        self.unroutable: list[Publication] = []
        self.published: list[tuple[Publication, str | None]] = []     # every confirmed publication, in order

    def publish(self, pub: Publication, user_id: str | None = None) -> bool:
        """Route one publication to its queues; True when the broker confirms it, False for a nack
        (``refuse``). One no queue is bound for is confirmed and kept in ``unroutable``."""
        if pub.exchange not in self.kinds:
            raise KeyError(f"no exchange {pub.exchange!r} (NOT_FOUND)")
        if self.refuse(pub):
            return False
        envelope = Envelope(tag=0, body=pub.body, message_id=pub.message_id or None,
                            content_type=pub.content_type or None, headers=dict(pub.headers), user_id=user_id)
        self._route(pub.exchange, pub.routing_key, envelope, pub)
        self.published.append((pub, user_id))
        return True

    def _route(self, exchange: str, routing_key: str, envelope: Envelope, pub: Publication | None = None) -> None:
        fanout = self.kinds[exchange] == "fanout"
        bound = [q for q in self.bindings[exchange] if fanout or q.key == routing_key]
        for q in bound:
            self.queues[q.name].append(_Queued(envelope, routing_key))
        if not bound and pub is not None:
            self.unroutable.append(pub)

    # what tests and agencies do -----------------------------------------------------------------

    def take(self, queue: str) -> Envelope | None:
        """The next message of ``queue``, taken off it (an auto-ack get); None when it is empty."""
        return self.queues[queue].popleft().envelope if self.queues[queue] else None

    def drain(self, queue: str) -> list[Envelope]:
        """Every message of ``queue``, taken off it."""
        got = [q.envelope for q in self.queues[queue]]
        self.queues[queue].clear()
        return got

    def depth(self, queue: str) -> int:
        return len(self.queues[queue])

    def expire(self) -> int:
        """What the retry queues' TTL does when it passes: every message in a queue with a
        dead-letter exchange goes to that exchange (its lane's: back to the router or the receipt
        worker) under its routing key. Returns how many moved."""
        moved = 0
        for name, spec in self.specs.items():
            home = spec.extra.get("x-dead-letter-exchange")
            while home and self.queues[name]:
                queued = self.queues[name].popleft()
                self._route(home, queued.routing_key, queued.envelope)
                moved += 1
        return moved

    # a consumer's channel -------------------------------------------------------------------------

    def _get(self, queue: str) -> _Queued | None:
        return self.queues[queue].popleft() if self.queues[queue] else None

    def _requeue(self, queue: str, queued: _Queued) -> None:
        """A nacked (or never settled) message goes back to the head of its queue, redelivered."""
        self.queues[queue].appendleft(replace(queued, envelope=replace(queued.envelope, redelivered=True)))


class MemoryConsumer(Batching):
    """A core run on a ``MemoryBroker`` queue as ``rabbitmq.BatchConsumer`` runs it on RabbitMQ."""

    def __init__(self, broker: MemoryBroker, queue: str, handle: Handler, fail: Failer,
                 on_confirmed: Callable[[list[Work]], None], hub_user: str = "hub", batch_size: int = 100,
                 batch_ms: int = 10, tick: Callable[[], list[Work]] | None = None,
                 limit: PublishLimit | None = None, name: str = "memory") -> None:
        self.broker, self.queue, self.hub_user = broker, queue, hub_user
        self.batch_size, self._batch_ms = batch_size, batch_ms
        self.handle, self.fail, self.on_confirmed, self.tick = handle, fail, on_confirmed, tick
        self.limit = limit or PublishLimit(self.DEFAULT_LIMIT_BYTES)
        self._name = name
        self._tags = count(1)
        self._held: dict[int, _Queued] = {}         # delivery tag -> the message taken, until acked
        self._outcomes: list[tuple[int, bool]] = []  # (sequence number, nacked) not yet confirmed
        self._timers: list[Callable[[], None]] = []
        self.batches: list[list[Inbound]] = []      # what each batch was, for tests to look at
        self._reset_book()

    @property
    def name(self) -> str:
        return self._name

    @property
    def batch_ms(self) -> int:
        return self._batch_ms

    def run(self, max_batches: int = 10_000) -> int:
        """Consume until the queue is empty and every message taken is settled; returns how many
        messages were taken (a requeued one counts again)."""
        taken = 0
        for _ in range(max_batches):
            batch: list[Inbound] = []
            while len(batch) < self.batch_size and (queued := self.broker._get(self.queue)) is not None:
                tag = next(self._tags)
                self._held[tag] = queued
                inbound = inbound_from(replace(queued.envelope, tag=tag), self.hub_user)
                self._received(inbound)
                batch.append(inbound)
            if not batch:
                break
            taken += len(batch)
            self.batches.append(batch)
            self._publish(self._decide(batch))
            self._settle_all()
        return taken

    def run_tick(self) -> None:
        """One tick (the receipt worker's sweeper), its publications confirmed."""
        if self.tick is not None:
            self._publish(self.tick())
            self._settle_all()

    def close(self) -> None:
        """A consumer going away: what it holds unacknowledged goes back to the queue, redelivered."""
        for tag in sorted(self._held, reverse=True):
            self.broker._requeue(self.queue, self._held.pop(tag))
        self._reset_book()

    @property
    def in_flight(self) -> int:
        return len(self._held)

    def _settle_all(self) -> None:
        """The broker's confirms, then the batch window's timer (mark SENT, ack)."""
        while self._outcomes or self._timers:
            outcomes, self._outcomes = self._outcomes, []
            for seq, nacked in outcomes:
                self._settle(seq, nack=nacked)
            timers, self._timers = self._timers, []
            for fn in timers:
                fn()

    # the channel under Batching ------------------------------------------------------------------

    def _open(self) -> bool:
        return True

    def _send(self, pub: Publication) -> None:
        confirmed = self.broker.publish(pub, user_id=self.hub_user)
        self._outcomes.append((self._seq + 1, not confirmed))   # Batching numbers it after _send

    def _ack_head(self, tag: int) -> None:
        for held in [t for t in self._held if t <= tag]:
            del self._held[held]

    def _requeue(self, tag: int) -> None:
        if (queued := self._held.pop(tag, None)) is not None:
            self.broker._requeue(self.queue, queued)

    def _later(self, seconds: float, fn: Callable[[], None]) -> None:
        self._timers.append(fn)


__all__ = ["MemoryBroker", "MemoryConsumer"]
