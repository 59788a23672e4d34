"""What the store's parts share: one transaction's cursor (``Tx``), the column lists, times as text
and the row mappers.

Design note: times are stored as fixed-width UTC ISO-8601 text (microseconds, ``+00:00``)
in every engine, so text order is time order and "" sorts before every time (``since``
of "" means all); naive datetimes are refused. Rows come back as tuples and are mapped
to the frozen dataclasses of ``base`` here, and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from .base import Delivery, DeliveryState, Message, MessageStatus
from .dialect import Args, Cursor, Dialect, Row

if TYPE_CHECKING:
    from ..lifecycle import Move


class Tx:
    """A cursor inside one transaction (or one autocommit statement), speaking the dialect's
    placeholders: the only way the store's parts run SQL."""

    def __init__(self, cursor: Cursor, dialect: Dialect) -> None:
        self.cursor, self.dialect = cursor, dialect

    def run(self, sql: str, args: Args = ()) -> None:
        self.cursor.execute(self.dialect.sql(sql), args)

    def many(self, sql: str, rows: Sequence[Args]) -> None:
        """One ``executemany`` for every row (nothing when there are none)."""
        if rows:
            self.cursor.executemany(self.dialect.sql(sql), rows)

    def one(self, sql: str, args: Args = ()) -> Row | None:
        self.cursor.execute(self.dialect.sql(sql), args)
        row: Row | None = self.cursor.fetchone()
        return row

    def all(self, sql: str, args: Args = ()) -> list[Row]:
        self.cursor.execute(self.dialect.sql(sql), args)
        rows: list[Row] = self.cursor.fetchall()
        return rows

    def value(self, sql: str, args: Args = ()) -> Any:
        """The first column of the statement's one row (None when there is no row)."""
        row = self.one(sql, args)
        return None if row is None else row[0]

    def insert(self, sql: str, args: Args) -> int:
        """Run an INSERT of one row; the id the engine gave it."""
        if self.dialect.returning_ids:
            new_id = self.value(sql + " RETURNING id", args)
        else:
            self.run(sql, args)
            new_id = self.cursor.lastrowid
        if not isinstance(new_id, int):
            raise RuntimeError(f"the engine gave no id for {sql.split('(')[0].strip()}")
        return new_id


MESSAGE = ("id, sender, sender_message_id, received_at, status, sha256, size, format, kind, business_key, "
           "function, errors, duplicate_of, purged_at")
DELIVERY = ("id, message_id, receiver, format, route, state, out_id, created_at, updated_at, deadline_at, "
            "agency_status, agency_reference, attempts")


def aliased(columns: str, alias: str) -> str:
    """A column list with each column qualified by a table alias, for joins: ``a, b`` -> ``d.a, d.b``."""
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


MESSAGE_M = aliased(MESSAGE, "m")
"""The columns of a message row aliased ``m`` (in joins)."""
DELIVERY_D = aliased(DELIVERY, "d")
"""The columns of a delivery row aliased ``d`` (in joins)."""



def starts(move: Move) -> str:
    """``state IN (...)`` for the states a move of hub.lifecycle starts from (enum values, never input)."""
    return "state IN (" + ", ".join(f"'{state.value}'" for state in sorted(move.before)) + ")"


EVENT = "INSERT INTO events (at, message_id, delivery_id, type, state, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"


@overload
def ts(value: datetime) -> str: ...
@overload
def ts(value: None) -> None: ...
@overload
def ts(value: datetime | None) -> str | None: ...
def ts(value: datetime | None) -> str | None:
    """Fixed-width UTC ISO-8601 text (microseconds, +00:00), so that text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: the store takes timezone-aware times")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@overload
def dt(text: str) -> datetime: ...
@overload
def dt(text: str | None) -> datetime | None: ...
def dt(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime."""
    return None if text is None else datetime.fromisoformat(text)


def to_delivery(row: Row) -> Delivery:
    (id_, message_id, receiver, fmt, route, state, out_id, created, updated, deadline, agency_status,
     agency_reference, attempts) = row
    return Delivery(id=id_, message_id=message_id, receiver=receiver, format=fmt, route=route,
                    state=DeliveryState(state), out_id=out_id, created_at=dt(created), updated_at=dt(updated),
                    deadline_at=dt(deadline), agency_status=agency_status, agency_reference=agency_reference,
                    attempts=attempts)


def to_message(row: Row) -> Message:
    (id_, sender, sender_message_id, received_at, status, sha256, size, fmt, kind, key, function, errors,
     duplicate_of, purged_at) = row
    return Message(id=id_, sender=sender, sender_message_id=sender_message_id, received_at=dt(received_at),
                   status=MessageStatus(status), sha256=sha256, size=size, format=fmt, kind=kind,
                   business_key=key, function=function, errors=tuple(json.loads(errors)),
                   duplicate_of=duplicate_of, purged_at=dt(purged_at))


def get_delivery(tx: Tx, delivery_id: int) -> Delivery:
    """The delivery as stored now (KeyError when there is none)."""
    row = tx.one(f"SELECT {DELIVERY} FROM deliveries WHERE id = ?", (delivery_id,))
    if row is None:
        raise KeyError(f"no delivery {delivery_id}")
    return to_delivery(row)


def blob(value: Any) -> bytes:
    """A stored BLOB/BYTEA as bytes (a driver may hand out a memoryview; bytes pass uncopied)."""
    return value if isinstance(value, bytes) else bytes(value)


def codes(problems: Sequence[dict[str, Any]]) -> list[str]:
    """The distinct problem codes, sorted: what an event's detail names (never content)."""
    return sorted({str(p.get("code")) for p in problems})


__all__ = ["DELIVERY", "DELIVERY_D", "EVENT", "MESSAGE", "MESSAGE_M", "Tx", "aliased", "blob", "codes", "dt",
           "get_delivery", "starts", "to_delivery", "to_message", "ts"]
