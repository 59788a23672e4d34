"""What a sender hears about its messages: JSON status events and native negative receipts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..adapters import Adapter, RenderContext
from ..errors import HubError, Problem
from ..models import Receipt, ReceiptError, ReceiptStatus
from ..pipeline import Engine
from ..transport.base import Headers, Publication, Topology


def _plain(value: object) -> object:
    """A value the JSON encoder does not know: a Problem as its JSON view, anything else as text."""
    return value.as_dict() if isinstance(value, Problem) else str(value)


_JSON = json.JSONEncoder(ensure_ascii=False, default=_plain)
"""The status events' encoder, built once (``json.dumps`` with options builds one per call)."""


def status_event(topology: Topology, sender: str, event: str, hub_message_id: str, **fields: Any) -> Publication:
    """A JSON status event on the sender's feed (routing key = sender); ``errors`` are Problems, which
    become JSON here, at the edge."""
    body = {"event": event, "hub_message_id": hub_message_id,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"), **fields}
    return Publication(exchange=topology.status, routing_key=sender,
                       body=_JSON.encode(body).encode("utf-8", "replace"),   # never raises on odd text
                       message_id=".".join(str(part) for part in (
                           hub_message_id, "status", event, fields.get("receiver"),
                           fields.get("receipt_id") and f"r{fields['receipt_id']}") if part),
                       content_type="application/json", headers={Headers.EVENT: event})


def native_rejection(engine: Engine, topology: Topology, sender: str, hub_message_id: str,
                     adapter: Adapter | None, data: bytes, business_key: str | None, problems: Sequence[Problem],
                     party_id: str) -> Publication | None:
    """The negative receipt of the sender's own format (XFNM, CONTRL, FNA ...), or None when it has none:
    each Problem becomes one of the receipt's errors (code, text, pointer)."""
    fmt = adapter.negative_receipt if adapter is not None else None
    if adapter is None or fmt is None:
        return None
    facts = _facts(adapter, data)
    facts["business_key"] = business_key or facts.get("business_key") or ""
    text = facts.pop("text", None) or "rejected by the e-port hub"  # an echo (FNA) replaces the default text
    try:
        receipt = Receipt(**facts, issuer=party_id, status=ReceiptStatus.REJECTED,
                          issued_at=datetime.now(UTC), text=text,
                          errors=[ReceiptError(code=p.code, text=p.message, pointer=p.path) for p in problems[:20]])
        out = engine.render(receipt, fmt, RenderContext(message_id=f"{hub_message_id}.nack",
                                                        sender_id=party_id, receiver_id=sender))
    except (HubError, ValueError):
        return None  # the JSON status event still carries every error
    return Publication(exchange=topology.status, routing_key=sender, body=out.data,
                       message_id=f"{hub_message_id}.nack", content_type=out.media_type,
                       headers={Headers.EVENT: "message.rejected", Headers.FORMAT: fmt})


def _facts(adapter: Adapter, data: bytes) -> dict[str, Any]:
    try:
        facts = adapter.reply_facts(data)
    except Exception:  # noqa: BLE001 - a reply must never fail on what it echoes
        return {}
    return {k: v for k, v in facts.items() if k in Receipt.model_fields and k not in ("status", "errors")}
