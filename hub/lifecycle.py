"""A delivery's life in one place: which event moves which state where, and what a receipt may do.

    event       from                  to          who
    stored      -                     PENDING     the router (HELD when a route's check holds it)
    released    HELD                  PENDING     holds: the check passed
    refused     HELD                  REFUSED     holds: still failing past the hold's timeout
    sent        PENDING               SENT        the broker confirmed the publication
    failed      PENDING               FAILED      the broker would refuse it (too large)
    overdue     SENT, ACKNOWLEDGED    OVERDUE     the sweeper: no functional answer by the deadline
    receipt     any                   per RECEIPT_STATE, never down RANK (a late technical
                                      receipt after the functional answer changes nothing)
    resend      any                   PENDING     an operator's `hub replay --mode resend`

The store applies these moves (``MOVES``, ``after_receipt``); nothing else spells them out.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from .models import ReceiptStatus
from .store.base import DeliveryState as S


def hub_message_id(sender: str, sender_message_id: str | None, body: bytes) -> str:
    """A message's hub id, the one formula: stable across broker redeliveries, retries and replays of
    the same message (same sender, same id the sender gave it, same bytes). Offline commands (convert,
    check) use it with no sender and no id."""
    digest = hashlib.sha256(f"{sender}\0{sender_message_id or ''}\0".encode() + body).hexdigest()
    return "HUB-" + digest[:24].upper()


class Move(NamedTuple):
    """One event's move: from any state in ``before`` to ``after``, recorded as event ``event``."""

    before: frozenset[S]
    after: S
    event: str


MOVES: dict[str, Move] = {
    "released": Move(frozenset({S.HELD}), S.PENDING, "delivery.released"),
    "refused": Move(frozenset({S.HELD}), S.REFUSED, "delivery.refused"),
    "sent": Move(frozenset({S.PENDING}), S.SENT, "delivery.sent"),
    "failed": Move(frozenset({S.PENDING}), S.FAILED, "delivery.failed"),
    "overdue": Move(frozenset({S.SENT, S.ACKNOWLEDGED}), S.OVERDUE, "delivery.overdue"),
}

RECEIPT_STATE: dict[ReceiptStatus, S | None] = {
    ReceiptStatus.ACKNOWLEDGED: S.ACKNOWLEDGED, ReceiptStatus.ACCEPTED: S.ACCEPTED,
    ReceiptStatus.REJECTED: S.REJECTED, ReceiptStatus.OTHER: None}
"""An agency's answer -> the delivery state it moves to; OTHER (inspection, held, released ...) keeps the
state and records the agency's own status."""

RANK: dict[S, int] = {S.HELD: 0, S.PENDING: 0, S.SENT: 1, S.OVERDUE: 1, S.FAILED: 1, S.ACKNOWLEDGED: 2,
                      S.ACCEPTED: 3, S.REJECTED: 3, S.REFUSED: 3}
"""A receipt never moves a delivery down this order: an OVERDUE delivery answered late moves on, an
ACCEPTED one stays ACCEPTED when a late technical receipt arrives."""


def after_receipt(current: S, answered: S | None) -> S:
    """The state a delivery in ``current`` is in after a receipt that says ``answered``."""
    if answered is not None and RANK[answered] >= RANK[current]:
        return answered
    return current


__all__ = ["MOVES", "RANK", "RECEIPT_STATE", "Move", "after_receipt", "hub_message_id"]
