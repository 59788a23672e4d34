"""The publication of one delivery to its receiver's feed (router, hold release, restart, resend), and
the republication of stored deliveries (a redelivered message's, the sweeper's stale ones, serve's at start)."""

from __future__ import annotations

import structlog

from ..adapters import Registry
from ..errors import OutputTooLarge, Problem
from ..store.base import Delivery, Store
from ..transport.base import Headers, Publication, PublishLimit, Topology
from .status import status_event

log = structlog.get_logger()


def outbound(topology: Topology, registry: Registry, delivery: Delivery, payload: bytes, kind: str | None = None,
             key: str | None = None) -> Publication:
    """The publication of one delivery: to the receiver's queue, under its stable per-receiver id."""
    headers = {Headers.MESSAGE_ID: delivery.message_id, Headers.FORMAT: delivery.format,
               Headers.RECEIVER: delivery.receiver}
    if kind:
        headers[Headers.KIND] = kind
    if key:
        headers[Headers.BUSINESS_KEY] = key
    return Publication(exchange=topology.outbound, routing_key=delivery.receiver, body=payload,
                       message_id=delivery.out_id, content_type=registry.get(delivery.format).media_type,
                       headers=headers)


def republish(store: Store, topology: Topology, registry: Registry, stored: list[tuple[Delivery, bytes]],
              limit: PublishLimit | None, source: str) -> tuple[list[Publication], list[int]]:
    """Stored (delivery, payload) pairs published again under their own ids; those over ``limit`` (the
    broker's limit learnt below the one they were rendered under) failed instead (``fail_too_large``).
    Returns (the publications, then the failed ones' status events; the ids of the deliveries published)."""
    sendable, too_large = limit.split(stored) if limit is not None else (stored, [])
    told = fail_too_large(store, topology, too_large, limit, source) if limit is not None else []
    return ([outbound(topology, registry, delivery, payload) for delivery, payload in sendable] + told,
            [delivery.id for delivery, _ in sendable])


def fail_too_large(store: Store, topology: Topology, too_large: list[tuple[Delivery, bytes]],
                   limit: PublishLimit, source: str) -> list[Publication]:
    """Stored deliveries the broker would refuse (its limit learnt below the one they were rendered
    under): FAILED with OUTPUT_TOO_LARGE, never published; their senders told."""
    if not too_large:
        return []
    problem = Problem(OutputTooLarge.code, f"the delivery is larger than the {limit.bytes} bytes the broker takes")
    failed = store.fail_deliveries([d.id for d, _ in too_large], [problem.as_dict()], source=source)
    log.error("delivery.too_large", count=len(failed), limit=limit.bytes)
    events = []
    for delivery in failed:
        message = store.message(delivery.message_id)
        if message is not None and message.sender:
            events.append(status_event(topology, message.sender, "delivery.failed", message.id,
                                       receiver=delivery.receiver, format=delivery.format,
                                       business_key=message.business_key, errors=[problem]))
    return events


__all__ = ["fail_too_large", "outbound", "republish"]
