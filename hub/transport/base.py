"""Transport-neutral message shapes and the topology's names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Inbound:
    """A message taken from a queue, not yet acknowledged."""

    tag: int
    body: bytes
    sender: str                       # broker-authenticated identity (see rabbitmq.sender_of)
    message_id: str | None = None     # the AMQP message_id the sender set
    redelivered: bool = False
    attempts: int = 0                 # trips through the retry queues so far
    content_type: str | None = None


@dataclass(frozen=True)
class Publication:
    """A message to publish with confirms: where, what, and the stable id receivers dedupe on."""

    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    content_type: str = "application/xml"
    headers: dict = field(default_factory=dict)


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

    def retry_queue(self, step: int) -> str:
        return f"{self.prefix}.retry.{step}"
