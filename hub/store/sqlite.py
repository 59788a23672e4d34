"""The embedded message store: one SQLite file in WAL mode, shared by the worker processes.

Design note: every public method is one transaction. Writers open it with BEGIN
IMMEDIATE, taking the write lock up front, so that two processes never deadlock
upgrading a read lock; a writer that finds the lock taken waits up to the busy timeout.
``record`` writes a whole batch with one ``executemany`` per table: delivery ids are
assigned here (MAX(id) + n, safe under the write lock) so that events and correlation
keys go in the same pass. Times are stored as fixed-width UTC ISO-8601 text, so text
order is time order; naive datetimes are refused. Payloads are stored, never logged.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import structlog

from ..errors import ConfigError
from ..lifecycle import MOVES, Move, after_receipt
from .base import (
    RECEIPT_OUTCOMES,
    UNMATCHED,
    Correlation,
    Delivery,
    DeliveryState,
    Event,
    Message,
    MessageFilter,
    MessageStatus,
    NewMessage,
    NewReceipt,
    Sameness,
    Store,
)
from .sqlite_holds import HoldsMixin
from .sqlite_record import _DELIVERY, _DELIVERY_D, _EVENT, RecordBatch, _delivery, _dt, aliased, ts
from .sqlite_schema import apply_migrations
from .sqlite_stats import stats

log = structlog.get_logger()

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's transaction before giving up."""

_RECEIPT_NAMES = ("id", "receiver", "format", "received_at", "keys", "state", "agency_status", "agency_reference",
                  "errors", "size", "sha256", "outcome", "delivery_id")
_RECEIPT = ", ".join(_RECEIPT_NAMES)
"""A receipt row as listed: every column but its bytes."""

PRUNE_LIMIT = 10_000
"""At most this many unmatched receipts are dropped by one ``prune_orphans`` call (one transaction
holding the write lock): the rest go at the next call."""

_MESSAGE = ("id, sender, sender_message_id, received_at, status, sha256, size, format, kind, business_key, "
            "function, errors, duplicate_of")
_MESSAGE_M = aliased(_MESSAGE, "m")
"""The same columns of a message row aliased ``m`` (in joins)."""

def _in(move: Move) -> str:
    """``state IN (...)`` for the states a move starts from (enum values, never input)."""
    return "state IN (" + ", ".join(f"'{state.value}'" for state in sorted(move.before)) + ")"


_SENT, _OVERDUE = MOVES["sent"], MOVES["overdue"]
_MARK_SENT = (f"UPDATE deliveries SET state = '{_SENT.after.value}', updated_at = ?1, sent_at = COALESCE(sent_at, ?1) "
              f"WHERE {_in(_SENT)} AND id IN (SELECT value FROM json_each(?2)) RETURNING id, message_id")
"""The delivery moves of hub.lifecycle, as SQL: written once here from its table."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _message(row: tuple) -> Message:
    (id_, sender, sender_message_id, received_at, status, sha256, size, fmt, kind, key, function, errors,
     duplicate_of) = row
    return Message(id=id_, sender=sender, sender_message_id=sender_message_id, received_at=_dt(received_at),
                   status=MessageStatus(status), sha256=sha256, size=size, format=fmt, kind=kind,
                   business_key=key, function=function, errors=tuple(json.loads(errors)),
                   duplicate_of=duplicate_of)


def _private_file(path: Path) -> None:
    """Make the database file (and the directories the store creates for it) private before
    SQLite opens it: new directories 0700, a new file 0600 (SQLite gives its -wal and -shm
    files the database file's mode); an existing file, WAL or SHM readable by others is
    tightened to 0600, with a warning. No umask change: it is process-wide."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            continue                        # another process made it: theirs to set
        os.chmod(directory, 0o700)          # exactly 0700, whatever the umask
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        try:
            os.fchmod(fd, 0o600)            # exactly 0600, whatever the umask
        finally:
            os.close(fd)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~0o600:
            try:
                os.chmod(file, 0o600)
            except PermissionError:
                log.warning("store.file_mode_loose", path=str(file), mode=oct(mode))
                continue
            log.warning("store.file_mode_tightened", path=str(file), mode=oct(mode), now="0o600")


class _Match(NamedTuple):
    """The delivery a receipt answers, found by ``key``: its state before the receipt, and its message."""

    delivery_id: int
    key: str
    state: DeliveryState
    message: Message


def _outcome(receipt: NewReceipt, found: _Match | None) -> str:
    """The receipt's outcome: refused, correlated, unreadable (no state and no agency status: it could
    not be read; a receipt read without a state change carries its agency status) or orphaned."""
    if receipt.refused:
        return "refused"
    if found is not None:
        return "correlated"
    return "unreadable" if receipt.state is None and receipt.agency_status is None else "orphaned"


class SqliteStore(HoldsMixin, Store):
    """The Store on one SQLite file (or ``:memory:``); open one per thread, call ``migrate`` once."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = _utc_now,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = str(path)
        self._clock, self._busy_timeout = clock, busy_timeout
        try:
            if self.path != ":memory:":
                _private_file(Path(self.path))
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            mode = self._use_wal(busy_timeout)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
        except (OSError, sqlite3.Error) as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise ConfigError(f"cannot open the store at {self.path}: {exc}", code="CONFIG_INVALID") from exc
        if mode.lower() not in ("wal", "memory"):
            self._db.close()
            raise ConfigError(f"the store at {self.path} cannot use WAL mode (got {mode!r})", code="CONFIG_INVALID")

    def _use_wal(self, timeout: float) -> str:
        """Switch the file to WAL (persistent). Switching needs a moment alone with a new file
        and SQLite does not wait for that itself, so retry while another process has it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction; anything raised inside rolls all of it back."""
        cur = self._db.cursor()
        self._begin_immediate(cur)
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _begin_immediate(self, cur: sqlite3.Cursor) -> None:
        """Take the write lock, trying again every millisecond while another connection holds it.

        SQLite's own busy handler backs off in growing sleeps (1, 2, 5, 10 ... 100 ms), so a worker
        waiting behind a 20 ms batch wakes long after the lock is free; short polls keep the
        hand-over prompt when routers and the receipt worker write at once."""
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + self._busy_timeout
            while True:
                try:
                    cur.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.001)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Cursor]:
        """One read transaction: several SELECTs see the same snapshot."""
        cur = self._db.cursor()
        cur.execute("BEGIN")
        try:
            yield cur
        finally:
            if self._db.in_transaction:
                self._db.execute("COMMIT")

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the schema version now in force."""
        with self._write() as cur:
            version = apply_migrations(cur, ts(self._now()))
        log.debug("store.migrated", path=self.path, version=version)
        return version

    def leave_upkeep_to_another(self) -> None:
        self._db.execute("PRAGMA wal_autocheckpoint = 0")

    def upkeep(self) -> None:
        """Copy what the WAL holds into the database file (PASSIVE: never waits for a writer or a
        reader), so the WAL is reused instead of growing."""
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def close(self) -> None:
        """Close the connection (after letting SQLite refresh its planner statistics)."""
        try:
            self._db.execute("PRAGMA busy_timeout = 100")  # never hold up a shutdown for statistics
            self._db.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # a busy or read-only file: statistics can wait for the next close
        self._db.close()

    # inbound ---------------------------------------------------------------------------------
    def find_duplicates(self, messages: list[Sameness]) -> list[str | None]:
        """The earliest ACCEPTED message each one repeats, by sender message id, then by business key."""
        ids = sorted({m.sender_message_id for m in messages if m.sender_message_id})
        keys = sorted({m.business_key for m in messages if m.business_key})
        senders = json.dumps(sorted({m.sender for m in messages}))
        by_id: dict[tuple, str] = {}
        by_key: dict[tuple, str] = {}
        with self._read() as cur:
            # unary '+': keep the planner on the sender-message-id and business-key indexes
            if ids:
                for sender, sender_message_id, id_ in cur.execute(
                        "SELECT sender, sender_message_id, id FROM messages WHERE sender_message_id IN "
                        "(SELECT value FROM json_each(?1)) AND +sender IN (SELECT value FROM json_each(?2)) "
                        "AND +status = 'ACCEPTED' ORDER BY received_at DESC", (json.dumps(ids), senders)):
                    by_id[(sender, sender_message_id)] = id_      # descending: the earliest is written last
            if keys:
                for sender, kind, key, function, id_ in cur.execute(
                        "SELECT sender, kind, business_key, function, id FROM messages WHERE business_key IN "
                        "(SELECT value FROM json_each(?1)) AND +sender IN (SELECT value FROM json_each(?2)) "
                        "AND +status = 'ACCEPTED' ORDER BY received_at DESC", (json.dumps(keys), senders)):
                    by_key[(sender, kind, key, function)] = id_

        def earliest(m: Sameness) -> str | None:
            if m.sender_message_id and (found := by_id.get((m.sender, m.sender_message_id))):
                return found
            return by_key.get((m.sender, m.kind, m.business_key, m.function)) if m.business_key else None
        return [earliest(m) for m in messages]

    def record(self, messages: list[NewMessage], source: str) -> list[Delivery]:
        """Write messages, their deliveries (PENDING) and events in ONE transaction (see Store)."""
        if not messages:
            return []
        now = self._now()
        with self._write() as cur:
            stored = dict(cur.execute("SELECT id, status FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                                      (json.dumps([m.id for m in messages]),)))
            first_id = cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM deliveries").fetchone()[0]
            batch = RecordBatch(now, source, first_id)
            for message in messages:
                previous = stored.get(message.id)
                if previous in (MessageStatus.ACCEPTED.value, MessageStatus.DUPLICATE.value):
                    continue
                existing = set(cur.execute("SELECT receiver, format FROM deliveries WHERE message_id = ?",
                                           (message.id,))) if previous else set()
                batch.add(message, previous, existing)
                stored[message.id] = message.status.value
            batch.write(cur)
        return batch.created

    def mark_sent(self, delivery_ids: list[int], source: str) -> None:
        """PENDING -> SENT for each id (ids not PENDING are left alone), one transaction."""
        if not delivery_ids:
            return
        at = ts(self._now())
        with self._write() as cur:
            moved = cur.execute(_MARK_SENT, (at, json.dumps(list(delivery_ids)))).fetchall()
            cur.executemany(_EVENT, [(at, message_id, id_, _SENT.event, _SENT.after.value, source, "{}")
                                     for id_, message_id in sorted(moved)])

    def fail_deliveries(self, delivery_ids: list[int], problems: list[dict], source: str) -> list[Delivery]:
        return self._settle(delivery_ids, MOVES["failed"], problems, source)

    def _settle(self, delivery_ids: list[int], move: Move, problems: list[dict], source: str) -> list[Delivery]:
        """``move`` for each id in one of its states (others untouched), the problems in the event; one
        transaction."""
        if not delivery_ids:
            return []
        at = ts(self._now())
        detail = json.dumps({"codes": sorted({str(p.get("code")) for p in problems}), "problems": problems[:20]},
                            ensure_ascii=False)
        out = []
        with self._write() as cur:
            for id_ in delivery_ids:
                moved = cur.execute(f"UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ? AND {_in(move)} "
                                    f"RETURNING {_DELIVERY}", (move.after.value, at, id_)).fetchone()
                if moved is not None:
                    delivery = _delivery(moved)
                    cur.execute(_EVENT, (at, delivery.message_id, id_, move.event, move.after.value, source, detail))
                    out.append(delivery)
        return out

    def reset_delivery(self, delivery_id: int, source: str) -> Delivery:
        """Put a delivery back to PENDING for a resend (attempts + 1), with an event naming who asked."""
        at = ts(self._now())
        with self._write() as cur:
            before = self._delivery(cur, delivery_id)
            cur.execute("UPDATE deliveries SET state = 'PENDING', attempts = attempts + 1, updated_at = ? "
                        "WHERE id = ?", (at, delivery_id))
            cur.execute(_EVENT, (at, before.message_id, delivery_id, "delivery.reset", "PENDING", source,
                                 json.dumps({"previous_state": before.state.value,
                                             "attempts": before.attempts + 1})))
            return self._delivery(cur, delivery_id)

    def pending(self, limit: int = 1000, unchanged_since: datetime | None = None) -> list[tuple[Delivery, bytes]]:
        rows = self._db.execute(
            f"SELECT {_DELIVERY_D}, p.payload FROM deliveries d JOIN delivery_payloads p ON p.delivery_id = d.id "
            "WHERE d.state = 'PENDING' AND (?2 IS NULL OR d.updated_at < ?2) ORDER BY d.id LIMIT ?1",
            (limit, ts(unchanged_since) if unchanged_since else None)).fetchall()
        return [(_delivery(row[:-1]), row[-1]) for row in rows]

    def payload(self, delivery_id: int) -> bytes:
        """The rendered bytes of a delivery (KeyError when there is no such delivery)."""
        row = self._db.execute("SELECT payload FROM delivery_payloads WHERE delivery_id = ?",
                               (delivery_id,)).fetchone()
        if row is None:
            raise KeyError(f"no delivery {delivery_id}")
        return row[0]

    def raw(self, message_id: str) -> bytes:
        """The bytes the sender handed in (KeyError when there is no such message)."""
        row = self._db.execute("SELECT raw FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise KeyError(f"no message {message_id}")
        return row[0]

    # receipts --------------------------------------------------------------------------------
    def apply_receipt(self, receipt: NewReceipt) -> Correlation:
        """Store the receipt, correlate it by (receiver, key) over its keys in order, advance the
        delivery and remember ``agency_reference`` as a further key. One transaction."""
        with self._write() as cur:
            return self._apply(cur, receipt, ts(self._now()))

    def apply_receipts(self, receipts: list[NewReceipt]) -> list[Correlation]:
        """The batch in one transaction (receipts for one delivery are applied in their order)."""
        if not receipts:
            return []
        at = ts(self._now())
        with self._write() as cur:
            return [self._apply(cur, r, at) for r in receipts]

    def _apply(self, cur: sqlite3.Cursor, receipt: NewReceipt, at: str) -> Correlation:
        """One receipt inside the caller's transaction: a refused receipt is stored, never correlated."""
        found = None if receipt.refused else self._correlate(cur, receipt.receiver, receipt.keys)
        outcome = _outcome(receipt, found)
        receipt_id = cur.execute(
            "INSERT INTO receipts (receiver, format, received_at, keys, state, agency_status, agency_reference, "
            "errors, delivery_id, sha256, size, raw, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (receipt.receiver, receipt.format, ts(receipt.received_at), json.dumps(list(receipt.keys)),
             receipt.state.value if receipt.state else None, receipt.agency_status, receipt.agency_reference,
             json.dumps(list(receipt.errors)), found.delivery_id if found else None,
             receipt.sha256 or hashlib.sha256(receipt.raw).hexdigest(),
             len(receipt.raw) if receipt.size is None else receipt.size, receipt.raw, outcome)).lastrowid
        if found is None:
            detail = {"receiver": receipt.receiver, "keys": list(receipt.keys), "outcome": outcome}
            if receipt.errors:
                detail |= {"format": receipt.format, "codes": sorted({str(e.get("code")) for e in receipt.errors})}
            type_ = "receipt.refused" if receipt.refused else "receipt.orphaned"
            cur.execute(_EVENT, (at, None, None, type_, None, f"receipt:{receipt_id}", json.dumps(detail)))
            return Correlation(receipt_id, None, None)
        return Correlation(receipt_id, self._advance(cur, found, receipt, receipt_id, at), found.message)

    def _correlate(self, cur: sqlite3.Cursor, receiver: str, keys: tuple[str, ...]) -> _Match | None:
        """The first key (in order) known for this receiver; a key shared by several deliveries
        (an original and its amendment share a business key) means the latest of them. The same
        query reads the delivery's state and its message, which the caller needs next."""
        for key in keys:
            if not key:
                continue
            row = cur.execute(f"SELECT k.delivery_id, d.state, {_MESSAGE_M} FROM delivery_keys k "
                              "JOIN deliveries d ON d.id = k.delivery_id JOIN messages m ON m.id = d.message_id "
                              "WHERE k.receiver = ? AND k.key = ? ORDER BY k.delivery_id DESC LIMIT 1",
                              (receiver, key)).fetchone()
            if row:
                return _Match(row[0], key, DeliveryState(row[1]), _message(row[2:]))
        return None

    def _advance(self, cur: sqlite3.Cursor, found: _Match, receipt: NewReceipt, receipt_id: int,
                 at: str) -> Delivery:
        """Move the delivery (hub.lifecycle.after_receipt: never down its rank); returns it as updated."""
        state = after_receipt(found.state, receipt.state)
        # UPDATE, then SELECT by id: cheaper than UPDATE ... RETURNING, which SQLite runs as a trigger
        cur.execute("UPDATE deliveries SET state = ?, agency_status = COALESCE(?, agency_status), "
                    "agency_reference = COALESCE(?, agency_reference), receipt_at = COALESCE(receipt_at, ?), "
                    "updated_at = ? WHERE id = ?",
                    (state.value, receipt.agency_status, receipt.agency_reference, at, at, found.delivery_id))
        delivery = self._delivery(cur, found.delivery_id)
        if receipt.agency_reference:
            cur.execute("INSERT OR IGNORE INTO delivery_keys (receiver, key, delivery_id) VALUES (?, ?, ?)",
                        (delivery.receiver, receipt.agency_reference, delivery.id))
        detail = {"receipt_id": receipt_id, "key": found.key, "previous_state": found.state.value,
                  "agency_status": receipt.agency_status, "agency_reference": receipt.agency_reference,
                  "codes": sorted({str(e.get("code")) for e in receipt.errors})}
        cur.execute(_EVENT, (at, delivery.message_id, delivery.id, "receipt.correlated",
                             state.value if receipt.state is not None else None, f"receipt:{receipt_id}",
                             json.dumps(detail)))
        return delivery

    def receipts(self, outcome: str | Sequence[str] | None = None, receiver: str | None = None,
                 since: datetime | None = None, limit: int = 100) -> list[dict]:
        """Stored receipts, newest first, without their bytes (see Store): one search of the
        (outcome, received_at) index per outcome asked for, merged."""
        outcomes = RECEIPT_OUTCOMES if outcome is None else (outcome,) if isinstance(outcome, str) else outcome
        unknown = sorted(set(outcomes) - set(RECEIPT_OUTCOMES))
        if unknown:
            raise ValueError(f"receipt outcome {', '.join(unknown)}: expected one of {', '.join(RECEIPT_OUTCOMES)}")
        rows: list[tuple] = []
        with self._read() as cur:
            for one in dict.fromkeys(outcomes):
                rows += cur.execute(
                    f"SELECT {_RECEIPT} FROM receipts WHERE outcome = ? AND received_at >= ? "
                    "AND receiver = COALESCE(?, receiver) ORDER BY received_at DESC, id DESC LIMIT ?",
                    (one, ts(since) if since else "", receiver, limit)).fetchall()
        rows.sort(key=lambda r: (r[3], r[0]), reverse=True)     # (received_at, id)
        out = [dict(zip(_RECEIPT_NAMES, row)) for row in rows[:limit]]
        for item in out:
            item.update(received_at=_dt(item["received_at"]), keys=json.loads(item["keys"]),
                        errors=json.loads(item["errors"]))
        return out

    def prune_orphans(self, older_than: datetime, keep: int, *, limit: int = PRUNE_LIMIT) -> int:
        """Drop unmatched receipts (orphaned, unreadable, refused) received before ``older_than`` and
        the oldest beyond the newest ``keep``, at most ``limit`` of them (the oldest first; the rest at
        the next call), in one transaction; add them to the ``orphans_dropped`` counter and append one
        ``receipt.pruned`` event. The newest receipt of all is never dropped: SQLite would give its id
        to the next receipt, and events name receipts by id."""
        with self._write() as cur:
            due = {id_ for id_, in cur.execute(
                "SELECT id FROM receipts WHERE outcome IN (SELECT value FROM json_each(?)) AND received_at < ? "
                "LIMIT ?", (json.dumps(UNMATCHED), ts(older_than), limit))}
            beyond = cur.execute("SELECT id FROM receipts WHERE delivery_id IS NULL ORDER BY id DESC "
                                 "LIMIT 1 OFFSET ?", (max(keep, 0),)).fetchone()
            if beyond is not None:
                due.update(id_ for id_, in cur.execute(
                    "SELECT id FROM receipts WHERE delivery_id IS NULL AND id <= ? ORDER BY id LIMIT ?",
                    (beyond[0], limit)))
            due.discard(cur.execute("SELECT MAX(id) FROM receipts").fetchone()[0])
            chosen = sorted(due)[:limit]
            if not chosen:
                return 0
            cur.execute("DELETE FROM receipts WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(chosen),))
            total = cur.execute("INSERT INTO counters (name, value) VALUES ('orphans_dropped', ?) "
                                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                                (len(chosen),)).fetchone()[0]
            cur.execute(_EVENT, (ts(self._now()), None, None, "receipt.pruned", None, "store:retention",
                                 json.dumps({"count": len(chosen), "older_than": ts(older_than), "keep": keep,
                                             "orphans_dropped": total})))
        log.info("receipts.pruned", count=len(chosen), orphans_dropped=total)
        return len(chosen)

    # deadlines -------------------------------------------------------------------------------
    def mark_overdue(self, now: datetime, source: str) -> list[Delivery]:
        """Deliveries in a state that may go overdue (hub.lifecycle) whose deadline is before ``now``."""
        at = ts(self._now())
        with self._write() as cur:
            due = cur.execute(f"SELECT id, message_id, state, deadline_at FROM deliveries "
                              f"WHERE {_in(_OVERDUE)} AND deadline_at < ?", (ts(now),)).fetchall()
            due.sort()
            cur.executemany("UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ?",
                            [(_OVERDUE.after.value, at, row[0]) for row in due])
            cur.executemany(_EVENT, [(at, message_id, id_, _OVERDUE.event, _OVERDUE.after.value, source,
                                      json.dumps({"previous_state": state, "deadline_at": deadline}))
                                     for id_, message_id, state, deadline in due])
            return [self._delivery(cur, row[0]) for row in due]

    # admin -------------------------------------------------------------------------------------
    def message(self, message_id: str) -> Message | None:
        row = self._db.execute(f"SELECT {_MESSAGE} FROM messages WHERE id = ?", (message_id,)).fetchone()
        return _message(row) if row else None

    def deliveries(self, message_id: str) -> list[Delivery]:
        rows = self._db.execute(f"SELECT {_DELIVERY} FROM deliveries WHERE message_id = ? ORDER BY id",
                                (message_id,))
        return [_delivery(row) for row in rows]

    def _delivery(self, cur: sqlite3.Cursor, delivery_id: int) -> Delivery:
        row = cur.execute(f"SELECT {_DELIVERY} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise KeyError(f"no delivery {delivery_id}")
        return _delivery(row)

    def events(self, message_id: str) -> list[Event]:
        """The message's timeline (its own and its deliveries' events), oldest first."""
        rows = self._db.execute("SELECT id, at, message_id, delivery_id, type, state, source, detail FROM events "
                                "WHERE message_id = ? ORDER BY id", (message_id,))
        return [Event(id=id_, at=_dt(at), message_id=mid, delivery_id=did, type=type_, state=state, source=source,
                      detail=json.loads(detail)) for id_, at, mid, did, type_, state, source, detail in rows]

    def find(self, flt: MessageFilter) -> list[Message]:
        """Messages matching every given filter, newest first; ``since`` <= received_at < ``until``;
        ``receiver`` and ``delivery_state`` together mean one delivery with both."""
        where, args = ["1 = 1"], []
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
        cols = ", ".join(f"m.{c.strip()}" for c in _MESSAGE.split(","))
        rows = self._db.execute(f"SELECT {cols} FROM messages m WHERE {' AND '.join(where)} "
                                "ORDER BY m.received_at DESC, m.id DESC LIMIT ?", (*args, flt.limit))
        return [_message(row) for row in rows]

    def add_event(self, message_id: str | None, delivery_id: int | None, type: str, source: str,
                  state: str | None = None, detail: dict | None = None) -> None:
        """Append one event; a delivery's event also carries its message id (for the timeline)."""
        with self._write() as cur:
            if delivery_id is not None and message_id is None:
                message_id = self._delivery(cur, delivery_id).message_id
            cur.execute(_EVENT, (ts(self._now()), message_id, delivery_id, type, state, source,
                                 json.dumps(detail or {})))

    def set_message_status(self, message_id: str, status: MessageStatus, errors: tuple[dict, ...],
                           source: str) -> None:
        """Change a stored message's status, with a ``message.<status>`` event."""
        at = ts(self._now())
        with self._write() as cur:
            row = cur.execute("SELECT status FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise KeyError(f"no message {message_id}")
            cur.execute("UPDATE messages SET status = ?, errors = ?, updated_at = ? WHERE id = ?",
                        (status.value, json.dumps(list(errors)), at, message_id))
            detail = {"previous_status": row[0], "codes": sorted({str(e.get("code")) for e in errors})}
            cur.execute(_EVENT, (at, message_id, None, f"message.{status.value.lower()}", status.value, source,
                                 json.dumps(detail)))

    def stats(self, since: datetime | None = None) -> dict:
        """Volumes by kind and by receiver, receipt latency and overdue counts (see sqlite_stats)."""
        with self._read() as cur:
            return stats(cur, ts(since) if since else "")


__all__ = ["BUSY_TIMEOUT_S", "PRUNE_LIMIT", "SqliteStore"]
