"""Writing an interchange: one message in UNA/UNB/UNH..UNT/UNZ, counts computed, values released.

The hub writes UNA ``:+.? '`` (no repetition separator), one segment per line (a line
break after each terminator is allowed and readable), one reference as both the
interchange reference (UNB 0020) and the message reference (UNH 0062), so that CONTRL,
APERAK and CUSRES answers echo it: ``ctx.message_id`` when it fits the an..14 those
elements allow, else a stable 14-character digest of it (``reference``), which the
adapter reports in ``Output.references`` so the runtime correlates answers by it. UNB S004 is the context's \
time in UTC (a naive time is written as it is).

The syntax identifier is the adapter's setting, or the smallest of UNOA, UNOB, UNOC, UNOW
that carries every character; a character outside the chosen set is a ConversionError
(EDI_CHARSET_UNWRITABLE) naming the segment.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from hub.adapters import RenderContext
from hub.errors import ConversionError

from . import charsets, dates
from .syntax import DEFAULT, serialise


@dataclass
class MessageWriter:
    """Collects a message body segment by segment."""

    segments: list[tuple[str, tuple]] = field(default_factory=list)

    def add(self, tag: str, *elements) -> None:
        """Append a segment; an element is a value, None (empty) or a list of components."""
        self.segments.append((tag, elements))

    def dtm(self, qualifier: str, when: date | datetime | None) -> None:
        """``DTM+qualifier:value:format`` when there is a value."""
        if when is not None:
            self.add("DTM", dates.dtm(qualifier, when))


REFERENCE_LENGTH = 14
_SAFE_REFERENCE = re.compile(r"^[A-Z0-9]{1,14}$")


def reference(message_id: str) -> str:
    """The interchange and message reference for a message id: itself when it is 1-14 upper-case
    letters and digits, else 'H' + 13 characters of the base32 SHA-256 of it (stable across repeats)."""
    if _SAFE_REFERENCE.match(message_id):
        return message_id
    return digest_reference(message_id, REFERENCE_LENGTH)


def digest_reference(text: str, width: int) -> str:
    """'H' + the first ``width`` - 1 characters of the base32 SHA-256 of ``text``: a stable stand-in for a
    value longer than its element (an interchange reference, an ERC code)."""
    return "H" + base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:width - 1]


def interchange(body: MessageWriter, identifier: tuple[str, ...], ctx: RenderContext,
                common_access_ref: str | None = None, syntax_id: str | None = None) -> bytes:
    """The bytes of a one-message interchange around ``body``."""
    chars, ref = DEFAULT, reference(ctx.message_id)
    lines = [serialise(tag, list(elements), chars) for tag, elements in body.segments]
    envelope_values = [ctx.sender_id, ctx.receiver_id, ref, common_access_ref or ""]
    rep = _repertoire(syntax_id, lines + envelope_values, chars.specials + chars.decimal)
    when = _utc(ctx.created_at)
    day = when.strftime("%Y%m%d" if rep.version == "4" else "%y%m%d")
    unb = serialise("UNB", [[rep.syntax_id, rep.version], ctx.sender_id, ctx.receiver_id,
                            [day, when.strftime("%H%M")], ref], chars)
    unh = serialise("UNH", [ref, list(identifier), common_access_ref], chars)
    _check(rep, [unh, *lines], chars)
    _check(rep, [unb], chars, first=0)
    unt = serialise("UNT", [str(len(lines) + 2), ref], chars)
    unz = serialise("UNZ", ["1", ref], chars)
    segments = [unb, unh, *lines, unt, unz]
    return (chars.una() + "\n" + "".join(s + chars.terminator + "\n" for s in segments)).encode(rep.codec)


def _utc(when: datetime | None) -> datetime:
    when = when or datetime.now(UTC)
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _repertoire(syntax_id: str | None, lines: list[str], service: str) -> charsets.Repertoire:
    if syntax_id is None:
        return charsets.choose("".join(lines), service)
    rep = charsets.repertoire(syntax_id)
    if rep is None:
        raise ConversionError(f"syntax identifier {syntax_id!r} is not one the hub writes "
                              f"({', '.join(charsets.REPERTOIRES)})", code="EDI_SYNTAX_ID_UNKNOWN")
    return rep


def _check(rep: charsets.Repertoire, lines: list[str], chars, first: int = 1) -> None:
    """Every segment writable in ``rep``; ``first`` numbers the first line (UNH = 1 in a message)."""
    invalid = rep.invalid(chars.specials + chars.decimal)
    for n, line in enumerate(lines, first):
        bad = invalid.search(line)
        if bad is None:
            try:
                line.encode(rep.codec)
                continue
            except UnicodeEncodeError as exc:
                char = line[exc.start]
        else:
            char = bad.group()
        where = "UNB" if n == 0 else f"{line[:3]} (segment {n} of the message)"
        raise ConversionError(f"{where}: {charsets.describe(char)} cannot be written in {rep.syntax_id}",
                              code="EDI_CHARSET_UNWRITABLE", path=where)
