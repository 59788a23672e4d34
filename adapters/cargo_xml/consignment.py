"""The consignment body XFWB (MasterConsignment) and XFZB (IncludedHouseConsignment) share.

Both carry weight, volume, pieces, parties, origin and destination, routing,
handling codes, customs notes (OCI) and goods items with the ULDs they are loaded in; they differ in where the
goods items sit and in XFZB's SummaryDescription.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hub.models import Waybill

from .datamodel import R
from .readers import (
    Kids,
    customs_notes,
    goods,
    handling_notes,
    item_equipment,
    location,
    party,
    routing,
    special_handling,
)
from .writers import (
    add_customs_notes,
    add_equipment,
    add_handling,
    add_legs,
    add_location,
    add_measure,
    add_party,
    add_weight,
    node,
    put,
)


def read(el: etree._Element, items: list[etree._Element], summary: bool = False) -> dict[str, Any]:
    """The Waybill fields of a consignment element whose goods items are ``items``."""
    k = Kids(el)
    hs_codes, nature = goods(items)
    if nature is None and summary:
        nature = k.text(R.SummaryDescription)
    return {
        "shipper": party(k.get(R.ConsignorParty)),
        "consignee": party(k.get(R.ConsigneeParty)),
        "agent": party(k.get(R.FreightForwarderParty), R.FreightForwarderAddress),
        "origin": location(k.get(R.OriginLocation)),
        "destination": location(k.get(R.FinalDestinationLocation)),
        "pieces": k.whole(R.TotalPieceQuantity),
        "gross_weight": k.measure(R.IncludedTareGrossWeightMeasure),
        "volume": k.measure(R.GrossVolumeMeasure, "MTQ"),
        "goods_description": nature,
        "hs_codes": hs_codes,
        "special_handling": special_handling(el),
        "handling_notes": handling_notes(el),
        "customs_notes": customs_notes(el),
        "routing": routing(el),
        "equipment": item_equipment(items),
    }


def add_quantities(el: etree._Element, wb: Waybill) -> None:
    """IncludedTareGrossWeightMeasure, GrossVolumeMeasure, TotalPieceQuantity."""
    add_weight(el, R.IncludedTareGrossWeightMeasure, wb.gross_weight)
    add_measure(el, R.GrossVolumeMeasure, wb.volume)
    put(el, R.TotalPieceQuantity, wb.pieces)


def add_body(el: etree._Element, wb: Waybill) -> None:
    """Parties to customs notes, in schema order."""
    add_party(el, R.ConsignorParty, wb.shipper)
    add_party(el, R.ConsigneeParty, wb.consignee)
    add_party(el, R.FreightForwarderParty, wb.agent, forwarder=True)
    add_location(el, R.OriginLocation, wb.origin)
    add_location(el, R.FinalDestinationLocation, wb.destination)
    add_legs(el, wb.routing)
    add_handling(el, wb.special_handling, wb.handling_notes)
    add_customs_notes(el, wb.customs_notes)


def add_item(parent: etree._Element, tag: str, wb: Waybill) -> None:
    """One goods item with every HS code, the whole weight and pieces, and the nature of goods."""
    item = node(parent, tag)
    put(item, R.SequenceNumeric, 1)
    for code in wb.hs_codes:
        put(item, R.TypeCode, code)
    add_weight(item, R.GrossWeightMeasure, wb.gross_weight)
    add_measure(item, R.GrossVolumeMeasure, wb.volume)
    put(item, R.PieceQuantity, wb.pieces)
    if wb.goods_description is not None:
        put(node(item, R.NatureIdentificationTransportCargo), R.Identification, wb.goods_description)
    for uld in wb.equipment:
        add_equipment(item, R.AssociatedUnitLoadTransportEquipment, uld)


def locations(base: str, items: str) -> dict[str, str]:
    """Canonical pointer -> XPath for a consignment at ``base`` whose goods items are at ``items``."""
    notes = f"({base}/ram:IncludedCustomsNote)[{{}}]"
    return {
        "/pieces": f"{base}/ram:TotalPieceQuantity",
        "/gross_weight": f"{base}/ram:IncludedTareGrossWeightMeasure",
        "/volume": f"{base}/ram:GrossVolumeMeasure",
        "/hs_codes/*": f"({base}/{items}/ram:TypeCode)[{{}}]",
        "/goods_description": f"({base}/{items})[1]",
        "/origin": f"{base}/ram:OriginLocation/ram:ID",
        "/destination": f"{base}/ram:FinalDestinationLocation/ram:ID",
        "/shipper": f"{base}/ram:ConsignorParty",
        "/shipper/address/country": f"{base}/ram:ConsignorParty/ram:PostalStructuredAddress/ram:CountryID",
        "/consignee": f"{base}/ram:ConsigneeParty",
        "/consignee/address/country": f"{base}/ram:ConsigneeParty/ram:PostalStructuredAddress/ram:CountryID",
        "/agent": f"{base}/ram:FreightForwarderParty",
        "/agent/address/country": f"{base}/ram:FreightForwarderParty/ram:FreightForwarderAddress/ram:CountryID",
        "/customs_notes/*": notes,
        "/customs_notes/*/country": notes + "/ram:CountryID",
        "/routing/*": f"({base}/ram:SpecifiedLogisticsTransportMovement)[{{}}]",
        "/special_handling/*": f"({base}/ram:HandlingSPHInstructions)[{{}}]",
        "/handling_notes/*": f"({base}/ram:HandlingOSIInstructions)[{{}}]",
    }
