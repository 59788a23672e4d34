"""The Store over any DB-API (PEP 249) connection: every query of the hub's store, written once.

Design note: every public method is one transaction. Writers open it through the
dialect, which takes the store's write lock up front (SQLite: BEGIN IMMEDIATE), so that
two processes never deadlock upgrading a read lock and ids assigned under the lock are
safe; anything raised inside rolls all of it back. ``record`` writes a whole batch with
one ``executemany`` per table: delivery ids are assigned here (MAX(id) + n, under the
write lock) so that events and correlation keys go in the same pass. Reads of several
statements share one read transaction (one snapshot); a read of one statement runs on
its own. Times are stored as fixed-width UTC text (``rows.ts``); naive datetimes are
refused. Payloads are stored, never logged.

The parts are functions over one transaction (``rows.Tx``): ``record`` (a batch's rows),
``receipts`` (correlation, listing, retention), ``holds``, ``stats`` and ``schema`` (the
migration runner); this class opens the transactions and applies hub.lifecycle's moves.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import structlog

from ..lifecycle import MOVES, Move
from . import holds, receipts
from .base import (
    PERSONAL_FACTS,
    UNMATCHED,
    Correlation,
    Delivery,
    Event,
    Message,
    MessageFilter,
    NewMessage,
    NewReceipt,
    Problems,
    Purge,
    Sameness,
    Store,
)
from .dialect import Connection, Cursor, Dialect
from .receipts import PRUNE_LIMIT
from .record import Lease, record
from .rows import (
    DELIVERY,
    DELIVERY_D,
    EVENT,
    MESSAGE,
    MESSAGE_M,
    Tx,
    blob,
    codes,
    dt,
    get_delivery,
    starts,
    to_delivery,
    to_message,
    ts,
)
from .schema import apply_migrations
from .stats import stats

log = structlog.get_logger()


_SENT, _OVERDUE = MOVES["sent"], MOVES["overdue"]
"""The delivery moves of hub.lifecycle, as SQL: written once here from its table."""


PURGE_LIMIT = 1000
"""Messages purged per call at most (one transaction): the sweeper's bounded batch per tick."""


LEASE = timedelta(seconds=60)
"""How long a node keeps a PENDING delivery to itself (stored or taken to republish) before another
node may publish it: well over a batch's publish-and-confirm, short enough that a dead node's work
is taken up within the minute."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_node_id() -> str:
    """HUB_NODE_ID's default: this machine's name and the process id (unique among live nodes)."""
    return f"{socket.gethostname()}-{os.getpid()}"


class SqlStore(Store):
    """The Store on one DB-API connection, opened by ``connect`` (in autocommit mode: the dialect opens
    every transaction); ``clock`` stamps rows and events. ``node`` names this hub node on its leases
    (default: ``default_node_id``), ``lease`` how long one lasts. One per thread; call ``migrate`` once."""

    def __init__(self, connect: Callable[[], Connection], dialect: Dialect, *,
                 clock: Callable[[], datetime] = utc_now, node: str | None = None, lease: timedelta = LEASE) -> None:
        self.dialect, self._clock, self._connect = dialect, clock, connect
        self.node, self.lease = node or default_node_id(), lease
        self._conn = connect()
        self._leader: Connection | None = None      # the connection holding this store's leads
        self._leads: set[str] = set()

    @property
    def connection(self) -> Connection:
        """The DB-API connection (for diagnostics and tests; the store's own work goes through its
        methods)."""
        return self._conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    def use_database_clock(self, every: float = 30.0) -> None:
        """Stamp rows and events on the database's clock (``clock.DatabaseClock``, re-read every
        ``every`` seconds) instead of this node's: where several nodes share the store (a store of
        one node keeps its ``clock``, which is the database's)."""
        from .clock import DatabaseClock

        if self.dialect.shared_by_nodes:
            self._clock = DatabaseClock(self, every)

    def _live(self) -> Connection:
        """The connection, opened anew when the server dropped it (restarted, failed over, a session
        ended by an administrator). The transaction that met the loss failed (OperationalError: the
        workers retry it); the next one starts here on a fresh connection, or fails the same way while
        the server stays away."""
        if self.dialect.lost(self._conn):
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may complain; it is gone either way
                pass
            self._conn = self._connect()
            log.warning("store.reconnected", dialect=self.dialect.name, node=self.node)
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[Tx]:
        """One write transaction holding the store's write lock; anything raised inside rolls all of it back."""
        with self._transaction(self.dialect.begin_write) as tx:
            yield tx

    @contextmanager
    def _transaction(self, begin: Callable[[Connection, Cursor], None]) -> Iterator[Tx]:
        """A transaction opened by ``begin`` (the write lock, or row locks), committed at the end and
        rolled back when anything is raised inside (unless the connection itself is lost)."""
        conn = self._live()
        cur = conn.cursor()
        begin(conn, cur)
        try:
            yield Tx(cur, self.dialect)
            cur.execute("COMMIT", ())
        except BaseException:
            if not self.dialect.lost(conn) and self.dialect.in_transaction(conn):
                cur.execute("ROLLBACK", ())
            raise

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        """One read transaction: several SELECTs see the same snapshot."""
        conn = self._live()
        cur = conn.cursor()
        self.dialect.begin_read(conn, cur)
        try:
            yield Tx(cur, self.dialect)
        finally:
            if not self.dialect.lost(conn) and self.dialect.in_transaction(conn):
                cur.execute("COMMIT", ())

    def _once(self) -> Tx:
        """A cursor for one statement outside any transaction (the engine's autocommit)."""
        return Tx(self._live().cursor(), self.dialect)

    # lifecycle ---------------------------------------------------------------------------------
    def migrate(self) -> int:
        """Create or upgrade the schema; returns the schema version now in force."""
        with self._write() as tx:
            version = apply_migrations(tx, self.dialect.migrations(), ts(self._now()))
        log.debug("store.migrated", dialect=self.dialect.name, version=version)
        return version

    def close(self) -> None:
        """Close the connection (after the dialect's last word on it, e.g. SQLite's statistics), and
        the leader's connection with its leads."""
        self._resign()
        self.dialect.before_close(self._conn)
        self._conn.close()

    # several nodes -----------------------------------------------------------------------------
    def lead(self, name: str) -> bool:
        """Whether this store's node leads ``name`` (the sweeper's periodic work): taken on a connection
        of its own when free, kept while that connection lives; a node that dies loses it with its
        connection, and another takes it on its next call. An engine of one node always leads."""
        if self.dialect.shared_by_nodes:
            try:
                if self._leader is None:
                    self._leader = self._connect()
                if name not in self._leads:
                    if not self.dialect.try_lead(self._leader, name):
                        return False
                    self._leads.add(name)
                    log.warning("node.leading", lead=name, node=self.node)
            except Exception as exc:    # the connection is gone, and the lead with it: the next call tries anew
                log.warning("node.lead_lost", lead=name, node=self.node, error=type(exc).__name__)
                self._resign()
                return False
        self._beat(name)
        return True

    def _beat(self, name: str) -> None:
        """The lead's row: this node, since when (kept while the node stays the same), its last beat."""
        now = self.dialect.now_ts() if self.dialect.shared_by_nodes else "?"
        args = () if self.dialect.shared_by_nodes else (ts(self._now()),) * 2
        self._once().run(f"INSERT INTO leads (name, node, since, beat) VALUES (?, ?, {now}, {now}) "
                         "ON CONFLICT (name) DO UPDATE SET node = excluded.node, beat = excluded.beat, "
                         "since = CASE WHEN leads.node = excluded.node THEN leads.since ELSE excluded.since END",
                         (name, self.node, *args))

    def leads(self) -> dict[str, tuple[str, datetime, datetime]]:
        """Each lead's node, since when it leads and its last beat."""
        return {name: (node, dt(since), dt(beat)) for name, node, since, beat in
                self._once().all("SELECT name, node, since, beat FROM leads ORDER BY name")}

    def _resign(self) -> None:
        leader, self._leader, self._leads = self._leader, None, set()
        if leader is not None:
            try:
                leader.close()
            except Exception:  # noqa: S110 - a broken connection's close: the server has let go already
                pass

    def database_now(self) -> datetime:
        """The database's clock where several nodes share it (PostgreSQL: the server's), so that
        deadlines and leases never follow one node's clock; else the store's ``clock``."""
        if not self.dialect.shared_by_nodes:
            return self._now()
        return datetime.fromisoformat(str(self._once().value(f"SELECT {self.dialect.now_ts()}")))

    def lease_pending(self, limit: int = 500, unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        """PENDING deliveries no node holds a lease on (or whose lease ran out, on the database's
        clock), with their payloads, oldest first, now leased to this node for ``lease``: taken by
        row locks that skip what another node is taking (never two nodes for one delivery). With
        ``unchanged_since``, only those PENDING since before then. An engine of one node (SQLite)
        takes them whatever their lease says: its own node stored them, and the caller knows what
        it still has in flight (serve at start: nothing; the sweeper: ``unchanged_since``)."""
        d = self.dialect
        since, args = ("", ()) if unchanged_since is None else ("AND updated_at < ? ", (ts(unchanged_since),))
        free = f"AND (lease_until IS NULL OR lease_until < {d.now_ts()}) " if d.shared_by_nodes else ""
        with self._lease() as tx:
            until = d.now_ts(self.lease.total_seconds())
            rows = tx.all(f"UPDATE deliveries SET leased_by = ?, lease_until = {until} WHERE id IN "
                          f"(SELECT id FROM deliveries WHERE state = 'PENDING' {since}{free}ORDER BY id LIMIT ?"
                          f"{d.skip_locked}) RETURNING {DELIVERY}", (self.node, *args, limit))
            taken = sorted(map(to_delivery, rows), key=lambda delivery: delivery.id)
            if not taken:
                return []
            where, id_args = d.in_list("delivery_id", [delivery.id for delivery in taken])
            payloads: dict[int, Any] = dict(
                tx.all(f"SELECT delivery_id, payload FROM delivery_payloads WHERE {where}", id_args))
        return [(delivery, blob(payloads[delivery.id])) for delivery in taken]

    def _until(self, tx: Tx) -> Lease:
        """This node's lease from now, on the database's clock."""
        return Lease(self.node, str(tx.value(f"SELECT {self.dialect.now_ts(self.lease.total_seconds())}")))

    @contextmanager
    def _lease(self) -> Iterator[Tx]:
        """A transaction that takes rows by row locks (``Dialect.begin_lease``)."""
        with self._transaction(self.dialect.begin_lease) as tx:
            yield tx

    def leave_upkeep_to_another(self) -> None:
        self.dialect.stop_inline_upkeep(self._conn)

    def upkeep(self) -> None:
        """The engine's periodic upkeep (SQLite: a PASSIVE WAL checkpoint), off the workers' hot path."""
        self.dialect.upkeep(self._live())

    # inbound ---------------------------------------------------------------------------------
    def find_duplicates(self, messages: list[Sameness]) -> list[str | None]:
        """The earliest ACCEPTED message each one repeats, by sender message id, then by business key."""
        ids = sorted({m.sender_message_id for m in messages if m.sender_message_id})
        keys = sorted({m.business_key for m in messages if m.business_key})
        d = self.dialect
        from_senders, senders = d.in_list(d.unindexed("sender"), sorted({m.sender for m in messages}))
        accepted = d.unindexed("status") + " = 'ACCEPTED'"
        by_id: dict[tuple[str, str], str] = {}
        by_key: dict[tuple[str | None, str | None, str | None, str | None], str] = {}
        with self._read() as tx:
            # the planner stays on the sender-message-id and business-key indexes (Dialect.unindexed)
            if ids:
                where, args = d.in_list("sender_message_id", ids)
                for sender, sender_message_id, id_ in tx.all(
                        f"SELECT sender, sender_message_id, id FROM messages WHERE {where} AND {from_senders} "
                        f"AND {accepted} ORDER BY received_at DESC", (*args, *senders)):
                    by_id[(sender, sender_message_id)] = id_      # descending: the earliest is written last
            if keys:
                where, args = d.in_list("business_key", keys)
                for sender, kind, key, function, id_ in tx.all(
                        f"SELECT sender, kind, business_key, function, id FROM messages WHERE {where} "
                        f"AND {from_senders} AND {accepted} ORDER BY received_at DESC", (*args, *senders)):
                    by_key[(sender, kind, key, function)] = id_

        def earliest(m: Sameness) -> str | None:
            if m.sender_message_id and (found := by_id.get((m.sender, m.sender_message_id))):
                return found
            return by_key.get((m.sender, m.kind, m.business_key, m.function)) if m.business_key else None
        return [earliest(m) for m in messages]

    def find_duplicate(self, sender: str, sender_message_id: str | None, kind: str | None,
                       business_key: str | None, function: str | None) -> str | None:
        return self.find_duplicates([Sameness(sender, sender_message_id, kind, business_key, function)])[0]

    def record(self, messages: list[NewMessage], source: str) -> list[Delivery]:
        """Write messages, their deliveries (PENDING) and events in ONE transaction (see IngestStore)."""
        if not messages:
            return []
        now = self._now()
        with self._write() as tx:
            return record(tx, messages, now, source, self._until(tx))

    def mark_sent(self, delivery_ids: list[int], source: str) -> None:
        """PENDING -> SENT for each id (ids not PENDING are left alone), one transaction."""
        self._move(sorted(delivery_ids), _SENT, source, first_at="sent_at")

    def fail_deliveries(self, delivery_ids: list[int], problems: Problems, source: str) -> list[Delivery]:
        return self._move(delivery_ids, MOVES["failed"], source, problems)

    def _move(self, delivery_ids: list[int], move: Move, source: str, problems: Problems | None = None,
              first_at: str | None = None) -> list[Delivery]:
        """``move`` for each id in one of its states (others untouched) in one UPDATE, each with its event
        (``problems``, if given, in its detail); one transaction. The deliveries moved, in the order given;
        ``first_at`` names a time column set by the first such move only (SENT: ``sent_at``)."""
        if not delivery_ids:
            return []
        at = ts(self._now())
        detail = "{}" if problems is None else json.dumps({"codes": codes(problems), "problems": problems[:20]},
                                                          ensure_ascii=False)
        order = {id_: n for n, id_ in enumerate(dict.fromkeys(delivery_ids))}
        where, args = self.dialect.in_list("id", list(order))
        stamp, stamp_args = (f", {first_at} = COALESCE({first_at}, ?)", (at,)) if first_at else ("", ())
        with self._write() as tx:
            rows = tx.all(f"UPDATE deliveries SET state = '{move.after.value}', updated_at = ?{stamp} "
                          f"WHERE {starts(move)} AND {where} RETURNING {DELIVERY}", (at, *stamp_args, *args))
            moved = sorted(map(to_delivery, rows), key=lambda d: order[d.id])
            tx.many(EVENT, [(at, d.message_id, d.id, move.event, move.after.value, source, detail) for d in moved])
        return moved

    # rows by id --------------------------------------------------------------------------------
    def message(self, message_id: str) -> Message | None:
        row = self._once().one(f"SELECT {MESSAGE} FROM messages WHERE id = ?", (message_id,))
        return to_message(row) if row else None

    def deliveries(self, message_id: str) -> list[Delivery]:
        rows = self._once().all(f"SELECT {DELIVERY} FROM deliveries WHERE message_id = ? ORDER BY id", (message_id,))
        return [to_delivery(row) for row in rows]

    def payload(self, delivery_id: int) -> bytes:
        """The rendered bytes of a delivery (KeyError when there is no such delivery)."""
        row = self._once().one("SELECT payload FROM delivery_payloads WHERE delivery_id = ?", (delivery_id,))
        if row is None:
            raise KeyError(f"no delivery {delivery_id}")
        return blob(row[0])

    def raw(self, message_id: str) -> bytes:
        """The bytes the sender handed in (KeyError when there is no such message)."""
        row = self._once().one("SELECT raw FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise KeyError(f"no message {message_id}")
        return blob(row[0])

    # holds -------------------------------------------------------------------------------------
    def facts(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return holds.facts(self._once(), pairs)

    def facts_of(self, message_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        return holds.facts_of(self._once(), message_id)

    def held(self, waiting_on: list[tuple[str, str]] | None = None, expired_at: datetime | None = None,
             limit: int = 1000) -> list[tuple[Delivery, str]]:
        return holds.held(self._once(), waiting_on, expired_at, limit)

    def release(self, delivery_ids: list[int], source: str,
                payloads: dict[int, bytes] | None = None) -> list[tuple[Delivery, bytes]]:
        if not delivery_ids:
            return []
        now = self._now()
        with self._write() as tx:
            released = holds.release(tx, delivery_ids, now, source, payloads or {})
            if released:     # the releaser publishes them: leased to its node meanwhile
                lease = self._until(tx)
                where, args = self.dialect.in_list("id", [d.id for d, _ in released])
                tx.run(f"UPDATE deliveries SET leased_by = ?, lease_until = ? WHERE {where}",
                       (lease.node, lease.until, *args))
            return released

    def refuse(self, delivery_ids: list[int], problems: Problems, source: str) -> list[Delivery]:
        return self._move(delivery_ids, MOVES["refused"], source, problems)

    # receipts --------------------------------------------------------------------------------
    def apply_receipt(self, receipt: NewReceipt) -> Correlation:
        """Store the receipt, correlate it by (receiver, key) over its keys in order, advance the
        delivery and remember ``agency_reference`` as a further key. One transaction."""
        at = ts(self._now())
        with self._write() as tx:
            return receipts.apply(tx, receipt, at)

    def apply_receipts(self, receipts_: list[NewReceipt]) -> list[Correlation]:
        """The batch in one transaction (receipts for one delivery are applied in their order)."""
        if not receipts_:
            return []
        at = ts(self._now())
        with self._write() as tx:
            return [receipts.apply(tx, r, at) for r in receipts_]

    def receipts(self, outcome: str | Sequence[str] | None = None, receiver: str | None = None,
                 since: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
        with self._read() as tx:
            return receipts.listing(tx, outcome, receiver, since, limit)

    def orphans(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.receipts(outcome=UNMATCHED, limit=limit)

    def prune_orphans(self, older_than: datetime, keep: int, *, limit: int = PRUNE_LIMIT) -> int:
        """Drop unmatched receipts (see ReceiptStore), at most ``limit`` per call, in one transaction."""
        at = ts(self._now())
        with self._write() as tx:
            dropped, total = receipts.prune(tx, older_than, keep, limit, at)
        if dropped:
            log.info("receipts.pruned", count=dropped, orphans_dropped=total)
        return dropped

    # sweeping ----------------------------------------------------------------------------------
    def pending(self, limit: int = 1000, unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        since, args = ("", ()) if unchanged_since is None else ("AND d.updated_at < ? ", (ts(unchanged_since),))
        rows = self._once().all(
            f"SELECT {DELIVERY_D}, p.payload FROM deliveries d JOIN delivery_payloads p ON p.delivery_id = d.id "
            f"WHERE d.state = 'PENDING' {since}ORDER BY d.id LIMIT ?", (*args, limit))
        return [(to_delivery(row[:-1]), blob(row[-1])) for row in rows]

    def mark_overdue(self, now: datetime, source: str) -> list[Delivery]:
        """Deliveries in a state that may go overdue (hub.lifecycle) whose deadline is before ``now``."""
        at = ts(self._now())
        with self._write() as tx:
            due = sorted(tx.all(f"SELECT id, message_id, state, deadline_at FROM deliveries "
                                f"WHERE {starts(_OVERDUE)} AND deadline_at < ?", (ts(now),)))
            if not due:
                return []
            where, args = self.dialect.in_list("id", [row[0] for row in due])
            rows = tx.all(f"UPDATE deliveries SET state = '{_OVERDUE.after.value}', updated_at = ? WHERE {where} "
                          f"RETURNING {DELIVERY}", (at, *args))
            tx.many(EVENT, [(at, message_id, id_, _OVERDUE.event, _OVERDUE.after.value, source,
                             json.dumps({"previous_state": state, "deadline_at": deadline}))
                            for id_, message_id, state, deadline in due])
            return sorted(map(to_delivery, rows), key=lambda d: d.id)

    # purging ---------------------------------------------------------------------------------
    def purge(self, older_than: datetime, kinds: Sequence[str] | None, source: str, *,
              dry_run: bool = False, limit: int = PURGE_LIMIT) -> Purge:
        """Payloads and personal fields of messages received before ``older_than`` (see PurgeStore)."""
        at = ts(self._now())
        if dry_run:
            with self._read() as tx:
                return _purge(tx, ts(older_than), kinds, None, at, source)
        with self._write() as tx:
            done = _purge(tx, ts(older_than), kinds, limit, at, source)
        if done.message_ids:
            log.info("messages.purged", count=len(done.message_ids), deliveries=done.deliveries, source=source)
        return done

    # admin -------------------------------------------------------------------------------------
    def events(self, message_id: str) -> list[Event]:
        """The message's timeline (its own and its deliveries' events), oldest first."""
        rows = self._once().all("SELECT id, at, message_id, delivery_id, type, state, source, detail FROM events "
                                "WHERE message_id = ? ORDER BY id", (message_id,))
        return [Event(id=id_, at=dt(at), message_id=mid, delivery_id=did, type=type_, state=state, source=source,
                      detail=json.loads(detail)) for id_, at, mid, did, type_, state, source, detail in rows]

    def find(self, flt: MessageFilter) -> list[Message]:
        """Messages matching every given filter, newest first; ``since`` <= received_at < ``until``;
        ``receiver`` and ``delivery_state`` together mean one delivery with both."""
        where: list[str] = ["1 = 1"]
        args: list[str | None] = []
        for column, value in (("status", flt.status.value if flt.status else None), ("sender", flt.sender),
                              ("kind", flt.kind), ("business_key", flt.business_key)):
            if value is not None:
                where.append(f"m.{column} = ?")
                args.append(value)
        if flt.since is not None:
            where.append("m.received_at >= ?")
            args.append(ts(flt.since))
        if flt.until is not None:
            where.append("m.received_at < ?")
            args.append(ts(flt.until))
        if flt.receiver is not None or flt.delivery_state is not None:
            where.append("EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id "
                         "AND d.receiver = COALESCE(?, d.receiver) AND d.state = COALESCE(?, d.state))")
            args += [flt.receiver, flt.delivery_state.value if flt.delivery_state else None]
        rows = self._once().all(f"SELECT {MESSAGE_M} FROM messages m WHERE {' AND '.join(where)} "
                                "ORDER BY m.received_at DESC, m.id DESC LIMIT ?", (*args, flt.limit))
        return [to_message(row) for row in rows]

    def stats(self, since: datetime | None = None) -> dict[str, Any]:
        """Volumes by kind and by receiver, receipt latency and overdue counts (see ``stats``)."""
        with self._read() as tx:
            return stats(tx, ts(since) if since else "")

    def reset_delivery(self, delivery_id: int, source: str) -> Delivery:
        """Put a delivery back to PENDING for a resend (attempts + 1), with an event naming who asked."""
        at = ts(self._now())
        with self._write() as tx:
            before = get_delivery(tx, delivery_id)
            tx.run("UPDATE deliveries SET state = 'PENDING', attempts = attempts + 1, updated_at = ? WHERE id = ?",
                   (at, delivery_id))
            tx.run(EVENT, (at, before.message_id, delivery_id, "delivery.reset", "PENDING", source,
                           json.dumps({"previous_state": before.state.value, "attempts": before.attempts + 1})))
            return get_delivery(tx, delivery_id)

    def add_event(self, message_id: str | None, delivery_id: int | None, type: str, source: str,
                  state: str | None = None, detail: dict[str, Any] | None = None) -> None:
        """Append one event; a delivery's event also carries its message id (for the timeline)."""
        with self._write() as tx:
            if delivery_id is not None and message_id is None:
                message_id = get_delivery(tx, delivery_id).message_id
            tx.run(EVENT, (ts(self._now()), message_id, delivery_id, type, state, source, json.dumps(detail or {})))


_LIVE = "EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.state IN ('HELD', 'PENDING'))"
"""A message with a delivery still to send: its payloads are still needed (never purged)."""

PURGED_TEXT = "(purged)"
"""What a purged message's problems say instead of their text (which may quote the payload)."""


def _purge(tx: Tx, older_than: str, kinds: Sequence[str] | None, limit: int | None, at: str,
           source: str) -> Purge:
    """``Store.purge`` inside the caller's transaction; ``limit`` None: a dry run (count all, write nothing)."""
    d = tx.dialect
    where = ["m.purged_at IS NULL", "m.received_at < ?", f"NOT {_LIVE}"]
    args: list[Any] = [older_than]
    if kinds is not None:
        if not kinds:
            return Purge()
        cond, kind_args = d.in_list("m.kind", sorted(set(kinds)))
        where.append(cond)
        args += kind_args
    sql = (f"SELECT m.id, m.errors, LENGTH(m.raw) FROM messages m WHERE {' AND '.join(where)} "
           "ORDER BY m.received_at, m.id")
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    chosen = tx.all(sql, tuple(args))
    if not chosen:
        return Purge()
    ids = [row[0] for row in chosen]
    of_ids, id_args = d.in_list("d.message_id", ids)
    payloads = tx.all(f"SELECT d.id, d.message_id, LENGTH(p.payload) FROM deliveries d "
                      f"JOIN delivery_payloads p ON p.delivery_id = d.id WHERE {of_ids}", id_args)
    answers = tx.all(f"SELECT r.id, d.message_id, LENGTH(r.raw) FROM receipts r "
                     f"JOIN deliveries d ON d.id = r.delivery_id WHERE {of_ids}", id_args)
    of_facts, fact_args = d.in_list("message_id", ids)
    facts = [(kind, key, mid, seq, json.loads(vals)) for kind, key, mid, seq, vals in tx.all(
        f"SELECT kind, key, message_id, seq, vals FROM facts WHERE {of_facts}", fact_args)]
    personal = [f for f in facts if any(f[4].get(name) is not None for name in PERSONAL_FACTS)]
    done = Purge(tuple(ids), len(payloads), len(answers), len(personal),
                 sum((row[2] or 0) for rows in (chosen, payloads, answers) for row in rows))
    if limit is None:
        return done
    tx.many("UPDATE messages SET raw = ?, errors = ?, purged_at = ?, updated_at = ? WHERE id = ?",
            [(b"", json.dumps([p | {"message": PURGED_TEXT} for p in json.loads(errors)], ensure_ascii=False),
              at, at, id_) for id_, errors, _ in chosen])
    for table, column, key, rows in (("delivery_payloads", "payload", "delivery_id", payloads),
                                     ("receipts", "raw", "id", answers)):
        if rows:
            cond, row_args = d.in_list(key, [row[0] for row in rows])
            tx.run(f"UPDATE {table} SET {column} = ? WHERE {cond}", (b"", *row_args))
    tx.many("UPDATE facts SET vals = ? WHERE kind = ? AND key = ? AND message_id = ? AND seq = ?",
            [(json.dumps(vals | {name: None for name in PERSONAL_FACTS if name in vals}, ensure_ascii=False),
              kind, key, mid, seq) for kind, key, mid, seq, vals in personal])
    per = {name: Counter(row[1] for row in rows) for name, rows in (("deliveries", payloads), ("receipts", answers))}
    per["facts"] = Counter(f[2] for f in personal)
    tx.many(EVENT, [(at, id_, None, "message.purged", None, source,
                     json.dumps({name: counts[id_] for name, counts in per.items()})) for id_ in ids])
    return done


__all__ = ["LEASE", "PRUNE_LIMIT", "PURGED_TEXT", "PURGE_LIMIT", "SqlStore", "default_node_id", "utc_now"]
