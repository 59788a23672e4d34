"""CUSCAR (customs cargo report) <-> Manifest.

The hub's profile (it reads the same segments from any directory; it writes D:95B, in the
order of its segment table):

    BGM+785+<id>+<9|5|1>              cargo manifest; function original / replace / cancel
    DTM+137                           message date (the departure date when no DTM+133 is sent)
    NAD+CA                            the carrier (else TDT C040); D:95B's header has no COM for it
    TDT+20+<voyage>+<Rec 19 mode>++<carrier id>:::<name>+++<IMO/call sign>:::<vessel name>
      LOC+22                          customs office (declaration office)
      LOC+9, LOC+11                   port of loading, of discharge (LOC+60, place of arrival, when no LOC+11)
      DTM+133 (or 186), DTM+132 (or 232, 178)   departure date, arrival
    EQD+CN+<container no>+<size/type> the equipment: one EQD group each (UNTDID 8053 CN container,
      EQD+UL+<ULD>+<ULD type>         UL unit load device, e.g. EQD+UL+PMC1337CA+PMC), each once
    CNT+7:<weight>:<unit>, CNT+11:<n> the manifest's stated totals (gross weight, packages)
    CNI+<n>+<bill of lading>          one group per consignment: CNT+7 (its gross weight),
      RFF+BM (bill of lading), LOC+9 / LOC+11 (its origin / destination), NAD+CZ consignor,
      NAD+CN consignee (with CTA+IC and COM), GID+<n>+<packages> with HAN (special handling),
      FTX+AAA (description), MEA+AAE+G (gross weight) and MEA+AAE+AAW (volume), SGP+<equipment
      id> (split goods placement) for each piece of equipment the consignment is loaded in,
      CST++<hs>+<hs>... (commodity codes, five at most), then GIS+ZZZ with DOC+714+<house bill>
      for each house bill (nine a GIS)

Read also: RFF+BH (house bills) of the consignment and PIA+5+<hs>:HS (later directories);
COM with or without CTA.

Equipment: a consignment's ``equipment`` is what its goods items' SGP segments name (with the
size and type of the EQD that lists it, when one does; an SGP naming equipment no EQD lists
still counts), and any EQD inside the consignment's own group; EQD groups no SGP refers to
belong to no consignment and are dropped. A container number is kept whole, a ULD as its type,
serial and owner.

Read but not kept (the canonical manifest has no place for them): GIS, PCI marks, the
equipment's MEA/SEL/DIM, NAD other than CA/CZ/CN, BGM's document number (the hub writes its
message id).
When the header has no LOC+9 the first consignment's LOC+9 (or LOC+76) is the port of
loading; without DTM+133/186 the message date DTM+137 stands in for the departure date, and
without it the arrival date (DTM+132/232/178: a border crossing report gives only that).

National profiles (D:95B to D:03B; US CBP ACE truck manifests, EU ICS, ...), read the same way:
- TDT: TDT+20, else the first TDT (TDT+11 at the border); mode 03 reads as 3; without 8028 a
  road, rail or sea conveyance is identified by C222 8213, else 8212, else BGM 1004 (the trip);
  air still needs its flight number
- the bill of a consignment: RFF+BM, else CNI C503, else RFF+AAM (waybill number, the ACE
  shipment control number), else the DOC C503 number (DOC+705/714/740 ...)
- packages: GID C213, else PAC 7224 of the item, else CNT+11; gross weight: CNT+7, else the
  items' MEA+AAE+G (or WT+G), else their MEA+AAI (item weight); units K and L read as KGM, LBR
- a port given by a national code list (LOC C517 with 1131/3055, e.g. CBP lists 77/78) that is
  neither a UN/LOCODE nor an IATA code is kept as its name, with the code ``ZZZ`` (unknown to
  the hub's lists), so that the manifest still reads; without a code list it stays as sent
  (and the location rule names it)
"""

from __future__ import annotations

import re
from decimal import Decimal

from hub.adapters import RenderContext
from hub.models import (
    Conveyance,
    Kind,
    Location,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportEquipment,
)
from hub.rules import IATA_LOCATION, UN_LOCODE

from . import lengths, parties
from .base import EdifactAdapter
from .lengths import FittedWriter, version_of
from .reading import FUNCTION_OUT, Body, journey_of, location_of, place
from .syntax import Segment
from .writer import MessageWriter, reference

COMMODITY_CODES = 5
"""CST carries five C246 customs identity codes."""
HOUSE_BILLS = 9
"""DOC segments a GIS group (D:95B segment group 11) may hold."""
HOUSE_BILL = "714"
MUTUALLY_DEFINED = "ZZZ"
UNITS = {"K": "KGM", "L": "LBR"}
"""Weight units of national profiles (ACE, Cargo-IMP style) -> UN/ECE Rec 20."""
UNKNOWN_PLACE = "ZZZ"


class Cuscar(EdifactAdapter):
    name = "cuscar"
    text_locations = {"/consignments/*": r"CNI\+", "/conveyance": r"TDT\+", "/loading_location": r"LOC\+9\+",
                      "/unloading_location": r"LOC\+11\+", "/total_gross_weight": r"CNT\+7",
                      "/total_pieces": r"CNT\+11"}
    message_type = "CUSCAR"
    identifier = ("CUSCAR", "D", "95B", "UN")
    description = "UN/EDIFACT CUSCAR customs cargo report (manifest)"
    reads = frozenset({Kind.MANIFEST})
    writes = frozenset({Kind.MANIFEST})

    def read(self, body: Body) -> Manifest:
        head, groups = body.groups("CNI")
        bgm = body.need("BGM", within=head)
        listed = _listed_equipment(body, head)
        consignments = [_consignment(body, g, listed) for g in groups]
        total_weight = body.first("CNT", "7", head)
        return Manifest(
            header=self.header(body, body.function(bgm)),
            conveyance=_conveyance(body, head, bgm),
            loading_location=_place(body.first("LOC", "9", head)) or _first_loading(body, groups)
            or _place(body.need("LOC", "9", head, "the port of loading")),
            unloading_location=_place(body.first("LOC", "11", head) or body.first("LOC", "60", head))
            or _place(body.need("LOC", "11", head, "the port of discharge")),
            arrival_at=body.instant(_first(body, head, "DTM", ("132", "232", "178"))),
            declaration_office=(loc := body.first("LOC", "22", head)) and loc.get(1, 0),
            consignments=consignments,
            total_pieces=(cnt := body.first("CNT", "11", head)) and body.integer(cnt, 0, 1),
            total_gross_weight=total_weight and _count_measure(body, total_weight),
        )

    def write(self, doc: Manifest, ctx: RenderContext) -> MessageWriter:
        w = FittedWriter(version=version_of(self.identifier))
        c = doc.conveyance
        number = ctx.message_id if len(ctx.message_id) <= lengths.limit(w.version, "1004") else \
            reference(ctx.message_id)   # BGM 1004 is an..35; the reference stands for a longer id
        w.add("BGM", "785", number, FUNCTION_OUT[doc.header.function])
        w.dtm("137", ctx.created_at)
        _write_carrier(w, c.carrier)
        w.add("TDT", "20", w.value(c.journey_id, "8028", "TDT 8028"), c.mode.rec19, None,
              [w.value(c.carrier.id, "3127", "TDT C040 3127"), None, None,
               w.value(c.carrier.name, "3128", "TDT C040 3128")], None, None,
              [w.value(c.registration, "8213", "TDT C222 8213"), None, None, w.value(c.name, "8212", "TDT C222 8212")])
        if doc.declaration_office is not None:
            w.add("LOC", "22", w.value(doc.declaration_office, "3225", "LOC+22 C517 3225"))
        w.add("LOC", "9", place(w, doc.loading_location, "LOC+9"))
        w.add("LOC", "11", place(w, doc.unloading_location, "LOC+11"))
        w.dtm("133", c.departure_date)       # segment group 1: TDT, its places, then their dates
        if doc.arrival_at is not None:
            w.dtm("132", doc.arrival_at)
        _write_equipment(w, doc.consignments)
        if doc.total_gross_weight is not None:
            w.add("CNT", ["7", _num(doc.total_gross_weight.value), doc.total_gross_weight.unit])
        if doc.total_pieces is not None:
            w.add("CNT", ["11", str(doc.total_pieces)])
        for n, consignment in enumerate(doc.consignments, 1):
            _write_consignment(w, n, consignment)
        return w


def _first(body: Body, segments: list[Segment], tag: str, qualifiers: tuple[str, ...]) -> Segment | None:
    for qualifier in qualifiers:
        if (seg := body.first(tag, qualifier, segments)) is not None:
            return seg
    return None


def _conveyance(body: Body, head: list[Segment], bgm: Segment) -> Conveyance:
    tdt = body.first("TDT", "20", head) or body.need("TDT", within=head, what="the conveyance and voyage")
    mode = body.transport_mode(tdt, 2)
    if mode is None:
        raise body.error(tdt, "transport mode None is not a Rec 19 code 1-4 (sea, rail, road, air)", 4, 1,
                         code="EDI_CODE_UNMAPPED")
    journey = journey_of(tdt, bgm, mode)
    if journey is None:
        raise body.error(tdt, "TDT names no voyage (8028 conveyance reference)", 3, 1, code="EDI_SEGMENT_MISSING")
    departure = _first(body, head, "DTM", ("133", "186", "137", "132", "232", "178")) or \
        body.need("DTM", "137", head, "a departure date")
    carrier = parties.find(head, "CA") or Party(id=tdt.get(4, 0), name=tdt.get(4, 3))
    return Conveyance(mode=mode, carrier=carrier, journey_id=journey,
                      departure_date=body.day(departure), registration=tdt.get(7, 0), name=tdt.get(7, 3))


def _place(loc: Segment | None) -> Location | None:
    """A port; one given by a national code list that is neither UN/LOCODE nor IATA is kept by name."""
    place = location_of(loc)
    if place is None or IATA_LOCATION.match(place.code) or UN_LOCODE.match(place.code):
        return place
    listed = loc.get(1, 1) or loc.get(1, 2)
    if not listed:
        return place
    return Location(code=UNKNOWN_PLACE,
                    name=" ".join(p for p in (place.code, f"(code list {listed})", place.name) if p))


def _first_loading(body: Body, groups: list[list[Segment]]) -> Location | None:
    if not groups:
        return None
    return _place(body.first("LOC", "9", groups[0]) or body.first("LOC", "76", groups[0]))


def _equipment(identifier: str, size_type: str | None) -> TransportEquipment:
    """Equipment from its EQD (or SGP) identifier and the EQD's size and type code: a ULD
    (PMC1337CA, or AKE4711 of type AKE) as type, serial and owner, anything else kept whole."""
    found = TransportEquipment.from_id(identifier, size_type)
    rest = identifier[len(size_type):] if size_type and identifier.startswith(size_type) else ""
    if found.owner is None and re.fullmatch(r"\d{4,5}", rest):
        return TransportEquipment(type_code=size_type, serial=rest)
    return found


def _eqd(eqd: Segment) -> TransportEquipment | None:
    identifier = eqd.get(1, 0)
    return None if identifier is None else _equipment(identifier, eqd.get(2, 0))


def _listed_equipment(body: Body, head: list[Segment]) -> dict[str, TransportEquipment]:
    """The message's EQD groups, by the identifier an SGP names them with."""
    listed: dict[str, TransportEquipment] = {}
    for eqd in body.all("EQD", within=head):
        if (found := _eqd(eqd)) is not None:
            listed.setdefault(eqd.get(1, 0), found)
    return listed


def _consignment_equipment(body: Body, group: list[Segment],
                           listed: dict[str, TransportEquipment]) -> list[TransportEquipment]:
    """The EQDs in the consignment's group and the equipment its SGPs name, each once, in order."""
    found: list[TransportEquipment] = []
    for seg in group:
        if seg.tag == "EQD":
            equipment = _eqd(seg)
        elif seg.tag == "SGP" and (identifier := seg.get(0, 0)) is not None:
            equipment = listed.get(identifier) or _equipment(identifier, None)
        else:
            continue
        if equipment is not None and equipment not in found:
            found.append(equipment)
    return found


def _consignment(body: Body, group: list[Segment], listed: dict[str, TransportEquipment]) -> ManifestConsignment:
    cni = group[0]
    level, items = body.groups("GID", within=group)
    document = _bill(body, cni, level)
    if document is None:
        raise body.error(cni, "the consignment names no bill of lading (RFF+BM, CNI C503, RFF+AAM or DOC)", 3, 1,
                         code="EDI_SEGMENT_MISSING")
    weight = body.first("CNT", "7", level)
    gross = _count_measure(body, weight) if weight else (_summed(body, items, "G", "KGM")
                                                         or _summed(body, items, None, "KGM", ("AAI",)))
    if gross is None:
        raise body.error(cni, f"consignment {document} states no gross weight (CNT+7, MEA+AAE+G or MEA+AAI)",
                         code="EDI_SEGMENT_MISSING")
    counted = [_packages(body, g) for g in items]
    pieces = sum(p for p in counted if p is not None) if items else \
        (cnt := body.first("CNT", "11", level)) and body.integer(cnt, 0, 1)
    return ManifestConsignment(
        transport_document=document, house_documents=_house_bills(body, level, items),
        pieces=pieces or 0, gross_weight=gross,
        volume=_summed(body, items, "AAW", "MTQ"), goods_description=body.text(
            body.all("FTX", "AAA", [s for g in items for s in g])),
        hs_codes=_hs_codes(body, items), origin=_place(body.first("LOC", "9", level)),
        destination=_place(body.first("LOC", "11", level)), consignor=parties.find(level, "CZ"),
        consignee=parties.find(level, "CN"),
        special_handling=[h.get(0, 0) for h in body.all("HAN", within=group) if h.get(0, 0)],
        equipment=_consignment_equipment(body, group, listed))


def _bill(body: Body, cni: Segment, level: list[Segment]) -> str | None:
    """RFF+BM, CNI C503, RFF+AAM, then the DOC number."""
    if (bm := body.first("RFF", "BM", level)) is not None and bm.get(0, 1):
        return bm.get(0, 1)
    if cni.get(1, 0):
        return cni.get(1, 0)
    if (aam := body.first("RFF", "AAM", level)) is not None and aam.get(0, 1):
        return aam.get(0, 1)
    doc = body.first("DOC", within=level)
    return doc.get(1, 0) if doc is not None else None


def _packages(body: Body, item: list[Segment]) -> int | None:
    """GID C213 7224, else the item's PAC 7224."""
    if (count := body.integer(item[0], 1, 0)) is not None:
        return count
    pac = body.first("PAC", within=item)
    return body.integer(pac, 0, 0) if pac is not None else None


def _hs_codes(body: Body, items: list[list[Segment]]) -> list[str]:
    """PIA item numbers of type HS (later directories), else CST C246 customs identity codes (D:95B)."""
    codes = []
    in_items = [s for g in items for s in g]
    for pia in body.all("PIA", within=in_items):
        codes.extend(e[0] for e in pia.elements[1:] if e and e[0] and (len(e) < 2 or e[1] in ("", "HS")))
    if not codes:
        for cst in body.all("CST", within=in_items):
            codes.extend(e[0] for e in cst.elements[1:6] if e and e[0])
    return codes


def _house_bills(body: Body, level: list[Segment], items: list[list[Segment]]) -> list[str]:
    """RFF+BH of the consignment, else the goods items' DOC+714 (house bill of lading, D:95B SG11)."""
    found = [r.get(0, 1) for r in body.all("RFF", "BH", level) if r.get(0, 1)]
    return found or [d.get(1, 0) for g in items for d in body.all("DOC", HOUSE_BILL, g) if d.get(1, 0)]


def _summed(body: Body, items: list[list[Segment]], prop: str | None, unit: str,
            purposes: tuple[str, ...] = ("AAE", "WT")) -> Measure | None:
    """The items' MEA+<purpose>+<prop> values summed (prop None: any)."""
    found = [m for g in items for m in body.all("MEA", within=g)
             if m.get(0) in purposes and (prop is None or m.get(1, 0) == prop)]
    if not found:
        return None
    values = [body.decimal(m, 2, 1) or Decimal(0) for m in found]
    stated = found[0].get(2, 0)
    return Measure(value=sum(values, Decimal(0)) if len(values) > 1 else values[0],
                   unit=UNITS.get(stated, stated) if stated else unit)


def _count_measure(body: Body, cnt: Segment) -> Measure:
    stated = cnt.get(0, 2)
    return Measure(value=body.decimal(cnt, 0, 1), unit=UNITS.get(stated, stated) if stated else "KGM")


def _num(value: Decimal) -> str:
    return format(value, "f")


def _is_uld(equipment: TransportEquipment) -> bool:
    """A ULD (type, serial, owner) rather than a container kept whole in its serial."""
    return equipment.serial is not None and equipment.id != equipment.serial


def _write_equipment(w: FittedWriter, consignments: list[ManifestConsignment]) -> None:
    """One EQD per piece of equipment, each once in order of first appearance: CN for a container
    (with its size and type code), UL for a ULD (with its ULD type)."""
    written: set[str] = set()
    for equipment in (e for c in consignments for e in c.equipment):
        if not equipment.id or equipment.id in written:
            continue
        written.add(equipment.id)
        w.add("EQD", "UL" if _is_uld(equipment) else "CN", [w.value(equipment.id, "8260", "EQD C237 8260")],
              [equipment.type_code] if equipment.type_code else None)


def _write_carrier(w: FittedWriter, carrier: Party) -> None:
    """NAD+CA in the message header, where D:95B has no contact (CTA, COM): a carrier's phone or
    e-mail cannot be carried and is refused rather than dropped."""
    if carrier.phone is not None or carrier.email is not None:
        raise lengths.refused("NAD+CA", "COM", "the message header of D:95B has no contact for the carrier's "
                              "phone or e-mail")
    parties.write(w, "CA", carrier)


def _write_consignment(w: FittedWriter, n: int, c: ManifestConsignment) -> None:
    bill = w.value(c.transport_document, "1154", "RFF+BM C506 1154")
    w.add("CNI", str(n), bill)
    w.add("CNT", ["7", _num(c.gross_weight.value), c.gross_weight.unit])
    w.add("RFF", ["BM", bill])
    for qualifier, loc in (("9", c.origin), ("11", c.destination)):
        if loc is not None:
            w.add("LOC", qualifier, place(w, loc, f"LOC+{qualifier}"))
    parties.write(w, "CZ", c.consignor)
    parties.write(w, "CN", c.consignee)
    w.add("GID", "1", [str(c.pieces)])
    for code in c.special_handling:
        w.add("HAN", [code])
    for text in w.texts(c.goods_description, "FTX+AAA C108 4440"):
        w.add("FTX", "AAA", None, None, text)
    w.add("MEA", "AAE", "G", [c.gross_weight.unit, _num(c.gross_weight.value)])
    if c.volume is not None:
        w.add("MEA", "AAE", "AAW", [c.volume.unit, _num(c.volume.value)])
    for equipment in c.equipment:
        if equipment.id:
            w.add("SGP", [equipment.id])
    _write_codes(w, c.hs_codes)
    for at in range(0, len(c.house_documents), HOUSE_BILLS):
        w.add("GIS", [MUTUALLY_DEFINED])
        for house in c.house_documents[at:at + HOUSE_BILLS]:
            w.add("DOC", HOUSE_BILL, [w.value(house, "1004", "DOC C503 1004")])


def _write_codes(w: FittedWriter, codes: list[str]) -> None:
    """CST: the goods item's commodity codes, five C246 7361 at most (D:95B has no PIA here)."""
    if not codes:
        return
    if len(codes) > COMMODITY_CODES:
        raise lengths.refused("CST C246 7361", "7361", f"{len(codes)} commodity codes; a goods item's CST "
                              f"carries {COMMODITY_CODES}")
    w.add("CST", None, *[[w.value(code, "7361", "CST C246 7361")] for code in codes])
