"""The Type-B envelope: who a message is for, who sent it, when, and under which identity.

Reading::

    QD SIN05XH PEKFMCA        priority (Qx) and one or more 7-character addresses
    .HDQFMQR 200739 MSG0042   '.' originator address, DDHHMM (UTC), an optional message identity

Further address lines (addresses only) may follow the first; the time and the
identity are optional (``.XXDUMMY`` alone is read). The header becomes
MessageHeader: recipient_id = the addresses joined by blanks, sender_id = the
originator, issued_at = the transmission time, message_id = the identity.
``DDHHMM`` has no month: it is kept as read and resolved by :meth:`Envelope.sent_at`
(the nearest such day around the reception time, never before the message's own
issue date when it has one, see :mod:`.dates`).

Writing: the envelope is written when the RenderContext's parties are Type-B
addresses: ``sender_id`` one address and ``receiver_id`` one or more (blank
separated), optionally led by a priority (``QD SIN05XH``; QK when none). Any
other party id (``EPORTHUB``, a broker user such as ``CUSTOMS-CN``) means the
message travels bare, as it does on the hub's own broker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from hub.adapters import RenderContext
from hub.models import MessageHeader

from . import dates
from .lines import Line

ADDRESS = re.compile(r"^[A-Z]{3}[A-Z0-9]{4}$")
_ADDRESS_LINE = re.compile(r"^(Q[A-Z]) ([A-Z0-9]{7}(?: +[A-Z0-9]{7})*) *$")
_MORE_ADDRESSES = re.compile(r"^([A-Z0-9]{7}(?: +[A-Z0-9]{7})*) *$")
_ORIGINATOR = re.compile(r"^\.([A-Z0-9]{7})(?: (\d{2})(\d{2})(\d{2}))?(?:[ /]+(\S.*?))? *$")
DEFAULT_PRIORITY = "QK"


@dataclass(frozen=True)
class Envelope:
    """A Type-B envelope as read."""

    priority: str
    addresses: tuple[str, ...]
    originator: str
    sent: tuple[int, time] | None
    """The transmission time as read: day of the month and UTC time."""
    identity: str | None

    def sent_at(self, issued: date | None, clock: dates.Clock) -> datetime | None:
        """The transmission time: the nearest such day around the clock's time (the reception time),
        never before ``issued`` (the message's own issue date, when given) minus the tolerance."""
        if self.sent is None:
            return None
        day, at = self.sent
        return dates.sent_on(day, at, clock(), issued)

    def header(self, sent_at: datetime | None) -> MessageHeader:
        return MessageHeader(message_id=self.identity, issued_at=sent_at, sender_id=self.originator,
                             recipient_id=" ".join(self.addresses))


def split(lines: list[Line]) -> tuple[Envelope | None, list[Line]]:
    """The envelope (None when the message starts bare) and the lines after it."""
    if not lines or not (head := _ADDRESS_LINE.match(lines[0].text)):
        return None, lines
    addresses = head.group(2).split()
    at = 1
    while at < len(lines) and (more := _MORE_ADDRESSES.match(lines[at].text)):
        addresses += more.group(1).split()
        at += 1
    origin = _ORIGINATOR.match(lines[at].text) if at < len(lines) else None
    if origin is None:
        where = lines[at] if at < len(lines) else lines[-1]
        raise where.error("a Type-B address line must be followed by the originator line "
                          "('.HDQFMQR 200739')", "CIMP_ENVELOPE_INVALID")
    return Envelope(head.group(1), tuple(addresses), origin.group(1), _sent(origin, lines[at]),
                    origin.group(5)), lines[at + 1:]


def _sent(origin: re.Match, line: Line) -> tuple[int, time] | None:
    if origin.group(2) is None:
        return None
    day, hour, minute = (int(origin.group(i)) for i in (2, 3, 4))
    try:
        if not 1 <= day <= 31:
            raise ValueError
        return day, time(hour, minute)
    except ValueError:
        raise line.error(f"{origin.group(2)}{origin.group(3)}{origin.group(4)} is not a DDHHMM time",
                         "CIMP_DATE_INVALID") from None


def write(ctx: RenderContext) -> list[str]:
    """The two envelope lines for this context, or none when its parties are not Type-B addresses."""
    receiver = (ctx.receiver_id or "").split()
    priority = receiver.pop(0) if receiver and re.fullmatch(r"Q[A-Z]", receiver[0]) else DEFAULT_PRIORITY
    if not receiver or not all(ADDRESS.match(a) for a in receiver) or not ADDRESS.match(ctx.sender_id or ""):
        return []
    origin = f".{ctx.sender_id} {dates.ddhhmm(ctx.created_at)}"
    if ctx.message_id:
        origin += " " + "".join(ctx.message_id.split())
    return [f"{priority} {' '.join(receiver)}", origin]
