"""FHL: house waybills below their master AWB, one or several per message.

Read: MBI (the master AWB), then one house per HBS line (house number, origin
and destination, pieces, weight, shipper's load and count, a short
description; handling codes on its continuation line) with the lines below it
up to the next HBS: TXT (the full description, 65 characters a line: a full
line runs on into the next one, a shorter one ends a line of the description;
written so, with an empty ``/`` line after a description line of exactly 65),
HTS (HS codes), OCI, SHP, CNE (see :mod:`.parties`; FHL/1-4 put the name on the
tag line). CVD is accepted and not mapped. A house without SHP/CNE (the
consolidation-list form, HBS lines only) has an empty shipper and consignee. A
line other than MBI above the first HBS is CIMP_LINE_UNEXPECTED.

``parse_all`` gives one Waybill of type house per HBS, each with
``master_number``, in message order; the engine routes and delivers each on its
own. ``parse`` reads a one-house FHL and refuses several (CIMP_HOUSES_MULTIPLE,
on the second HBS) rather than return one house and silently drop the others.

Written as FHL/5 with one house. The canonical house waybill knows only the
master's number, so the MBI line repeats the house's route and quantities; a
receiver that needs the master's own totals takes them from the FWB. The house
number (12), the HBS description (15: the first characters; the whole goes on
TXT lines of 65) and HS codes (18) are IATA's field lengths.
"""

from __future__ import annotations

import re

from hub.adapters import Probe
from hub.models import Document, Kind, Location, MessageHeader, Party, Waybill, WaybillType

from .base import CargoImpAdapter, Message
from .consignment import Quantity, read_detail, read_weight, write_detail, write_weight
from .lines import Line, Segment, chunk, codes, first, fit, need, one_line, run_on, segments, shout
from .parties import read_customs_notes, read_party, write_customs_notes, write_party

TAGS = frozenset({"MBI", "HBS", "TXT", "HTS", "OCI", "SHP", "CNE", "CVD"})
_ROUTE = re.compile(r"^([A-Z]{3})([A-Z]{3})$")
SHORT = 15
"""Characters of the HBS manifest description; a longer description goes on TXT lines."""
TXT_WIDTH = 65
"""Characters of a TXT line: a full one runs on into the next."""
HOUSE_NUMBER, HS_CODE = 12, 18


class Fhl(CargoImpAdapter):
    """FHL house waybills (one or several houses per message)."""

    name = "fhl"
    identifier = "FHL"
    version = "5"
    description = "IATA Cargo-IMP FHL house waybill (each HBS a house below its master AWB)"
    text_locations = {"/master_number": "MBI/", "/number": "HBS/", "/pieces": "HBS/", "/gross_weight": "HBS/",
                      "/shipper": "SHP", "/consignee": "CNE", "/hs_codes": "HTS/"}
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Waybill) and doc.type is WaybillType.HOUSE and doc.master_number is not None

    def parse_all(self, probe: Probe) -> list[Document]:
        msg = self.message(probe)
        houses: list[Document] = list(self.read_all(msg))
        self.check_fields(msg)
        return houses

    def read(self, msg: Message) -> Waybill:
        found = segments(msg.body, TAGS)
        houses = _groups(msg, found)
        if len(houses) > 1:
            raise houses[1][0].line.error(f"this FHL lists {len(houses)} houses; read it with parse_all, "
                                          "one house waybill per HBS", "CIMP_HOUSES_MULTIPLE")
        return _house(msg.header, _master(msg, found), houses[0])

    def read_all(self, msg: Message) -> list[Waybill]:
        """One house waybill per HBS, in message order (the message split and its header read once)."""
        found = segments(msg.body, TAGS)
        number, houses = _master(msg, found), _groups(msg, found)
        header = msg.header
        return [_house(header.model_copy(), number, group) for group in houses]

    def write(self, wb: Waybill) -> list[str]:
        wb = shout(wb)
        lines = ["MBI/" + write_detail(wb.master_number, wb.origin, wb.destination,
                                       Quantity("T", wb.pieces, wb.gross_weight))]
        description = [one_line(text) for text in (wb.goods_description or "").splitlines()]
        short = description[0][:SHORT].rstrip() if description else ""
        long = len(description) > 1 or (description and len(description[0]) > SHORT)
        lines.append(f"HBS/{fit(wb.number, HOUSE_NUMBER, 'house number')}/{wb.origin.code}{wb.destination.code}/"
                     f"{wb.pieces}/{write_weight(wb.gross_weight)}//{short}")
        lines += ["/" + "/".join(fit(c, 3, "special handling code") for c in wb.special_handling)] \
            if wb.special_handling else []
        lines += [("TXT/" if i == 0 else "/") + piece
                  for i, piece in enumerate(chunk("\n".join(description), TXT_WIDTH))] if long else []
        lines += ["HTS/" + "/".join(fit(c, HS_CODE, "HS code") for c in wb.hs_codes)] if wb.hs_codes else []
        lines += write_customs_notes(wb.customs_notes)
        return lines + write_party("SHP", wb.shipper) + write_party("CNE", wb.consignee)


def _master(msg: Message, found: list[Segment]) -> str:
    """The master AWB number of the MBI line (mandatory)."""
    master = need(found, "MBI", msg.head)
    return read_detail(Line(master.line.number, master.line.after(1))).awb


def _groups(msg: Message, found: list[Segment]) -> list[list[Segment]]:
    """The segments of each house: its HBS and the lines below it up to the next HBS."""
    need(found, "HBS", msg.head)
    groups: list[list[Segment]] = []
    for seg in found:
        if seg.tag == "HBS":
            groups.append([seg])
        elif seg.tag == "MBI" and not groups and seg is found[0]:
            continue
        elif not groups or seg.tag == "MBI":
            raise seg.line.error(f"a {seg.tag} line belongs below a house (HBS)" if seg.tag != "MBI" else
                                 "an FHL has one MBI line, its first", "CIMP_LINE_UNEXPECTED")
        else:
            groups[-1].append(seg)
    return groups


def _house(header: MessageHeader, master_number: str, found: list[Segment]) -> Waybill:
    house = found[0]
    fields = house.fields + [""] * 5
    route = _ROUTE.match(fields[1].strip())
    if route is None:
        raise house.line.error(f"{fields[1].strip()!r} is not an origin and destination (HKGFRA)",
                               "CIMP_FIELD_INVALID")
    pieces = house.line.whole(fields[2], "pieces")
    txt, shipper, consignee = first(found, "TXT"), first(found, "SHP"), first(found, "CNE")
    return Waybill(
        header=header, type=WaybillType.HOUSE, number=fields[0].strip(), master_number=master_number,
        shipper=Party() if shipper is None else read_party(shipper, name_on_tag=True),
        consignee=Party() if consignee is None else read_party(consignee, name_on_tag=True),
        origin=Location(code=route.group(1)), destination=Location(code=route.group(2)), pieces=pieces,
        gross_weight=read_weight(fields[3], house.line),
        goods_description=_description(txt) if txt else (house.line.after(6).strip() or None),
        hs_codes=codes(found, "HTS"), special_handling=[c.strip() for line in house.more
                                                      for c in line.fields[1:] if c.strip()],
        customs_notes=[n for s in found if s.tag == "OCI" for n in read_customs_notes(s)])


def _description(txt: Segment) -> str | None:
    """TXT lines: a full line (65 characters) runs on into the next, a shorter one ends a line."""
    return "\n".join(run_on([line.after(1) for line in txt.lines], TXT_WIDTH)) or None
