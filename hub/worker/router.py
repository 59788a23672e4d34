"""The router core: steps 1-7 of the flow for a batch of inbound messages.

Design note: ``handle`` decides everything for a batch (read, validate and
authorise each message; one duplicate look-up for the whole batch; route,
render and validate every output), stores the whole batch in one transaction
(message + one PENDING delivery per receiver), and returns the publications
each inbound message needs. The runner publishes
them with confirms, marks the deliveries SENT, and only then acknowledges the
inbound message. A message redelivered after a crash is recognised by its hub
message id (a hash of sender, sender message id and body) and its PENDING
deliveries are published again; receivers drop repeats by message id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from typing import Callable

import structlog

from ..adapters import Adapter, RenderContext
from ..checks import CHECKS, index_all
from ..errors import DocumentError, HubError, Problem, TransientError
from ..models import Declaration, Document, Manifest, Waybill
from ..pipeline import Engine
from ..routing import Router
from ..store.base import Delivery, DeliveryState, MessageStatus, NewDelivery, NewMessage, Sameness, Store
from ..transport.base import Inbound, Publication, Topology
from .holds import Holds
from .outbound import outbound
from .status import native_rejection, status_event

log = structlog.get_logger()


@dataclass
class Work:
    """What the runner must do for one inbound message: publish, then mark SENT, then ack."""

    inbound: Inbound | None                 # None: the sweeper's events, nothing to acknowledge
    publications: list[Publication] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)


@dataclass
class _Decision:
    inbound: Inbound
    hub_id: str
    message: NewMessage | None
    events: list[Publication] = field(default_factory=list)
    payloads: dict[tuple[str, str], bytes] = field(default_factory=dict)
    kind: str | None = None


@dataclass
class _Readable:
    """A message read, valid and authorised: a duplicate, or routed once the batch's look-up is in."""
    inbound: Inbound
    base: dict
    adapter: Adapter
    document: Document

    @cached_property
    def sameness(self) -> Sameness:
        b = self.base
        return Sameness(b["sender"], b["sender_message_id"], b["kind"], b["business_key"], b["function"])


def hub_message_id(sender: str, sender_message_id: str | None, body: bytes) -> str:
    """Stable across broker redeliveries of the same message."""
    digest = hashlib.sha256(f"{sender}\0{sender_message_id or ''}\0".encode() + body).hexdigest()
    return "HUB-" + digest[:24].upper()


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


class RouterCore:
    """Turns inbound messages into stored deliveries and the publications that carry them."""

    def __init__(self, engine: Engine, router: Router, store: Store, topology: Topology, party_id: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine, self.router, self.store, self.topology = engine, router, store, topology
        self.party_id, self.clock = party_id, clock
        self.holds = Holds(store, topology, engine, party_id)

    def handle(self, batch: list[Inbound]) -> list[Work]:
        """Decide, store (one transaction) and plan the publications of a batch."""
        reads = [self._read(inbound) for inbound in batch]
        originals = iter(self.store.find_duplicates([r.sameness for r in reads if isinstance(r, _Readable)]))
        seen: dict[tuple, str] = {}
        decisions = [self._place(r, next(originals), seen) if isinstance(r, _Readable) else r for r in reads]
        try:
            created = self.store.record([d.message for d in decisions if d.message], source="router")
        except Exception as exc:  # any store failure is retried, then dead-lettered
            raise TransientError(f"the store refused the batch: {type(exc).__name__}: {exc}") from exc
        by_message: dict[str, list[Delivery]] = {}
        for delivery in created:
            by_message.setdefault(delivery.message_id, []).append(delivery)
        works = [self._work(d, by_message.get(d.message.id, []) if d.message else []) for d in decisions]
        self._settle_holds(decisions, created, works)
        return works

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

    def _read(self, inbound: Inbound) -> _Decision | _Readable:
        """Everything decided about one message on its own: read, validate, authorise."""
        hub_id = hub_message_id(inbound.sender, inbound.message_id, inbound.body)
        base = dict(id=hub_id, sender=inbound.sender, sender_message_id=inbound.message_id,
                    received_at=self.clock(), raw=inbound.body,
                    sha256=hashlib.sha256(inbound.body).hexdigest())
        if inbound.redelivered or inbound.attempts:
            existing = self.store.message(hub_id)
            if existing is not None and existing.status in (MessageStatus.ACCEPTED, MessageStatus.DUPLICATE):
                return _Decision(inbound, hub_id, None)  # stored before a crash: _work republishes PENDING ones
        if not inbound.sender:
            return self._reject(inbound, base, [Problem("SENDER_UNKNOWN", "the message has no AMQP user_id")])
        try:
            read = self.engine.inspect(inbound.body)
        except DocumentError as exc:
            return self._reject(inbound, base, exc.problems)
        adapter, doc = read.adapter, read.document
        facts = dict(format=adapter.name, kind=doc.kind.value if doc else None,
                     business_key=doc.business_key if doc else None,
                     function=doc.header.function.value if doc else None)
        if read.problems:
            return self._reject(inbound, base | facts, read.problems, adapter)
        if reason := self.router.authorise(inbound.sender, doc.kind):
            return self._reject(inbound, base | facts, [Problem("SENDER_NOT_ALLOWED", reason)], adapter)
        return _Readable(inbound, base | facts, adapter, doc)

    def _place(self, read: _Readable, stored_original: str | None, seen: dict[tuple, str]) -> _Decision:
        """A repeat of a stored message or of one earlier in the batch is a duplicate; else route it."""
        same = read.sameness
        keys = [(same.sender, "id", same.sender_message_id)] if same.sender_message_id else []
        if same.business_key:
            keys.append((same.sender, same.kind, same.business_key, same.function))
        original = stored_original or next((seen[k] for k in keys if k in seen), None)
        if original:
            return self._duplicate_of(read.inbound, read.base, original)
        seen.update(dict.fromkeys(keys, read.base["id"]))
        return self._route(read.inbound, read.base, read.adapter, read.document)

    def _route(self, inbound: Inbound, base: dict, adapter: Adapter, doc: Document) -> _Decision:
        planned = self.router.plan(doc, inbound.sender)
        if not planned:
            return self._reject(inbound, base, [Problem("NO_ROUTE", "no route in routes.yaml matches this message")],
                                adapter)
        now, deliveries, payloads, facts = self.clock(), [], {}, index_all(doc)
        for p in planned:
            out_id = f"{base['id']}.{p.receiver}"
            ctx = RenderContext(message_id=out_id, sender_id=self.party_id, receiver_id=p.receiver, created_at=now)
            try:
                output = self.engine.render(p.document, p.format, ctx)
            except HubError as exc:
                problems = [Problem(exc.code, f"{p.receiver} ({p.format}): {exc.message}", exc.line, exc.path)]
                return self._reject(inbound, base, problems, adapter)
            deadline = self.router.routes.receivers[p.receiver].receipt_deadline
            waits = tuple(CHECKS[p.hold.check].waits(facts)) if p.hold else ()
            deliveries.append(NewDelivery(receiver=p.receiver, format=p.format, route=p.route,
                                          payload=output.data, deadline_at=now + deadline,
                                          correlation_keys=correlation_keys(p.document) + output.references,
                                          hold=p.hold.check if waits else None,
                                          held_until=now + p.hold.timeout if waits else None, waits=waits))
            payloads[(p.receiver, p.format)] = output.data
        message = NewMessage(**base, status=MessageStatus.ACCEPTED, deliveries=tuple(deliveries),
                             facts=tuple((f.kind, f.key, f.values) for f in facts))
        event = status_event(self.topology, inbound.sender, "message.accepted", base["id"],
                             sender_message_id=inbound.message_id, business_key=base.get("business_key"),
                             deliveries=[{"receiver": d.receiver, "format": d.format, **({"held": d.hold} if d.hold
                                                                                          else {})}
                                         for d in deliveries])
        return _Decision(inbound, base["id"], message, [event], payloads, base.get("kind"))

    def _reject(self, inbound: Inbound, base: dict, problems: list[Problem],
                adapter: Adapter | None = None) -> _Decision:
        errors = tuple(p.as_dict() for p in problems)
        message = NewMessage(**base, status=MessageStatus.REJECTED, errors=errors)
        log.info("message.rejected", hub_message_id=base["id"], sender=inbound.sender,
                 codes=sorted({p.code for p in problems}), bytes=len(inbound.body))
        events = []
        if inbound.sender:
            events.append(status_event(self.topology, inbound.sender, "message.rejected", base["id"],
                                       sender_message_id=inbound.message_id,
                                       business_key=base.get("business_key"), errors=list(errors)))
            native = native_rejection(self.engine, self.topology, inbound.sender, base["id"], adapter,
                                      inbound.body, base.get("business_key"), list(errors), self.party_id)
            if native is not None:
                events.append(native)
        return _Decision(inbound, base["id"], message, events)

    def _duplicate_of(self, inbound: Inbound, base: dict, original: str) -> _Decision:
        if original == base["id"]:  # the sender handed in the very same bytes again
            base = base | {"id": f"{base['id']}-R{int(self.clock().timestamp() * 1000)}"}
        message = NewMessage(**base, status=MessageStatus.DUPLICATE, duplicate_of=original)
        event = status_event(self.topology, inbound.sender, "message.duplicate", base["id"],
                             sender_message_id=inbound.message_id, business_key=base.get("business_key"),
                             duplicate_of=original)
        return _Decision(inbound, base["id"], message, [event])

    # planning ------------------------------------------------------------------------------------

    def _work(self, decision: _Decision, created: list[Delivery]) -> Work:
        work = Work(decision.inbound, list(decision.events))
        if decision.message is None or (not created and decision.message.status is MessageStatus.ACCEPTED):
            return self._republish(work, decision.hub_id)
        for delivery in created:
            if delivery.state is DeliveryState.HELD:
                continue  # published when its check passes (_settle_holds, the sweeper)
            work.publications.append(outbound(self.topology, self.engine.registry, delivery,
                                             decision.payloads[(delivery.receiver, delivery.format)],
                                             decision.kind, decision.message.business_key))
            work.delivery_ids.append(delivery.id)
        return work

    def _republish(self, work: Work, hub_id: str) -> Work:
        for delivery in self.store.deliveries(hub_id):
            if delivery.state is DeliveryState.PENDING:
                work.publications.append(outbound(self.topology, self.engine.registry, delivery,
                                                  self.store.payload(delivery.id)))
                work.delivery_ids.append(delivery.id)
        return work


def retry_or_dead(topology: Topology, inbound: Inbound, reason: str, delays_ms: list[int]) -> Publication:
    """Where a message goes after a transient fault: the next retry queue, or dead letters."""
    headers = {"x-hub-sender": inbound.sender, "x-hub-attempts": inbound.attempts + 1, "x-hub-reason": reason[:500]}
    if inbound.attempts < len(delays_ms):
        return Publication(exchange=topology.retry, routing_key=str(inbound.attempts), body=inbound.body,
                           message_id=inbound.message_id or "", content_type=inbound.content_type or "",
                           headers=headers)
    return Publication(exchange=topology.dead, routing_key="", body=inbound.body,
                       message_id=inbound.message_id or "", content_type=inbound.content_type or "",
                       headers=headers | {"x-hub-dead-at": datetime.now(timezone.utc).isoformat()})


__all__ = ["RouterCore", "Work", "correlation_keys", "hub_message_id", "outbound", "retry_or_dead"]
