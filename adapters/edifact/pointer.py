"""Where in an interchange a problem is: the ``path`` of EDIFACT errors and the ``pointer`` of receipt errors.

The hub's convention, one string that people can read and CONTRL can be built from::

    segment 32 UNZ                                      an envelope segment (position in the interchange)
    segment 31 UNT, message MREF1 segment 30            a segment inside message MREF1
    segment 7 FTX, message 1 segment 6 element 5:1      ... and the element (tag = 1) and component
    message MREF1 segment 30                            what a CONTRL UCS says (no interchange position)
    UNT, message MREF1                                  what a CONTRL UCM says (the service segment)
    UNZ                                                 what a CONTRL UCI says

Segment positions in the interchange count UNB as 1 (UNA is not a segment); positions in a
message count UNH as 1, as UCS 0096 does. Element positions count the tag as 1, as UCD 0098
does. A pointer that does not follow this grammar (a canonical JSON pointer from a business
rule, say) is kept as it is; CONTRL then reports it at message level without a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GRAMMAR = re.compile(
    r"^(?:segment (?P<n>[0-9]{1,9}))? ?(?P<tag>[A-Z][A-Z0-9]{2})?"
    r"(?:(?:, )?message (?P<ref>\S+)(?: segment (?P<m>[0-9]{1,9})(?: element (?P<e>[0-9]{1,9})"
    r"(?::(?P<c>[0-9]{1,9}))?)?)?)?$")


@dataclass(frozen=True)
class Pointer:
    """A place in an interchange; every part optional."""

    position: int | None = None
    tag: str | None = None
    message: str | None = None
    message_position: int | None = None
    element: int | None = None
    component: int | None = None

    def __str__(self) -> str:
        head = " ".join(p for p in (self.position and f"segment {self.position}", self.tag) if p)
        tail = ""
        if self.message is not None:
            tail = f"message {self.message}"
            if self.message_position is not None:
                tail += f" segment {self.message_position}"
                if self.element is not None:
                    tail += f" element {self.element}" + (f":{self.component}" if self.component else "")
        return ", ".join(p for p in (head, tail) if p)

    @classmethod
    def parse(cls, text: str | None) -> Pointer | None:
        """The pointer a string names, or None when it is not in the hub's EDIFACT grammar."""
        if not text:
            return None
        match = _GRAMMAR.match(text)
        if not match or not any(match.groups()):
            return None
        n, tag, ref, m, e, c = match.groups()
        return cls(_int(n), tag, ref, _int(m), _int(e), _int(c))


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)
