"""FWB: the master air waybill.

Read: the AWB line (number, origin, destination, pieces, weight, volume), FLT and
RTG (the routing legs: RTG gives each leg's arrival and carrier, FLT its flight
and day), SHP, CNE, AGT, RTD (goods, HS codes, volume, ULDs; see :mod:`.goods`), OSI
(one handling note per line), SPH, OCI. ISU's date (the carrier's execution,
with its year) anchors the flight days and the envelope time (see :mod:`.dates`):
legs keep their message order, and a flight day without an ISU date is
CIMP_FLIGHT_DATE_UNRESOLVED. CVD, OTH, PPD/COL, CER, REF and the other known
tags are accepted and not mapped (charges, declared values, signatures are not
in the canonical model); an unknown tag is an error.
Written in that order as FWB/16, without the lines the model cannot fill. The
canonical waybill has no execution date, so when legs are dated the ISU line
carries the first dated leg's day (and the origin as the place): the anchor its
flight days read back against.
"""

from __future__ import annotations

from datetime import date, datetime

from adapters.flights import carrier_of
from hub.models import Document, Kind, Location, TransportLeg, Waybill, WaybillType

from . import dates
from .base import AWB_LINE, CargoImpAdapter, Message
from .consignment import Quantity, read_detail, write_detail
from .goods import read_goods, write_goods
from .lines import Line, Segment, codes, first, fit, need, notes, segments, shout, write_notes
from .parties import read_agent, read_customs_notes, read_party, write_agent, write_customs_notes, write_party

TAGS = frozenset("FLT RTG SHP CNE AGT SSR NFY ACC CVD RTD OTH PPD COL CER ISU OSI CDC REF COR COI SII ARD SPH "
                 "NOM SRI OPI OCI".split())


class Fwb(CargoImpAdapter):
    """FWB air waybill (master)."""

    name = "fwb"
    identifier = "FWB"
    version = "16"
    description = "IATA Cargo-IMP FWB air waybill (master)"
    text_locations = {p: AWB_LINE for p in ("/number", "/pieces", "/gross_weight", "/volume", "/origin",
                                            "/destination")} | {
        "/shipper": "SHP", "/consignee": "CNE", "/agent": "AGT", "/routing": "(FLT|RTG)/", "/hs_codes": "RTD/",
        "/customs_notes": "OCI/"}
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Waybill) and doc.type is WaybillType.MASTER

    def read(self, msg: Message) -> Waybill:
        if not msg.body:
            raise msg.head.error("the AWB line is missing", "CIMP_LINE_MISSING")
        detail = read_detail(msg.body[0])
        quantity = detail.quantity
        if quantity.weight is None:
            raise msg.body[0].error("the AWB line has no weight (T2K505.0)", "CIMP_AWB_LINE_INVALID")
        found = segments(msg.body[1:], TAGS)
        goods = read_goods([s for s in found if s.tag == "RTD"])
        agent = first(found, "AGT")
        issued = read_issue(first(found, "ISU"))
        return Waybill(
            header=msg.header_for(issued), type=WaybillType.MASTER, number=detail.awb,
            consolidation=goods.consolidation,
            shipper=read_party(need(found, "SHP", msg.head)), consignee=read_party(need(found, "CNE", msg.head)),
            agent=None if agent is None else read_agent(agent), origin=detail.origin,
            destination=detail.destination, pieces=quantity.pieces, gross_weight=quantity.weight,
            volume=quantity.volume or goods.volume, goods_description=goods.description, hs_codes=goods.hs_codes,
            special_handling=codes(found, "SPH"), handling_notes=notes(found, "OSI"),
            customs_notes=[n for s in found if s.tag == "OCI" for n in read_customs_notes(s)],
            routing=read_routing(first(found, "RTG"), first(found, "FLT"), detail.origin, issued),
            equipment=goods.equipment)

    def write(self, wb: Waybill) -> list[str]:
        wb = shout(wb)
        lines = [write_detail(wb.number, wb.origin, wb.destination,
                              Quantity("T", wb.pieces, wb.gross_weight, wb.volume))]
        lines += write_routing(wb.routing)
        lines += write_party("SHP", wb.shipper) + write_party("CNE", wb.consignee)
        lines += write_agent(wb.agent) if wb.agent is not None else []
        lines += write_goods(wb)
        lines += write_issue(wb)
        lines += write_notes("OSI", wb.handling_notes)
        lines += ["SPH/" + "/".join(fit(c, 3, "special handling code") for c in wb.special_handling)] \
            if wb.special_handling else []
        return lines + write_customs_notes(wb.customs_notes)


def read_issue(isu: Segment | None) -> date | None:
    """The ISU line's date (``ISU/19JUN26/PLACE/SIGNATURE``); an unreadable one is CIMP_DATE_INVALID."""
    if isu is None:
        return None
    try:
        return dates.issue_date(isu.fields[0] if isu.fields else "")
    except ValueError as exc:
        raise isu.line.error(f"the carrier's execution date: {exc}", "CIMP_DATE_INVALID") from None


def write_issue(wb: Waybill) -> list[str]:
    """``ISU/19JUN26/SIN`` when a leg is dated: its day is the anchor the FLT days are read against."""
    dated = next((leg.departure_at for leg in wb.routing if leg.number and leg.departure_at is not None), None)
    if dated is None:
        return []
    return [f"ISU/{dated.day:02d}{dates.MONTHS[dated.month - 1]}{dated.year % 100:02d}/{wb.origin.code}"]


def read_routing(rtg: Segment | None, flt: Segment | None, origin: Location, issued: date | None
                 ) -> list[TransportLeg]:
    """Legs from RTG (arrival airport + carrier per leg) and FLT (flight/day pairs), matched by position.

    Flight days resolve forward from the issue date, leg after leg (:func:`.dates.flight_days`)."""
    stops = [(f.strip()[:3], f.strip()[3:] or None) for f in rtg.fields if f.strip()] if rtg else []
    fields = [f.strip() for f in flt.fields] if flt else []
    flights = list(zip(fields[0::2], fields[1::2] + [""] * (len(fields) % 2)))
    days = _days([day for _, day in flights], flt.line if flt else None, issued)
    legs, departure = [], origin
    for i in range(max(len(stops), len(flights))):
        airport, carrier = stops[i] if i < len(stops) else (None, None)
        number, _ = flights[i] if i < len(flights) else (None, "")
        arrival = Location(code=airport) if airport else None
        day = days[i] if i < len(days) else None
        legs.append(TransportLeg(carrier=carrier or (carrier_of(number) if number else None), number=number or None,
                                 departure=departure, arrival=arrival,
                                 departure_at=None if day is None else datetime.combine(day, datetime.min.time())))
        departure = arrival
    return legs


def _days(texts: list[str], line: Line | None, issued: date | None) -> list[date | None]:
    """Each flight's day as a date (None where the FLT line gives none)."""
    numbers = []
    for text in texts:
        if text and not (text.isascii() and text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 31):
            raise line.error(f"flight day {text!r} is not a day of the month", "CIMP_DATE_INVALID")
        numbers.append(int(text) if text else None)
    given = [n for n in numbers if n is not None]
    if given and issued is None:
        raise line.error("the flight days have no date to be read against: the message has no carrier's "
                         "execution date (ISU/19JUN26/...)", "CIMP_FLIGHT_DATE_UNRESOLVED")
    resolved = iter(dates.flight_days(given, issued) if given else [])
    return [None if n is None else next(resolved) for n in numbers]


def write_routing(legs: list[TransportLeg]) -> list[str]:
    """FLT for the legs with a flight, RTG for the legs with an arrival airport."""
    flights = [f"{leg.number}/{'' if leg.departure_at is None else f'{leg.departure_at.day:02d}'}"
               for leg in legs if leg.number]
    stops = [f"{leg.arrival.code}{leg.carrier or ''}" for leg in legs if leg.arrival is not None]
    return ([f"FLT/{'/'.join(flights)}".rstrip("/")] if flights else []) + \
           ([f"RTG/{'/'.join(stops)}"] if stops else [])
