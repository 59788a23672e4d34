"""What a batching consumer decides and keeps track of, whatever carries the messages.

Design note: a consumer takes inbound messages in batches, hands each batch to a core
(``handle``), publishes what the core returns with confirms, marks the deliveries of a
message SENT once all its publications are confirmed (``on_confirmed``) and only then
acknowledges it: with one multiple ack covering the head of messages all finished, in
delivery order. A batch that raises is isolated (``disposition_of``): a store or broker
fault fails it whole, anything else is handled again message by message and only a
message that raises alone goes to the core's ``fail``. A publication over the
``PublishLimit`` is never sent: its message fails.

``Batching`` holds those decisions and that bookkeeping. A transport subclasses it and
supplies the channel: ``_send`` a publication (its confirm, by sequence number, comes back
through ``_settle``), ``_ack_head`` / ``_requeue`` an inbound message, ``_later`` a timer,
``_open``. RabbitMQ (``rabbitmq.BatchConsumer``) and the in-memory double
(``memory.MemoryConsumer``) both run on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog

from ..errors import Disposition, OutputTooLarge, disposition_of
from .base import Inbound, Publication, PublishLimit, Work

log = structlog.get_logger()

Handler = Callable[[list[Inbound]], list[Work]]
"""A core's ``handle``: inbound batch -> one Work per message (publications, delivery ids, inbound)."""

Failer = Callable[[list[Inbound], BaseException], list[Work]]
"""A core's ``fail``: messages that met an exception -> their Work (the next retry queue or dead
letters, and whatever the core records and tells)."""


@dataclass
class _Pending:
    work: Work
    remaining: int
    failed: bool = False


class Batching:
    """The decisions and the confirm/ack bookkeeping of a batching consumer (see the module note)."""

    handle: Handler
    fail: Failer
    on_confirmed: Callable[[list[Work]], None]
    limit: PublishLimit

    DEFAULT_LIMIT_BYTES = 128 * 1024 * 1024
    """The publish limit of a consumer given none: RabbitMQ's default max_message_size."""

    def _reset_book(self) -> None:
        self._seq = 0
        self._pending: dict[int, _Pending] = {}     # confirm sequence number -> its inbound's work
        self._unacked: dict[int, bool] = {}         # inbound delivery tag -> ready to ack, in delivery order
        self._confirmed: list[Work] = []            # confirmed works waiting for _finish_confirmed

    # what the transport supplies ---------------------------------------------------------------

    @property
    def name(self) -> str:
        raise NotImplementedError

    @property
    def batch_ms(self) -> int:
        """The batch window: confirms arriving within it are finished together."""
        raise NotImplementedError

    def _open(self) -> bool:
        raise NotImplementedError

    def _send(self, pub: Publication) -> None:
        """Publish; its confirm comes back as ``_settle(seq)``, sequence numbers counting from 1."""
        raise NotImplementedError

    def _ack_head(self, tag: int) -> None:
        """Acknowledge every inbound message up to ``tag`` (a multiple ack)."""
        raise NotImplementedError

    def _requeue(self, tag: int) -> None:
        """Give one inbound message back to its queue (a nack with requeue)."""
        raise NotImplementedError

    def _later(self, seconds: float, fn: Callable[[], None]) -> None:
        raise NotImplementedError

    # deciding ----------------------------------------------------------------------------------

    def _received(self, inbound: Inbound) -> None:
        self._unacked[inbound.tag] = False

    def _decide(self, batch: list[Inbound]) -> list[Work]:
        """The batch's works: handled whole, or isolated when it raises. An inbound message the
        core left without work is given back to the queue (left unsettled it would hold back every
        later ack)."""
        try:
            works = self.handle(batch)
        except Exception as exc:
            works = self._isolate(batch, exc)
        covered = {w.inbound.tag for w in works if w.inbound is not None}
        for inbound in batch:
            if inbound.tag not in covered:
                log.error("batch.inbound_without_work", worker=self.name, tag=inbound.tag)
                self._requeue(inbound.tag)
                self._unacked.pop(inbound.tag, None)
        return works

    def _isolate(self, batch: list[Inbound], exc: Exception) -> list[Work]:
        """A batch that raised: a store or broker fault retries it whole; anything else is handled
        again message by message (each may have been stored already: marked redelivered, so the core
        looks it up), and only a message that raises alone fails."""
        log.warning("batch.failed", worker=self.name, size=len(batch), error=type(exc).__name__)
        if len(batch) == 1 or disposition_of(exc) is Disposition.RETRY:
            return self.fail(batch, exc)
        works = []
        for inbound in batch:
            again = replace(inbound, redelivered=True)
            try:
                works += self.handle([again])
            except Exception as alone:
                log.warning("message.failed_alone", worker=self.name, error=type(alone).__name__)
                works += self.fail([again], alone)
        return works

    def _fitting(self, works: list[Work]) -> list[Work]:
        """The works with every publication within the broker's limit. A message whose work does not
        fit fails (its core decides what that means); the sweeper's oversize publications are
        dropped with an error (its next tick fails their deliveries)."""
        out = []
        for work in works:
            big = [len(p.body) for p in work.publications if not self.limit.fits(p.body)]
            if not big:
                out.append(work)
            elif work.inbound is not None:
                out += self.fail([work.inbound], OutputTooLarge(
                    f"a publication of {max(big)} bytes is over the {self.limit.bytes} the broker takes"))
            else:
                log.error("publication.too_large", worker=self.name, sizes=big, limit=self.limit.bytes)
                work.publications = [p for p in work.publications if self.limit.fits(p.body)]
                out.append(work)
        return out

    # publishing with confirms ------------------------------------------------------------------

    def _publish(self, works: list[Work]) -> None:
        if not self._open():  # stored already: redelivery or the restart republishes what is PENDING
            log.warning("batch.unpublished", worker=self.name, size=len(works))
            return
        done = []
        for work in self._fitting(works):
            if not work.publications:
                done.append(work)
                continue
            pending = _Pending(work, len(work.publications))
            for pub in work.publications:
                self._send(pub)
                self._seq += 1
                self._pending[self._seq] = pending
        if done:
            self._finish(done)

    def _settle(self, seq: int, multiple: bool = False, nack: bool = False) -> None:
        """The broker's confirm (or nack) of publication ``seq``, or of every one up to it."""
        if multiple:  # sequence numbers are inserted in increasing order: take the confirmed head
            tags = []
            for tag in self._pending:
                if tag > seq:
                    break
                tags.append(tag)
        else:
            tags = [seq]
        finished = []
        for tag in tags:
            pending = self._pending.pop(tag, None)
            if pending is None:
                continue
            pending.remaining -= 1
            pending.failed = pending.failed or nack
            if pending.remaining == 0:
                finished.append(pending)
        for p in finished:
            if p.failed and p.work.inbound is not None:
                log.warning("publication.nacked", worker=self.name)
                self._requeue(p.work.inbound.tag)
                self._unacked.pop(p.work.inbound.tag, None)
        confirmed = [p.work for p in finished if not p.failed]
        if confirmed:
            # Confirms arriving within one batch window are finished together: one mark-sent
            # transaction (one turn of the store's write lock), one ack.
            if not self._confirmed:
                self._later(self.batch_ms / 1000, self._finish_confirmed)
            self._confirmed.extend(confirmed)

    def _finish_confirmed(self) -> None:
        works, self._confirmed = self._confirmed, []
        self._finish(works)

    def _finish(self, works: list[Work]) -> None:
        """Mark the works' deliveries SENT, then acknowledge their inbound messages: every message
        delivered before them that is also finished, with one multiple ack."""
        if not works:
            return
        try:
            self.on_confirmed(works)
        except Exception:  # deliveries stay PENDING and are republished later; receivers drop repeats
            log.exception("delivery.mark_sent_failed", worker=self.name)
        for work in works:
            if work.inbound is not None and work.inbound.tag in self._unacked:
                self._unacked[work.inbound.tag] = True
        head = []
        for tag, ready in self._unacked.items():  # the finished head, in delivery order
            if not ready:
                break
            head.append(tag)
        for tag in head:
            del self._unacked[tag]
        if head and self._open():
            self._ack_head(head[-1])


__all__ = ["Batching", "Failer", "Handler"]
