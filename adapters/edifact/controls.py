"""The envelope's shape and its control counts and references: UNB .. UNG .. UNH..UNT .. UNE .. UNZ.

:class:`Walker` goes through the segments once, builds the messages and reports, each with
its code, the segment's position in the interchange and its line (see :mod:`.envelope` for
the list of codes and which of them ``lenient`` relaxes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.errors import Problem

from .pointer import Pointer
from .syntax import MAX_PROBLEMS, Segment


@dataclass
class Message:
    """One UNH..UNT message."""

    header: Segment
    segments: list[Segment] = field(default_factory=list)
    trailer: Segment | None = None
    group: str | None = None

    @property
    def ref(self) -> str | None:
        return self.header.get(0)

    @property
    def type(self) -> str | None:
        return self.header.get(1, 0)

    @property
    def identifier(self) -> list[str]:
        """S009: type, version, release, agency (and association code)."""
        return self.header.components(1)

    @property
    def common_access_ref(self) -> str | None:
        return self.header.get(2)

    @property
    def body(self) -> list[Segment]:
        """The segments between UNH and UNT."""
        return self.segments

    def pointer(self, segment: Segment, element: int | None = None, component: int | None = None) -> Pointer:
        """Where ``segment`` is, in the interchange and in this message."""
        return Pointer(segment.position, segment.tag, self.ref, segment.position - self.header.position + 1,
                       element, component)



class Walker:
    """Builds messages from the segment stream and checks every control count and reference."""

    def __init__(self, segments: list[Segment]) -> None:
        self.messages: list[Message] = []
        self.owners: dict[int, Message] = {}
        self.problems: list[Problem] = []
        self.unb = segments[0]
        self._message: Message | None = None
        self._group: Segment | None = None
        self._group_messages = 0
        self._groups = 0
        self._unz: Segment | None = None
        for seg in segments[1:]:
            self._step(seg)
        self._finish(segments[-1])

    def _step(self, seg: Segment) -> None:
        if self._unz is not None:
            return self._problem("EDI_CONTENT_AFTER_UNZ", seg, f"{seg.tag} follows UNZ, which ends the interchange")
        handler = {"UNH": self._unh, "UNT": self._unt, "UNG": self._ung, "UNE": self._une,
                   "UNZ": self._unz_seg}.get(seg.tag)
        if handler is not None:
            return handler(seg)
        if self._message is None:
            return self._problem("EDI_SEGMENT_OUTSIDE_MESSAGE", seg, f"{seg.tag} is outside any UNH..UNT message")
        self._message.segments.append(seg)
        self.owners[seg.position] = self._message

    def _unh(self, seg: Segment) -> None:
        self._close_message(seg)
        if self._group is None and self._groups:
            self._problem("EDI_GROUPS_MIXED", seg, "a message outside UNG..UNE in an interchange with groups")
        self._message = Message(seg, group=self._group.get(4) if self._group else None)
        self.messages.append(self._message)
        self.owners[seg.position] = self._message
        if self._group is not None:
            self._group_messages += 1

    def _unt(self, seg: Segment) -> None:
        msg = self._message
        if msg is None:
            return self._problem("EDI_SEGMENT_OUTSIDE_MESSAGE", seg, "UNT without a UNH")
        msg.trailer, self._message = seg, None
        self.owners[seg.position] = msg
        actual = seg.position - msg.header.position + 1
        self._count("EDI_UNT_COUNT", seg, seg.get(0), actual, f"segments in message {msg.ref} (UNH to UNT)", msg)
        if seg.get(1) != msg.ref:
            self._problem("EDI_UNT_REFERENCE", seg, f"UNT refers to message {seg.get(1)!r} but UNH "
                          f"(segment {msg.header.position}) opened {msg.ref!r}", msg)

    def _ung(self, seg: Segment) -> None:
        self._close_message(seg)
        if self._group is not None:
            self._problem("EDI_UNE_MISSING", seg, f"group {self._group.get(4)!r} has no UNE before the next UNG")
        elif self.messages and not self._groups:
            self._problem("EDI_GROUPS_MIXED", seg, "a group after messages outside any group")
        self._group, self._group_messages = seg, 0
        self._groups += 1

    def _une(self, seg: Segment) -> None:
        self._close_message(seg)
        group, self._group = self._group, None
        if group is None:
            return self._problem("EDI_SEGMENT_OUTSIDE_MESSAGE", seg, "UNE without a UNG")
        self._count("EDI_UNE_COUNT", seg, seg.get(0), self._group_messages, f"messages in group {group.get(4)}")
        if seg.get(1) != group.get(4):
            self._problem("EDI_UNE_REFERENCE", seg, f"UNE refers to group {seg.get(1)!r} but UNG "
                          f"(segment {group.position}) opened {group.get(4)!r}")

    def _unz_seg(self, seg: Segment) -> None:
        self._close_message(seg)
        if self._group is not None:
            self._problem("EDI_UNE_MISSING", seg, f"group {self._group.get(4)!r} has no UNE before UNZ")
        self._unz = seg
        actual, what = (self._groups, "groups") if self._groups else (len(self.messages), "messages")
        self._count("EDI_UNZ_COUNT", seg, seg.get(0), actual, f"{what} in the interchange")
        if seg.get(1) != self.unb.get(4):
            self._problem("EDI_UNZ_REFERENCE", seg, f"UNZ refers to interchange {seg.get(1)!r} but UNB "
                          f"(segment 1) opened {self.unb.get(4)!r}")

    def _finish(self, last: Segment) -> None:
        self._close_message(last)
        if self._unz is None:
            self._problem("EDI_UNZ_MISSING", last, "the interchange ends without UNZ")

    def _close_message(self, seg: Segment) -> None:
        if self._message is not None:
            msg, self._message = self._message, None
            self._problem("EDI_UNT_MISSING", seg, f"message {msg.ref!r} (UNH at segment "
                          f"{msg.header.position}) has no UNT before {seg.tag}")

    def _count(self, code: str, seg: Segment, stated: str | None, actual: int, what: str,
               msg: Message | None = None) -> None:
        if stated is None or not (stated.isascii() and stated.isdigit()) or (stated.lstrip("0") or "0") != str(actual):
            self._problem(code, seg, f"{seg.tag} counts {stated!r} but there are {actual} {what}", msg)

    def _problem(self, code: str, seg: Segment, text: str, msg: Message | None = None) -> None:
        where = msg.pointer(seg) if msg else Pointer(seg.position, seg.tag)
        if len(self.problems) >= MAX_PROBLEMS:
            return
        self.problems.append(Problem(code, f"{text} ({seg.tag}: segment {seg.position}, line {seg.line})",
                                     line=seg.line, path=str(where)))
