"""XFWB (master air waybill) and XFZB (house waybill)."""

from __future__ import annotations

from lxml import etree

from hub.adapters import Probe, RenderContext
from hub.errors import ConversionError
from hub.models import Document, Kind, Waybill, WaybillType

from . import consignment
from .base import PURPOSE_CODES, CargoXmlAdapter
from .datamodel import R
from .readers import Kids
from .writers import node, put

WAYBILL_NS = "iata:waybill:1"
HOUSE_WAYBILL_NS = "iata:housewaybill:1"
DIRECT, CONSOLIDATION, HOUSE = "740", "741", "703"


class Xfwb(CargoXmlAdapter):
    """XFWB Waybill: the master air waybill; the AWB is the BusinessHeaderDocument ID."""

    name = "xfwb"
    description = "IATA Cargo-XML XFWB master air waybill (740 direct, 741 consolidation)"
    message_ns = WAYBILL_NS
    root = "Waybill"
    document_name = "Master Air Waybill"
    schema = "cargo_xml/xfwb.xsd"
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})
    locations = {"/number": "/rsm:Waybill/rsm:BusinessHeaderDocument/ram:ID",
                 **consignment.locations("/rsm:Waybill/rsm:MasterConsignment",
                                         "ram:ApplicableRating/ram:IncludedMasterConsignmentItem")}

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Waybill) and doc.type is WaybillType.MASTER

    def parse(self, probe: Probe) -> Waybill:
        parts = Kids(probe.tree.getroot())
        head = Kids(self.section(parts, "MessageHeaderDocument"))
        master = self.section(parts, "MasterConsignment")
        items = [item for rating in master.iterchildren(R.ApplicableRating)
                 for item in rating.iterchildren(R.IncludedMasterConsignmentItem)]
        return Waybill(header=self.read_header(head), type=WaybillType.MASTER,
                       number=Kids(self.section(parts, "BusinessHeaderDocument")).need(R.ID),
                       consolidation=head.text(R.TypeCode) == CONSOLIDATION, **consignment.read(master, items))

    def build(self, doc: Waybill, ctx: RenderContext) -> etree._Element:
        root = self.start(CONSOLIDATION if doc.consolidation else DIRECT,
                          PURPOSE_CODES[doc.header.function], doc.header, ctx)
        business = node(root, self.rsm("BusinessHeaderDocument"))
        put(business, R.ID, doc.number)
        note = node(business, R.IncludedHeaderNote)
        put(note, R.ContentCode, "C" if doc.consolidation else "D")
        put(note, R.Content, "Consolidation" if doc.consolidation else "Direct Shipment")
        master = node(root, self.rsm("MasterConsignment"))
        consignment.add_quantities(master, doc)
        consignment.add_body(master, doc)
        consignment.add_item(node(master, R.ApplicableRating), R.IncludedMasterConsignmentItem, doc)
        return root


class Xfzb(CargoXmlAdapter):
    """XFZB HouseWaybill: one house consignment below its master AWB."""

    name = "xfzb"
    description = "IATA Cargo-XML XFZB house waybill (703)"
    message_ns = HOUSE_WAYBILL_NS
    root = "HouseWaybill"
    document_name = "House Waybill"
    schema = "cargo_xml/xfzb.xsd"
    reads = frozenset({Kind.WAYBILL})
    writes = frozenset({Kind.WAYBILL})
    _MASTER = "/rsm:HouseWaybill/rsm:MasterConsignment"
    _HOUSE = _MASTER + "/ram:IncludedHouseConsignment"
    locations = {"/number": _HOUSE + "/ram:ID",
                 "/master_number": _MASTER + "/ram:TransportContractDocument/ram:ID",
                 **consignment.locations(_HOUSE, "ram:IncludedHouseConsignmentItem")}

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Waybill) and doc.type is WaybillType.HOUSE

    def parse(self, probe: Probe) -> Waybill:
        parts = Kids(probe.tree.getroot())
        master = Kids(self.section(parts, "MasterConsignment"))
        house = master.part(R.IncludedHouseConsignment)
        return Waybill(header=self.read_header(Kids(self.section(parts, "MessageHeaderDocument"))),
                       type=WaybillType.HOUSE, number=Kids(house).need(R.ID),
                       master_number=Kids(master.part(R.TransportContractDocument)).need(R.ID),
                       **consignment.read(house, list(house.iterchildren(R.IncludedHouseConsignmentItem)),
                                          summary=True))

    def build(self, doc: Waybill, ctx: RenderContext) -> etree._Element:
        if doc.master_number is None:
            raise ConversionError(f"house waybill {doc.number} has no master AWB; an XFZB needs one",
                                  code="CONVERT_FIELD_MISSING")
        root = self.start(HOUSE, PURPOSE_CODES[doc.header.function], doc.header, ctx)
        put(node(root, self.rsm("BusinessHeaderDocument")), R.ID, doc.number)
        master = node(root, self.rsm("MasterConsignment"))
        put(node(master, R.TransportContractDocument), R.ID, doc.master_number)
        house = node(master, R.IncludedHouseConsignment)
        put(house, R.ID, doc.number)
        consignment.add_quantities(house, doc)
        put(house, R.SummaryDescription, doc.goods_description)
        consignment.add_body(house, doc)
        consignment.add_item(house, R.IncludedHouseConsignmentItem, doc)
        return root
