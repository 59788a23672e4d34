"""FHL: a house waybill below its master AWB.

Read: MBI (the master AWB), HBS (house number, origin and destination, pieces,
weight, shipper's load and count, a short description; handling codes on its
continuation line), TXT (the full description, one line each), HTS (HS codes),
OCI, SHP, CNE (NAM/ADR/LOC blocks, see :mod:`.parties`). CVD is accepted and
not mapped. The canonical document is one Waybill of type house with
``master_number``; an FHL listing several houses is refused (CIMP_HOUSES_MULTIPLE):
the sender sends one FHL per house.

Written as FHL/5 with one house. The canonical house waybill knows only the
master's number, so the MBI line repeats the house's route and quantities; a
receiver that needs the master's own totals takes them from the FWB.
"""

from __future__ import annotations

import re

from hub.models import Document, Kind, Location, Waybill, WaybillType

from .base import CargoImpAdapter, Message
from .consignment import Quantity, read_detail, read_weight, write_detail, write_weight
from .lines import Line, Segment, codes, first, need, segments
from .parties import read_customs_notes, read_party, write_customs_notes, write_party

TAGS = frozenset({"MBI", "HBS", "TXT", "HTS", "OCI", "SHP", "CNE", "CVD"})
_ROUTE = re.compile(r"^([A-Z]{3})([A-Z]{3})$")
SHORT = 15
"""Characters of the HBS manifest description; a longer description goes on TXT lines."""


class Fhl(CargoImpAdapter):
    """FHL house waybill (one house per message)."""

    name = "fhl"
    identifier = "FHL"
    version = "5"
    description = "IATA Cargo-IMP FHL house waybill (one house below its master AWB)"
    text_locations = {"/master_number": "MBI/", "/number": "HBS/", "/pieces": "HBS/", "/gross_weight": "HBS/",
                      "/shipper": "SHP", "/consignee": "CNE", "/hs_codes": "HTS/"}
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Waybill) and doc.type is WaybillType.HOUSE and doc.master_number is not None

    def read(self, msg: Message) -> Waybill:
        found = segments(msg.body, TAGS)
        master = need(found, "MBI", msg.head)
        houses = [s for s in found if s.tag == "HBS"]
        if len(houses) > 1:
            raise houses[1].line.error("this FHL lists several houses; the hub reads one house per FHL",
                                       "CIMP_HOUSES_MULTIPLE")
        house = need(found, "HBS", msg.head)
        fields = house.fields + [""] * 5
        route = _ROUTE.match(fields[1].strip())
        if route is None:
            raise house.line.error(f"{fields[1].strip()!r} is not an origin and destination (HKGFRA)",
                                   "CIMP_FIELD_INVALID")
        pieces = house.line.whole(fields[2], "pieces")
        txt = first(found, "TXT")
        return Waybill(
            header=msg.header, type=WaybillType.HOUSE, number=fields[0].strip(),
            master_number=read_detail(Line(master.line.number, master.line.after(1))).awb,
            shipper=read_party(need(found, "SHP", msg.head), name_on_tag=True),
            consignee=read_party(need(found, "CNE", msg.head), name_on_tag=True),
            origin=Location(code=route.group(1)), destination=Location(code=route.group(2)), pieces=pieces,
            gross_weight=read_weight(fields[3], house.line),
            goods_description=_description(txt) if txt else (house.line.after(6).strip() or None),
            hs_codes=codes(found, "HTS"), special_handling=[c.strip() for line in house.more
                                                          for c in line.fields[1:] if c.strip()],
            customs_notes=[n for s in found if s.tag == "OCI" for n in read_customs_notes(s)])

    def write(self, wb: Waybill) -> list[str]:
        lines = ["MBI/" + write_detail(wb.master_number, wb.origin, wb.destination,
                                       Quantity("T", wb.pieces, wb.gross_weight))]
        description = (wb.goods_description or "").splitlines()
        short = description[0][:SHORT].rstrip() if description else ""
        long = len(description) > 1 or (description and len(description[0]) > SHORT)
        lines.append(f"HBS/{wb.number}/{wb.origin.code}{wb.destination.code}/{wb.pieces}/"
                     f"{write_weight(wb.gross_weight)}//{short}")
        lines += ["/" + "/".join(wb.special_handling)] if wb.special_handling else []
        lines += [("TXT/" if i == 0 else "/") + text for i, text in enumerate(description)] if long else []
        lines += ["HTS/" + "/".join(wb.hs_codes)] if wb.hs_codes else []
        lines += write_customs_notes(wb.customs_notes)
        return lines + write_party("SHP", wb.shipper) + write_party("CNE", wb.consignee)


def _description(txt: Segment) -> str | None:
    return "\n".join(t for line in txt.lines if (t := line.after(1).rstrip())) or None
