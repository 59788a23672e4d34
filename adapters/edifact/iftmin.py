"""IFTMIN (instruction message / waybill) <-> Waybill.

The hub's profile (it writes D:99B):

    BGM+740|741|703+<waybill number>+<function>   air waybill (direct) / master air waybill
                                                  (consolidation) / house waybill
    FTX+HAN+++<line>:<line>...                    handling notes, one segment each (five lines)
    FTX+CUS+++<content code>:<content>:<subject>:<country>   customs notes (Cargo-XML OCI)
    LOC+5 (departure, origin)  LOC+8 (destination)
    RFF+AWB:<master>                              the master air waybill of a house waybill
    TDT+20+<flight>+++<carrier> + LOC+9 (from) + DTM+133 (departure) + LOC+11 (to)   per leg
    NAD+CZ consignor (shipper), NAD+CN consignee, NAD+FW forwarder (agent), with CTA+IC and COM
    GID+1+<pieces> with HAN (special handling), PIA+5+<hs>:HS, FTX+AAA (description, further
        FTX+AAA when it needs more than five lines), MEA+AAE+G (gross weight), MEA+AAE+AAW (volume)

The segments are in the order of the D:99B segment table (SG1 places, SG3 references, SG8
transport, SG11 parties, SG18 goods); the transport groups end at the first NAD, so that
either order reads. Long names, streets and texts are laid out as :mod:`.lengths` says.

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
from .lengths import FittedWriter, version_of
from .reading import FUNCTION_OUT, Body, location_of, place
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
        head, items = body.groups("GID")
        legs = [_leg_only(leg) for leg in body.groups("TDT", within=head)[1]]
        bgm = body.need("BGM", within=head)
        code = bgm.get(0, 0)
        master = body.first("RFF", "AWB", head)
        in_items = [s for g in items for s in g]
        gross = _summed(body, items, "G") or _missing(body, bgm, "MEA+AAE+G", "the gross weight")
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
            volume=_summed(body, items, "AAW"), goods_description=body.text(body.all("FTX", "AAA", in_items)),
            hs_codes=[e[0] for p in body.all("PIA", within=in_items)
                      for e in p.elements[1:] if e and e[0]],
            special_handling=[h.get(0, 0) for g in items for h in body.all("HAN", within=g) if h.get(0, 0)],
            handling_notes=[t for f in body.all("FTX", "HAN", head) if (t := body.text([f]))],
            customs_notes=[_note(f) for f in body.all("FTX", "CUS", head)],
            routing=[_leg(body, g) for g in legs],
        )

    def write(self, doc: Waybill, ctx: RenderContext) -> MessageWriter:
        w = FittedWriter(version=version_of(self.identifier))
        code = "703" if doc.type is WaybillType.HOUSE else ("741" if doc.consolidation else "740")
        w.add("BGM", code, w.value(doc.number, "1004", "BGM 1004"), FUNCTION_OUT[doc.header.function])
        for note in doc.handling_notes:
            w.add("FTX", "HAN", None, None, *w.texts(note, "FTX+HAN C108 4440", most=1))
        for n in doc.customs_notes:
            w.add("FTX", "CUS", None, None, [w.value(v, "4440", "FTX+CUS C108 4440")
                                             for v in (n.content_code, n.content, n.subject_code, n.country)])
        w.add("LOC", "5", place(w, doc.origin, "LOC+5"))
        w.add("LOC", "8", place(w, doc.destination, "LOC+8"))
        if doc.master_number is not None:
            w.add("RFF", ["AWB", w.value(doc.master_number, "1154", "RFF+AWB C506 1154")])
        for leg in doc.routing:
            w.add("TDT", "20", w.value(leg.number, "8028", "TDT 8028"), None, None,
                  w.value(leg.carrier, "3127", "TDT C040 3127"))
            if leg.departure is not None:
                w.add("LOC", "9", place(w, leg.departure, "LOC+9"))
            w.dtm("133", leg.departure_at)
            if leg.arrival is not None:
                w.add("LOC", "11", place(w, leg.arrival, "LOC+11"))
        for qualifier, party in (("CZ", doc.shipper), ("CN", doc.consignee), ("FW", doc.agent)):
            parties.write(w, qualifier, party)
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


def _leg_only(group: list[Segment]) -> list[Segment]:
    """A TDT group up to the first party (D99B: the NAD groups follow the transport groups)."""
    end = next((i for i, seg in enumerate(group) if seg.tag == "NAD"), len(group))
    return group[:end]


def _note(ftx: Segment) -> CustomsNote:
    code, content, subject, country = (ftx.components(3) + [""] * 4)[:4]
    return CustomsNote(content_code=code, content=content, subject_code=subject or None, country=country or None)


def _leg(body: Body, group: list[Segment]) -> TransportLeg:
    tdt = group[0]
    return TransportLeg(carrier=tdt.get(4, 0), number=tdt.get(1), departure=location_of(body.first("LOC", "9", group)),
                        arrival=location_of(body.first("LOC", "11", group)),
                        departure_at=body.instant(body.first("DTM", "133", group)))


def _write_goods(w: FittedWriter, doc: Waybill) -> None:
    w.add("GID", "1", [str(doc.pieces)])
    for code in doc.special_handling:
        w.add("HAN", [code])
    for at in range(0, len(doc.hs_codes), 5):
        w.add("PIA", "5", *[[w.value(code, "7140", "PIA C212 7140"), "HS"] for code in doc.hs_codes[at:at + 5]])
    for text in w.texts(doc.goods_description, "FTX+AAA C108 4440"):
        w.add("FTX", "AAA", None, None, text)
    w.add("MEA", "AAE", "G", [doc.gross_weight.unit, format(doc.gross_weight.value, "f")])
    if doc.volume is not None:
        w.add("MEA", "AAE", "AAW", [doc.volume.unit, format(doc.volume.value, "f")])
