"""IFTMIN (instruction message / waybill) <-> Waybill.

The hub's profile (it writes D:99B):

    BGM+740|741|703+<waybill number>+<function>   air waybill (direct) / master air waybill
                                                  (consolidation) / house waybill
    RFF+AWB:<master>                              the master air waybill of a house waybill
    FTX+HAN+++<line>:<line>...                    handling notes, one segment each
    FTX+CUS+++<content code>:<content>:<subject>:<country>   customs notes (Cargo-XML OCI)
    LOC+5 (departure, origin)  LOC+8 (destination)
    NAD+CZ consignor (shipper), NAD+CN consignee, NAD+FW forwarder (agent), with COM
    TDT+20+<flight>+++<carrier> + LOC+9 (from) + DTM+133 (departure) + LOC+11 (to)   per leg
    GID+1+<pieces> with HAN (special handling), FTX+AAA (description), PIA+5+<hs>:HS,
        MEA+AAE+G (gross weight), MEA+AAE+AAW (volume)

Read also: BGM 610/700/705 and other codes as a master waybill without consolidation,
BGM 714 (house bill of lading) as a house waybill; several GID groups add up.
A house waybill is never written as a consolidation.
"""

from __future__ import annotations

from decimal import Decimal

from hub.adapters import RenderContext
from hub.models import CustomsNote, Kind, Measure, TransportLeg, Waybill, WaybillType

from . import parties
from .base import EdifactAdapter
from .reading import FUNCTION_OUT, Body, joined, lines, loc_elements, location_of
from .syntax import Segment
from .writer import MessageWriter

HOUSE_CODES = ("703", "714")


class Iftmin(EdifactAdapter):
    name = "iftmin"
    text_locations = {"/number": r"(BGM|RFF)\+", "/pieces": r"GID\+", "/gross_weight": r"MEA\+",
                      "/origin": r"LOC\+5\+", "/destination": r"LOC\+8\+"}
    message_type = "IFTMIN"
    identifier = ("IFTMIN", "D", "99B", "UN")
    description = "UN/EDIFACT IFTMIN instruction message (master or house waybill)"
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})

    def read(self, body: Body) -> Waybill:
        before_goods, items = body.groups("GID")
        head, legs = body.groups("TDT", within=before_goods)
        bgm = body.need("BGM", within=head)
        code = bgm.get(0, 0)
        master = body.first("RFF", "AWB", head)
        gross = _summed(body, items, "G") or _missing(body, bgm, "MEA+AAE+G", "the gross weight")
        texts = [joined(f, 3) for f in body.all("FTX", "AAA", [s for g in items for s in g])]
        return Waybill(
            header=self.header(body, body.function(bgm)),
            type=WaybillType.HOUSE if code in HOUSE_CODES else WaybillType.MASTER,
            number=bgm.get(1) or _missing(body, bgm, "BGM 1004", "the waybill number"),
            master_number=master and master.get(0, 1), consolidation=code == "741",
            shipper=parties.find(head, "CZ") or _missing(body, bgm, "NAD+CZ", "the consignor"),
            consignee=parties.find(head, "CN") or _missing(body, bgm, "NAD+CN", "the consignee"),
            agent=parties.find(head, "FW"),
            origin=location_of(body.first("LOC", "5", head)) or _missing(body, bgm, "LOC+5", "the departure place"),
            destination=location_of(body.first("LOC", "8", head)) or _missing(body, bgm, "LOC+8", "the destination"),
            pieces=sum(body.integer(g[0], 1, 0) or 0 for g in items), gross_weight=gross,
            volume=_summed(body, items, "AAW"), goods_description="\n".join(t for t in texts if t) or None,
            hs_codes=[e[0] for p in body.all("PIA", within=[s for g in items for s in g])
                      for e in p.elements[1:] if e and e[0]],
            special_handling=[h.get(0, 0) for g in items for h in body.all("HAN", within=g) if h.get(0, 0)],
            handling_notes=[joined(f, 3) for f in body.all("FTX", "HAN", head) if joined(f, 3)],
            customs_notes=[_note(f) for f in body.all("FTX", "CUS", head)],
            routing=[_leg(body, g) for g in legs],
        )

    def write(self, doc: Waybill, ctx: RenderContext) -> MessageWriter:
        w = MessageWriter()
        code = "703" if doc.type is WaybillType.HOUSE else ("741" if doc.consolidation else "740")
        w.add("BGM", code, doc.number, FUNCTION_OUT[doc.header.function])
        if doc.master_number is not None:
            w.add("RFF", ["AWB", doc.master_number])
        for note in doc.handling_notes:
            w.add("FTX", "HAN", None, None, lines(note, 5))
        for n in doc.customs_notes:
            w.add("FTX", "CUS", None, None, [n.content_code, n.content, n.subject_code, n.country])
        w.add("LOC", "5", loc_elements(doc.origin))
        w.add("LOC", "8", loc_elements(doc.destination))
        for qualifier, party in (("CZ", doc.shipper), ("CN", doc.consignee), ("FW", doc.agent)):
            parties.write(w, qualifier, party)
        for leg in doc.routing:
            w.add("TDT", "20", leg.number, None, None, leg.carrier)
            if leg.departure is not None:
                w.add("LOC", "9", loc_elements(leg.departure))
            w.dtm("133", leg.departure_at)
            if leg.arrival is not None:
                w.add("LOC", "11", loc_elements(leg.arrival))
        _write_goods(w, doc)
        return w


def _missing(body: Body, at: Segment, label: str, what: str):
    raise body.error(at, f"the waybill gives no {label}: {what} is required", code="EDI_SEGMENT_MISSING")


def _summed(body: Body, items: list[list[Segment]], prop: str) -> Measure | None:
    found = [m for g in items for m in body.all("MEA", "AAE", g) if m.get(1, 0) == prop]
    if not found:
        return None
    values = [body.decimal(m, 2, 1) or Decimal(0) for m in found]
    value = values[0] if len(values) == 1 else sum(values, Decimal(0))
    return Measure(value=value, unit=found[0].get(2, 0) or ("KGM" if prop == "G" else "MTQ"))


def _note(ftx: Segment) -> CustomsNote:
    code, content, subject, country = (ftx.components(3) + [""] * 4)[:4]
    return CustomsNote(content_code=code, content=content, subject_code=subject or None, country=country or None)


def _leg(body: Body, group: list[Segment]) -> TransportLeg:
    tdt = group[0]
    return TransportLeg(carrier=tdt.get(4, 0), number=tdt.get(1), departure=location_of(body.first("LOC", "9", group)),
                        arrival=location_of(body.first("LOC", "11", group)),
                        departure_at=body.instant(body.first("DTM", "133", group)))


def _write_goods(w: MessageWriter, doc: Waybill) -> None:
    w.add("GID", "1", [str(doc.pieces)])
    for code in doc.special_handling:
        w.add("HAN", [code])
    if doc.goods_description is not None:
        w.add("FTX", "AAA", None, None, lines(doc.goods_description, 5))
    for at in range(0, len(doc.hs_codes), 5):
        w.add("PIA", "5", *[[code, "HS"] for code in doc.hs_codes[at:at + 5]])
    w.add("MEA", "AAE", "G", [doc.gross_weight.unit, format(doc.gross_weight.value, "f")])
    if doc.volume is not None:
        w.add("MEA", "AAE", "AAW", [doc.volume.unit, format(doc.volume.value, "f")])
