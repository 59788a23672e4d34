"""The receipt worker core and the deadline sweeper.

An agency's receipt is read with the same engine as any message, correlated to
the delivery it answers by (agency, key) - the hub's per-receiver message id
when the format echoes it, else the business key, else a reference an earlier
receipt gave (DecImportResponse's SeqNo for the DEC_RESULT that follows) - and
stored. A receipt that matches nothing is stored as orphaned, never dropped.
Every receipt becomes an event and a status event on the sender's feed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable

import structlog

from ..adapters import Registry
from ..errors import DocumentError
from ..models import Receipt, ReceiptStatus
from ..pipeline import Engine
from ..store.base import Correlation, DeliveryState, NewReceipt, Store
from ..transport.base import Inbound, Publication, Topology
from .holds import Holds
from .outbound import outbound
from .router import Work
from .status import status_event

log = structlog.get_logger()

STATES = {ReceiptStatus.ACKNOWLEDGED: DeliveryState.ACKNOWLEDGED, ReceiptStatus.ACCEPTED: DeliveryState.ACCEPTED,
          ReceiptStatus.REJECTED: DeliveryState.REJECTED, ReceiptStatus.OTHER: None}
"""Receipt status -> delivery state; OTHER (inspection, held, released ...) keeps the state and
records the agency's own status."""


HUB_OUT_ID = re.compile(r"HUB-[0-9A-F]{24}\.\S+")
"""The id of one of the hub's deliveries, ``<hub message id>.<receiver>`` (as written on every copy)."""


def receipt_keys(receipt: Receipt) -> tuple[str, ...]:
    """Correlation keys in order of preference. A receipt that echoes one of the hub's own delivery
    ids answers that delivery and no other: an id the hub does not know (another hub's, a test
    system's) leaves the receipt orphaned, not matched by its business key to a delivery it never
    answered."""
    if receipt.answers_message_id and HUB_OUT_ID.fullmatch(receipt.answers_message_id):
        return (receipt.answers_message_id,)
    keys = [receipt.answers_message_id, receipt.business_key, receipt.agency_reference]
    return tuple(dict.fromkeys(k for k in keys if k))


class ReceiptCore:
    """Reads, correlates and stores agency receipts; tells the sender."""

    def __init__(self, engine: Engine, store: Store, topology: Topology,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine, self.store, self.topology, self.clock = engine, store, topology, clock

    def handle(self, batch: list[Inbound]) -> list[Work]:
        """Read every receipt (a message may carry several answers), store the batch in one
        transaction, then tell the senders."""
        news = [(i, new) for i, inbound in enumerate(batch) for new in self._new(inbound)]
        correlations = self.store.apply_receipts([new for _, new in news])
        works = [Work(inbound) for inbound in batch]
        for (i, new), corr in zip(news, correlations):
            self._tell(works[i], new, corr)
        return works

    def _new(self, inbound: Inbound) -> list[NewReceipt]:
        """One stored receipt per answer; the message's bytes are kept with its last answer."""
        receipt, fmt, problems = self._read(inbound)
        if receipt is None:
            return [NewReceipt(receiver=inbound.sender, format=fmt, received_at=self.clock(), raw=inbound.body,
                               keys=(), state=None, agency_status=None, agency_reference=None,
                               errors=tuple(problems))]
        answers = receipt.answers()
        return [NewReceipt(receiver=inbound.sender, format=fmt, received_at=self.clock(),
                           raw=inbound.body if n == len(answers) else b"",
                           keys=receipt_keys(answer), state=STATES[answer.status],
                           agency_status=answer.agency_status or answer.status.value,
                           agency_reference=answer.agency_reference,
                           errors=tuple(_errors(answer)))
                for n, answer in enumerate(answers, 1)]

    def _tell(self, work: Work, new: NewReceipt, corr: Correlation) -> None:
        delivery, message = corr.delivery, corr.message
        if delivery is None or message is None:
            log.warning("receipt.orphaned", receipt_id=corr.receipt_id, receiver=new.receiver, format=new.format)
            return
        state = delivery.state.value
        log.info("receipt.correlated", receipt_id=corr.receipt_id, delivery_id=delivery.id, state=state)
        work.publications.append(status_event(
            self.topology, message.sender, f"delivery.{state.lower()}", message.id,
            receiver=delivery.receiver, format=delivery.format, business_key=message.business_key,
            agency_status=delivery.agency_status, agency_reference=delivery.agency_reference,
            errors=list(new.errors), receipt_id=corr.receipt_id))

    def _read(self, inbound: Inbound) -> tuple[Receipt | None, str | None, list[dict]]:
        """The receipt and its format; or None, the format if known, and the problems that stop it."""
        try:
            read = self.engine.inspect(inbound.body)
        except DocumentError as exc:
            return None, None, [p.as_dict() for p in exc.problems]
        if read.problems or not isinstance(read.document, Receipt):
            problems = [p.as_dict() for p in read.problems] or [
                {"code": "NOT_A_RECEIPT", "message": f"{read.adapter.name} is not a receipt format",
                 "line": None, "path": None}]
            return None, read.adapter.name, problems
        return read.document, read.adapter.name, []


def _errors(receipt: Receipt) -> list[dict]:
    return [{"code": e.code, "message": e.text, "path": e.pointer, "line": None} for e in receipt.errors]


class Sweeper:
    """Deliveries without their receipt past the receiver's deadline become OVERDUE; held deliveries
    past their hold's timeout are released or refused (``holds``); senders are told. With the
    ``registry``, deliveries left PENDING for over ``stale_after`` are published again."""

    def __init__(self, store: Store, topology: Topology,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 holds: Holds | None = None, registry: Registry | None = None,
                 stale_after: timedelta = timedelta(minutes=1)) -> None:
        self.store, self.topology, self.clock, self.holds = store, topology, clock, holds
        self.registry, self.stale_after = registry, stale_after
        self._republished: dict[int, datetime] = {}    # delivery id -> when this sweeper last sent it

    def tick(self) -> Work:
        """One sweep as work for the runner: status events and publications, plus the deliveries
        to mark SENT once those are confirmed."""
        pubs, released = self.holds.expire(self.clock()) if self.holds else ([], [])
        again, stale = self.republish_stale()
        return Work(None, self.sweep() + pubs + again, released + stale)

    def republish_stale(self, limit: int = 500) -> tuple[list[Publication], list[int]]:
        """Deliveries PENDING and unchanged for over ``stale_after``: stored, but their publication
        never seen confirmed by a worker that is still waiting (one that died after its inbound
        message was settled, a mark-SENT that failed, a release lost in a crash). Published again
        under their own message id, so a receiver drops a repeat; ``limit`` a tick, and each at most
        once per ``stale_after`` while its confirm is awaited (a broker that blocks publishers)."""
        if self.registry is None:
            return [], []
        now = self.clock()
        since = now - self.stale_after
        self._republished = {i: at for i, at in self._republished.items() if at > since}
        stale = [(d, p) for d, p in self.store.pending(limit, unchanged_since=since) if d.id not in self._republished]
        self._republished.update((d.id, now) for d, _ in stale)
        if stale:
            log.warning("delivery.republished", count=len(stale), source="sweeper")
        return ([outbound(self.topology, self.registry, delivery, payload) for delivery, payload in stale],
                [delivery.id for delivery, _ in stale])

    def sweep(self) -> list[Publication]:
        overdue = self.store.mark_overdue(self.clock(), source="sweeper")
        events = []
        for delivery in overdue:
            message = self.store.message(delivery.message_id)
            if message is not None and message.sender:
                events.append(status_event(self.topology, message.sender, "delivery.overdue", message.id,
                                           receiver=delivery.receiver, format=delivery.format,
                                           business_key=message.business_key,
                                           deadline_at=delivery.deadline_at.isoformat() if delivery.deadline_at
                                           else None))
        if overdue:
            log.warning("delivery.overdue", count=len(overdue))
        return events
