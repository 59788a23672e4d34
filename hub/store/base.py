"""The message store interface: messages, deliveries, receipts and the event log.

Design note: the store is the hub's memory and its audit trail. Every accepted
message is written with one delivery per receiver (state PENDING) in one
transaction *before* anything is published; publisher confirms then move the
deliveries to SENT. Every state change appends an event (time, type, state,
source); nothing in the event log is ever updated or deleted. A receipt is
stored whether or not it matches a delivery, so nothing an agency sends is lost
unseen: one that matched none (orphaned, unreadable or refused) stays visible for
the retention period (``prune_orphans``), and every one dropped is counted
(``stats``) and logged as an event. Implementations: ``sqlite.py`` (embedded default);
a PostgreSQL store implements the same interface later.

All methods are synchronous and safe to call from one thread per Store object;
each worker process opens its own Store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class MessageStatus(str, Enum):
    """What became of an inbound message as a whole."""

    ACCEPTED = "ACCEPTED"      # valid, routed; deliveries exist
    REJECTED = "REJECTED"      # bad input (format, schema, rules, route, sender): errors say why
    DUPLICATE = "DUPLICATE"    # a repeat of an accepted message: not delivered again
    FAILED = "FAILED"          # transient faults outlasted the retries: dead-lettered, replayable


class DeliveryState(str, Enum):
    """One message to one receiver (ARCHITECTURE.md, 'Delivery states')."""

    HELD = "HELD"                  # waiting for a hub check (routes.yaml hold: 三单对碰) before it is sent
    PENDING = "PENDING"            # stored, not yet confirmed by the broker
    SENT = "SENT"                  # the broker confirmed it
    ACKNOWLEDGED = "ACKNOWLEDGED"  # technical receipt: the agency has it
    ACCEPTED = "ACCEPTED"          # functional answer: accepted (later agency statuses keep this state
    REJECTED = "REJECTED"          #   or move on; the agency's own code is in agency_status)
    OVERDUE = "OVERDUE"            # no receipt by the receiver's deadline
    FAILED = "FAILED"              # could not be published after the retries
    REFUSED = "REFUSED"            # held, and its check failed past the hold's timeout: never sent


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to write: receiver, format, the route that asked for it, the rendered bytes."""

    receiver: str
    format: str
    route: str
    payload: bytes
    deadline_at: datetime | None
    correlation_keys: tuple[str, ...] = ()   # keys a receipt from this receiver may quote
    hold: str | None = None                  # a check name: stored HELD, not PENDING, until it passes
    held_until: datetime | None = None       # when a still-failing hold is refused
    waits: tuple[tuple[str, str], ...] = ()  # (kind, key) of the documents the hold waits for


@dataclass(frozen=True)
class Sameness:
    """What makes an inbound message a repeat of an ACCEPTED one: the same sender message id, or
    the same sender, kind, business key and function."""

    sender: str
    sender_message_id: str | None
    kind: str | None
    business_key: str | None
    function: str | None


@dataclass(frozen=True)
class NewMessage:
    """An inbound message and its outcome, written in one transaction with its deliveries."""

    id: str                           # hub message id
    sender: str                       # AMQP user_id (broker-authenticated), or "" when absent
    sender_message_id: str | None     # AMQP message_id the sender set
    received_at: datetime
    raw: bytes
    sha256: str
    status: MessageStatus
    format: str | None = None
    kind: str | None = None
    business_key: str | None = None
    function: str | None = None
    errors: tuple[dict, ...] = ()     # Problem.as_dict() values
    duplicate_of: str | None = None
    deliveries: tuple[NewDelivery, ...] = ()
    facts: tuple[tuple[str, str, dict], ...] = ()   # (kind, key, values) for checks (hub.checks)
    size: int | None = None           # the input's full size when ``raw`` is only its head (refused as too
                                      # large: sha256 is then the whole input's); None: len(raw)


@dataclass(frozen=True)
class Delivery:
    id: int
    message_id: str
    receiver: str
    format: str
    route: str
    state: DeliveryState
    out_id: str                       # stable id on every copy sent: "<message id>.<receiver>"
    created_at: datetime
    updated_at: datetime
    deadline_at: datetime | None = None
    agency_status: str | None = None
    agency_reference: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class Message:
    id: str
    sender: str
    sender_message_id: str | None
    received_at: datetime
    status: MessageStatus
    sha256: str
    size: int
    format: str | None = None
    kind: str | None = None
    business_key: str | None = None
    function: str | None = None
    errors: tuple[dict, ...] = ()
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    message_id: str | None
    delivery_id: int | None
    type: str                          # noun.past_verb: message.accepted, delivery.sent, receipt.correlated ...
    state: str | None                  # the state after the event, when it changed one
    source: str                        # who or what caused it: "router", "receipt:<id>", "admin:<user>" ...
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NewReceipt:
    """An agency's receipt as parsed (hub.models.Receipt fields that matter for correlation)."""

    receiver: str                      # who sent it (AMQP user_id of the agency)
    format: str | None
    received_at: datetime
    raw: bytes
    keys: tuple[str, ...]              # correlation keys in order of preference (out id, business key ...)
    state: DeliveryState | None        # the delivery state it moves to (None: no change, the agency status
                                       # only; None without agency_status: an unreadable receipt)
    agency_status: str | None = None
    agency_reference: str | None = None
    errors: tuple[dict, ...] = ()
    refused: bool = False              # stored and visible, never correlated nor applied (a format the
                                       # receiver does not list, a receipt over the size limit)
    sha256: str | None = None          # of the whole receipt when ``raw`` is only its head; None: of raw
    size: int | None = None            # the whole receipt's size when ``raw`` is only its head; None: len(raw)


RECEIPT_OUTCOMES = ("correlated", "orphaned", "unreadable", "refused")
"""What became of a stored receipt: correlated (it answered a delivery and was applied), orphaned
(read, but it matched no delivery), unreadable (it could not be read: no state and no agency
status), refused (``NewReceipt.refused``: stored, never correlated nor applied)."""

UNMATCHED = RECEIPT_OUTCOMES[1:]
"""The outcomes of receipts that matched no delivery (``orphans``, ``prune_orphans``)."""


@dataclass(frozen=True)
class Correlation:
    """The outcome of storing a receipt."""

    receipt_id: int
    delivery: Delivery | None          # None: orphaned (stored and visible, never dropped)
    message: Message | None


@dataclass(frozen=True)
class MessageFilter:
    status: MessageStatus | None = None
    sender: str | None = None
    receiver: str | None = None
    kind: str | None = None
    business_key: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    delivery_state: DeliveryState | None = None
    limit: int = 100


class Store(ABC):
    """Persistence for the runtime. One instance per thread; methods are transactions."""

    @abstractmethod
    def migrate(self) -> int:
        """Create or upgrade the schema; returns the schema version now in force."""

    @abstractmethod
    def close(self) -> None: ...

    def leave_upkeep_to_another(self) -> None:
        """This connection stops doing the store's periodic upkeep inline (SQLite: WAL checkpoints,
        whose fsync would stall a worker mid-batch); another connection calls ``upkeep``."""

    def upkeep(self) -> None:
        """Periodic upkeep off the workers' hot path (``hub serve``'s supervisor calls it)."""

    # inbound ---------------------------------------------------------------------------------
    @abstractmethod
    def find_duplicates(self, messages: list[Sameness]) -> list[str | None]:
        """For each message, the id of the earliest ACCEPTED message it repeats (by sender message
        id first, then by sender + kind + business key + function), else None; one look-up."""

    def find_duplicate(self, sender: str, sender_message_id: str | None, kind: str | None,
                       business_key: str | None, function: str | None) -> str | None:
        """``find_duplicates`` for one message."""
        return self.find_duplicates([Sameness(sender, sender_message_id, kind, business_key, function)])[0]

    @abstractmethod
    def record(self, messages: list[NewMessage], source: str) -> list[Delivery]:
        """Write messages, their deliveries (PENDING) and events in ONE transaction.

        Returns the deliveries created, in order. Idempotent: a message id already stored as
        ACCEPTED or DUPLICATE is left as it is (a redelivered inbound message creates nothing);
        one stored as REJECTED or FAILED is updated to the new outcome (a replay after a fix).
        A delivery whose (message, receiver, format) exists already is not created again."""

    @abstractmethod
    def mark_sent(self, delivery_ids: list[int], source: str) -> None:
        """PENDING -> SENT for each id (ids not PENDING are left alone), one transaction."""

    @abstractmethod
    def fail_deliveries(self, delivery_ids: list[int], problems: list[dict], source: str) -> list[Delivery]:
        """PENDING -> FAILED (never published: the broker would refuse it), the problems in the event;
        others untouched. Returns the deliveries failed."""

    @abstractmethod
    def reset_delivery(self, delivery_id: int, source: str) -> Delivery:
        """Put a delivery back to PENDING for a resend (attempts + 1), with an event naming who asked."""

    @abstractmethod
    def pending(self, limit: int = 1000, unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        """PENDING deliveries with their payloads, oldest first; with ``unchanged_since``, only those
        PENDING since before then (stored, but their publication never confirmed: republished by
        `hub serve`)."""

    @abstractmethod
    def payload(self, delivery_id: int) -> bytes:
        """The rendered bytes of a delivery."""

    @abstractmethod
    def raw(self, message_id: str) -> bytes:
        """The bytes the sender handed in."""

    # holds -----------------------------------------------------------------------------------
    @abstractmethod
    def facts(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The latest stored facts for each (kind, key) found."""

    @abstractmethod
    def facts_of(self, message_id: str) -> list[tuple[str, str, dict]]:
        """The facts a message contributed, in record order."""

    @abstractmethod
    def held(self, waiting_on: list[tuple[str, str]] | None = None, expired_at: datetime | None = None,
             limit: int = 1000) -> list[tuple[Delivery, str]]:
        """HELD deliveries with their check's name: those waiting on any of ``waiting_on``, or
        (``expired_at``) those whose hold ran out by then; oldest first."""

    @abstractmethod
    def release(self, delivery_ids: list[int], source: str,
                payloads: dict[int, bytes] | None = None) -> list[tuple[Delivery, bytes]]:
        """HELD -> PENDING (its receipt deadline counted from now), with payloads; others untouched.
        ``payloads`` replaces the stored payload of a delivery rendered at its release."""

    @abstractmethod
    def refuse(self, delivery_ids: list[int], problems: list[dict], source: str) -> list[Delivery]:
        """HELD -> REFUSED, the problems in the event; others untouched."""

    # receipts --------------------------------------------------------------------------------
    @abstractmethod
    def apply_receipt(self, receipt: NewReceipt) -> Correlation:
        """Store the receipt, find its delivery by (receiver, key) over ``keys`` in order, move the
        delivery to ``receipt.state`` (any later receipt is an event too, even without a change),
        remember ``agency_reference`` as a further key of that delivery (for two-step receipt
        chains: ClientSeqNo -> SeqNo -> entry number), and append events. One transaction."""

    def apply_receipts(self, receipts: list[NewReceipt]) -> list[Correlation]:
        """``apply_receipt`` for a batch, in order; a store may do it in one transaction."""
        return [self.apply_receipt(r) for r in receipts]

    @abstractmethod
    def receipts(self, outcome: str | Sequence[str] | None = None, receiver: str | None = None,
                 since: datetime | None = None, limit: int = 100) -> list[dict]:
        """Stored receipts, newest first (by the time received), without their bytes: dicts of id,
        receiver, format, received_at, keys, state, agency_status, agency_reference, errors, size,
        sha256, outcome (``RECEIPT_OUTCOMES``) and delivery_id (None unless correlated).

        ``outcome``: one outcome or several (ValueError for any other); ``receiver``: the agency
        that sent them; ``since``: received at or after then; at most ``limit``."""

    def orphans(self, limit: int = 100) -> list[dict]:
        """Receipts that matched no delivery (orphaned, unreadable, refused), newest first."""
        return self.receipts(outcome=UNMATCHED, limit=limit)

    @abstractmethod
    def prune_orphans(self, older_than: datetime, keep: int) -> int:
        """Drop receipts that matched no delivery (orphaned, unreadable, refused) received before
        ``older_than``, and the oldest beyond the newest ``keep``; count them in the store's
        ``orphans_dropped`` counter (``stats``) and append one ``receipt.pruned`` event with the
        count. Returns how many were dropped. A store may drop a bounded number per call (SQLite:
        10,000, one transaction) and leave the rest to the next call."""

    # deadlines -------------------------------------------------------------------------------
    @abstractmethod
    def mark_overdue(self, now: datetime, source: str) -> list[Delivery]:
        """Deliveries in a state that may go overdue (hub.lifecycle.MOVES["overdue"]: SENT, ACKNOWLEDGED)
        whose deadline has passed become OVERDUE (with an event); returns them."""

    # admin -------------------------------------------------------------------------------------
    @abstractmethod
    def message(self, message_id: str) -> Message | None: ...

    @abstractmethod
    def deliveries(self, message_id: str) -> list[Delivery]: ...

    @abstractmethod
    def events(self, message_id: str) -> list[Event]:
        """The message's timeline (its own and its deliveries' events), oldest first."""

    @abstractmethod
    def find(self, flt: MessageFilter) -> list[Message]:
        """Messages matching every given filter, newest first."""

    @abstractmethod
    def add_event(self, message_id: str | None, delivery_id: int | None, type: str, source: str,
                  state: str | None = None, detail: dict | None = None) -> None:
        """Append one event (replays, dead letters, admin actions)."""

    @abstractmethod
    def set_message_status(self, message_id: str, status: MessageStatus, errors: tuple[dict, ...],
                           source: str) -> None:
        """Change a stored message's status (FAILED after the retries; replay outcomes), with an event."""

    @abstractmethod
    def stats(self, since: datetime | None = None) -> dict:
        """Volumes by kind and by receiver, receipt latency per receiver (median, p95 seconds,
        from SENT to the first receipt), overdue counts per receiver, and ``receipts``: the
        receipts received by outcome (``RECEIPT_OUTCOMES``) with ``orphans_dropped``, every
        unmatched receipt retention ever dropped (not limited by ``since``)."""
