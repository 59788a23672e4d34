"""EDIFACT tokens: service characters (UNA), segments, release-character escaping, serialising.

Design note: the tokeniser is the hub's own (a few regular expressions and ``str.split``)
rather than pydifact's, because the hub needs what pydifact does not give: each segment's
position in the interchange and its line, blanks and line breaks before a segment ignored,
and speed (pydifact walks the text one character at a time; the benchmark compares both).
The tests use pydifact as an independent oracle for escaping.

Rules kept here:
- ``UNA`` + six characters sets component, element, decimal mark, release, repetition
  (space: none, syntax version 3) and terminator; without UNA the defaults ``:+.? '``
  apply, or the level-B information separators when the UNB is written with them.
- The release character makes the next character literal (``?+`` is a plus, ``??`` a
  question mark); a release character at the very end is an error.
- Blanks, tabs and line breaks before a segment tag are ignored; inside a segment they are
  data (the charset check then flags the control characters). A line ends at LF, CR LF or a
  lone CR (senders that end each segment with a carriage return only get one line a segment).
- Syntax version 4 without UNA: the repetition separator is ``*`` (ISO 9735-1:2002 default);
  a repeated data element is read by its first occurrence (the canonical model keeps one value).
- Segment tags are three upper-case letters or digits, the first a letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hub.errors import Problem

from .pointer import Pointer

_WS = " \t\r\n"
MAX_PROBLEMS = 100
"""Problems kept per kind of check (tokens, charset, controls): a sender needs the first ones, and an
interchange of a million empty segments must not cost a million problems."""
_TAG = re.compile(r"^[A-Z][A-Z0-9]{2}$")


@dataclass(frozen=True)
class ServiceChars:
    """The six UNA characters; ``release`` and ``repetition`` are None when not used."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    terminator: str = "'"

    @property
    def specials(self) -> str:
        """The characters a value must escape."""
        return "".join(c for c in (self.component, self.element, self.release, self.repetition,
                                   self.terminator) if c)

    def una(self) -> str:
        """The UNA service string advice that declares these characters."""
        return "UNA" + self.component + self.element + self.decimal + (self.release or " ") + \
            (self.repetition or " ") + self.terminator


DEFAULT = ServiceChars()
DEFAULT_V4 = ServiceChars(repetition="*")
"""Syntax version 4's default service characters: the repetition separator is ``*``."""
LEVEL_B_SEPARATORS = ServiceChars(component="\x1f", element="\x1d", release=None, terminator="\x1c")


def service_chars(text: str) -> tuple[ServiceChars, int]:
    """The interchange's service characters and where its first segment starts."""
    start = len(text) - len(text.lstrip("\ufeff" + _WS))
    if text.startswith("UNA", start):
        una = text[start + 3:start + 9]
        if len(una) < 6:
            return DEFAULT, start
        comp, elem, dec, rel, rep, term = una
        after = start + 9
        after += len(text) - after - len(text[after:].lstrip(_WS))
        return ServiceChars(comp, elem, dec, None if rel == " " else rel, None if rep == " " else rep,
                            term), after
    if text.startswith("UNB\x1d", start):
        return LEVEL_B_SEPARATORS, start
    if text.startswith("UNB+", start) and text[start + 4:start + 40].split("+", 1)[0].split(":")[1:2] == ["4"]:
        return DEFAULT_V4, start
    return DEFAULT, start


def breaks(text: str, start: int = 0, end: int | None = None) -> int:
    """Line breaks in ``text[start:end]``: LF, CR LF and a lone CR each end a line."""
    part = text[start:end]
    return part.count("\n") + part.count("\r") - part.count("\r\n")


def una_problem(chars: ServiceChars) -> str | None:
    """Why a UNA is unusable, or None."""
    used = [c for c in (chars.component, chars.element, chars.release, chars.repetition, chars.terminator) if c]
    if len(set(used)) != len(used):
        return f"UNA declares the same character twice among {''.join(used)!r}"
    if chars.decimal not in ".,":
        return f"UNA declares {chars.decimal!r} as decimal mark (only '.' or ',')"
    return None


@dataclass(slots=True)
class Segment:
    """One segment: its tag, its data elements (each a list of components), and where it is."""

    tag: str
    elements: list[list[str]] = field(default_factory=list)
    position: int = 0
    line: int = 0
    offset: int = 0
    raw: str = ""

    def get(self, element: int, component: int = 0) -> str | None:
        """Element ``element`` (0 = the first after the tag), component ``component``; None when empty."""
        try:
            value = self.elements[element][component]
        except IndexError:
            return None
        return value or None

    def components(self, element: int) -> list[str]:
        """Every component of an element ([] when absent)."""
        return self.elements[element] if element < len(self.elements) else []


class Tokens:
    """The segments of an interchange text and the problems met while splitting it."""

    def __init__(self, text: str, chars: ServiceChars, start: int) -> None:
        self.chars = chars
        self.segments: list[Segment] = []
        self.problems: list[Problem] = []
        self._split(text, start)

    def _split(self, text: str, start: int) -> None:
        chars = self.chars
        line = 1 + breaks(text, 0, start)
        offset = start
        newline_terminated = chars.terminator == "\n"
        for chunk, terminated in _chunks(text[start:], chars):
            stripped = chunk.lstrip(_WS)
            lead = len(chunk) - len(stripped)
            seg_line = line + breaks(chunk, 0, lead)
            line += breaks(chunk) + (terminated and newline_terminated)
            if terminated and newline_terminated and chunk.endswith("\r"):
                line -= 1  # CR LF where LF is the terminator: one line break
            if stripped:
                self._add(stripped, offset + lead, seg_line, terminated)
            elif terminated:
                self._problem("EDI_SEGMENT_EMPTY", "an empty segment (two terminators in a row)", seg_line,
                              Pointer(len(self.segments) + 1))
            offset += len(chunk) + terminated

    def _add(self, raw: str, offset: int, line: int, terminated: bool) -> None:
        position = len(self.segments) + 1
        elements = split_segment(raw, self.chars)
        tag = elements[0][0] if elements and elements[0] else ""
        segment = Segment(tag, elements[1:], position, line, offset, raw)
        self.segments.append(segment)
        if not _TAG.match(tag) or len(elements[0]) > 1:
            self._problem("EDI_SEGMENT_TAG_INVALID", f"{tag[:12]!r} is not a segment tag "
                          f"(three upper-case letters or digits)", line, Pointer(position))
        if not terminated:
            self._problem("EDI_SEGMENT_UNTERMINATED", f"segment {tag} has no terminator "
                          f"{self.chars.terminator!r}: the interchange is cut short", line, Pointer(position, tag))
        if self.chars.release and raw.endswith(self.chars.release) and not raw.endswith(self.chars.release * 2):
            self._problem("EDI_RELEASE_DANGLING", f"segment {tag} ends with the release character "
                          f"{self.chars.release!r}", line, Pointer(position, tag))

    def _problem(self, code: str, message: str, line: int, pointer: Pointer) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, message, line=line, path=str(pointer)))


def _chunks(text: str, chars: ServiceChars):
    """(segment text, terminated?) pairs, honouring the release character."""
    parts = split_released(text, chars.terminator, chars.release)
    for part in parts[:-1]:
        yield part, True
    if parts[-1].strip(_WS):
        yield parts[-1], False


def split_released(text: str, sep: str, rel: str | None) -> list[str]:
    """``text.split(sep)``, except where ``sep`` follows an odd number of release characters.

    One left-to-right scan: a release character and the character after it form a pair, so a
    separator found on its own is a real one. Linear in the text however many separators are
    released (joining the released parts one by one took quadratic time)."""
    if not rel or rel not in text:
        return text.split(sep)
    pattern = _SPLITTERS.get((sep, rel))
    if pattern is None:
        pattern = _SPLITTERS.setdefault((sep, rel), re.compile(re.escape(rel) + ".|(" + re.escape(sep) + ")", re.S))
    out: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            out.append(text[start:match.start()])
            start = match.end()
    out.append(text[start:])
    return out


_SPLITTERS: dict[tuple[str, str], re.Pattern] = {}


_UNESCAPE: dict[str, re.Pattern] = {}


def _unescape(text: str, rel: str) -> str:
    if rel not in text:
        return text
    pattern = _UNESCAPE.get(rel) or _UNESCAPE.setdefault(rel, re.compile(re.escape(rel) + "(.)", re.S))
    return pattern.sub(r"\1", text)


def split_segment(raw: str, chars: ServiceChars) -> list[list[str]]:
    """A segment's text (without terminator) as elements of components, release characters removed."""
    rel, comp, rep = chars.release, chars.component, chars.repetition
    if not rel or rel not in raw:
        if rep and rep in raw:
            return [element.split(rep, 1)[0].split(comp) for element in raw.split(chars.element)]
        return [element.split(comp) for element in raw.split(chars.element)]
    elements = split_released(raw, chars.element, rel)
    if rep and rep in raw:
        elements = [split_released(e, rep, rel)[0] for e in elements]
    return [[_unescape(c, rel) for c in split_released(e, comp, rel)] for e in elements]


def escape(value: str, chars: ServiceChars) -> str:
    """A value with every service character released (``?+``, ``?:``, ``?'``, ``??``)."""
    rel = chars.release
    if rel is None:
        return value
    if not any(c in value for c in chars.specials):
        return value
    return "".join(rel + c if c in chars.specials else c for c in value)


def serialise(tag: str, elements: list[list[str | None] | str | None], chars: ServiceChars) -> str:
    """One segment's text without terminator; trailing empty components and elements are left out."""
    out = []
    for element in elements:
        comps = [element] if element is None or isinstance(element, str) else element
        texts = [escape(c, chars) if c else "" for c in comps]
        while texts and not texts[-1]:
            texts.pop()
        out.append(chars.component.join(texts))
    while out and not out[-1]:
        out.pop()
    return chars.element.join([tag, *out])
