"""Held deliveries (routes.yaml ``hold``): evaluated when what they wait for arrives, released when
their check passes, refused when it still fails at the hold's timeout.

Design note: the router evaluates the holds a batch touched right after storing the batch (the
batch's own facts are then visible), so an inventory arriving after its order, payment and logistics
bill goes out at once, and one arriving first goes out with the message that completes it. Released
deliveries are PENDING in the store before they are published: a crash in between is covered by the
worker-start republication of PENDING deliveries. Findings are sent to the declaring sender as status
events (JSON, plus its format's negative receipt on refusal); facts never reach a log.

A check that ``renders_at_release`` (``master-known``: a house waybill goes out on its master's
flight) has its delivery rendered again at release: the stored message is read again, completed with
the facts found (``Check.complete``) and rendered under the delivery's own id; that output is what is
published, and it replaces the stored payload (``Store.release(payloads=...)``: the one rendered at
arrival, empty when the router could not render it yet), so a republication after a crash between
release and the broker's confirm, or a `hub replay --mode resend`, sends the release's output. One
that cannot be rendered then is refused with the reason, the sender told.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from datetime import UTC, datetime

import structlog

from ..adapters import RenderContext
from ..checks import CHECKS, Fact, Pair, Values
from ..errors import ConversionError, HubError, Problem
from ..pipeline import Engine
from ..signatures import SigningKey
from ..store.base import Delivery, Store
from ..transport.base import Publication, Topology
from .outbound import outbound
from .parts import document_of, raw_of
from .status import native_rejection, status_event

log = structlog.get_logger()

Known = tuple[list[Fact], dict[Pair, Values]]
"""What a held delivery's check knows: its message's own facts, and those found for what it waits for."""


class Holds:
    def __init__(self, store: Store, topology: Topology, engine: Engine, party_id: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), signer: SigningKey | None = None) -> None:
        self.store, self.topology, self.engine, self.party_id = store, topology, engine, party_id
        self.clock, self.signer = clock, signer

    def known(self, delivery: Delivery, check: str) -> Known:
        """The held delivery's own facts, and those found for what its check waits for (two reads)."""
        own = [Fact(kind, key, values) for kind, key, values in self.store.facts_of(delivery.message_id)]
        return own, self.store.facts(CHECKS[check].waits(own))

    def problems(self, delivery: Delivery, check: str, known: Known | None = None) -> list[Problem]:
        """What the delivery's check still finds missing or disagreeing ([]: it may go)."""
        own, found = known or self.known(delivery, check)
        return CHECKS[check].evaluate(own, found)

    def render(self, delivery: Delivery, check: str, known: Known | None = None) -> bytes:
        """The delivery's output rendered now, from the stored message completed with the facts its
        check finds (checks that ``renders_at_release``). Raises HubError when it cannot be."""
        own, found = known or self.known(delivery, check)
        stored = self.store.message(delivery.message_id)
        document = CHECKS[check].complete(document_of(self.engine, self.store, delivery.message_id, stored),
                                          own, found)
        ctx = RenderContext(message_id=delivery.out_id, sender_id=self.party_id, receiver_id=delivery.receiver,
                            created_at=self.clock(), signer=self.signer,
                            origin=(delivery.message_id, stored.sender) if stored is not None else None)
        return self.engine.render(document, delivery.format, ctx).data

    def settle(self, candidates: list[tuple[Delivery, str]], source: str,
               tell_held: Set[int] = frozenset()) -> tuple[list[Publication], list[int]]:
        """Release the candidates whose check passes; tell the sender about those in ``tell_held``
        that must wait. Returns (publications, ids of released deliveries to mark SENT)."""
        pubs: list[Publication] = []
        failing, known = self._evaluate(candidates)
        for delivery, check in candidates:
            if delivery.id in failing and delivery.id in tell_held:
                pubs += self._tell(delivery, "delivery.held", failing[delivery.id], check)
        return self._release([(d, c) for d, c in candidates if d.id not in failing], source, pubs, known)

    def expire(self, now: datetime) -> tuple[list[Publication], list[int]]:
        """Holds past their timeout: released if the check passes by now, else refused."""
        expired = self.store.held(expired_at=now)
        failing, known = self._evaluate(expired)
        pubs, released = self._release([(d, c) for d, c in expired if d.id not in failing], "sweeper", [], known)
        for delivery, check in expired:
            if delivery.id in failing:
                pubs += self._refuse(delivery, check, failing[delivery.id])
        if failing:
            log.warning("hold.refused", deliveries=len(failing))
        return pubs, released

    def _refuse(self, delivery: Delivery, check: str, problems: list[Problem]) -> list[Publication]:
        pubs: list[Publication] = []
        for refused in self.store.refuse([delivery.id], [p.as_dict() for p in problems], source=f"check:{check}"):
            pubs += self._tell(refused, "delivery.refused", problems, check, native=True)
        return pubs

    def _evaluate(self, candidates: list[tuple[Delivery, str]]) -> tuple[dict[int, list[Problem]], dict[int, Known]]:
        """The problems of each candidate whose check still fails, and what each candidate's check
        knows (read once: a release renders from it), both by delivery id."""
        known = {d.id: self.known(d, check) for d, check in candidates}
        found = {d.id: self.problems(d, check, known[d.id]) for d, check in candidates}
        return {id_: problems for id_, problems in found.items() if problems}, known

    def _release(self, ready: list[tuple[Delivery, str]], source: str, pubs: list[Publication],
                 known: dict[int, Known]) -> tuple[list[Publication], list[int]]:
        rendered: dict[int, bytes] = {}
        for delivery, check in ready:
            if not CHECKS[check].renders_at_release:
                continue
            try:
                rendered[delivery.id] = self.render(delivery, check, known[delivery.id])
            except HubError as exc:
                problem = Problem(exc.code, f"{delivery.receiver} ({delivery.format}): {exc.message}",
                                  exc.line, exc.path)
                pubs += self._refuse(delivery, check, [problem])
        go = [d.id for d, check in ready if d.id in rendered or not CHECKS[check].renders_at_release]
        released = self.store.release(go, source=source, payloads=rendered)
        for delivery, payload in released:
            pubs.append(outbound(self.topology, self.engine.registry, delivery, payload))
            pubs += self._tell(delivery, "delivery.released", [], None)
        if released:
            log.info("hold.released", deliveries=len(released))
        return pubs, [d.id for d, _ in released]

    def _tell(self, delivery: Delivery, event: str, problems: list[Problem], check: str | None,
              native: bool = False) -> list[Publication]:
        message = self.store.message(delivery.message_id)
        if message is None or not message.sender:
            return []
        fields: dict[str, object] = {"receiver": delivery.receiver, "format": delivery.format,
                                     "business_key": message.business_key}
        if check:
            fields["check"] = check
        if problems:
            fields["errors"] = problems
        pubs = [status_event(self.topology, message.sender, event, message.id, **fields)]
        if native and message.format:
            try:
                adapter = self.engine.registry.get(message.format)
            except ConversionError:  # a format since unregistered: the JSON event still goes
                adapter = None
            nack = native_rejection(self.engine, self.topology, message.sender, message.id, adapter,
                                    raw_of(self.store, message.id), message.business_key, problems, self.party_id)
            if nack is not None:
                pubs.append(nack)
        return pubs


__all__ = ["Holds"]
