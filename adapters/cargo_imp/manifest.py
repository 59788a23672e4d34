"""FFM: the flight manifest, in one part or several.

Layout::

    FFM/5
    1/KZ134/20JUN/NRT/JA15KZ      part number / flight / day (and time) / point of loading / registration
    ORD                           point of unloading (optionally /21JUN0530 arrival, /NIL no cargo)
    ULD/PMC98669KZ                a ULD; the consignment lines below it are loaded in it (ULD/BLK: bulk)
    933-22405670NRTORD/D2K440.1MC0.39T298/CONSOLIDATED CA/EAWGEN
    /DFWKZ9233/21JUN              onward movement; OSI, OCI, DIM, SCI, COR, SSR lines may follow
    LAST                          or CONT: more parts follow

Canonical mapping: the flight line gives the conveyance (carrier = the flight's
airline designator) and the loading airport; the first point of unloading gives
``unloading_location`` and ``arrival_at``; consignments come from every point
of unloading, ULD or bulk, in message order. A ULD line (``ULD/PMC98669KZ``:
type, serial and owner; fields after it, such as a loading indicator, are read
past) heads the consignments loaded in that ULD, which become each one's
``equipment``; ``ULD/BLK`` or the next point of unloading ends it (the
consignments after them are bulk, without equipment). The canonical consignment
has no shipment description code or consignment total, so those are read and
dropped, as the XFFM adapter drops them, and output writes every consignment
with code T. Output groups the consignments: the bulk ones first, directly
under the point of unloading, then one ULD line per ULD (in order of first
appearance) with its consignments. A consignment naming several ULDs is written
under its first, as in XFFM (an FFM line is loaded in one ULD; the pieces in each
are not known); equipment that is not a whole ULD (no owner, a sea container) is
CONVERT_FIELD_INVALID. Onward movements and the consignment info lines are read past.

Parts: an FFM too long for one Type-B message is sent in parts numbered from 1,
each ending CONT except the last, which ends LAST. Each part is a message of its
own. A payload holding consecutive parts of one flight (each part with its
identifier line, optionally its own envelope) is assembled into one manifest. A
lone part (``5/...`` ending CONT, say) is read as the manifest of that part's
consignments: the canonical Manifest has no field to say a part is missing, and
the engine keeps no state between messages. Output is always one complete part
(``1/`` ... ``LAST``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from adapters.flights import carrier_of
from hub.models import (
    Conveyance,
    Document,
    Kind,
    Location,
    Manifest,
    ManifestConsignment,
    Party,
    TransportEquipment,
    TransportMode,
)
from hub.models.manifest import by_equipment

from . import dates
from .base import AWB_LINE, CargoImpAdapter, Message, read_message
from .consignment import AWB_START, Quantity, read_detail, write_detail
from .lines import Line, clip, tag_of
from .uld import read_uld, write_uld

INFO_TAGS = frozenset({"OSI", "OCI", "DIM", "SCI", "COR", "SSR"})
_ULD = re.compile(r"^ULD/([A-Z]{3}\d{4,5}[A-Z0-9]{2}|BLK)\s*(?:/|$)")
_UNLOADING = re.compile(r"^([A-Z]{3})(?:/((?:NIL|\d{2}[A-Z]{3}\d{0,4})(?:/.*)?))?$")
_END = {"CONT": True, "LAST": False}
DESCRIPTION = 15
"""Characters of a consignment line's manifest description (free text: a longer one is cut, with a warning)."""


class Ffm(CargoImpAdapter):
    """FFM flight manifest (air)."""

    name = "ffm"
    identifier = "FFM"
    version = "5"
    description = "IATA Cargo-IMP FFM flight manifest (CONT/LAST parts)"
    text_locations = {"/consignments/*": AWB_LINE, "/conveyance": r"\d{1,3}/", "/loading_location": r"\d{1,3}/",
                      "/unloading_location": "[A-Z]{3}(/|$)", "/arrival_at": "[A-Z]{3}/"}
    reads = frozenset({Kind.MANIFEST})
    writes = frozenset({Kind.MANIFEST})

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Manifest) and doc.conveyance.mode is TransportMode.AIR

    def read(self, msg: Message) -> Manifest:
        part, more, rest = _read_part(msg)
        parts = [part]
        while more and rest:
            part, more, rest = _read_part(read_message(rest, self.clock))
            _check_follows(parts[-1], part)
            parts.append(part)
        if rest:
            raise rest[0].error("nothing may follow LAST", "CIMP_LINE_UNEXPECTED")
        first = parts[0]
        whole = first.number == 1 and not more      # parts 1..LAST together are the whole manifest
        return Manifest(header=first.msg.header, conveyance=first.conveyance, loading_location=first.loading,
                        unloading_location=first.unloading, arrival_at=first.arrival_at,
                        consignments=[c for p in parts for c in p.consignments],
                        part=None if whole else first.number, last_part=None if whole else not more)

    def write(self, m: Manifest) -> list[str]:
        c = m.conveyance
        carrier = c.carrier.id or ""
        flight = c.journey_id if c.journey_id.startswith(carrier) else carrier + c.journey_id
        head = f"{m.part or 1}/{flight}/{dates.write_day_month(c.departure_date)}/{m.loading_location.code}"
        unloading = m.unloading_location.code
        if m.arrival_at is not None:
            unloading += "/" + dates.write_day_month(m.arrival_at)
        registration = "".join(c.registration.split()).replace("-", "") if c.registration else ""
        lines = [head + (f"/{registration}" if registration else ""),
                 unloading if m.consignments else unloading + "/NIL"]
        end = "CONT" if m.part and m.last_part is False else "LAST"
        for uld, items in by_equipment(m.consignments, bulk_first=True):   # bulk first, then each ULD
            lines += ([] if uld is None else [f"ULD/{write_uld(uld, 'an FFM ULD line')}"]) + \
                [_write_consignment(x) for x in items]
        return lines + [end]


@dataclass
class _Part:
    """What one FFM part says, read line by line below its flight line."""

    msg: Message
    number: int
    conveyance: Conveyance
    loading: Location
    unloading: Location | None = None
    arrival_at: datetime | None = None
    consignments: list[ManifestConsignment] = field(default_factory=list)
    uld: TransportEquipment | None = None
    """The ULD the consignment lines below are loaded in; None for bulk."""

    def take(self, line: Line) -> None:
        """One line: a consignment, a line belonging to it, a ULD, or a point of unloading."""
        text = line.text.strip()
        if AWB_START.match(text):
            if self.unloading is None:
                raise line.error("a consignment needs a point of unloading above it", "CIMP_LINE_MISSING")
            self.consignments.append(_consignment(line, self.uld))
        elif text.startswith("/") or tag_of(line) in INFO_TAGS:
            if not self.consignments:
                raise line.error("this line belongs below a consignment", "CIMP_LINE_UNEXPECTED")
        elif text.startswith("ULD/"):
            if not (uld := _ULD.match(text)):
                raise line.error(f"{text[:20]!r} is not a ULD (ULD/PMC98669KZ) or bulk (ULD/BLK)",
                                 "CIMP_FIELD_INVALID")
            self.uld = read_uld(uld.group(1))
        elif airport := _UNLOADING.match(text):
            self.uld = None             # a new point of unloading starts with its bulk cargo
            if self.unloading is None:  # further points of unloading only add consignments
                self.unloading = Location(code=airport.group(1))
                self.arrival_at = _arrival(airport.group(2), line, self.msg)
        else:
            raise line.error(f"{text[:20]!r} is not an FFM line", "CIMP_TAG_UNKNOWN")


def _read_part(msg: Message) -> tuple[_Part, bool, list[Line]]:
    """One part, whether more parts follow (CONT), and the lines after its end."""
    if msg.identifier != "FFM" or not msg.body:
        raise msg.head.error("an FFM part starts with FFM/n and its flight line", "CIMP_LINE_MISSING")
    part = _Part(msg, *_flight(msg.body[0], msg))
    for at, line in enumerate(msg.body[1:], 1):
        end = line.text.strip()
        if end in _END:
            if part.unloading is None:
                raise msg.head.error("the point of unloading is missing", "CIMP_LINE_MISSING")
            return part, _END[end], msg.body[at + 1:]
        part.take(line)
    raise msg.body[-1].error("an FFM part ends with CONT or LAST", "CIMP_END_MISSING")


def _flight(line: Line, msg: Message) -> tuple[int, Conveyance, Location]:
    fields = [f.strip() for f in line.fields] + ["", ""]
    if not (fields[0].isascii() and fields[0].isdigit()) or len(fields[0]) > 3 \
            or not re.fullmatch(r"[A-Z0-9]{2}[A-Z]?\d{1,5}[A-Z]?", fields[1]) \
            or not re.fullmatch(r"[A-Z]{3}", fields[3]):
        raise line.error("the flight line is part/flight/day/loading airport (1/KZ134/20JUN/NRT)",
                         "CIMP_FIELD_INVALID")
    try:
        departed = dates.day_month(fields[2], msg.reference)
    except ValueError as exc:
        raise line.error(str(exc), "CIMP_DATE_INVALID") from None
    conveyance = Conveyance(mode=TransportMode.AIR, carrier=Party(id=carrier_of(fields[1])), journey_id=fields[1],
                            departure_date=departed.date(), registration=fields[4] or None)
    return int(fields[0]), conveyance, Location(code=fields[3])


def _is_when(text: str | None) -> bool:
    return bool(text) and bool(re.match(r"^\d{2}[A-Z]{3}", text))


def _arrival(rest: str | None, line: Line, msg: Message) -> datetime | None:
    when = next((f for f in (rest or "").split("/") if _is_when(f)), None)
    if when is None:
        return None
    try:
        return dates.day_month(when.strip(), msg.reference)
    except ValueError as exc:
        raise line.error(str(exc), "CIMP_DATE_INVALID") from None


def _consignment(line: Line, uld: TransportEquipment | None) -> ManifestConsignment:
    detail = read_detail(line)
    q = detail.quantity
    if q.weight is None:
        raise line.error("the consignment has no weight (T2K505.0)", "CIMP_AWB_LINE_INVALID")
    description = detail.rest[0].strip() if detail.rest else ""
    return ManifestConsignment(transport_document=detail.awb, pieces=q.pieces, gross_weight=q.weight,
                               volume=q.volume, goods_description=description or None, origin=detail.origin,
                               destination=detail.destination, special_handling=_codes(detail.rest[1:]),
                               equipment=[] if uld is None else [uld])


def _codes(fields: list[str]) -> list[str]:
    """Handling codes, one per field or run together (EAWGEN is EAW and GEN)."""
    found = []
    for text in (f.strip() for f in fields):
        if len(text) % 3 == 0 and text.isalnum():
            found += [text[i:i + 3] for i in range(0, len(text), 3)]
        elif text:
            found.append(text)
    return found


def _write_consignment(c: ManifestConsignment) -> str:
    text = write_detail(c.transport_document, c.origin, c.destination,
                        Quantity("T", c.pieces, c.gross_weight, c.volume))
    text += "/" + clip((c.goods_description or "").replace("/", " "), DESCRIPTION, "consignment/manifest description")
    return text + "".join("/" + code for code in c.special_handling)


def _check_follows(previous: _Part, part: _Part) -> None:
    """Parts in one payload: the same flight, day and loading airport, numbered one after the other."""
    def flight(p: _Part) -> tuple:
        return p.conveyance.journey_id, p.conveyance.departure_date, p.loading.code
    if flight(part) != flight(previous) or part.number != previous.number + 1:
        raise part.msg.body[0].error(f"part {part.number} of {part.conveyance.journey_id} does not follow part "
                                     f"{previous.number} of {previous.conveyance.journey_id}", "CIMP_PART_SEQUENCE")
