"""CUSDEC (customs declaration) <-> Declaration.

The hub's profile (it writes D:96B, in the order of its segment table):

    BGM+929|830[:::<type code>]+<reference (LRN)>+<function>   goods declaration for import / export
    LOC+22                      customs office of clearance (declaration office)
    LOC+40                      country of trading
    DTM+137                     issue date of the declaration
    GIS+<procedure>             customs procedure / trade mode code (processing indicator, an..3);
                                a longer one (China's four-digit trade modes) as GIS+ZZZ:::<code>
                                (7187 processing type, an..17)
    RFF+<qualifier>:<number>    transport and supporting documents: BM bill of lading (BL),
                                BH house bill (HBL), AWB air waybill, HWB house waybill (HAWB),
                                IV invoice (INVOICE), AAM waybill (WAYBILL); other qualifiers
                                are kept as the document type
    TDT+20++<Rec 19 mode>       transport mode at the border
    NAD+DT declarant, NAD+IM importer, NAD+EX exporter (with CTA+IC and COM)
    MOA+39:<value>:<currency>   total value (segment group 8; read in the summary too)
    UNS+D, then per goods item: CST+<item number>+<HS code>  FTX+AAA (description, up to nine)
        LOC+27 (origin country)  MEA+AAE+G (gross weight)  MEA+AAE+N (net weight)
        MEA+CT++<unit>:<quantity> (QTY+1:<quantity>:<unit> is read too)  MOA+38:<value>:<currency>
    UNS+S, then CNT+11 (packages), CNT+7 (gross weight)

BGM 929-931 (and any other code but 830) read as import, 830 as export.
"""

from __future__ import annotations

from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Amount, Declaration, Direction, DocumentReference, GoodsItem, Kind, Measure

from . import parties
from .base import EdifactAdapter
from .lengths import FittedWriter, version_of
from .reading import FUNCTION_OUT, Body
from .syntax import Segment
from .writer import MessageWriter

DOCUMENTS_OUT = {"BL": "BM", "HBL": "BH", "AWB": "AWB", "HAWB": "HWB", "INVOICE": "IV", "WAYBILL": "AAM"}
DOCUMENTS_IN = {q: t for t, q in DOCUMENTS_OUT.items()}
DIRECTIONS_OUT = {Direction.IMPORT: "929", Direction.EXPORT: "830"}
PROCESSING_INDICATOR = 3
"""GIS C529 7365 is an..3."""
MUTUALLY_DEFINED = "ZZZ"
COUNTS = "CT"
"""MEA 6311 counts: the goods item's quantity (D:96B has no QTY in segment group 30 itself)."""
ITEM_TEXTS = 9
"""FTX segments a goods item (D:96B segment group 30, CST) may carry."""


class Cusdec(EdifactAdapter):
    name = "cusdec"
    text_locations = {"/items/*": r"CST\+"}
    message_type = "CUSDEC"
    identifier = ("CUSDEC", "D", "96B", "UN")
    description = "UN/EDIFACT CUSDEC customs declaration"
    reads = frozenset({Kind.DECLARATION})
    writes = frozenset({Kind.DECLARATION})

    def read(self, body: Body) -> Declaration:
        head, rest = _split(body.segments, "D")
        detail, summary = _split(rest, "S")
        bgm = body.need("BGM", within=head)
        office = body.need("LOC", "22", head, "the customs office (declaration office)")
        tdt = body.first("TDT", within=head)
        _, items = body.groups("CST", within=detail)
        packages, weight, total = (body.first("CNT", "11", summary), body.first("CNT", "7", summary),
                                   body.first("MOA", "39", summary) or body.first("MOA", "39", head))
        return Declaration(
            header=self.header(body, body.function(bgm)), reference=bgm.get(1) or _no_reference(body, bgm),
            direction=Direction.EXPORT if bgm.get(0, 0) == "830" else Direction.IMPORT, type_code=bgm.get(0, 3),
            declarant=parties.find(head, "DT") or _no_reference(body, bgm, "NAD+DT", "the declarant"),
            importer=parties.find(head, "IM"), exporter=parties.find(head, "EX"),
            declaration_office=office.get(1, 0), procedure=_read_procedure(body.first("GIS", within=head)),
            transport_mode=body.transport_mode(tdt, 2) if tdt else None,
            transport_documents=[DocumentReference(type=DOCUMENTS_IN.get(r.get(0, 0), r.get(0, 0)), id=r.get(0, 1))
                                 for r in body.all("RFF", within=head) if r.get(0, 1)],
            trade_country=(loc := body.first("LOC", "40", head)) and loc.get(1, 0),
            issued_at=body.instant(body.first("DTM", "137", head)),
            items=[_item(body, group) for group in items],
            total_packages=packages and body.integer(packages, 0, 1),
            total_gross_weight=weight and Measure(value=body.decimal(weight, 0, 1), unit=weight.get(0, 2) or "KGM"),
            total_value=total and _amount(body, total),
        )

    def write(self, doc: Declaration, ctx: RenderContext) -> MessageWriter:
        w = FittedWriter(version=version_of(self.identifier))
        w.add("BGM", [DIRECTIONS_OUT[doc.direction], None, None, w.value(doc.type_code, "1000", "BGM C002 1000")],
              w.value(doc.reference, "1004", "BGM 1004"), FUNCTION_OUT[doc.header.function])
        w.add("LOC", "22", w.value(doc.declaration_office, "3225", "LOC+22 C517 3225"))
        if doc.trade_country is not None:
            w.add("LOC", "40", w.value(doc.trade_country, "3225", "LOC+40 C517 3225"))
        w.dtm("137", doc.issued_at)
        if doc.procedure is not None:
            w.add("GIS", _procedure(w, doc.procedure))
        for i, ref in enumerate(doc.transport_documents):
            w.add("RFF", [_qualifier(ref.type, i), w.value(ref.id, "1154", "RFF C506 1154")])
        if doc.transport_mode is not None:
            w.add("TDT", "20", None, doc.transport_mode.rec19)
        for qualifier, party in (("DT", doc.declarant), ("IM", doc.importer), ("EX", doc.exporter)):
            parties.write(w, qualifier, party)
        if doc.total_value is not None:
            w.add("MOA", ["39", _num(doc.total_value.value), doc.total_value.currency])
        w.add("UNS", "D")
        for item in doc.items:
            _write_item(w, item)
        w.add("UNS", "S")
        if doc.total_packages is not None:
            w.add("CNT", ["11", str(doc.total_packages)])
        if doc.total_gross_weight is not None:
            w.add("CNT", ["7", _num(doc.total_gross_weight.value), doc.total_gross_weight.unit])
        return w


def _split(segments: list[Segment], section: str) -> tuple[list[Segment], list[Segment]]:
    """The segments before and after ``UNS+section`` (all before when there is none)."""
    for i, seg in enumerate(segments):
        if seg.tag == "UNS" and seg.get(0) == section:
            return segments[:i], segments[i + 1:]
    return segments, []


def _no_reference(body: Body, bgm: Segment, label: str = "BGM 1004", what: str = "the declarant's reference"):
    raise body.error(bgm, f"the declaration gives no {label}: {what} is required", code="EDI_SEGMENT_MISSING")


def _qualifier(doc_type: str, index: int) -> str:
    if doc_type in DOCUMENTS_OUT:
        return DOCUMENTS_OUT[doc_type]
    if doc_type.isalnum() and doc_type.isupper() and len(doc_type) <= 3:
        return doc_type
    raise ConversionError(f"/transport_documents/{index}/type: {doc_type!r} has no RFF qualifier in the hub's "
                          f"table ({', '.join(DOCUMENTS_OUT)})", code="CODE_UNMAPPED",
                          path=f"/transport_documents/{index}/type")


def _procedure(w: FittedWriter, procedure: str) -> list[str | None]:
    """GIS C529 for a procedure code: 7365 (an..3) when it fits, else 7365 ZZZ (mutually defined)
    with the code as 7187 processing type (an..17), as a national trade mode of four digits needs."""
    if len(procedure) <= PROCESSING_INDICATOR:
        return [procedure]
    return [MUTUALLY_DEFINED, None, None, w.value(procedure, "7187", "GIS C529 7187")]


def _read_procedure(gis: Segment | None) -> str | None:
    if gis is None:
        return None
    if gis.get(0, 0) == MUTUALLY_DEFINED and gis.get(0, 3):
        return gis.get(0, 3)
    return gis.get(0, 0)


def _amount(body: Body, moa: Segment) -> Amount:
    return Amount(value=body.decimal(moa, 0, 1), currency=moa.get(0, 2))


def _item(body: Body, group: list[Segment]) -> GoodsItem:
    cst = group[0]
    qty, moa = body.first("QTY", "1", group), body.first("MOA", "38", group)
    measures = {m.get(1, 0): m for m in body.all("MEA", "AAE", group)}
    counted = body.first("MEA", COUNTS, group)
    return GoodsItem(
        sequence=body.integer(cst, 0), hs_code=cst.get(1, 0), description=body.text(body.all("FTX", "AAA", group)),
        origin_country=(loc := body.first("LOC", "27", group)) and loc.get(1, 0),
        quantity=(qty and Measure(value=body.decimal(qty, 0, 1), unit=qty.get(0, 2) or "PCE"))
        or (counted and Measure(value=body.decimal(counted, 2, 1), unit=counted.get(2, 0) or "PCE")),
        value=moa and _amount(body, moa),
        gross_weight=_measure(body, measures.get("G")), net_weight=_measure(body, measures.get("N")))


def _measure(body: Body, mea: Segment | None) -> Measure | None:
    return mea and Measure(value=body.decimal(mea, 2, 1), unit=mea.get(2, 0) or "KGM")


def _num(value) -> str:
    return format(value, "f")


def _write_item(w: FittedWriter, item: GoodsItem) -> None:
    w.add("CST", str(item.sequence), [w.value(item.hs_code, "7361", "CST C246 7361")])
    for text in w.texts(item.description, "FTX+AAA C108 4440", most=ITEM_TEXTS):
        w.add("FTX", "AAA", None, None, text)
    w.add("LOC", "27", w.value(item.origin_country, "3225", "LOC+27 C517 3225"))
    for prop, measure in (("G", item.gross_weight), ("N", item.net_weight)):
        if measure is not None:
            w.add("MEA", "AAE", prop, [measure.unit, _num(measure.value)])
    if item.quantity is not None:
        w.add("MEA", COUNTS, None, [item.quantity.unit, _num(item.quantity.value)])
    w.add("MOA", ["38", _num(item.value.value), item.value.currency])
