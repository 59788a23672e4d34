"""Writing GACC manifests, and turning a waybill into the manifest of its border-crossing flight.

Elements are appended in the order of ``manifest-common.xsd``. Goods become one
ConsignmentItem per HS code (each with the consignment's description), or one item
with the description alone; a single item also carries the consignment's gross weight.
The DeclarationOfficeID is written when the document has one: a waybill has none, so
its manifest leaves it out (see the package notes). Each piece of equipment (a waybill's ULDs
too) is one TransportEquipment/EquipmentIdentification/ID after the TransportContractDocument.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from lxml.etree import SubElement

from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import (
    Conveyance,
    Function,
    Journey,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportMode,
    Waybill,
    WaybillType,
)
from hub.routing.direction import country_of
from hub.xmlkit import fmt_decimal

from . import clock, head

CHINA = "CN"
"""GACC's customs territory: the border a GACC manifest's flight crosses (not HUB_HOME_COUNTRY)."""


class _Tags(dict):
    """Clark names of one namespace, made once: building is this module's hot path."""

    def __init__(self, ns: str) -> None:
        super().__init__()
        self.ns = ns

    def __missing__(self, tag: str) -> str:
        name = self[tag] = f"{{{self.ns}}}{tag}"
        return name


@lru_cache(maxsize=16)
def _tags(ns: str) -> _Tags:
    return _Tags(ns)


def _leaf(parent: etree._Element, tag: str, text: str | None) -> None:
    if text is not None:
        SubElement(parent, tag).text = text


def _measure(parent: etree._Element, tag: str, measure: Measure) -> None:
    SubElement(parent, tag, unitCode=measure.unit).text = fmt_decimal(measure.value)


def start(ns: str, message_type: str, function: Function, office: str | None,
          ctx: RenderContext) -> tuple[_Tags, etree._Element, etree._Element]:
    """The tags, the Manifest root with its Head, and its Declaration with the customs office: what
    every message of the manifest family (MT1101 to MT4101) begins with."""
    t = _tags(ns)
    root = etree.Element(t["Manifest"], nsmap={None: ns})
    head.write(root, ns, message_type, function, ctx)
    decl = SubElement(root, t["Declaration"])
    _leaf(decl, t["DeclarationOfficeID"], office)
    return t, root, decl


def build(m: Manifest, ns: str, message_type: str, ctx: RenderContext) -> etree._Element:
    """The Manifest tree of a canonical manifest."""
    if not m.consignments:
        raise ConversionError("a GACC manifest needs at least one consignment", path="/consignments")
    t, root, decl = start(ns, message_type, m.header.function, m.declaration_office, ctx)
    write_conveyance(decl, t, m.conveyance)
    for c in m.consignments:
        _consignment(SubElement(decl, t["Consignment"]), t, c)
    SubElement(SubElement(decl, t["LoadingLocation"]), t["ID"]).text = m.loading_location.code
    unloading = SubElement(decl, t["UnloadingLocation"])
    _leaf(unloading, t["ArrivalDateTime"], m.arrival_at and clock.stamp(m.arrival_at))
    SubElement(unloading, t["ID"]).text = m.unloading_location.code
    return root


def write_conveyance(decl: etree._Element, t: _Tags, c: Conveyance | Journey) -> None:
    """BorderTransportMeans and Carrier of a manifest's conveyance or a report's journey (a journey
    may lack its date, DepartureDateTime, and its carrier, Carrier)."""
    btm = SubElement(decl, t["BorderTransportMeans"])
    SubElement(btm, t["JourneyID"]).text = c.journey_id
    SubElement(btm, t["TypeCode"]).text = c.mode.rec19
    _leaf(btm, t["ID"], c.registration)
    _leaf(btm, t["Name"], c.name)
    _leaf(btm, t["DepartureDateTime"], c.departure_date and clock.stamp(c.departure_date))
    if c.carrier is not None:
        carrier = SubElement(decl, t["Carrier"])
        _leaf(carrier, t["ID"], c.carrier.id)
        _leaf(carrier, t["Name"], c.carrier.name)


def _consignment(el: etree._Element, t: _Tags, c: ManifestConsignment) -> None:
    if c.volume is not None:
        _measure(el, t["GrossVolumeMeasure"], c.volume)
    _measure(el, t["TotalGrossMassMeasure"], c.gross_weight)
    SubElement(el, t["TotalPackageQuantity"]).text = str(c.pieces)
    for house in c.house_documents:
        SubElement(SubElement(el, t["AssociatedTransportDocument"]), t["ID"]).text = house
    _party(el, t, "Consignee", c.consignee)
    _items(el, t, c)
    _party(el, t, "Consignor", c.consignor)
    for code in c.special_handling:
        SubElement(SubElement(el, t["Handling"]), t["InstructionsCodeCode"]).text = code
    if c.origin is not None:
        SubElement(SubElement(el, t["LoadingLocation"]), t["ID"]).text = c.origin.code
    SubElement(SubElement(el, t["TransportContractDocument"]), t["ID"]).text = c.transport_document
    for equipment in c.equipment:
        identification = SubElement(SubElement(el, t["TransportEquipment"]), t["EquipmentIdentification"])
        SubElement(identification, t["ID"]).text = equipment.id
    if c.destination is not None:
        SubElement(SubElement(el, t["UnloadingLocation"]), t["ID"]).text = c.destination.code


def _items(el: etree._Element, t: _Tags, c: ManifestConsignment) -> None:
    codes = c.hs_codes or ([None] if c.goods_description is not None else [])
    for n, hs in enumerate(codes, 1):
        item = SubElement(el, t["ConsignmentItem"])
        SubElement(item, t["SequenceNumeric"]).text = str(n)
        commodity = SubElement(item, t["Commodity"])
        _leaf(commodity, t["CargoDescription"], c.goods_description)
        if hs is not None:
            SubElement(SubElement(commodity, t["Classification"]), t["ID"]).text = hs
        if len(codes) == 1:
            _measure(SubElement(item, t["GoodsMeasure"]), t["GrossMassMeasure"], c.gross_weight)


def _party(el: etree._Element, t: _Tags, tag: str, p: Party | None) -> None:
    if p is None:
        return
    party = SubElement(el, t[tag])
    _leaf(party, t["ID"], p.id)
    _leaf(party, t["Name"], p.full_name)
    a = p.address
    if a is not None:
        address = SubElement(party, t["Address"])
        _leaf(address, t["CityName"], a.city)
        _leaf(address, t["CountryCode"], a.country)
        _leaf(address, t["Line"], a.street)
        _leaf(address, t["PostcodeID"], a.postcode)
    for kind, value in (("TE", p.phone), ("EM", p.email)):
        if value is not None:
            comm = SubElement(party, t["Communication"])
            SubElement(comm, t["ID"]).text = value
            SubElement(comm, t["TypeID"]).text = kind


def from_waybill(w: Waybill, outward: bool = False) -> Manifest:
    """A one-consignment manifest whose conveyance is the waybill's flight across China's border:
    the first leg arriving in China (MT1101, ``outward`` False) or the first leaving it (MT2101),
    else its first flight (routing[0]) when no leg's places say so."""
    if not w.routing:
        raise ConversionError(f"waybill {w.number} has no routing: a GACC manifest needs the "
                              "flight (carrier, number, departure date) of routing[0]", path="/routing")
    n = _border_leg(w, outward)
    leg = w.routing[n]
    missing = [f for f in ("carrier", "number", "departure_at") if getattr(leg, f) is None]
    if missing:
        raise ConversionError(f"waybill {w.number}: routing[{n}] lacks {', '.join(missing)}, which a "
                              "GACC manifest needs for its conveyance", path=f"/routing/{n}")
    journey = leg.number if leg.number.startswith(leg.carrier) else leg.carrier + leg.number
    conveyance = Conveyance(mode=TransportMode.AIR, carrier=Party(id=leg.carrier), journey_id=journey,
                            departure_date=leg.departure_at.date())  # the flight date where it departs
    departs = leg.departure or (w.routing[n - 1].arrival if n else None) or w.origin
    return Manifest(header=w.header, conveyance=conveyance, loading_location=departs,
                    unloading_location=leg.arrival or w.destination,
                    consignments=[_waybill_consignment(w)])


def _border_leg(w: Waybill, outward: bool) -> int:
    """The index of the first leg from abroad into China (or, ``outward``, from China abroad); 0 when
    none is known to cross (places without a known country, or a routing that never crosses)."""
    where = w.origin
    for n, leg in enumerate(w.routing):
        departs, arrives = leg.departure or where, leg.arrival
        if arrives is None:
            break
        home = (country_of(departs.code) == CHINA, country_of(arrives.code) == CHINA)
        known = None not in (country_of(departs.code), country_of(arrives.code))
        if known and home == ((True, False) if outward else (False, True)):
            return n
        where = arrives
    return 0


def _waybill_consignment(w: Waybill) -> ManifestConsignment:
    if w.type is WaybillType.HOUSE:
        if w.master_number is None:
            raise ConversionError(f"house waybill {w.number} names no master AWB, which a GACC "
                                  "manifest consignment needs", path="/master_number")
        master, houses = w.master_number, [w.number]
    else:
        master, houses = w.number, []
    return ManifestConsignment(
        transport_document=master, house_documents=houses, pieces=w.pieces,
        gross_weight=w.gross_weight, volume=w.volume, goods_description=w.goods_description,
        hs_codes=w.hs_codes, origin=w.origin, destination=w.destination, consignor=w.shipper,
        consignee=w.consignee, special_handling=w.special_handling, equipment=w.equipment)
