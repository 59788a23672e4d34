"""XFFM FlightManifest: the flight, where it loads, where it unloads, and the consignments on board.

Structure: LogisticsTransportMovement (flight ID, totals, aircraft registration in
UsedLogisticsTransportMeans/Name, DepartureEvent), then one ArrivalEvent per
unloading point with AssociatedTransportCargo (ULD or BLK) holding
IncludedMasterConsignment entries. The canonical manifest has one unloading
location: the first ArrivalEvent gives it, consignments come from all of them,
and output writes one ArrivalEvent with the consignments as bulk (BLK).
"""

from __future__ import annotations

from lxml import etree

from hub.adapters import Probe, RenderContext
from hub.models import (
    Conveyance,
    Document,
    Kind,
    Manifest,
    ManifestConsignment,
    Party,
    TransportMode,
)
from hub.models.manifest import by_equipment

from .base import PURPOSE_CODES, CargoXmlAdapter
from .datamodel import R
from .readers import Kids, carrier_of, equipment, location, special_handling, values
from .writers import add_equipment, add_location, add_measure, add_weight, node, put, when

FLIGHT_MANIFEST_NS = "iata:flightmanifest:1"
_MOVEMENT = "/rsm:FlightManifest/rsm:LogisticsTransportMovement"
_CONSIGNMENT = "(/rsm:FlightManifest/rsm:ArrivalEvent/ram:AssociatedTransportCargo/ram:IncludedMasterConsignment)[{}]"


class Xffm(CargoXmlAdapter):
    """XFFM FlightManifest (air manifests only)."""

    name = "xffm"
    description = "IATA Cargo-XML XFFM flight manifest"
    message_ns = FLIGHT_MANIFEST_NS
    root = "FlightManifest"
    document_name = "Cargo Manifest"
    type_code = "122"
    schema = "cargo_xml/xffm.xsd"
    reads = frozenset({Kind.MANIFEST})
    writes = frozenset({Kind.MANIFEST})
    locations = {
        "/conveyance": _MOVEMENT + "/ram:ID",
        "/loading_location": _MOVEMENT + "/ram:DepartureEvent/ram:OccurrenceDepartureLocation/ram:ID",
        "/unloading_location": "/rsm:FlightManifest/rsm:ArrivalEvent[1]/ram:OccurrenceArrivalLocation/ram:ID",
        "/total_pieces": _MOVEMENT + "/ram:TotalPieceQuantity",
        "/total_gross_weight": _MOVEMENT + "/ram:TotalGrossWeightMeasure",
        "/consignments/*": _CONSIGNMENT,
        "/consignments/*/transport_document": _CONSIGNMENT + "/ram:TransportContractDocument/ram:ID",
        "/consignments/*/pieces": _CONSIGNMENT + "/ram:TotalPieceQuantity",
        "/consignments/*/gross_weight": _CONSIGNMENT + "/ram:GrossWeightMeasure",
        "/consignments/*/volume": _CONSIGNMENT + "/ram:GrossVolumeMeasure",
        "/consignments/*/hs_codes/*": "(" + _CONSIGNMENT + "/ram:IncludedMasterConsignmentItem/ram:TypeCode)[{}]",
        "/consignments/*/origin": _CONSIGNMENT + "/ram:OriginLocation/ram:ID",
        "/consignments/*/destination": _CONSIGNMENT + "/ram:FinalDestinationLocation/ram:ID",
    }

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Manifest) and doc.conveyance.mode is TransportMode.AIR

    def parse(self, probe: Probe) -> Manifest:
        root = probe.tree.getroot()
        parts = Kids(root)
        movement = Kids(self.section(parts, "LogisticsTransportMovement"))
        departure = Kids(movement.part(R.DepartureEvent))
        first_arrival = Kids(self.section(parts, "ArrivalEvent"))
        flight = movement.need(R.ID)
        when_departed = departure.instant(R.DepartureOccurrenceDateTime)
        conveyance = Conveyance(mode=TransportMode.AIR, carrier=Party(id=carrier_of(flight) or flight[:2]),
                                journey_id=flight,
                                departure_date=None if when_departed is None else when_departed.date(),
                                registration=Kids(movement.get(R.UsedLogisticsTransportMeans)).text(R.Name))
        return Manifest(
            header=self.read_header(Kids(self.section(parts, "MessageHeaderDocument"))), conveyance=conveyance,
            loading_location=location(departure.part(R.OccurrenceDepartureLocation)),
            unloading_location=location(first_arrival.part(R.OccurrenceArrivalLocation)),
            arrival_at=first_arrival.instant(R.ArrivalOccurrenceDateTime),
            consignments=[_consignment(c, uld) for arrival in root.iterchildren(self.rsm("ArrivalEvent"))
                          for cargo in arrival.iterchildren(R.AssociatedTransportCargo)
                          for uld in (equipment(cargo.find(R.UtilizedUnitLoadTransportEquipment)),)
                          for c in cargo.iterchildren(R.IncludedMasterConsignment)],
            total_pieces=movement.whole(R.TotalPieceQuantity),
            total_gross_weight=movement.measure(R.TotalGrossWeightMeasure))

    def build(self, doc: Manifest, ctx: RenderContext) -> etree._Element:
        c = doc.conveyance
        carrier = c.carrier.id or ""
        flight = c.journey_id if c.journey_id.startswith(carrier) else carrier + c.journey_id
        root = self.start(self.type_code, PURPOSE_CODES[doc.header.function], doc.header, ctx)
        put(node(root, self.rsm("BusinessHeaderDocument")), R.ID, f"{flight}/{c.departure_date.isoformat()}")
        movement = node(root, self.rsm("LogisticsTransportMovement"))
        put(movement, R.StageCode, "Main-Carriage")
        put(movement, R.ModeCode, "4")
        put(movement, R.Mode, "AIR TRANSPORT")
        put(movement, R.ID, flight)
        put(movement, R.SequenceNumeric, 1)
        add_weight(movement, R.TotalGrossWeightMeasure, doc.total_gross_weight)
        put(movement, R.TotalPieceQuantity, doc.total_pieces)
        if c.registration is not None:
            put(node(movement, R.UsedLogisticsTransportMeans), R.Name, c.registration)
        departure = node(movement, R.DepartureEvent)
        put(departure, R.DepartureOccurrenceDateTime, f"{c.departure_date.isoformat()}T00:00:00")
        put(departure, R.DepartureDateTimeTypeCode, "S")
        add_location(departure, R.OccurrenceDepartureLocation, doc.loading_location, "Airport")
        self._add_arrival(node(root, self.rsm("ArrivalEvent")), doc)
        return root

    @staticmethod
    def _add_arrival(arrival: etree._Element, doc: Manifest) -> None:
        if doc.arrival_at is not None:
            put(arrival, R.ArrivalOccurrenceDateTime, when(doc.arrival_at))
            put(arrival, R.ArrivalDateTimeTypeCode, "S")
        add_location(arrival, R.OccurrenceArrivalLocation, doc.unloading_location, "Airport")
        if not doc.consignments:
            put(node(arrival, R.AssociatedTransportCargo), R.TypeCode, "NIL")
        for uld, items in by_equipment(doc.consignments):
            cargo = node(arrival, R.AssociatedTransportCargo)
            put(cargo, R.TypeCode, "BLK" if uld is None else "ULD")
            if uld is not None:
                add_equipment(cargo, R.UtilizedUnitLoadTransportEquipment, uld)
            for item in items:
                _add_consignment(node(cargo, R.IncludedMasterConsignment), item)


def _consignment(el: etree._Element, uld: dict | None) -> ManifestConsignment:
    k = Kids(el)
    return ManifestConsignment(
        equipment=[] if uld is None else [uld],
        transport_document=Kids(k.part(R.TransportContractDocument)).need(R.ID),
        house_documents=[h for house in el.iterchildren(R.IncludedHouseConsignment)
                         if (h := Kids(Kids(house).get(R.TransportContractDocument)).text(R.ID))],
        pieces=k.whole(R.TotalPieceQuantity),
        gross_weight=k.measure(R.GrossWeightMeasure),
        volume=k.measure(R.GrossVolumeMeasure, "MTQ"),
        goods_description=k.text(R.SummaryDescription),
        hs_codes=[code for item in el.iterchildren(R.IncludedMasterConsignmentItem)
                  for code in values(item, R.TypeCode)],
        origin=location(k.get(R.OriginLocation)),
        destination=location(k.get(R.FinalDestinationLocation)),
        special_handling=special_handling(el))


def _add_consignment(el: etree._Element, item: ManifestConsignment) -> None:
    add_weight(el, R.GrossWeightMeasure, item.gross_weight)
    add_measure(el, R.GrossVolumeMeasure, item.volume)
    put(el, R.TotalPieceQuantity, item.pieces)
    put(el, R.SummaryDescription, item.goods_description)
    put(el, R.TransportSplitDescription, "T")
    put(node(el, R.TransportContractDocument), R.ID, item.transport_document)
    add_location(el, R.OriginLocation, item.origin)
    add_location(el, R.FinalDestinationLocation, item.destination)
    for code in item.special_handling:
        put(node(el, R.HandlingSPHInstructions), R.DescriptionCode, code)
    if item.hs_codes:
        goods = node(el, R.IncludedMasterConsignmentItem)
        for code in item.hs_codes:
            put(goods, R.TypeCode, code)
    for house in item.house_documents:
        put(node(node(el, R.IncludedHouseConsignment), R.TransportContractDocument), R.ID, house)
