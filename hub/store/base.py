"""The message store interface: messages, deliveries, receipts and the event log, by role.

Design note: the store is the hub's memory and its audit trail. Every accepted
message is written with one delivery per receiver (state PENDING) in one
transaction *before* anything is published; publisher confirms then move the
deliveries to SENT. Every state change appends an event (time, type, state,
source); nothing in the event log is ever updated or deleted. A receipt is
stored whether or not it matches a delivery, so nothing an agency sends is lost
unseen: one that matched none (orphaned, unreadable or refused) stays visible for
the retention period (``prune_orphans``), and every one dropped is counted
(``stats``) and logged as an event.

The interface is split by the roles that use it, each a small Protocol; ``Store`` is
all of them, so a caller may ask for the whole or only for the role it plays:

    role             methods                                            used by
    StoreLifecycle   migrate, close, with-block                         every process at start and stop
    LookupStore      message, deliveries, payload, raw                  every worker: rows by id
    IngestStore      find_duplicates, find_duplicate, record,           the router (hub.worker.ingest,
                     mark_sent, fail_deliveries                         serve's publisher confirms)
    ReceiptStore     apply_receipt, apply_receipts, receipts,           the receipt worker, `hub receipts`,
                     orphans, prune_orphans                             the sweeper's retention
    HoldStore        facts, facts_of, held, release, refuse             hub.worker.holds (and the router's
                                                                        look-up of what a hold waits for)
    SweepStore       pending, mark_overdue, upkeep,                     the sweeper, serve (republication
                     leave_upkeep_to_another                            at start, the supervisor's upkeep)
    AdminStore       events, find, stats, reset_delivery, add_event     the admin CLI, replays, the demo
    PurgeStore       purge                                              `hub purge`, the sweeper's retention

One implementation holds all the SQL (``sql.SqlStore`` over any DB-API connection, with
a ``dialect.Dialect`` for what differs between engines); ``sqlite.SqliteStore`` is it on
an embedded SQLite file (the default), ``postgres.PostgresStore`` on PostgreSQL.

All methods are synchronous and safe to call from one thread per Store object;
each worker process opens its own Store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import Any, Protocol, Self


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


@dataclass(frozen=True, kw_only=True)
class Received:
    """What is stored of an inbound message (or one part of it) whatever its outcome: who sent it,
    when, its bytes (a head only when it is over the size limit) and, once read, what it is."""

    id: str                           # hub message id (hub.lifecycle.hub_message_id)
    sender: str                       # AMQP user_id (broker-authenticated), or "" when absent
    sender_message_id: str | None     # AMQP message_id the sender set
    received_at: datetime
    raw: bytes
    sha256: str
    size: int | None = None           # the input's full size when ``raw`` is only its head (refused as too
                                      # large: sha256 is then the whole input's); None: len(raw)
    format: str | None = None
    kind: str | None = None
    business_key: str | None = None
    function: str | None = None
    signer: dict[str, str] | None = None   # the verified signature's certificate (hub.signatures.Signer),
                                           # recorded in the message's outcome event
    vouched_by: str | None = None          # the hub's own broker user when it vouched for the sender (an
                                           # admin's `hub send --as`), recorded in the outcome event

    def outcome(self, status: MessageStatus, **decided: Any) -> NewMessage:
        """The message as stored with its outcome (errors, deliveries, duplicate_of ... in ``decided``)."""
        return NewMessage(**{f.name: getattr(self, f.name) for f in fields(Received)}, status=status, **decided)


@dataclass(frozen=True, kw_only=True)
class NewMessage(Received):
    """An inbound message and its outcome, written in one transaction with its deliveries."""

    status: MessageStatus
    errors: tuple[dict[str, Any], ...] = ()     # Problem.as_dict() values: the JSON the store keeps
    duplicate_of: str | None = None
    deliveries: tuple[NewDelivery, ...] = ()
    facts: tuple[tuple[str, str, dict[str, Any]], ...] = ()   # (kind, key, values) for checks (hub.checks)


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
    errors: tuple[dict[str, Any], ...] = ()
    duplicate_of: str | None = None
    purged_at: datetime | None = None  # its payloads and personal fields removed then (``PurgeStore``)


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    message_id: str | None
    delivery_id: int | None
    type: str                          # noun.past_verb: message.accepted, delivery.sent, receipt.correlated ...
    state: str | None                  # the state after the event, when it changed one
    source: str                        # who or what caused it: "router", "receipt:<id>", "admin:<user>" ...
    detail: dict[str, Any] = field(default_factory=dict)


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
    errors: tuple[dict[str, Any], ...] = ()
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


Problems = list[dict[str, Any]]
"""Problem.as_dict() values, as the workers hand them to the store."""


class StoreLifecycle(Protocol):
    """Opening and closing: every process migrates once at start and closes at the end."""

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the schema version now in force."""
        ...

    def close(self) -> None:
        """Close the connection; the object is unusable afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class LookupStore(Protocol):
    """Rows by id: what every worker reads about a message it is handling."""

    def message(self, message_id: str) -> Message | None:
        """The stored message, or None."""
        ...

    def deliveries(self, message_id: str) -> list[Delivery]:
        """The message's deliveries in the order they were created."""
        ...

    def payload(self, delivery_id: int) -> bytes:
        """The rendered bytes of a delivery (KeyError when there is no such delivery)."""
        ...

    def raw(self, message_id: str) -> bytes:
        """The bytes the sender handed in (KeyError when there is no such message; b"" once purged:
        ``Message.purged_at``)."""
        ...


class IngestStore(Protocol):
    """The router: duplicates, then the batch's outcomes written before anything is published, then
    the broker's confirms (or refusals)."""

    def find_duplicates(self, messages: list[Sameness]) -> list[str | None]:
        """For each message, the id of the earliest ACCEPTED message it repeats (by sender message
        id first, then by sender + kind + business key + function), else None; one look-up."""
        ...

    def find_duplicate(self, sender: str, sender_message_id: str | None, kind: str | None,
                       business_key: str | None, function: str | None) -> str | None:
        """``find_duplicates`` for one message."""
        ...

    def record(self, messages: list[NewMessage], source: str) -> list[Delivery]:
        """Write messages, their deliveries (PENDING) and events in ONE transaction.

        Returns the deliveries created, in order. Idempotent: a message id already stored as
        ACCEPTED or DUPLICATE is left as it is (a redelivered inbound message creates nothing);
        one stored as REJECTED or FAILED is updated to the new outcome (a replay after a fix).
        A delivery whose (message, receiver, format) exists already is not created again."""
        ...

    def mark_sent(self, delivery_ids: list[int], source: str) -> None:
        """PENDING -> SENT for each id (ids not PENDING are left alone), one transaction."""
        ...

    def fail_deliveries(self, delivery_ids: list[int], problems: Problems, source: str) -> list[Delivery]:
        """PENDING -> FAILED (never published: the broker would refuse it), the problems in the event;
        others untouched. Returns the deliveries failed."""
        ...


class ReceiptStore(Protocol):
    """The receipt worker's correlation, and the unmatched receipts kept for a while."""

    def apply_receipt(self, receipt: NewReceipt) -> Correlation:
        """Store the receipt, find its delivery by (receiver, key) over ``keys`` in order, move the
        delivery to ``receipt.state`` (any later receipt is an event too, even without a change),
        remember ``agency_reference`` as a further key of that delivery (for two-step receipt
        chains: ClientSeqNo -> SeqNo -> entry number), and append events. One transaction."""
        ...

    def apply_receipts(self, receipts: list[NewReceipt]) -> list[Correlation]:
        """``apply_receipt`` for a batch, in order, in one transaction (a receipt may need the
        reference an earlier one of the batch stored)."""
        ...

    def receipts(self, outcome: str | Sequence[str] | None = None, receiver: str | None = None,
                 since: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Stored receipts, newest first (by the time received), without their bytes: dicts of id,
        receiver, format, received_at, keys, state, agency_status, agency_reference, errors, size,
        sha256, outcome (``RECEIPT_OUTCOMES``) and delivery_id (None unless correlated).

        ``outcome``: one outcome or several (ValueError for any other); ``receiver``: the agency
        that sent them; ``since``: received at or after then; at most ``limit``."""
        ...

    def orphans(self, limit: int = 100) -> list[dict[str, Any]]:
        """Receipts that matched no delivery (orphaned, unreadable, refused), newest first."""
        ...

    def prune_orphans(self, older_than: datetime, keep: int) -> int:
        """Drop receipts that matched no delivery (orphaned, unreadable, refused) received before
        ``older_than``, and the oldest beyond the newest ``keep``; count them in the store's
        ``orphans_dropped`` counter (``stats``) and append one ``receipt.pruned`` event with the
        count. Returns how many were dropped. A store may drop a bounded number per call (10,000,
        one transaction) and leave the rest to the next call."""
        ...


class HoldStore(Protocol):
    """Held deliveries (routes.yaml ``hold``): the facts checks compare, what a hold waits for,
    release and refusal."""

    def facts(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The latest stored facts for each (kind, key) found."""
        ...

    def facts_of(self, message_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """The facts a message contributed, in record order."""
        ...

    def held(self, waiting_on: list[tuple[str, str]] | None = None, expired_at: datetime | None = None,
             limit: int = 1000) -> list[tuple[Delivery, str]]:
        """HELD deliveries with their check's name: those waiting on any of ``waiting_on``, or
        (``expired_at``) those whose hold ran out by then; oldest first."""
        ...

    def release(self, delivery_ids: list[int], source: str,
                payloads: dict[int, bytes] | None = None) -> list[tuple[Delivery, bytes]]:
        """HELD -> PENDING (its receipt deadline counted from now), with payloads; others untouched.
        ``payloads`` replaces the stored payload of a delivery rendered at its release."""
        ...

    def refuse(self, delivery_ids: list[int], problems: Problems, source: str) -> list[Delivery]:
        """HELD -> REFUSED, the problems in the event; others untouched."""
        ...


class SweepStore(Protocol):
    """What the sweeper and the supervisor do on a timer: deliveries whose publication was never
    confirmed, deadlines, and the store's own upkeep."""

    def pending(self, limit: int = 1000,
                unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        """PENDING deliveries with their payloads, oldest first; with ``unchanged_since``, only those
        PENDING since before then (stored, but their publication never confirmed: republished by
        `hub serve`)."""
        ...

    def lease_pending(self, limit: int = 500,
                      unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        """``pending``, but only those no node holds a lease on (or whose lease ran out, on the
        database's clock), each now leased to this store's node: what one node republishes no other
        node publishes at once."""
        ...

    def lead(self, name: str) -> bool:
        """Whether this store's node leads ``name`` (one node at a time on a shared database; taken
        over when the leader's connection ends). A store of one node always leads."""
        ...

    def leads(self) -> dict[str, tuple[str, datetime, datetime]]:
        """Each lead's node, since when it leads, and its last beat (each ``lead`` that holds it)."""
        ...

    def database_now(self) -> datetime:
        """The clock every node shares (a server's), or the store's own where only one node uses it."""
        ...

    def mark_overdue(self, now: datetime, source: str) -> list[Delivery]:
        """Deliveries in a state that may go overdue (hub.lifecycle.MOVES["overdue"]: SENT, ACKNOWLEDGED)
        whose deadline has passed become OVERDUE (with an event); returns them."""
        ...

    def upkeep(self) -> None:
        """Periodic upkeep off the workers' hot path (``hub serve``'s supervisor calls it)."""
        ...

    def leave_upkeep_to_another(self) -> None:
        """This connection stops doing the store's periodic upkeep inline (SQLite: WAL checkpoints,
        whose fsync would stall a worker mid-batch); another connection calls ``upkeep``."""
        ...


class AdminStore(Protocol):
    """Operators' queries and actions: timelines, searches, figures, resends and replays."""

    def events(self, message_id: str) -> list[Event]:
        """The message's timeline (its own and its deliveries' events), oldest first."""
        ...

    def find(self, flt: MessageFilter) -> list[Message]:
        """Messages matching every given filter, newest first."""
        ...

    def stats(self, since: datetime | None = None) -> dict[str, Any]:
        """Volumes by kind and by receiver, receipt latency per receiver (median, p95 seconds,
        from SENT to the first receipt), overdue counts per receiver, and ``receipts``: the
        receipts received by outcome (``RECEIPT_OUTCOMES``) with ``orphans_dropped``, every
        unmatched receipt retention ever dropped (not limited by ``since``)."""
        ...

    def reset_delivery(self, delivery_id: int, source: str) -> Delivery:
        """Put a delivery back to PENDING for a resend (attempts + 1), with an event naming who asked."""
        ...

    def add_event(self, message_id: str | None, delivery_id: int | None, type: str, source: str,
                  state: str | None = None, detail: dict[str, Any] | None = None) -> None:
        """Append one event (replays, dead letters, admin actions)."""
        ...


PERSONAL_FACTS = frozenset({"buyer_id", "payer_id", "consignee"})
"""The values of stored facts (hub.checks) that are personal data: identity numbers and names. A purge
sets them to None; the other values (numbers, amounts) stay, so a check comparing against a purged
document still finds it."""


@dataclass(frozen=True)
class Purge:
    """What a purge removed (or, in a dry run, would remove): the messages by id, and how many
    delivery payloads, receipts' bytes and facts went with them."""

    message_ids: tuple[str, ...] = ()
    deliveries: int = 0
    receipts: int = 0
    facts: int = 0
    bytes: int = 0                     # payload bytes removed (raw messages, rendered deliveries, receipts)

    def __add__(self, other: Purge) -> Purge:
        return Purge(self.message_ids + other.message_ids, self.deliveries + other.deliveries,
                     self.receipts + other.receipts, self.facts + other.facts, self.bytes + other.bytes)


class PurgeStore(Protocol):
    """Personal data kept only as long as allowed: `hub purge` and the sweeper's retention per kind."""

    def purge(self, older_than: datetime, kinds: Sequence[str] | None, source: str, *,
              dry_run: bool = False, limit: int = 1000) -> Purge:
        """Remove the payloads of messages received before ``older_than`` (of ``kinds``; None: every
        kind, unread messages included) not purged yet: the raw message, its deliveries' rendered
        payloads, the bytes of the receipts that answered them, the problems' texts (codes and paths
        stay) and the personal values of its facts (``PERSONAL_FACTS``). The audit trail stays: ids,
        sender, receiver, kind, business key, states, times, sizes, hashes and every event; each
        purged message gets a ``message.purged`` event naming ``source``. A message with a delivery
        still HELD or PENDING is left for later (its payload is still to be sent). At most ``limit``
        messages, oldest first, in one transaction; ``dry_run`` counts what would go (all of it, no
        limit) and changes nothing."""
        ...


class Store(StoreLifecycle, LookupStore, IngestStore, ReceiptStore, HoldStore, SweepStore, AdminStore, PurgeStore,
            Protocol):
    """Persistence for the runtime, every role at once. One instance per thread; methods are
    transactions."""
