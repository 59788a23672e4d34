"""The publication of one delivery to its receiver's feed (router, hold release, restart, resend)."""

from __future__ import annotations

from ..adapters import Registry
from ..store.base import Delivery
from ..transport.base import Publication, Topology


def outbound(topology: Topology, registry: Registry, delivery: Delivery, payload: bytes, kind: str | None = None,
             key: str | None = None) -> Publication:
    """The publication of one delivery: to the receiver's queue, under its stable per-receiver id."""
    headers = {"x-hub-message-id": delivery.message_id, "x-hub-format": delivery.format,
               "x-hub-receiver": delivery.receiver}
    if kind:
        headers["x-hub-kind"] = kind
    if key:
        headers["x-hub-business-key"] = key
    return Publication(exchange=topology.outbound, routing_key=delivery.receiver, body=payload,
                       message_id=delivery.out_id, content_type=registry.get(delivery.format).media_type,
                       headers=headers)
