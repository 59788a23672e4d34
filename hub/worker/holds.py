"""Held deliveries (routes.yaml ``hold``): evaluated when what they wait for arrives, released when
their check passes, refused when it still fails at the hold's timeout.

Design note: the router evaluates the holds a batch touched right after storing the batch (the
batch's own facts are then visible), so an inventory arriving after its order, payment and logistics
bill goes out at once, and one arriving first goes out with the message that completes it. Released
deliveries are PENDING in the store before they are published: a crash in between is covered by the
worker-start republication of PENDING deliveries. Findings are sent to the declaring sender as status
events (JSON, plus its format's negative receipt on refusal); facts never reach a log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

import structlog

from ..checks import CHECKS, Fact, Pair
from ..errors import Problem
from ..pipeline import Engine
from ..store.base import Delivery, Store
from ..transport.base import Publication, Topology
from .status import native_rejection, status_event

log = structlog.get_logger()


class Holds:
    def __init__(self, store: Store, topology: Topology, engine: Engine, party_id: str,
                 outbound: Callable[[Delivery, bytes], Publication]) -> None:
        self.store, self.topology, self.engine, self.party_id = store, topology, engine, party_id
        self.outbound = outbound

    def problems(self, delivery: Delivery, check: str) -> list[Problem]:
        own = [Fact(kind, key, values) for kind, key, values in self.store.facts_of(delivery.message_id)]
        rule = CHECKS[check]
        return rule.evaluate(own, self.store.facts(rule.waits(own)))

    def settle(self, candidates: list[tuple[Delivery, str]], source: str,
               tell_held: set[int] = frozenset()) -> tuple[list[Publication], list[int]]:
        """Release the candidates whose check passes; tell the sender about those in ``tell_held``
        that must wait. Returns (publications, ids of released deliveries to mark SENT)."""
        ready, pubs = [], []
        for delivery, check in candidates:
            problems = self.problems(delivery, check)
            if not problems:
                ready.append(delivery.id)
            elif delivery.id in tell_held:
                pubs += self._tell(delivery, "delivery.held", problems, check)
        released = self.store.release(ready, source=source)
        for delivery, payload in released:
            pubs.append(self.outbound(delivery, payload))
            pubs += self._tell(delivery, "delivery.released", [], None)
        if released:
            log.info("hold.released", deliveries=len(released))
        return pubs, [d.id for d, _ in released]

    def expire(self, now: datetime) -> tuple[list[Publication], list[int]]:
        """Holds past their timeout: released if the check passes by now, else refused."""
        expired = self.store.held(expired_at=now)
        passing = [(d, c) for d, c in expired if not self.problems(d, c)]
        pubs, released = self.settle(passing, source="sweeper") if passing else ([], [])
        for delivery, check in expired:
            if delivery.id in released:
                continue
            problems = self.problems(delivery, check)
            errors = [p.as_dict() for p in problems]
            for refused in self.store.refuse([delivery.id], errors, source=f"check:{check}"):
                pubs += self._tell(refused, "delivery.refused", problems, check, native=True)
        if len(expired) > len(released):
            log.warning("hold.refused", deliveries=len(expired) - len(released))
        return pubs, released

    def _tell(self, delivery: Delivery, event: str, problems: list[Problem], check: str | None,
              native: bool = False) -> list[Publication]:
        message = self.store.message(delivery.message_id)
        if message is None or not message.sender:
            return []
        errors = [p.as_dict() for p in problems]
        fields = {"receiver": delivery.receiver, "format": delivery.format, "business_key": message.business_key}
        if check:
            fields["check"] = check
        if errors:
            fields["errors"] = errors
        pubs = [status_event(self.topology, message.sender, event, message.id, **fields)]
        if native and message.format:
            try:
                adapter = self.engine.registry.get(message.format)
            except Exception:  # noqa: BLE001 - a format since unregistered: the JSON event still goes
                adapter = None
            nack = native_rejection(self.engine, self.topology, message.sender, message.id, adapter,
                                    self.store.raw(message.id), message.business_key, errors, self.party_id)
            if nack is not None:
                pubs.append(nack)
        return pubs


def waits_of(facts: list[Fact], check: str) -> tuple[Pair, ...]:
    return tuple(CHECKS[check].waits(facts))


__all__ = ["Holds", "waits_of"]
