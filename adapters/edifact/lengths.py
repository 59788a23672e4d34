"""The directory's lengths and repeats on the writing side, and the one rule that joins the pieces back.

A value longer than its element (C080 3036 party name an..35, FTX C108 4440 free text an..70
up to D99A, an..512 from D99B ...) is laid out over the repeats the directory gives it (five
name lines, three or four street lines, five text lines a FTX, further FTX segments where the
message allows them), never cut. A value that cannot be laid out (a city of 40 characters, a
name of six full lines, a transport id beyond C222 8213) is a ConversionError,
CONVERT_FIELD_INVALID, naming the segment, the element and its limit, so that the delivery is
refused with a reason the sender can act on. Only free text beyond the segments a message
allows is cut, as the standard leaves a text's length to the message; each cut is recorded
in the writer's ``truncated`` (:class:`Truncation`) for the output to report.

The join rule (readers: :func:`join`; writers lay out so that it reads back identically):

- a component that ends with a blank, or that fills its element to the last position, is
  continued by the next component: they are joined as they stand (no character added);
- any other component ends a line: the next one starts a new line (``\\n``), as before.

The writer wraps a line at its last blank that fits, keeping the blank at the end of the
component (``ACME INTERNATIONAL LOGISTICS `` + ``COMPANY LIMITED``); a word longer than the
element is cut at the element's length (the full component says "continued"). A line of the
value that would read as continued but is not (a 35-character name before its additional
name) is followed by an empty component, which ends it. A partner's lines read as they always
did, except a line that ends with a blank or fills its element, which is joined to the next
one as it stands. The writer checks that its layout reads back to the value it was given and
refuses the value when it would not (a name ending with a line break, say): a silently changed
name is worse than a refused one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hub.errors import ConversionError, Problem

from .writer import MessageWriter

FIELD_INVALID = "CONVERT_FIELD_INVALID"

_CHANGES: dict[str, tuple[tuple[str, int], ...]] = {
    "1000": (("D93A", 35),), "1004": (("D93A", 35),), "1154": (("D93A", 35), ("D00B", 70)), "3036": (("D93A", 35),),
    "3039": (("D93A", 17), ("D94A", 20), ("D94B", 35)), "3042": (("D93A", 35),), "3124": (("D93A", 35),),
    "3127": (("D93A", 17),), "3128": (("D93A", 35),), "3148": (("D93A", 25), ("D96A", 512)),
    "3164": (("D93A", 35),), "3207": (("D93A", 3),), "3224": (("D93A", 17), ("D96A", 70), ("D99B", 256)),
    "3225": (("D93A", 25), ("D01C", 35)), "3251": (("D93A", 9), ("D99B", 17)), "4440": (("D93A", 70), ("D99B", 512)),
    "7140": (("D93A", 35),), "7187": (("D93A", 17),), "7361": (("D93A", 18),), "8028": (("D93A", 17),),
    "8212": (("D93A", 17), ("D94B", 35), ("D05B", 70)), "8213": (("D93A", 9), ("D05B", 35)),
    "8260": (("D93A", 17),), "9321": (("D93A", 3), ("D95B", 8)),
}
"""Maximum lengths (an..n) of the elements that carry a sender's free values, from the UNTDID
element directories (EDED): each change with the first directory that has it."""

STREET_LINES = (("D93A", 3), ("D96A", 4))
"""C059 3042 repeats: three street lines up to D95B, four from D96A."""
NAME_LINES = 5
"""C080 3036 and C058 3124: five lines."""
TEXT_LINES = 5
"""C108 4440: five lines a FTX."""


def version_of(identifier: Sequence[str]) -> str:
    """The directory of a UNH S009 (type, version, release, agency): ``D`` + ``95B`` -> ``D95B``."""
    return f"{identifier[1]}{identifier[2]}".upper() if len(identifier) > 2 else ""


def _order(version: str) -> tuple[int, str]:
    """D95B -> (1995, 'B'), D05B -> (2005, 'B'); anything else sorts first."""
    digits, release = version[1:3], version[3:4]
    if len(version) != 4 or not digits.isdigit():
        return (0, "")
    year = int(digits)
    return (1900 + year if year >= 90 else 2000 + year, release)


def _pick(changes: Sequence[tuple[str, int]], version: str) -> int:
    found = changes[0][1]
    for since, value in changes:
        if _order(since) <= _order(version):
            found = value
    return found


def limit(version: str, element: str) -> int:
    """The maximum length of ``element`` in directory ``version`` (the oldest for an unknown version)."""
    return _pick(_CHANGES[element], version)


def street_lines(version: str) -> int:
    """How many street lines C059 has in ``version``."""
    return _pick(STREET_LINES, version)


def join(components: Sequence[str], width: int) -> str | None:
    """The text of an element's components (trailing empty ones dropped) under the join rule above."""
    parts = list(components)
    while parts and not parts[-1]:
        parts.pop()
    if not parts:
        return None
    text = parts[0]
    for before, part in zip(parts, parts[1:]):
        text += part if before.endswith(" ") or len(before) >= width else "\n" + part
    return text


def wrap(line: str, width: int) -> list[str]:
    """One line (no line break) as components of at most ``width``: at the last blank that fits
    (kept at the end of the component), else cut at ``width``."""
    pieces: list[str] = []
    rest = line
    while len(rest) > width:
        blank = rest.rfind(" ", 1, width)
        cut = blank + 1 if blank > 0 else width
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def layout(text: str, width: int) -> list[str]:
    """The components of a text of several lines: each line wrapped; a line whose last component
    would read as continued (it ends with a blank or fills the element) is followed by an empty
    component, which ends the line (the caller checks the result with :func:`join`)."""
    lines = text.split("\n")
    out: list[str] = []
    for n, line in enumerate(lines):
        pieces = wrap(line, width)
        out.extend(pieces)
        if n < len(lines) - 1 and _continued(pieces[-1], width):
            out.append("")
    return out


def _continued(component: str, width: int) -> bool:
    return component.endswith(" ") or len(component) >= width


def segments(parts: list[str], size: int) -> list[list[str]]:
    """``parts`` in runs of at most ``size`` (one segment each) that neither start nor end with an
    empty component: a writer leaves trailing empty components out, and a text's first is mandatory.
    A run that cannot avoid it (several empty lines in a row) keeps its empty lines inside."""
    runs: list[list[str]] = []
    at = 0
    while at < len(parts):
        end = min(at + size, len(parts))
        while end < len(parts) and end - at > 1 and (parts[end - 1] == "" or parts[end] == ""):
            end -= 1
        if end < len(parts) and (parts[end - 1] == "" or parts[end] == ""):
            end = min(at + size, len(parts))
        runs.append(parts[at:end])
        at = end
    return runs


@dataclass(frozen=True)
class Truncation:
    """Free text the writer had to cut: where, what the directory allows, and how much was dropped."""

    where: str
    allowed: str
    kept: int
    dropped: int

    def __str__(self) -> str:
        return f"{self.where}: {self.dropped} of {self.kept + self.dropped} characters cut ({self.allowed})"

    def problem(self, code: str) -> Problem:
        """The warning for ``Output.warnings`` under ``code`` (the runtime's, documented with the others);
        it never quotes the text."""
        return Problem(code, str(self), path=self.where)


@dataclass
class FittedWriter(MessageWriter):
    """A message writer that knows its directory, lays values out to fit it and records what it cut."""

    version: str = ""
    truncated: list[Truncation] = field(default_factory=list)

    def value(self, text: str | None, element: str, where: str) -> str | None:
        """``text`` when it fits ``element``; CONVERT_FIELD_INVALID naming ``where`` otherwise."""
        if text is not None and len(text) > (most := limit(self.version, element)):
            raise refused(where, element, f"{len(text)} characters; {self.version} allows an..{most}")
        return text

    def lines(self, text: str | None, element: str, repeats: int, where: str) -> list[str | None]:
        """The components of a name or street of several lines (C080, C058, C059)."""
        if not text:
            return []
        width = limit(self.version, element)
        parts = layout(text, width)
        if len(parts) > repeats:
            raise refused(where, element, f"{len(text)} characters need {len(parts)} lines of {width}; "
                           f"{self.version} allows {repeats}")
        if not parts[0]:
            raise refused(where, element, "it starts with an empty line, and the first component is mandatory")
        if join(parts, width) != text:
            raise refused(where, element, "it would not read back unchanged (it ends with a line break)")
        return list(parts)

    def texts(self, text: str | None, where: str, most: int = 99) -> list[list[str | None]]:
        """Free text (C108 4440) as the components of one FTX each, five a segment, at most
        ``most`` segments; what is beyond is cut and recorded."""
        if not text:
            return []
        runs = segments(layout(text, limit(self.version, "4440")), TEXT_LINES)
        if len(runs) > most:
            kept = sum(len(part) for run in runs[:most] for part in run)
            self.truncated.append(Truncation(where, f"{most} segments of {TEXT_LINES} lines of "
                                             f"{limit(self.version, '4440')} in {self.version}",
                                             kept, len(text) - kept))
            runs = runs[:most]
        return [list(run) for run in runs]


def refused(where: str, element: str, why: str) -> ConversionError:
    """The CONVERT_FIELD_INVALID for a value ``where`` (segment and element) cannot carry."""
    return ConversionError(f"{where} (element {element}) cannot carry the value: {why}", code=FIELD_INVALID,
                           path=where)
