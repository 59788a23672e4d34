"""What a sender hears about its messages: JSON status events and native negative receipts."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ..adapters import RenderContext
from ..errors import HubError
from ..models import Receipt, ReceiptError, ReceiptStatus
from ..pipeline import Engine
from ..transport.base import Publication, Topology

NATIVE_RECEIPTS = {"cargo-xml": "xfnm"}
"""Families whose senders also get a native receipt, and the receipt format they get."""


def status_event(topology: Topology, sender: str, event: str, hub_message_id: str, **fields) -> Publication:
    """A JSON status event on the sender's feed (routing key = sender)."""
    body = {"event": event, "hub_message_id": hub_message_id,
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **fields}
    return Publication(exchange=topology.status, routing_key=sender,
                       body=json.dumps(body, ensure_ascii=False, default=str).encode(),
                       message_id=f"{hub_message_id}.status.{event}.{fields.get('receiver', '')}".rstrip("."),
                       content_type="application/json", headers={"x-hub-event": event})


def native_rejection(engine: Engine, topology: Topology, sender: str, hub_message_id: str, family: str | None,
                     business_key: str | None, answers_type: str | None, errors: list[dict],
                     party_id: str) -> Publication | None:
    """The sender family's own negative receipt (XFNM for Cargo-XML), or None when it has none."""
    fmt = NATIVE_RECEIPTS.get(family or "")
    if fmt is None or not business_key:
        return None
    receipt = Receipt(business_key=business_key, answers_type=answers_type, issuer=party_id,
                      status=ReceiptStatus.REJECTED, issued_at=datetime.now(timezone.utc),
                      text="rejected by the e-port hub",
                      errors=[ReceiptError(code=e["code"], text=e.get("message"), pointer=e.get("path"))
                              for e in errors[:20]])
    try:
        out = engine.render(receipt, fmt, RenderContext(message_id=f"{hub_message_id}.nack",
                                                        sender_id=party_id, receiver_id=sender))
    except HubError:
        return None  # the JSON status event still carries every error
    return Publication(exchange=topology.status, routing_key=sender, body=out.data,
                       message_id=f"{hub_message_id}.nack", content_type=out.media_type,
                       headers={"x-hub-event": "message.rejected", "x-hub-format": fmt})
