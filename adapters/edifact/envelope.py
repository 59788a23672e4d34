"""Reading an interchange: bytes -> characters -> segments -> UNB/UNG/UNH..UNT/UNE/UNZ, every control checked.

Checked (each a stable code, the segment's position in the interchange and its line):

- EDI_UNT_COUNT / EDI_UNT_REFERENCE: UNT 0074 = segments UNH..UNT inclusive, UNT 0062 = UNH 0062
- EDI_UNE_COUNT / EDI_UNE_REFERENCE: UNE 0060 = messages in the group, UNE 0048 = UNG 0048
- EDI_UNZ_COUNT / EDI_UNZ_REFERENCE: UNZ 0036 = groups (or messages when there are no groups),
  UNZ 0020 = UNB 0020
- EDI_UNT_MISSING, EDI_UNE_MISSING, EDI_UNZ_MISSING, EDI_SEGMENT_OUTSIDE_MESSAGE,
  EDI_GROUPS_MIXED, EDI_CONTENT_AFTER_UNZ: the envelope's shape
- EDI_CHARSET_VIOLATION: a byte the declared syntax identifier cannot decode, or a character
  outside its repertoire (see :mod:`.charsets`)
- fatal, raised at once: EDI_UNA_INVALID, EDI_UNB_MISSING, EDI_SYNTAX_ID_UNKNOWN

Everything else is collected and raised together as :class:`~hub.errors.InvalidDocument`.
``lenient=True`` is the explicit relaxation for senders known to miscount: the control
counts and references (the six codes above) and printable-ASCII characters outside levels
A/B are then kept in ``Interchange.relaxed`` instead of failing; undecodable bytes, control
characters and a broken envelope still fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from hub.errors import InvalidDocument, ParseError, Problem

from . import charsets
from .controls import Message, Walker
from .pointer import Pointer
from .syntax import MAX_PROBLEMS, Segment, ServiceChars, Tokens, breaks, service_chars, split_segment, una_problem

__all__ = ["Interchange", "Message", "RELAXABLE", "read"]

RELAXABLE = frozenset({"EDI_UNT_COUNT", "EDI_UNT_REFERENCE", "EDI_UNE_COUNT", "EDI_UNE_REFERENCE",
                       "EDI_UNZ_COUNT", "EDI_UNZ_REFERENCE", "EDI_CHARSET_REPERTOIRE"})


@dataclass
class Interchange:
    """A read interchange: envelope facts, its messages, and the problems relaxed on request."""

    chars: ServiceChars
    repertoire: charsets.Repertoire
    header: Segment
    messages: list[Message] = field(default_factory=list)
    relaxed: list[Problem] = field(default_factory=list)

    @property
    def syntax_version(self) -> str | None:
        return self.header.get(0, 1)

    @property
    def sender(self) -> str | None:
        return self.header.get(1)

    @property
    def recipient(self) -> str | None:
        return self.header.get(2)

    @property
    def reference(self) -> str | None:
        return self.header.get(4)

    @property
    def prepared_at(self) -> datetime | None:
        """UNB S004 as a naive date-time (the interchange carries no zone)."""
        day, time = self.header.get(3, 0), self.header.get(3, 1) or "0000"
        if not day or not ((day + time).isascii() and (day + time).isdigit()) or len(day) not in (6, 8) \
                or len(time) != 4:
            return None
        year = int(day[:-4]) if len(day) == 8 else 2000 + int(day[:2])
        try:
            return datetime(year, int(day[-4:-2]), int(day[-2:]), int(time[:2]), int(time[2:]))
        except ValueError:
            return None


def read(data: bytes, lenient: bool = False) -> Interchange:
    """Decode, tokenise and check an interchange; raise ParseError or InvalidDocument when it is bad."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:2048].decode("latin-1")
    chars, start = service_chars(head)
    if (why := una_problem(chars)) is not None:
        raise ParseError(why, code="EDI_UNA_INVALID", line=1, path="UNA")
    rep = _repertoire(head, chars, start)
    text = data.decode(rep.codec, errors="surrogateescape")
    _, start = service_chars(text)
    tokens = Tokens(text, chars, start)
    if not tokens.segments or tokens.segments[0].tag != "UNB":
        raise ParseError("an interchange starts with UNB (after an optional UNA)", code="EDI_UNB_MISSING",
                         line=tokens.segments[0].line if tokens.segments else 1, path="segment 1")
    walker = Walker(tokens.segments)
    problems = [_in_message(p, tokens.segments, walker.owners) for p in tokens.problems] + \
        _charset_problems(tokens.segments, rep, chars, walker.owners, lenient) + \
        walker.problems
    interchange = Interchange(chars, rep, tokens.segments[0], walker.messages)
    if lenient:
        interchange.relaxed = [p for p in problems if p.code in RELAXABLE]
        problems = [p for p in problems if p.code not in RELAXABLE]
    if problems:
        raise InvalidDocument(sorted(problems, key=lambda p: p.line or 0))
    return interchange


def _in_message(problem: Problem, segments: list[Segment], owners: dict[int, Message]) -> Problem:
    """A tokeniser problem whose segment lies in a message, pointed at within that message too."""
    where = Pointer.parse(problem.path)
    owner = owners.get(where.position) if where and where.position else None
    if owner is None:
        return problem
    pointer = owner.pointer(segments[where.position - 1])
    if where.tag is None:  # an invalid tag is not repeated in the pointer
        pointer = replace(pointer, tag=None)
    return Problem(problem.code, problem.message, problem.line, str(pointer))


def _repertoire(head: str, chars: ServiceChars, start: int) -> charsets.Repertoire:
    if not head.startswith("UNB", start):
        raise ParseError("an interchange starts with UNB (after an optional UNA)", code="EDI_UNB_MISSING",
                         line=1 + breaks(head, 0, start), path="segment 1")
    syntax_id = head[start + 4:start + 8]
    rep = charsets.repertoire(syntax_id)
    if rep is None:
        known = ", ".join(charsets.REPERTOIRES)
        raise ParseError(f"UNB declares syntax identifier {syntax_id!r}; the hub reads {known}",
                         code="EDI_SYNTAX_ID_UNKNOWN", line=1 + breaks(head, 0, start), path="segment 1 UNB")
    return rep


def _charset_problems(segments: list[Segment], rep: charsets.Repertoire, chars: ServiceChars,
                      owners: dict[int, Message], lenient: bool) -> list[Problem]:
    service = "".join(c for c in (chars.component, chars.element, chars.decimal, chars.release,
                                  chars.repetition, chars.terminator) if c)
    strict, relaxed = rep.invalid(service), rep.invalid(service, lenient=True)
    problems = []
    for seg in segments:
        if len(problems) >= MAX_PROBLEMS:
            break
        match = strict.search(seg.raw)
        if match is None:
            continue
        if lenient and rep.allowed and not relaxed.search(seg.raw):
            problems.append(_charset_problem(seg, match, rep, chars, owners, "EDI_CHARSET_REPERTOIRE"))
            continue
        problems.append(_charset_problem(seg, (relaxed if lenient else strict).search(seg.raw), rep, chars,
                                         owners, "EDI_CHARSET_VIOLATION"))
    return problems


def _charset_problem(seg: Segment, match, rep: charsets.Repertoire, chars: ServiceChars,
                     owners: dict[int, Message], code: str) -> Problem:
    char = match.group()
    elements = split_segment(seg.raw[:match.start()], chars)
    element, component = len(elements), len(elements[-1])
    owner = owners.get(seg.position)
    where = owner.pointer(seg, element, component) if owner else Pointer(seg.position, seg.tag)
    if "\udc80" <= char <= "\udcff":
        what = f"byte 0x{ord(char) - 0xdc00:02X} is not {rep.syntax_id} ({rep.codec})"
    else:
        what = f"character {charsets.describe(char)} is outside the {rep.syntax_id} repertoire"
    return Problem(code, f"{seg.tag} (segment {seg.position}, line {seg.line}) element {element}: {what}",
                   line=seg.line, path=str(where))
