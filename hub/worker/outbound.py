"""The publication of one delivery to its receiver's feed (router, hold release, restart, resend)."""

from __future__ import annotations

from ..adapters import Registry
from ..store.base import Delivery
from ..transport.base import Headers, Publication, Topology


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
