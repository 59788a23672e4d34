"""The receipt worker core and the deadline sweeper.

An agency's receipt is read with the same engine as any message, correlated to
the delivery it answers by (agency, key) - the hub's per-receiver message id
when the format echoes it, else the business key, else a reference an earlier
receipt gave (DecImportResponse's SeqNo for the DEC_RESULT that follows) - and
stored. A receipt that matches nothing is stored as orphaned, never dropped.
Every receipt becomes an event and a status event on the sender's feed.

A receipt is applied only in one of the formats routes.yaml lists for its receiver
(``receipt_formats``); one in another format, or over the size limit, is stored
refused (RECEIPT_FORMAT_NOT_ACCEPTED, INPUT_TOO_LARGE: the latter by its head, size
and hash) and never applied. A receipt that raises fails alone, is retried on the
receipt worker's own lane and, after the last retry, dead-lettered as a receipt and
stored unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import structlog

from ..adapters import Registry
from ..errors import Disposition, HubError, Problem, disposition_of
from ..lifecycle import RECEIPT_STATE
from ..models import Receipt
from ..pipeline import Engine
from ..routing.table import Receiver
from ..settings import Settings
from ..store.base import Correlation, NewReceipt, Store
from ..transport.base import Inbound, Publication, PublishLimit, Topology, Work
from .failures import Retries, reason
from .guard import Failed, guarded
from .holds import Holds
from .kept import kept
from .outbound import republish
from .status import status_event

log = structlog.get_logger()

HUB_OUT_ID = re.compile(r"HUB-[0-9A-F]{24}(?:-P[0-9]+)?\.\S+")
"""The id of one of the hub's deliveries, ``<hub message id>.<receiver>`` (as written on every copy); a
part of a message that carried several documents has the id ``<hub message id>-P<n>``."""


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
    """Reads, correlates and stores agency receipts; tells the sender. With ``receivers`` (routes.yaml),
    a receipt is applied only in one of its receiver's ``receipt_formats``."""

    def __init__(self, engine: Engine, store: Store, topology: Topology,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 receivers: Mapping[str, Receiver] | None = None, retries: Retries | None = None) -> None:
        self.engine, self.store, self.topology, self.clock = engine, store, topology, clock
        self.receivers = receivers
        self.retries = retries or Retries(topology, "acks")

    def handle(self, batch: list[Inbound]) -> list[Work]:
        """Read every receipt (a message may carry several answers), store the batch in one
        transaction, then tell the senders. A receipt that raises on its own fails alone."""
        news, failed = [], []
        for i, inbound in enumerate(batch):
            read = guarded(inbound, "receipt.raised", {"receiver": inbound.sender}, self._new, inbound)
            if isinstance(read, Failed):
                failed.append((i, read.exc))
            else:
                news += [(i, new) for new in read]
        correlations = self.store.apply_receipts([new for _, new in news])
        works = [Work(inbound) for inbound in batch]
        for (i, new), corr in zip(news, correlations):
            self._tell(works[i], new, corr)
        for i, raised in failed:
            works[i], = self.fail([batch[i]], raised)
        return works

    def fail(self, batch: list[Inbound], exc: BaseException) -> list[Work]:
        """Receipts that met ``exc`` go on to the receipt worker's next retry queue; after the last,
        to dead letters, and stored unreadable with the reason (visible in `hub receipts list`)."""
        own = disposition_of(exc) is not Disposition.RETRY
        works, dead = [], []
        for inbound in batch:
            works.append(Work(inbound, [self.retries.next(inbound, exc)]))
            if self.retries.exhausted(inbound):
                code = "INTERNAL_ERROR" if own else "RETRIES_EXHAUSTED"
                dead.append(self._unapplied(inbound, None, [Problem(code, reason(exc))], dead_lettered=True))
        log.warning("receipt.failed", count=len(batch), error=type(exc).__name__, own=own)
        if dead:
            try:
                self.store.apply_receipts(dead)
            except Exception as store_exc:  # the dead letters still hold them
                log.warning("receipt.failed_unstored", count=len(dead), error=type(store_exc).__name__)
        return works

    def _unapplied(self, inbound: Inbound, fmt: str | None, problems: list[Problem],
                   refused: bool = False, dead_lettered: bool = False) -> NewReceipt:
        """A receipt stored for the record, never applied: unreadable, or refused (by its head when
        it is over the size limit); its problems as the store keeps them (their JSON view)."""
        errors = tuple({**p.as_dict(), "dead_lettered": True} if dead_lettered else p.as_dict() for p in problems)
        stored = kept(inbound.body, self.engine.limits.max_bytes)
        return NewReceipt(receiver=inbound.sender, format=fmt, received_at=self.clock(), raw=stored.raw, keys=(),
                          state=None, agency_status=None, agency_reference=None, errors=errors,
                          refused=refused, sha256=stored.sha256, size=stored.size)

    def _new(self, inbound: Inbound) -> list[NewReceipt]:
        """One stored receipt per answer; the message's bytes are kept with its last answer."""
        if len(inbound.body) > self.engine.limits.max_bytes:
            return [self._unapplied(inbound, None, [Problem(
                "INPUT_TOO_LARGE", f"the receipt has {len(inbound.body)} bytes; the limit is "
                                   f"{self.engine.limits.max_bytes} (HUB_MAX_MESSAGE_BYTES)")], refused=True)]
        receipt, fmt, problems = self._read(inbound)
        if fmt is not None and (refusal := self._refusal(inbound.sender, fmt)):
            return [self._unapplied(inbound, fmt, [refusal, *problems], refused=True)]
        if receipt is None:
            return [self._unapplied(inbound, fmt, problems)]
        answers = receipt.answers()
        limit = self.engine.limits.max_bytes
        raws = [kept(b"", limit)] * (len(answers) - 1) + [kept(inbound.body, limit)]
        return [NewReceipt(receiver=inbound.sender, format=fmt, received_at=self.clock(),
                           raw=stored.raw, sha256=stored.sha256, size=stored.size,
                           keys=receipt_keys(answer), state=RECEIPT_STATE[answer.status],
                           agency_status=answer.agency_status or answer.status.value,
                           agency_reference=answer.agency_reference,
                           errors=tuple(p.as_dict() for p in _errors(answer)))
                for answer, stored in zip(answers, raws)]

    def _refusal(self, receiver: str, fmt: str) -> Problem | None:
        """Why a receipt in ``fmt`` from ``receiver`` is not applied, or None when it may be."""
        if self.receivers is None:
            return None
        listed = self.receivers[receiver].receipt_formats if receiver in self.receivers else []
        if fmt in listed:
            return None
        return Problem("RECEIPT_FORMAT_NOT_ACCEPTED",
                        f"{receiver} answers in {', '.join(listed) or 'no receipt format'} (routes.yaml), not {fmt}"
                        if receiver in self.receivers else f"{receiver} is not a receiver in routes.yaml")

    def _tell(self, work: Work, new: NewReceipt, corr: Correlation) -> None:
        delivery, message = corr.delivery, corr.message
        if delivery is None or message is None:
            log.warning("receipt.refused" if new.refused else "receipt.orphaned", receipt_id=corr.receipt_id,
                        receiver=new.receiver, format=new.format,
                        codes=sorted({str(e.get("code")) for e in new.errors}))
            return
        state = delivery.state.value
        log.info("receipt.correlated", receipt_id=corr.receipt_id, delivery_id=delivery.id, state=state)
        work.publications.append(status_event(
            self.topology, message.sender, f"delivery.{state.lower()}", message.id,
            receiver=delivery.receiver, format=delivery.format, business_key=message.business_key,
            agency_status=delivery.agency_status, agency_reference=delivery.agency_reference,
            errors=list(new.errors), receipt_id=corr.receipt_id))

    def _read(self, inbound: Inbound) -> tuple[Receipt | None, str | None, list[Problem]]:
        """The receipt and its format; or None, the format if known, and the problems that stop it."""
        try:
            read = self.engine.inspect(inbound.body)
        except HubError as exc:
            if exc.disposition is not Disposition.REJECT:
                raise
            return None, None, list(exc.problems)
        if read.problems or not isinstance(read.document, Receipt):
            problems = read.problems or [Problem("NOT_A_RECEIPT", f"{read.adapter.name} is not a receipt format")]
            return None, read.adapter.name, problems
        return read.document, read.adapter.name, []


def _errors(receipt: Receipt) -> list[Problem]:
    """The agency's own errors in a receipt (code, text, pointer) as Problems."""
    return [Problem(e.code, e.text or "", path=e.pointer) for e in receipt.errors]


LEAD = "sweeper"
"""The lead the sweepers of several nodes on one store compete for."""


class Sweeper:
    """Deliveries without their receipt past the receiver's deadline become OVERDUE; held deliveries
    past their hold's timeout are released or refused (``holds``); senders are told. With the
    ``registry``, deliveries left PENDING for over ``stale_after`` are published again. Messages of a
    kind in ``retention`` older than its period are purged (``retain``); None: HUB_RETENTION's.

    Several nodes on one store each run a sweeper; only the one whose node holds the store's
    ``LEAD`` sweeps (``Store.lead``: one at a time; when its node dies, another takes it on its next
    tick). ``clock`` should read the database's clock there (``store.clock.DatabaseClock``), so
    that no node's own clock decides a deadline or a hold's timeout."""

    def __init__(self, store: Store, topology: Topology,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 holds: Holds | None = None, registry: Registry | None = None,
                 stale_after: timedelta = timedelta(minutes=1), limit: PublishLimit | None = None,
                 orphans_kept_for: timedelta | None = None, orphans_kept: int | None = None,
                 retention: Mapping[str, timedelta] | None = None, purge_limit: int = 500) -> None:
        self.store, self.topology, self.clock, self.holds = store, topology, clock, holds
        self.retention = dict(Settings().retention_periods() if retention is None else retention)
        self.purge_limit = purge_limit
        self.registry, self.stale_after, self.limit = registry, stale_after, limit
        self.orphans_kept_for, self.orphans_kept = orphans_kept_for, orphans_kept
        self._republished: dict[int, datetime] = {}    # delivery id -> when this sweeper last sent it

    def tick(self) -> Work:
        """One sweep as work for the runner: status events and publications, plus the deliveries
        to mark SENT once those are confirmed. Nothing unless this node leads the sweepers."""
        if not self.store.lead(LEAD):
            return Work(None, [], [])
        pubs, released = self.holds.expire(self.clock()) if self.holds else ([], [])
        again, stale = self.republish_stale()
        self.prune_orphans()
        self.retain()
        return Work(None, self.sweep() + pubs + again, released + stale)

    def retain(self) -> int:
        """Personal data kept only as long as allowed: the payloads and personal fields of messages
        older than their kind's retention period are purged, at most ``purge_limit`` per period a
        tick (the oldest first; the rest on the next ticks), each with a ``message.purged`` event
        from "sweeper". Returns how many messages were purged."""
        now, by_period = self.clock(), dict[timedelta, list[str]]()
        for kind, period in sorted(self.retention.items()):
            by_period.setdefault(period, []).append(kind)
        purged = sum(len(self.store.purge(now - period, kinds, "sweeper", limit=self.purge_limit).message_ids)
                     for period, kinds in sorted(by_period.items()))
        if purged:
            log.info("messages.retention_purged", count=purged)
        return purged

    def prune_orphans(self) -> int:
        """Receipts that matched no delivery are kept for a period and up to a count, oldest dropped."""
        if self.orphans_kept_for is None or self.orphans_kept is None:
            return 0
        dropped = self.store.prune_orphans(self.clock() - self.orphans_kept_for, self.orphans_kept)
        if dropped:
            log.warning("receipt.orphans_dropped", count=dropped)
        return dropped

    def republish_stale(self, limit: int = 500) -> tuple[list[Publication], list[int]]:
        """Deliveries PENDING and unchanged for over ``stale_after``: stored, but their publication
        never seen confirmed by a worker that is still waiting (one that died after its inbound
        message was settled, a mark-SENT that failed, a release lost in a crash). Published again
        under their own message id, so a receiver drops a repeat; ``limit`` a tick, and each at most
        once per ``stale_after`` while its confirm is awaited (a broker that blocks publishers).
        Each is leased to this node meanwhile (``Store.lease_pending``): never one another node publishes."""
        if self.registry is None:
            return [], []
        now = self.clock()
        since = now - self.stale_after
        self._republished = {i: at for i, at in self._republished.items() if at > since}
        stale = [(d, p) for d, p in self.store.lease_pending(limit, unchanged_since=since)
                 if d.id not in self._republished]
        pubs, sent = republish(self.store, self.topology, self.registry, stale, self.limit, "sweeper")
        self._republished.update((i, now) for i in sent)
        if sent:
            log.warning("delivery.republished", count=len(sent), source="sweeper")
        return pubs, sent

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
