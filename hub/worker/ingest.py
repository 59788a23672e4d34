"""The ingest core, the router worker's decisions (the routes themselves are hub.routing): steps 1-7 of
the flow for a batch of inbound messages.

Design note: ``handle`` decides everything for a batch (read, validate and
authorise each message; one duplicate look-up for the whole batch; route,
render and validate every output), stores the whole batch in one transaction
(message + one PENDING delivery per receiver), and returns the publications
each inbound message needs. The runner publishes
them with confirms, marks the deliveries SENT, and only then acknowledges the
inbound message. A message redelivered after a crash is recognised by its hub
message id (a hash of sender, sender message id and body) and its PENDING
deliveries are published again; receivers drop repeats by message id.

Each message is decided on its own: an exception that is not a fault of the store or
broker (``hub.errors.disposition_of``) fails that message only (``fail``: stored
FAILED, the sender told, retried alone on the router's lane, then dead-lettered
alone); the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

import structlog

from ..adapters import Adapter, RenderContext
from ..checks import hold_for, index_all
from ..errors import Disposition, HubError, OutputTooLarge, Problem, TransientError, disposition_of
from ..lifecycle import hub_message_id
from ..models import Declaration, Document, Manifest, Waybill
from ..pipeline import Engine
from ..routing import Router
from ..signatures import SigningKey
from ..store.base import (
    Delivery,
    DeliveryState,
    Message,
    MessageStatus,
    NewDelivery,
    NewMessage,
    Received,
    Sameness,
    Store,
)
from ..transport.base import Inbound, Publication, PublishLimit, Topology, Work
from .failures import DEFAULT_MAX_OUTPUT_BYTES, Retries, reason
from .guard import Failed, guarded
from .holds import Holds
from .kept import kept
from .outbound import outbound, republish
from .parts import part_id
from .status import native_rejection, status_event

log = structlog.get_logger()

_T = TypeVar("_T")
_Key = tuple[str | None, ...]
"""What makes two messages the same in one batch: (sender, "id", its id) or (sender, kind, key, function)."""


@dataclass
class _Decision:
    inbound: Inbound
    hub_id: str
    message: NewMessage | None
    events: list[Publication] = field(default_factory=list)


def _known(base: Received, adapter: Adapter, doc: Document | None) -> Received:
    """The same message, now known as ``doc`` in ``adapter``'s format."""
    return replace(base, format=adapter.name, kind=doc.kind.value if doc else None,
                   business_key=doc.business_key if doc else None,
                   function=doc.header.function.value if doc else None)


@dataclass
class _Readable:
    """A message read, valid and authorised: a duplicate, or routed once the batch's look-up is in."""
    inbound: Inbound
    base: Received
    adapter: Adapter
    document: Document
    warnings: tuple[Problem, ...] = ()
    """What the reading relaxed on request (HUB_EDIFACT_LENIENT): told to the sender with the acceptance."""

    @cached_property
    def sameness(self) -> Sameness:
        b = self.base
        return Sameness(b.sender, b.sender_message_id, b.kind, b.business_key, b.function)


def correlation_keys(doc: Document) -> tuple[str, ...]:
    """The keys an agency's receipt may quote for this document."""
    keys = [doc.business_key]
    if isinstance(doc, Manifest):
        keys.append(doc.conveyance.journey_id)
        keys.extend(c.transport_document for c in doc.consignments)
    elif isinstance(doc, Waybill) and doc.master_number:
        keys.append(doc.master_number)
    elif isinstance(doc, Declaration):
        keys.extend(d.id for d in doc.transport_documents)
    return tuple(dict.fromkeys(k for k in keys if k))


class IngestCore:
    """Turns inbound messages into stored deliveries and the publications that carry them."""

    def __init__(self, engine: Engine, router: Router, store: Store, topology: Topology, party_id: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 retries: Retries | None = None, limit: PublishLimit | None = None,
                 signer: SigningKey | None = None) -> None:
        """``signer``: the hub's key for outputs that carry a signature (HUB_SIGNING_KEY), or None."""
        self.engine, self.router, self.store, self.topology = engine, router, store, topology
        self.party_id, self.clock, self.signer = party_id, clock, signer
        self.retries = retries or Retries(topology)
        self.limit = limit or PublishLimit(DEFAULT_MAX_OUTPUT_BYTES)
        self.holds = Holds(store, topology, engine, party_id, clock, signer)

    def handle(self, batch: list[Inbound]) -> list[Work]:
        """Decide, store (one transaction) and plan the publications of a batch."""
        reads = [read for inbound in batch for read in _each(self._guarded(inbound, self._read, inbound))]
        originals = iter(self.store.find_duplicates([r.sameness for r in reads if isinstance(r, _Readable)]))
        seen: dict[_Key, str] = {}
        decided = [self._guarded(r.inbound, self._place, r, next(originals), seen) if isinstance(r, _Readable)
                   else r for r in reads]
        failed = [d for d in decided if isinstance(d, Failed)]
        decisions = [d for d in decided if isinstance(d, _Decision)]
        try:
            created = self.store.record([d.message for d in decisions if d.message], source="router")
        except Exception as exc:
            if disposition_of(exc) is Disposition.RETRY:   # the store is away: the whole batch retries
                raise TransientError(f"the store refused the batch: {reason(exc)}") from exc
            raise                                           # one message's fault: the consumer isolates it
        by_message: dict[str, list[Delivery]] = {}
        for delivery in created:
            by_message.setdefault(delivery.message_id, []).append(delivery)
        works = [self._work(d, by_message.get(d.message.id, []) if d.message else []) for d in decisions]
        if works:
            self._settle_holds(decisions, created, works)
        for f in failed:
            works += self.fail([f.inbound], f.exc)
        return _one_per_inbound(works)

    def fail(self, batch: list[Inbound], exc: BaseException) -> list[Work]:
        """``batch`` met ``exc``: each message goes on to its next retry queue or to dead letters.
        A fault of the message's own, and a last failure, are stored FAILED (the exception's class
        and a short reason) and told to the sender; a store or broker fault is just retried."""
        own = disposition_of(exc) is not Disposition.RETRY
        works, failed = [], []
        for inbound in batch:
            works.append(work := Work(inbound, [self.retries.next(inbound, exc)]))
            dead = self.retries.exhausted(inbound)
            if not (own or dead):
                continue
            message = self._failed(inbound, exc, own, dead)
            failed.append(message)
            if inbound.sender:
                told = "an operator has it in the dead letters" if dead else "it is tried again"
                work.publications.append(status_event(
                    self.topology, inbound.sender, "message.failed", message.id,
                    sender_message_id=inbound.message_id, attempt=inbound.attempts + 1, retrying=not dead,
                    errors=[Problem(message.errors[0]["code"],
                                    f"the hub could not process this message ({type(exc).__name__}); {told}")]))
        log.warning("message.failed", count=len(batch), error=type(exc).__name__, own=own)
        if failed:
            try:
                self.store.record(failed, source="router")
            except Exception as store_exc:  # the retry queue or dead letters still hold them
                log.warning("message.failed_unstored", count=len(failed), error=type(store_exc).__name__)
        return works

    def _failed(self, inbound: Inbound, exc: BaseException, own: bool, dead: bool) -> NewMessage:
        code = "INTERNAL_ERROR" if own else "RETRIES_EXHAUSTED"
        return self._base(inbound).outcome(MessageStatus.FAILED,
                          errors=({"code": code, "message": reason(exc), "line": None, "path": None,
                                   "attempt": inbound.attempts + 1, "dead_lettered": dead},))

    @staticmethod
    def _guarded(inbound: Inbound, step: Callable[..., _T], *args: Any) -> _T | Failed:
        """One message's step (``guard.guarded``): its own fault fails that message only."""
        return guarded(inbound, "message.raised", {"sender": inbound.sender, "bytes": len(inbound.body)},
                       step, *args)

    def _settle_holds(self, decisions: list[_Decision], created: list[Delivery], works: list[Work]) -> None:
        """Evaluate the holds this batch may complete (its own new holds, and older ones waiting on the
        documents it brought); released deliveries ride with the batch's last message."""
        accepted = [d.message for d in decisions if d.message and d.message.status is MessageStatus.ACCEPTED]
        touched = [(kind, key) for m in accepted for kind, key, _ in m.facts]
        touched += [pair for m in accepted for nd in m.deliveries for pair in nd.waits]   # the new holds' own
        if not touched:
            return
        fresh = {d.id for d in created if d.state is DeliveryState.HELD}
        pubs, released = self.holds.settle(self.store.held(waiting_on=touched), source="router", tell_held=fresh)
        works[-1].publications.extend(pubs)
        works[-1].delivery_ids.extend(released)

    # deciding ----------------------------------------------------------------------------------

    def _base(self, inbound: Inbound) -> Received:
        """What is stored of any inbound message. One over the size limit is kept by its head, its
        size and its whole hash: refused before it is stored in full."""
        stored = kept(inbound.body, self.engine.limits.max_bytes)
        return Received(id=hub_message_id(inbound.sender, inbound.message_id, inbound.body), sender=inbound.sender,
                        sender_message_id=inbound.message_id, received_at=self.clock(), raw=stored.raw,
                        sha256=stored.sha256, size=stored.size, vouched_by=inbound.vouched_by or None)

    def _read(self, inbound: Inbound) -> _Decision | _Readable | list[_Decision | _Readable]:
        """Everything decided about one message on its own: read, validate, authorise. A message
        that carries several documents (an FHL's houses, an interchange's messages) becomes one
        part per document, ``<hub id>-P<n>``, each routed and delivered on its own; a problem in
        any of them refuses the whole message, as its sender's format answers for the whole."""
        base = self._base(inbound)
        hub_id = base.id
        earlier = self._earlier(hub_id) if inbound.seen_before else None
        if inbound.redelivered or inbound.attempts:
            if stored := self._stored(hub_id, earlier):   # stored before a crash: _work republishes PENDING ones
                return [_Decision(inbound, i, None) for i in stored]
        if not inbound.sender:
            return self._reject(inbound, base, [Problem("SENDER_UNKNOWN", "the message has no AMQP user_id")])
        try:
            read = self.engine.inspect(inbound.body, received=earlier.received_at if earlier else base.received_at)
        except HubError as exc:
            if exc.disposition is not Disposition.REJECT:
                raise
            return self._reject(inbound, base, exc.problems)
        adapter, doc = read.adapter, read.document
        known = _known(base, adapter, doc)
        if read.problems:
            return self._reject(inbound, known, read.problems, adapter)
        signer, unsigned = self.router.signature(inbound.sender, read.tree)   # the sender's policy in routes.yaml
        if unsigned:
            return self._reject(inbound, known, unsigned, adapter)
        if signer is not None:
            known = replace(known, signer=signer.as_dict())
        for part in read.documents:
            if reason := self.router.authorise(inbound.sender, part.kind):
                return self._reject(inbound, known, [Problem("SENDER_NOT_ALLOWED", reason)], adapter)
        warnings = tuple(read.warnings)
        if warnings:
            log.info("message.relaxed", hub_message_id=hub_id, sender=inbound.sender,
                     codes=sorted({p.code for p in warnings}))
        if len(read.documents) == 1:
            return _Readable(inbound, known, adapter, read.documents[0], warnings)
        mid = inbound.message_id
        return [_Readable(inbound, replace(_known(base, adapter, part), id=part_id(hub_id, n),
                                           sender_message_id=f"{mid}#{n}" if mid else None,
                                           raw=base.raw if n == 1 else b""), adapter, part, warnings)
                for n, part in enumerate(read.documents, 1)]

    def _earlier(self, hub_id: str) -> Message | None:
        """The message stored under ``hub_id`` before, or else its first part: what a message the hub
        may have taken before (redelivered, retried, replayed) was stored as, read once for both
        ``_stored`` and its first reception (dates without a year resolve around it). A fresh
        message costs no look-up."""
        found = self.store.message(hub_id)
        return found if found is not None else self.store.message(part_id(hub_id, 1))

    def _stored(self, hub_id: str, earlier: Message | None) -> list[str]:
        """The ids stored ACCEPTED or DUPLICATE for an inbound message (``earlier``: what ``_earlier``
        found): its own, or its parts'."""
        done = (MessageStatus.ACCEPTED, MessageStatus.DUPLICATE)
        if earlier is None:
            return []
        if earlier.id == hub_id:
            return [hub_id] if earlier.status in done else []
        parts: list[str] = []
        part: Message | None = earlier          # the first part
        while part is not None and part.status in done:
            parts.append(part.id)
            part = self.store.message(part_id(hub_id, len(parts) + 1))
        return parts

    def _place(self, read: _Readable, stored_original: str | None, seen: dict[_Key, str]) -> _Decision:
        """A repeat of a stored message or of one earlier in the batch is a duplicate; else route it."""
        same = read.sameness
        keys: list[_Key] = [(same.sender, "id", same.sender_message_id)] if same.sender_message_id else []
        if same.business_key:
            keys.append((same.sender, same.kind, same.business_key, same.function))
        original = stored_original or next((seen[k] for k in keys if k in seen), None)
        if original == read.base.id and (read.inbound.redelivered or read.inbound.attempts):
            return _Decision(read.inbound, original, None)      # its own earlier try: republish what is PENDING
        if original:
            return self._duplicate_of(read.inbound, read.base, original)
        seen.update(dict.fromkeys(keys, read.base.id))
        return self._route(read.inbound, read.base, read.adapter, read.document, read.warnings)

    def _route(self, inbound: Inbound, base: Received, adapter: Adapter, doc: Document,
               warnings: tuple[Problem, ...] = ()) -> _Decision:
        planned = self.router.plan(doc, inbound.sender)
        if not planned:
            return self._reject(inbound, base, [Problem("NO_ROUTE", "no route in routes.yaml matches this message")],
                                adapter)
        now, deliveries, facts = self.clock(), [], index_all(doc)
        rendered: list[Problem] = []     # what a writer changed as its standard allows (Output.warnings)
        for p in planned:
            out_id = f"{base.id}.{p.receiver}"
            ctx = RenderContext(message_id=out_id, sender_id=self.party_id, receiver_id=p.receiver, created_at=now,
                                signer=self.signer, origin=(base.id, inbound.sender))
            hold = p.hold
            decided = hold_for(hold.check if hold else None, p.document, facts, self.store.facts)
            waits = decided.waits
            try:
                output = None if decided.deferred else self.engine.render(decided.document, p.format, ctx)
                if output is not None and not self.limit.fits(output.data):
                    raise OutputTooLarge(f"the output has {len(output.data)} bytes; the broker takes at most "
                                         f"{self.limit.bytes}")
            except HubError as exc:
                problems = [Problem(exc.code, f"{p.receiver} ({p.format}): {exc.message}", exc.line, exc.path)]
                return self._reject(inbound, base, problems, adapter)
            payload = b"" if output is None else output.data   # deferred: rendered when the hold is released
            if output is not None and output.warnings:
                rendered.extend(Problem(w.code, f"{p.receiver} ({p.format}): {w.message}", w.line, w.path)
                                for w in output.warnings)
            deadline = self.router.routes.receivers[p.receiver].receipt_deadline
            deliveries.append(NewDelivery(receiver=p.receiver, format=p.format, route=p.route,
                                          payload=payload, deadline_at=now + deadline,
                                          correlation_keys=correlation_keys(p.document) + (
                                              output.references if output else ()),
                                          hold=hold.check if hold and waits else None,
                                          held_until=now + hold.timeout if hold and waits else None,
                                          waits=waits))
        message = base.outcome(MessageStatus.ACCEPTED, deliveries=tuple(deliveries),
                             facts=tuple((f.kind, f.key, f.values) for f in facts))
        event = status_event(self.topology, inbound.sender, "message.accepted", base.id,
                             sender_message_id=inbound.message_id, business_key=base.business_key,
                             deliveries=[{"receiver": d.receiver, "format": d.format, **({"held": d.hold} if d.hold
                                                                                          else {})}
                                         for d in deliveries],
                                     **({"warnings": [*warnings, *rendered]} if warnings or rendered else {}))
        return _Decision(inbound, base.id, message, [event])

    def _reject(self, inbound: Inbound, base: Received, problems: list[Problem],
                adapter: Adapter | None = None) -> _Decision:
        message = base.outcome(MessageStatus.REJECTED, errors=tuple(p.as_dict() for p in problems))
        log.info("message.rejected", hub_message_id=base.id, sender=inbound.sender,
                 codes=sorted({p.code for p in problems}), bytes=len(inbound.body))
        events = []
        if inbound.sender:
            events.append(status_event(self.topology, inbound.sender, "message.rejected", base.id,
                                       sender_message_id=inbound.message_id,
                                       business_key=base.business_key, errors=problems))
            native = native_rejection(self.engine, self.topology, inbound.sender, base.id, adapter,
                                      inbound.body, base.business_key, problems, self.party_id)
            if native is not None:
                events.append(native)
        return _Decision(inbound, base.id, message, events)

    def _duplicate_of(self, inbound: Inbound, base: Received, original: str) -> _Decision:
        if original == base.id:  # the sender handed in the very same bytes again
            base = replace(base, id=f"{base.id}-R{int(self.clock().timestamp() * 1000)}")
        message = base.outcome(MessageStatus.DUPLICATE, duplicate_of=original)
        event = status_event(self.topology, inbound.sender, "message.duplicate", base.id,
                             sender_message_id=inbound.message_id, business_key=base.business_key,
                             duplicate_of=original)
        return _Decision(inbound, base.id, message, [event])

    # planning ------------------------------------------------------------------------------------

    def _work(self, decision: _Decision, created: list[Delivery]) -> Work:
        work, message = Work(decision.inbound, list(decision.events)), decision.message
        if message is not None and message.deliveries and not created and message.status is MessageStatus.ACCEPTED:
            stored = self.store.message(message.id)
            if stored is not None and stored.status is MessageStatus.DUPLICATE:   # another node won the race
                inbound = decision.inbound
                work.publications = [status_event(self.topology, inbound.sender, "message.duplicate", message.id,
                                                  sender_message_id=inbound.message_id,
                                                  business_key=stored.business_key, duplicate_of=stored.duplicate_of)]
                return work
        if message is None or (not created and message.status is MessageStatus.ACCEPTED):
            return self._republish(work, decision.hub_id)
        payloads = {(nd.receiver, nd.format): nd.payload for nd in message.deliveries}
        for delivery in created:
            if delivery.state is DeliveryState.HELD:
                continue  # published when its check passes (_settle_holds, the sweeper)
            work.publications.append(outbound(self.topology, self.engine.registry, delivery,
                                             payloads[(delivery.receiver, delivery.format)],
                                             message.kind, message.business_key))
            work.delivery_ids.append(delivery.id)
        return work

    def _republish(self, work: Work, hub_id: str) -> Work:
        pending = [(d, self.store.payload(d.id)) for d in self.store.deliveries(hub_id)
                   if d.state is DeliveryState.PENDING]
        pubs, sent = republish(self.store, self.topology, self.engine.registry, pending, self.limit, "router")
        work.publications.extend(pubs)
        work.delivery_ids.extend(sent)
        return work


def _each(read: _T | list[_T]) -> list[_T]:
    return read if isinstance(read, list) else [read]


def _one_per_inbound(works: list[Work]) -> list[Work]:
    """The parts of one inbound message finish together: one Work per inbound message, so it is
    acknowledged only when every part's publications are confirmed."""
    merged: dict[int, Work] = {}
    out = []
    for work in works:
        if work.inbound is None or work.inbound.tag not in merged:
            out.append(work)
            if work.inbound is not None:
                merged[work.inbound.tag] = work
            continue
        first = merged[work.inbound.tag]
        first.publications.extend(work.publications)
        first.delivery_ids.extend(work.delivery_ids)
    return out


__all__ = ["IngestCore", "correlation_keys", "hub_message_id", "outbound"]
