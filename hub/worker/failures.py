"""When the hub cannot finish a message: its own lane of retry queues, then dead letters.

Design note: ``hub.errors.disposition_of`` decides what an exception means. A fault
outside the message (RETRY: the store locked or away, a lost connection) sends its
whole batch to the next retry queue. Anything else unexpected (BUG) fails only the
message that raised it: its core stores the outcome, tells the sender, and sends it
alone through the retry queues and, after the last, to dead letters. Each consumer has
its own lane: the retry queues of the router dead-letter back into the inbound
exchange, those of the receipt worker into the receipts exchange, so a receipt is
retried as a receipt and dead-lettered as one (``x-hub-lane`` says which, for
``hub dead-letters replay``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..pipeline import DEFAULT_MAX_OUTPUT_BYTES
from ..settings import Settings
from ..transport.base import Headers, Inbound, Publication, Topology

DEFAULT_DELAYS_MS: tuple[int, ...] = tuple(Settings.model_fields["retry_delays_ms"].default)

HEAD_BYTES = 4096
"""How much of an input refused as too large is kept for the record (with its size and hash)."""


def reason(exc: BaseException, limit: int = 500) -> str:
    """``Class: message``, cut short: for the store and the dead-letter headers, never for logs."""
    return f"{type(exc).__name__}: {exc}"[:limit]


@dataclass(frozen=True)
class Retries:
    """One consumer's retry path: ``lane`` is "in" (the router) or "acks" (the receipt worker)."""

    topology: Topology
    lane: str = "in"
    delays_ms: tuple[int, ...] = DEFAULT_DELAYS_MS

    def exhausted(self, inbound: Inbound) -> bool:
        """True when this failure is the message's last: it goes to dead letters."""
        return inbound.attempts >= len(self.delays_ms)

    def next(self, inbound: Inbound, exc: BaseException) -> Publication:
        """The message, unchanged, to its lane's next retry queue or, after the last, to dead letters."""
        headers = {Headers.SENDER: inbound.sender, Headers.ATTEMPTS: inbound.attempts + 1,
                   Headers.REASON: reason(exc), Headers.LANE: self.lane}
        exchange, key = self.topology.retry, self.topology.retry_key(inbound.attempts, self.lane)
        if self.exhausted(inbound):
            exchange, key = self.topology.dead, ""
            headers[Headers.DEAD_AT] = datetime.now(UTC).isoformat()
        return Publication(exchange=exchange, routing_key=key, body=inbound.body,
                           message_id=inbound.message_id or "", content_type=inbound.content_type or "",
                           headers=headers)


__all__ = ["DEFAULT_MAX_OUTPUT_BYTES", "HEAD_BYTES", "Retries", "reason"]
