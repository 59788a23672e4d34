"""Another e-port hub's status events, read as receipts of the deliveries made to that hub.

When a receiver of routes.yaml is another hub (``kind: hub``, see hub.links), what comes back over
the link is that hub's own status feed for us: the JSON status events docs/integration.md describes
(``message.accepted``, ``delivery.accepted`` ...). This reader turns each into a Receipt answering
our delivery to that hub, so our sender sees the far agency's answer on its own status feed.

Correlation takes two steps, because the far hub quotes our delivery's id only on the events of
its ingest (``message.*``: ``sender_message_id`` = the AMQP message id we delivered with, our
``<hub message id>.<receiver>``): such an event answers that delivery and gives the far hub's own
message id as its agency reference, which the store keeps as a further key of the delivery. The
far hub's ``delivery.*`` events (an agency's answer there) name only its own message id: they are
correlated by that reference, and by the business key as a fallback. The link's shovel keeps the
feed's order, so the far hub's acceptance always comes before its agencies' answers.

Each answer names the far receiver it comes from in ``agency_status`` (``CUSTOMS-XX: accepted``):
the delivery at our hub is to the far hub; which of its agencies answered, and how, is the agency
status our sender sees.
"""

from __future__ import annotations

import json
from typing import Any

from hub.adapters import Adapter, Probe
from hub.errors import ParseError
from hub.models import Document, Kind, Receipt, ReceiptError, ReceiptStatus

STATUS: dict[str, ReceiptStatus] = {
    "message.accepted": ReceiptStatus.ACKNOWLEDGED,    # the far hub took it: routed, deliveries made
    "message.rejected": ReceiptStatus.REJECTED,         # the far hub refused it (errors say why)
    "delivery.acknowledged": ReceiptStatus.ACKNOWLEDGED,
    "delivery.accepted": ReceiptStatus.ACCEPTED,
    "delivery.rejected": ReceiptStatus.REJECTED,
    "delivery.refused": ReceiptStatus.REJECTED,          # a hold's check failed at the far hub
}
"""A far hub's event -> how it answers our delivery; any other event (a duplicate, an overdue or failed
delivery there, a hold ...) is OTHER: recorded as the agency status, the delivery's state kept."""


class HubStatus(Adapter):
    name = "hub-status"
    family = "hub"
    description = "another e-port hub's JSON status events, as receipts of the deliveries made to it"
    media_type = "application/json"
    reads = frozenset({Kind.RECEIPT})

    def detect(self, probe: Probe) -> bool:
        head = probe.head
        return head[:1] == b"{" and b'"event"' in head and b'"hub_message_id"' in head

    def parse(self, probe: Probe) -> Document:
        try:
            event = json.loads(probe.data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParseError(f"not a status event: {exc}", code="HUB_STATUS_MALFORMED", line=1) from exc
        if not isinstance(event, dict) or not isinstance(event.get("event"), str) \
                or not isinstance(event.get("hub_message_id"), str):
            raise ParseError("a status event is an object with 'event' and 'hub_message_id'",
                             code="HUB_STATUS_MALFORMED", line=1)
        return receipt_of(event)


def receipt_of(event: dict[str, Any]) -> Receipt:
    """The receipt one of a far hub's status events gives our delivery to that hub."""
    name, far_id = str(event["event"]), str(event["hub_message_id"])
    status = STATUS.get(name, ReceiptStatus.OTHER)
    if name.startswith("message."):
        answers = str(event.get("sender_message_id") or far_id)
        reference: str | None = far_id if name != "message.duplicate" else str(event.get("duplicate_of") or far_id)
        agency_status = name.removeprefix("message.")
    else:
        answers = far_id
        reference = _text(event.get("agency_reference"))
        state = name.removeprefix("delivery.")
        agency_status = f"{event.get('receiver') or '?'}: {_text(event.get('agency_status')) or state}"
    return Receipt(answers_message_id=answers, business_key=_text(event.get("business_key")) or "",
                   issuer=_text(event.get("receiver")), status=status, agency_status=agency_status,
                   agency_reference=reference, text=name, errors=_errors(event.get("errors")))


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _errors(value: object) -> list[ReceiptError]:
    """The far hub's errors (its Problems' JSON view: code, message, path) as the receipt's."""
    if not isinstance(value, list):
        return []
    return [ReceiptError(code=str(e.get("code") or "FAR_HUB_ERROR"), text=_text(e.get("message") or e.get("text")),
                         pointer=_text(e.get("path") or e.get("pointer")))
            for e in value if isinstance(e, dict)]


def adapters() -> list[Adapter]:
    return [HubStatus()]
