"""FSU: one status event of a consignment.

Layout::

    FSU/14
    157-53806270HKGNLU/P2K505.0T10                 the AWB line (T10: the consignment's total pieces)
    FIW/QR8403/20JUN1039/DOH/P2K505.0/S0720/A1008  the status line
    OCI/HK/ISS/RA/28490                            customs information; ULD/ and OSI/ lines may follow

A status line is the status code, then a flight (QR8403) or a carrier (QR) when
the event has one, the day and month with an optional time, an airport or an
airport pair (DOHNLU: departure and arrival), a quantity, and further fields
(time indicators, names ...) kept as sent in ``details``. Its pieces and weight
are the status's; without them the AWB line's count. One status line per FSU.
"""

from __future__ import annotations

import re
from datetime import date

from adapters.flights import carrier_of
from hub.errors import ConversionError
from hub.models import Kind, Location, ShipmentStatus

from . import dates
from .base import AWB_LINE, CargoImpAdapter, Message
from .consignment import Quantity, read_detail, read_quantity, write_detail, write_quantity
from .lines import Segment, notes, segments, write_notes
from .parties import read_customs_notes, write_customs_notes

STATUS_CODES = frozenset("BKD RCS FOH MAN PRE DEP TRM TFD RCT RCF ARR NFD AWR AWD CCD CRC TGC DDL DLV DIS FIW FOW "
                         "OFD POD".split())
FLIGHT_DAY_CODES = frozenset({"BKD", "MAN", "PRE", "DEP", "ARR"})
"""Events dated by the flight's day: written without a time when none is known."""
_FLIGHT = re.compile(r"^[A-Z0-9]{2}[A-Z]?\d{1,5}[A-Z]?$")
_CARRIER = re.compile(r"^[A-Z0-9]{2}[A-Z]?$")
_DAY = re.compile(r"^\d{2}[A-Z]{3}")


class Fsu(CargoImpAdapter):
    """FSU status update."""

    name = "fsu"
    identifier = "FSU"
    version = "14"
    description = "IATA Cargo-IMP FSU shipment status (RCS, DEP, ARR, NFD, DLV ...)"
    text_locations = {"/waybill": AWB_LINE, "/origin": AWB_LINE, "/destination": AWB_LINE,
                      "/total_pieces": AWB_LINE, "/pieces": "[A-Z]{3}/", "/weight": "[A-Z]{3}/",
                      "/happened_at": "[A-Z]{3}/"}
    reads = frozenset({Kind.STATUS})
    writes = frozenset({Kind.STATUS})

    def read(self, msg: Message) -> ShipmentStatus:
        if not msg.body:
            raise msg.head.error("the AWB line is missing", "CIMP_LINE_MISSING")
        detail = read_detail(msg.body[0], quantity_required=False)
        found = segments(msg.body[1:], STATUS_CODES | {"OSI", "OCI", "ULD"})
        events = [s for s in found if s.tag in STATUS_CODES]
        if not events:
            raise msg.head.error("the status line (RCS, DEP, ...) is missing", "CIMP_LINE_MISSING")
        if len(events) > 1:
            raise events[1].line.error("the hub reads one status line per FSU", "CIMP_STATUS_REPEATED")
        event = _event(events[0], msg.reference)
        quantity = event.pop("quantity") or detail.quantity
        text = "\n".join(notes(found, "OSI"))
        return ShipmentStatus(
            header=msg.header, waybill=detail.awb, origin=detail.origin, destination=detail.destination,
            total_pieces=None if detail.quantity is None else detail.quantity.consignment_pieces,
            shipment_code=None if quantity is None else quantity.code,
            pieces=None if quantity is None else quantity.pieces, weight=None if quantity is None else quantity.weight,
            ulds=[u.strip() for s in found if s.tag == "ULD" for u in s.fields if u.strip()],
            customs_notes=[n for s in found if s.tag == "OCI" for n in read_customs_notes(s)],
            text=text or None, **event)

    def write(self, s: ShipmentStatus) -> list[str]:
        quantity = None
        if s.pieces is not None:
            part = s.total_pieces is not None and s.total_pieces != s.pieces  # T would claim the whole consignment
            quantity = Quantity(s.shipment_code or ("P" if part else "T"), s.pieces, s.weight, total=s.total_pieces)
        elif s.total_pieces is not None:
            quantity = Quantity("T", s.total_pieces)
        lines = [write_detail(s.waybill, s.origin, s.destination, quantity), _write_event(s, quantity)]
        lines += write_customs_notes(s.customs_notes)
        lines += ["ULD/" + "/".join(s.ulds)] if s.ulds else []
        return lines + write_notes("OSI", (s.text or "").splitlines())


def _event(seg: Segment, reference: date) -> dict:
    """The status line's fields as ShipmentStatus fields (and its quantity)."""
    fields = [f.strip() for f in seg.fields] + [""]
    found: dict = {"code": seg.tag, "carrier": None, "flight": None, "arrival": None, "quantity": None}
    at = 0
    if not _DAY.match(fields[0]):
        if _FLIGHT.match(fields[0]):
            found["flight"], found["carrier"] = fields[0], carrier_of(fields[0])
        elif _CARRIER.match(fields[0]):
            found["carrier"] = fields[0]
        else:
            raise seg.line.error(f"{fields[0]!r} is neither a flight, a carrier nor a day", "CIMP_FIELD_INVALID")
        at = 1
    try:
        found["happened_at"] = dates.day_month(fields[at], reference)
    except ValueError as exc:
        raise seg.line.error(str(exc), "CIMP_DATE_INVALID") from None
    place = fields[at + 1]
    if not re.fullmatch(r"[A-Z]{3}([A-Z]{3})?", place):
        raise seg.line.error(f"{place!r} is not an airport (DOH) or an airport pair (DOHNLU)", "CIMP_FIELD_INVALID")
    found["location"] = Location(code=place[:3])
    found["arrival"] = Location(code=place[3:]) if len(place) == 6 else None
    at += 2
    if fields[at] and re.match(r"^[TPSD]\d", fields[at]):
        found["quantity"] = read_quantity(fields[at], seg.line)
        at += 1
    details = fields[at:-1]
    while details and not details[-1]:
        details.pop()
    found["details"] = details
    if seg.more:
        raise seg.more[0].error("a status line has no continuation lines here", "CIMP_LINE_UNEXPECTED")
    return found


def _write_event(s: ShipmentStatus, quantity: Quantity | None) -> str:
    if s.happened_at is None or s.location is None:
        raise ConversionError(f"an FSU {s.code} needs the time and place of the event", code="CONVERT_FIELD_MISSING")
    at = s.happened_at
    with_time = not (s.code in FLIGHT_DAY_CODES and (at.hour, at.minute) == (0, 0))
    fields = [s.code] + ([s.flight or s.carrier] if (s.flight or s.carrier) else [])
    fields += [dates.write_day_month(at, with_time), s.location.code + (s.arrival.code if s.arrival else "")]
    if quantity is not None and s.pieces is not None:
        fields.append(write_quantity(Quantity(quantity.code, quantity.pieces, quantity.weight)))
    return "/".join(fields + s.details)
