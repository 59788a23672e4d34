"""Cargo-IMP text as numbered lines, and the grammar most messages share: tagged lines and their continuations.

A message body is a list of lines. Most lines start with a three-letter tag
(``RTG/ZRHQR/DOHQR``); a line starting with ``/`` continues the line above;
inside a party block (SHP, CNE, NFY) the sub-tags NAM, ADR and LOC continue it
too. Line numbers are those of the raw input, envelope included, so an error
points at the line a sender sees in its editor. Trailing blanks are kept: the
fixed-width goods lines (``/NG/``) depend on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum

from hub.errors import ConversionError, ParseError, Problem
from hub.models.common import NumberError, read_number

_TAG = re.compile(r"^([A-Z]{3})(?:/|$)")
_BREAKS = re.compile(r"\r\n|\r|\n")
PARTY_TAGS = frozenset({"SHP", "CNE", "NFY"})
PARTY_SUBTAGS = frozenset({"NAM", "ADR", "LOC"})


@dataclass(frozen=True)
class Line:
    """One non-blank line of the input and its 1-based line number."""

    number: int
    text: str

    @property
    def fields(self) -> list[str]:
        """The line split at every ``/``."""
        return self.text.split("/")

    def after(self, count: int) -> str:
        """The text after the first ``count`` slashes (a last field that may itself hold slashes)."""
        parts = self.text.split("/", count)
        return parts[count] if len(parts) > count else ""

    def error(self, message: str, code: str) -> ParseError:
        """A parse error that names this line."""
        return ParseError(f"line {self.number}: {message}", code=code, line=self.number)

    def whole(self, text: str, what: str, code: str = "CIMP_QUANTITY_INVALID") -> int:
        """A field that must be a whole number (ASCII digits); a longer one than the hub reads is
        NUMBER_OUT_OF_RANGE, anything else ``code``."""
        text = text.strip()
        if not (text.isascii() and text.isdigit()):
            raise self.error(f"{what} {text[:20]!r} is not a whole number", code)
        try:
            return int(read_number(text))
        except NumberError as exc:
            raise self.error(f"{what}: {exc}", exc.code) from None


@dataclass
class Segment:
    """A tagged line and the continuation lines below it."""

    tag: str
    line: Line
    more: list[Line] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        """The tagged line and its continuations."""
        return [self.line, *self.more]

    @property
    def fields(self) -> list[str]:
        """The fields after the tag on the tagged line itself."""
        return self.line.fields[1:]


def decode(data: bytes) -> str:
    """UTF-8 text (Type-B traffic is ASCII); anything else is read as Latin-1 rather than refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_FRAME = {"\x01": "SOH", "\x02": "STX", "\x03": "ETX"}
MESSAGE_START = re.compile(r"^(?:Q[A-Z] [A-Z0-9]{7}|[A-Z]{3}(?:/\d{1,3})?\s*$)")
"""A line a Cargo-IMP message may start with: a Type-B address line or a message identifier."""


def checked(data: bytes) -> list[Line]:
    """The numbered lines of a message to be read, after refusing the characters text may not hold.

    Cargo-IMP text is printable characters, blanks and line breaks (CR, LF; a TAB is tolerated).
    Any other C0 control character, DEL or a C1 control (a byte 0x80-0x9F of a message that is
    not UTF-8) is TEXT_CONTROL_CHARACTER with its line: no output format could carry it, and a
    NUL would cut the text short in many receivers. The Type-B transmission framing is left to
    the envelope: one SOH where the message begins, one STX at the start of a line (the text
    after the heading) and one ETX where it ends."""
    text = decode(data)
    first = len(text) - len(text.lstrip())
    last = len(text.rstrip()) - 1
    stx_seen = False
    for match in _CONTROL.finditer(text):
        char, at = match.group(), match.start()
        if char == "\x01" and at == first or char == "\x03" and at == last:
            continue
        if char == "\x01" and text[at - 1] in "\r\n":
            _nothing_before(text[:at])
        if char == "\x02" and not stx_seen and (at == first or text[at - 1] in "\r\n\x01"):
            stx_seen = True
            continue
        line = len(_BREAKS.split(text[:at]))
        column = at - max(text.rfind("\n", 0, at), text.rfind("\r", 0, at))
        name = _FRAME.get(char) or f"U+{ord(char):04X}"
        raise ParseError(f"line {line}: control character {name} at column {column} is not allowed in "
                         f"Cargo-IMP text", code="TEXT_CONTROL_CHARACTER", line=line)
    return numbered(data)


def _nothing_before(text: str) -> None:
    """An SOH starting a line: if no line above it starts a message, that text precedes the message
    (a label, a mail header): CIMP_TEXT_BEFORE_MESSAGE on its first line. Returns otherwise (the
    SOH is then a control character inside the message)."""
    above = [(n, t) for n, t in enumerate(_BREAKS.split(text), 1) if t.strip()]
    if above and not any(MESSAGE_START.match(_unframed(t)) for _, t in above):
        raise_text_before(above[0][0], above[0][1])


def raise_text_before(number: int, text: str) -> None:
    """CIMP_TEXT_BEFORE_MESSAGE: a line that is not part of the message comes before it."""
    raise ParseError(f"line {number}: {text.strip()[:30]!r} comes before the message: a Cargo-IMP message starts "
                     "with its Type-B heading (SOH, 'QD ADDRESS') or its identifier (FWB/16)",
                     code="CIMP_TEXT_BEFORE_MESSAGE", line=number)


def _unframed(text: str) -> str:
    """A line without the framing it may carry: one SOH and one STX before it, one ETX after it."""
    text = text[1:] if text.startswith("\x01") else text
    text = text[1:] if text.startswith("\x02") else text
    return text[:-1] if text.endswith("\x03") else text


def numbered(data: bytes) -> list[Line]:
    """The non-blank lines with their numbers; SOH/STX/ETX transmission framing is dropped (one SOH and
    one STX at a line's start, one ETX at its end: :func:`checked` refuses them anywhere else)."""
    text = decode(data)
    return [Line(n, u) for n, t in enumerate(_BREAKS.split(text), 1) if (u := _unframed(t)).strip()]


def tag_of(line: Line) -> str | None:
    """The three-letter tag a line starts with, or None."""
    match = _TAG.match(line.text)
    return match.group(1) if match else None


def segments(lines: list[Line], known: frozenset[str]) -> list[Segment]:
    """Group lines into tagged segments; an unknown tag or a stray continuation is a parse error."""
    found: list[Segment] = []
    for line in lines:
        tag = tag_of(line)
        if line.text.startswith("/") or (tag in PARTY_SUBTAGS and found and found[-1].tag in PARTY_TAGS):
            if not found:
                raise line.error("a continuation line ('/...') needs a tagged line above it", "CIMP_LINE_UNEXPECTED")
            found[-1].more.append(line)
        elif tag is None:
            raise line.error(f"{line.text.strip()[:20]!r} is neither a tagged line nor a continuation",
                             "CIMP_LINE_INVALID")
        elif tag not in known:
            raise line.error(f"unknown tag {tag!r} (known here: {', '.join(sorted(known))})", "CIMP_TAG_UNKNOWN")
        else:
            found.append(Segment(tag, line))
    return found


def first(found: list[Segment], tag: str) -> Segment | None:
    """The first segment with ``tag``."""
    return next((s for s in found if s.tag == tag), None)


def need(found: list[Segment], tag: str, head: Line) -> Segment:
    """A mandatory segment; its absence is CIMP_LINE_MISSING on the identifier line."""
    seg = first(found, tag)
    if seg is None:
        raise head.error(f"the mandatory {tag} line is missing", "CIMP_LINE_MISSING")
    return seg


def codes(found: list[Segment], tag: str) -> list[str]:
    """Slash-separated codes of every ``tag`` line and its continuations (SPH/EAP/SPX)."""
    return [c.strip() for s in found if s.tag == tag for line in s.lines for c in line.fields[1:] if c.strip()]


def notes(found: list[Segment], tag: str) -> list[str]:
    """One text per line of every ``tag`` segment (OSI/..., /...)."""
    return [t for s in found if s.tag == tag for line in s.lines if (t := line.after(1).strip())]


NOTE_WIDTH = 65
"""Characters of an OSI (and SSR) line."""


def write_notes(tag: str, texts: list[str]) -> list[str]:
    """``OSI/first`` then ``/next`` for each further text (65 characters each: one note, one line)."""
    return [(f"{tag}/" if i == 0 else "/") + fit(text, NOTE_WIDTH, f"{tag} line") for i, text in enumerate(texts)]


def one_line(text: str) -> str:
    """A value for a one-line field: line breaks inside become blanks."""
    return " ".join(text.splitlines())


def fit(value: str, limit: int, what: str) -> str:
    """A one-field value for output; longer than the field's ``limit`` is CONVERT_FIELD_INVALID, never cut."""
    text = one_line(value)
    if len(text) > limit:
        raise ConversionError(f"the {what} {text[:40]!r} is {len(text)} characters; Cargo-IMP takes {limit}",
                              code="CONVERT_FIELD_INVALID", path=what)
    return text


_WARNINGS: ContextVar[list[Problem] | None] = ContextVar("cargo_imp_warnings", default=None)


@contextmanager
def collecting_warnings() -> Iterator[list[Problem]]:
    """The warnings :func:`clip` records while a message is written (the Output carries them)."""
    found: list[Problem] = []
    token = _WARNINGS.set(found)
    try:
        yield found
    finally:
        _WARNINGS.reset(token)


def warn(code: str, message: str, path: str) -> None:
    """Record what the writer changed that the standard allows, for the Output's warnings."""
    found = _WARNINGS.get()
    if found is not None:
        found.append(Problem(code, f"{path}: {message}", None, path))


_NOT_TEXT = re.compile(r"[^\x20-\x7e]")


def printable(value: str, path: str) -> str:
    """Free text in the characters Cargo-IMP carries (printable ASCII): accents dropped (É -> E), any
    other character (CJK, symbols) replaced by ``?``; a replacement is a CIMP_TEXT_REPLACED warning."""
    text = one_line(value)
    if not _NOT_TEXT.search(text):
        return text
    plain = _unaccented(text)
    replaced = _NOT_TEXT.sub("?", plain)
    if replaced != plain:
        warn("CIMP_TEXT_REPLACED", f"{text[:40]!r}: characters Cargo-IMP cannot carry became '?'", path)
    return replaced


def clip(value: str, limit: int, path: str) -> str:
    """A free-text value in Cargo-IMP's characters (:func:`printable`), cut to its field's ``limit`` as CIMP
    allows for free text; the cut is recorded as a CIMP_TEXT_TRUNCATED warning (path: the line and field)."""
    text = printable(value, path)
    if len(text) <= limit:
        return text
    warn("CIMP_TEXT_TRUNCATED", f"{text[:40]!r} has {len(text)} characters; cut to the field's {limit}", path)
    return text[:limit].rstrip()


def run_on(pieces: list[str], width: int) -> list[str]:
    """Text lines from fixed-width pieces: a full piece (``width`` characters) runs on into the next,
    a shorter one (an empty one too) ends its line; empty lines are dropped (NGD description chunks,
    TXT lines). :func:`chunk` writes what this reads back."""
    lines, current = [], ""
    for piece in pieces:
        current += piece
        if len(piece) < width:
            lines.append(current.rstrip())
            current = ""
    if current:
        lines.append(current.rstrip())
    return [line for line in lines if line]


def chunk(text: str, width: int) -> list[str]:
    """Fixed-width pieces for :func:`run_on` to read back: each line of ``text`` in pieces of ``width``
    characters (one empty piece for an empty line); a line whose length is a whole number of pieces
    is followed by an empty piece, the shorter piece that ends it, unless it is the last line (the
    end of the pieces ends it): without it the reader would run the next line on into it."""
    lines, pieces = text.splitlines(), []
    for number, line in enumerate(lines, 1):
        pieces += [line[i:i + width] for i in range(0, max(len(line), 1), width)]
        if line and len(line) % width == 0 and number < len(lines):
            pieces.append("")
    return pieces


def wrap(value: str, width: int) -> list[str]:
    """A value for a field with continuation lines: pieces of at most ``width`` characters, split at
    the last blank that fits (a word longer than a line is split where the line ends); blanks inside
    a piece are kept; one empty piece for no text. Readers join the pieces with one blank."""
    text, pieces = one_line(value).strip(), []
    while len(text) > width:
        at = text.rfind(" ", 1, width + 1)
        head, text = (text[:at], text[at:]) if at > 0 else (text[:width], text[width:])
        pieces.append(head.rstrip())
        text = text.lstrip()
    return pieces + [text] if text or not pieces else pieces


def shout(value):
    """A canonical document (or any value in it) with every text upper-cased and without accents (MÜLLER ->
    MULLER: Cargo-IMP text is ASCII), as Cargo-IMP is written; enum members (a str enum is a text too)
    stay as they are."""
    from pydantic import BaseModel
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return _unaccented(value.upper())
    if isinstance(value, list):
        return [shout(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_copy(update={name: shout(getattr(value, name)) for name in type(value).model_fields})
    return value


def _unaccented(text: str) -> str:
    """``text`` with its letters' accents taken off (MÜLLER -> MULLER): Cargo-IMP text is ASCII."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
