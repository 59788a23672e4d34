"""Reading a message body: finding segments by tag and qualifier, segment groups, typed values.

Every value error is a ParseError with a stable code, the segment's line and a
:mod:`.pointer` path naming the segment (in the interchange and in the message) and the
element (tag = 1) and component, so that CONTRL can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from hub.errors import ParseError
from hub.models import Function, Location, TransportMode
from hub.models.common import NumberError, read_number

from . import dates, lengths
from .envelope import Interchange, Message
from .syntax import Segment

FUNCTION_IN = {"9": Function.ORIGINAL, "22": Function.ORIGINAL, "5": Function.AMEND, "4": Function.AMEND,
               "1": Function.CANCEL, "3": Function.CANCEL}
"""BGM 1225: 9 original and 22 final transmission (US CBP ACE sends it for a complete report) -> original,
5 replace and 4 change -> amendment, 1 cancellation and 3 deletion."""
FUNCTION_OUT = {Function.ORIGINAL: "9", Function.AMEND: "5", Function.CANCEL: "1"}
RELATED_DOCUMENT = "ACE"
"""RFF 1153 related document number: a receipt's answered document where the directory has no DOC
for it (APERAK D:96A) or its type is unknown (a DOC needs C002)."""


class Body:
    """One message's segments with the helpers every reader uses."""

    def __init__(self, interchange: Interchange, message: Message) -> None:
        self.interchange, self.message = interchange, message
        self.segments = message.body

    @property
    def version(self) -> str:
        """The directory the message names (UNH S009 version and release: D95B ...)."""
        return lengths.version_of(self.message.identifier)

    def text(self, segments: Iterable[Segment], element: int = 3) -> str | None:
        """The free text (C108 4440) of several segments as one text, under :func:`lengths.join`'s rule."""
        parts = [c for seg in segments for c in _trimmed(seg.components(element))]
        return lengths.join(parts, lengths.limit(self.version, "4440"))

    # -- finding ----------------------------------------------------------------------------
    def all(self, tag: str, qualifier: str | None = None, within: Iterable[Segment] | None = None) -> list[Segment]:
        """Segments with ``tag`` (and first component ``qualifier``), in order."""
        return [s for s in (self.segments if within is None else within)
                if s.tag == tag and (qualifier is None or s.get(0) == qualifier)]

    def first(self, tag: str, qualifier: str | None = None,
              within: Iterable[Segment] | None = None) -> Segment | None:
        found = self.all(tag, qualifier, within)
        return found[0] if found else None

    def need(self, tag: str, qualifier: str | None = None, within: Iterable[Segment] | None = None,
             what: str = "") -> Segment:
        """The first such segment, or a ParseError naming what is missing."""
        seg = self.first(tag, qualifier, within)
        if seg is None:
            label = tag + (f"+{qualifier}" if qualifier else "")
            raise self.error(self.message.header, f"{self.message.type} message {self.message.ref} has no "
                             f"{label}{': ' + what if what else ''}", code="EDI_SEGMENT_MISSING")
        return seg

    def groups(self, trigger: str, within: list[Segment] | None = None,
               qualifiers: tuple[str, ...] | None = None) -> tuple[list[Segment], list[list[Segment]]]:
        """(segments before the first trigger, [each trigger with the segments up to the next])."""
        segments = self.segments if within is None else within
        head: list[Segment] = []
        groups: list[list[Segment]] = []
        for seg in segments:
            if seg.tag == trigger and (qualifiers is None or seg.get(0) in qualifiers):
                groups.append([seg])
            elif groups:
                groups[-1].append(seg)
            else:
                head.append(seg)
        return head, groups

    # -- values -----------------------------------------------------------------------------
    def error(self, seg: Segment, text: str, element: int | None = None, component: int | None = None,
              code: str = "EDI_VALUE_INVALID") -> ParseError:
        """A ParseError at ``seg`` (element counted with the tag as 1, component from 1)."""
        where = self.message.pointer(seg, element, component)
        return ParseError(f"{text} ({seg.tag}: segment {seg.position}, line {seg.line})", code=code,
                          line=seg.line, path=str(where))

    def decimal(self, seg: Segment, element: int, component: int = 0) -> Decimal | None:
        """A number; the UNA decimal mark or a full stop."""
        text = seg.get(element, component)
        if text is None:
            return None
        try:
            return read_number(text.replace(self.interchange.chars.decimal, "."))
        except NumberError as exc:
            code = "EDI_VALUE_INVALID" if exc.code == "NUMBER_INVALID" else exc.code
            raise self.error(seg, str(exc), element + 2, component + 1, code=code) from None

    def integer(self, seg: Segment, element: int, component: int = 0) -> int | None:
        value = self.decimal(seg, element, component)
        if value is None:
            return None
        if value != value.to_integral_value():
            raise self.error(seg, f"{value} is not a whole number", element + 2, component + 1)
        return int(value)

    def when(self, seg: Segment | None, not_after: int | None = None) -> date | datetime | None:
        """The date or date-time of a DTM segment (C507: qualifier, value, format)."""
        if seg is None or seg.get(0, 1) is None:
            return None
        try:
            return dates.parse(seg.get(0, 1), seg.get(0, 2), not_after)
        except dates.DateError as exc:
            raise self.error(seg, str(exc), 2, 2) from None

    def instant(self, seg: Segment | None) -> datetime | None:
        """A DTM as a date-time (a date is taken at midnight)."""
        when = self.when(seg)
        if when is None or isinstance(when, datetime):
            return when
        return datetime(when.year, when.month, when.day)

    def day(self, seg: Segment | None) -> date | None:
        """A DTM as a date (a date-time is cut to its date)."""
        when = self.when(seg)
        return when.date() if isinstance(when, datetime) else when

    def transport_mode(self, seg: Segment, element: int, component: int = 0) -> TransportMode | None:
        """A Rec 19 mode code (1 sea, 2 rail, 3 road, 4 air); None when absent, EDI_CODE_UNMAPPED otherwise."""
        code = seg.get(element, component)
        if code is None:
            return None
        code = code.strip().lstrip("0") or "0"   # national profiles write 03 for road
        if code[:1] not in ("1", "2", "3", "4"):
            raise self.error(seg, f"transport mode {code!r} is not a Rec 19 code 1-4 (sea, rail, road, air)",
                             element + 2, component + 1, code="EDI_CODE_UNMAPPED")
        return TransportMode.from_rec19(code)

    def function(self, bgm: Segment, strict: bool = True) -> Function:
        """BGM 1225 as the message function; unknown codes fail when ``strict``, else original."""
        code = bgm.get(2)
        if code is None:
            return Function.ORIGINAL
        if code in FUNCTION_IN:
            return FUNCTION_IN[code]
        if not strict:
            return Function.ORIGINAL
        raise self.error(bgm, f"message function {code!r} is not 9 (original), 22 (final transmission), "
                         f"5 (replace), 4 (change), "
                         f"1 (cancellation) or 3 (deletion)", 4, 1, code="EDI_CODE_UNMAPPED")


def joined(seg: Segment | None, element: int, width: int | None = None) -> str | None:
    """An element's components as lines (multi-line names and texts travel one line per component);
    with the element's ``width``, a component that fills it or ends with a blank is continued by the
    next (:func:`lengths.join`), as the hub's writers split a long value."""
    if seg is None:
        return None
    lines = _trimmed(seg.components(element))
    if width is not None:
        return lengths.join(lines, width)
    return "\n".join(lines) or None


def _trimmed(components: list[str]) -> list[str]:
    """The components without the empty ones at the end."""
    found = list(components)
    while found and not found[-1]:
        found.pop()
    return found


def lines(text: str | None, limit: int | None = None) -> list[str | None]:
    """The components that carry ``text`` (one per line); ``limit`` caps their number."""
    if text is None:
        return []
    parts = text.split("\n")
    if limit is not None and len(parts) > limit:
        parts = parts[:limit - 1] + [" ".join(parts[limit - 1:])]
    return parts


def journey_of(tdt: Segment, bgm: Segment, mode: TransportMode | None) -> str | None:
    """The journey (voyage, trip, flight) of a TDT: its 8028 conveyance reference; a conveyance
    other than a flight without one is named by its id (C222 8213), its name (8212) or, last,
    the message's number (BGM 1004). None when there is none (a flight always states 8028)."""
    journey = tdt.get(1)
    if journey is None and mode is not TransportMode.AIR:
        journey = tdt.get(7, 0) or tdt.get(7, 3) or bgm.get(1)
    return journey


def location_of(loc: Segment | None) -> Location | None:
    """A LOC segment's place (3225 code, 3224 name), or None when it names none."""
    if loc is None or loc.get(1, 0) is None:
        return None
    return Location(code=loc.get(1, 0), name=loc.get(1, 3))


def loc_elements(location: Location) -> list[str | None]:
    """The LOC C517 composite for a place: code, two empty qualifiers, name."""
    return [location.code, None, None, location.name]


def place(w: lengths.FittedWriter, location: Location, where: str) -> list[str | None]:
    """:func:`loc_elements`, its code (3225) and name (3224) held to the writer's directory."""
    return [w.value(location.code, "3225", f"{where} C517 3225"), None, None,
            w.value(location.name, "3224", f"{where} C517 3224")]


def with_related(body: Body, head: list[Segment], answered: dict) -> dict:
    """A receipt's answered facts (receipts.answered) with RFF+ACE as the business key when no DOC names it."""
    related = body.first("RFF", RELATED_DOCUMENT, head)
    if body.first("DOC", within=head) is None and related is not None and related.get(0, 1):
        return answered | {"business_key": related.get(0, 1)}
    return answered
