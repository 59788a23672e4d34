"""Replaying stored messages: what an operator's `hub replay` decides and records; the CLI only
parses, prints and hands the publications to the transport.

Design note: a replay is planned first (``plan``: one step per message run again through the
pipeline, or per delivery sent again), so `--dry-run` shows exactly what would happen and nothing
is written. ``Replay.run`` then goes part by part: each step is recorded before its publication
(``message.replayed``, or the delivery reset to PENDING, naming who asked), the part is published,
and resent deliveries are marked SENT once the broker confirmed them. A crash in between leaves a
PENDING delivery, which a running `hub serve` republishes: nothing is lost, at worst sent twice
under the same message id (receivers deduplicate on it).

Modes:

- ``pipeline``: the stored raw message goes to the inbound exchange again as its sender (vouched
  for by the hub's own user, with ``x-hub-replay``), under the id the sender gave it; a message
  ACCEPTED already is skipped (``resend`` delivers it again). A part of a message that carried
  several documents replays the whole message: the router decides every part again, so of several
  parts of one message only the first asked for is a step, the others skipped.
- ``resend``: each delivery's stored payload is published again (``--to`` one receiver only).

A purged message (``hub purge``, the sweeper's retention) has no payload left to replay in either
mode: it is skipped with PAYLOAD_PURGED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ..adapters import Registry
from ..store.base import Message, MessageStatus, Store
from ..transport.base import Headers, Publication, Topology
from .outbound import outbound
from .parts import raw_of, root_of, sender_message_id_of


class Mode(str, Enum):
    PIPELINE = "pipeline"
    RESEND = "resend"


@dataclass(frozen=True)
class Step:
    """One publication of a replay: a message run again (``delivery_id`` None) or a delivery resent."""

    message_id: str
    delivery_id: int | None
    publication: Publication
    says: str
    """What it does, for the operator: ``<id>: resend to CUSTOMS-CN as gacc-mt1101 (now REJECTED)``."""


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Messages left alone, each with why."""


def plan(store: Store, topology: Topology, registry: Registry, messages: Sequence[Message], mode: Mode,
         who: str, only_receiver: str | None = None) -> Plan:
    """What replaying ``messages`` in ``mode`` would publish; writes nothing."""
    out = Plan()
    runs: dict[str, str] = {}      # the message a part belongs to -> the part whose step runs it again
    for m in messages:
        if m.purged_at is not None:
            out.skipped.append(f"{m.id}: its payloads were purged at {m.purged_at.isoformat(timespec='seconds')} "
                               "(personal data retention); it cannot be replayed [PAYLOAD_PURGED]")
            continue
        if mode is Mode.PIPELINE:
            if m.status is MessageStatus.ACCEPTED:
                out.skipped.append(f"{m.id}: accepted already; to deliver it again use --mode resend")
                continue
            root = root_of(m.id)
            if runs.setdefault(root, m.id) != m.id:
                out.skipped.append(f"{m.id}: a part of {root}, which runs again with {runs[root]}")
                continue
            if not (body := raw_of(store, m.id)):     # a part whose message's first part was purged
                out.skipped.append(f"{m.id}: the payload of {root} was purged; it cannot be replayed "
                                   "[PAYLOAD_PURGED]")
                continue
            again = Publication(exchange=topology.inbound, routing_key="", body=body,
                                message_id=sender_message_id_of(m.id, m.sender_message_id) or "",
                                headers={Headers.SENDER: m.sender, Headers.REPLAY: who})
            out.steps.append(Step(m.id, None, again,
                                  f"{m.id}: run again through the pipeline as {m.sender} ({m.status.value})"))
            continue
        for d in store.deliveries(m.id):
            if only_receiver and d.receiver != only_receiver:
                continue
            out.steps.append(Step(m.id, d.id, outbound(topology, registry, d, store.payload(d.id)),
                                  f"{m.id}: resend to {d.receiver} as {d.format} (now {d.state.value})"))
    return out


class Replay:
    """Carries out a plan: records each step, publishes it, marks resent deliveries SENT."""

    def __init__(self, store: Store, who: str, mode: Mode) -> None:
        self.store, self.who, self.mode = store, who, mode

    def run(self, steps: Sequence[Step], publish: Callable[[list[Publication]], None], part_size: int = 500) -> int:
        """Publish ``steps`` ``part_size`` at a time with ``publish`` (which returns once the broker
        confirmed them, or raises); returns how many were published."""
        for start in range(0, len(steps), max(1, part_size)):
            part = steps[start:start + max(1, part_size)]
            for step in part:
                if step.delivery_id is None:
                    self.store.add_event(step.message_id, None, "message.replayed", self.who,
                                         detail={"mode": self.mode.value})
                else:
                    self.store.reset_delivery(step.delivery_id, self.who)
            publish([s.publication for s in part])
            resent = [s.delivery_id for s in part if s.delivery_id is not None]
            if resent:
                self.store.mark_sent(resent, source=self.who)
        return len(steps)


__all__ = ["Mode", "Plan", "Replay", "Step", "plan"]
