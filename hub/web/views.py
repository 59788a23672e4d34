"""A message as a party may see it: its deliveries per receiver with the agencies' answers, and its
timeline, cut to the party's scope and with personal fields masked (hub.masking)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..masking import redactor
from ..pipeline import Engine
from ..routing.table import RoutesFile
from ..store.base import Delivery, Event, Message, Store
from . import figures
from .tokens import Principal

UNREADABLE = "(masked: its document cannot be read to find its personal fields)"

_SHOWN_DETAIL = ("agency_status", "agency_reference", "codes", "mode", "previous_state")
"""What of an event's detail a party is shown: the agency's answer and the codes, never the hub's
internals (keys, other receivers)."""


def visible(who: Principal, m: Message, deliveries: list[Delivery]) -> list[Delivery] | None:
    """The deliveries of ``m`` ``who`` may see (all of them to its sender and to an admin; a
    receiver's own to a receiver), or None when ``m`` is none of its business."""
    if who.admin or m.sender == who.party:
        return deliveries
    own = [d for d in deliveries if d.receiver == who.party]
    return own or None


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def message_view(store: Store, engine: Callable[[], Engine], routes: RoutesFile, m: Message,
                 deliveries: list[Delivery]) -> dict[str, Any]:
    """The message with ``deliveries`` (already scoped) and the events of the message and of those."""
    redact = redactor(engine(), store, m)
    shown: Callable[[str], str] = redact or (lambda _text: UNREADABLE)
    answers = figures.reasons(store, [d.id for d in deliveries])
    names = {d.id: d.receiver for d in deliveries}

    def name(receiver: str) -> str | None:
        found = routes.receivers.get(receiver)
        return found.name if found else None

    def problem(p: dict[str, Any]) -> dict[str, Any]:
        return {"code": p.get("code"), "path": p.get("path"), "message": shown(str(p.get("message", "")))}

    def event(e: Event) -> dict[str, Any]:
        receiver = names.get(e.delivery_id) if e.delivery_id is not None else None
        return {"at": e.at.isoformat(), "type": e.type, "state": e.state, "source": e.source,
                "receiver": receiver, "receiver_name": name(receiver) if receiver else None,
                "detail": {k: v for k, v in e.detail.items() if k in _SHOWN_DETAIL}}

    def delivery(d: Delivery) -> dict[str, Any]:
        given = [problem(p) for p in answers.get(d.id, [])]
        return {"id": d.id, "receiver": d.receiver, "receiver_name": name(d.receiver), "format": d.format,
                "state": d.state.value, "agency_status": d.agency_status, "agency_reference": d.agency_reference,
                "reason": "; ".join(f"{p['code']} {p['message']}".strip() for p in given) or None,
                "problems": given, "deadline_at": _when(d.deadline_at), "updated_at": _when(d.updated_at),
                "attempts": d.attempts}

    timeline = [event(e) for e in store.events(m.id) if e.delivery_id is None or e.delivery_id in names]
    return {"id": m.id, "sender": m.sender, "sender_message_id": m.sender_message_id,
            "received_at": m.received_at.isoformat(), "status": m.status.value, "format": m.format,
            "kind": m.kind, "business_key": m.business_key, "function": m.function, "size": m.size,
            "duplicate_of": m.duplicate_of, "purged_at": _when(m.purged_at),
            "errors": [problem(p) for p in m.errors], "deliveries": [delivery(d) for d in deliveries],
            "timeline": timeline}
