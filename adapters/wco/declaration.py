"""The WCO DEC goods declaration adapter (UK DMS profile compatible)."""

from __future__ import annotations

from typing import ClassVar

from lxml import etree

from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.models import Declaration, Document, Kind

from .dec_read import read_declaration
from .dec_write import write_declaration
from .dms import DEC, MD, NS, bodies, type_name

_DECLARATION = "//dec:Declaration"
_ITEM = "//dec:GoodsShipment/dec:GovernmentAgencyGoodsItem[{0}]"
_COMMODITY = _ITEM + "/dec:Commodity"


class WcoDeclaration(XmlAdapter):
    """WCO Data Model DEC: md:MetaData (WCOTypeName DEC) or a bare Declaration."""

    name = "wco-dec"
    family = "wco"
    description = "WCO Data Model 3.6 DEC goods declaration (UK CDS DMS profile)"
    reads = frozenset({Kind.DECLARATION})
    writes = frozenset({Kind.DECLARATION})
    schema = "wco/dec.xsd"
    root_names = ((MD, "MetaData"), (DEC, "Declaration"))
    namespaces = NS
    locations: ClassVar[dict[str, str]] = {
        "/reference": f"{_DECLARATION}/dec:FunctionalReferenceID",
        "/declaration_office": f"{_DECLARATION}/dec:DeclarationOfficeID",
        "/issued_at": f"{_DECLARATION}/dec:IssueDateTime",
        "/declarant": f"{_DECLARATION}/dec:Declarant",
        "/declarant/address/country": f"{_DECLARATION}/dec:Declarant/dec:Address/dec:CountryCode",
        "/exporter": f"{_DECLARATION}/dec:Exporter",
        "/exporter/address/country": f"{_DECLARATION}/dec:Exporter/dec:Address/dec:CountryCode",
        "/importer": "//dec:GoodsShipment/dec:Importer",
        "/importer/address/country": "//dec:GoodsShipment/dec:Importer/dec:Address/dec:CountryCode",
        "/trade_country": "//dec:GoodsShipment/dec:ExportCountry/dec:ID"
                          " | //dec:GoodsShipment/dec:Destination/dec:CountryCode",
        "/items": "//dec:GoodsShipment",
        "/items/*": _ITEM,
        "/items/*/hs_code": f"{_COMMODITY}/dec:Classification[dec:IdentificationTypeCode='TSP']/dec:ID",
        "/items/*/hs_code/*": f"{_COMMODITY}/dec:Classification[dec:IdentificationTypeCode='TSP']/dec:ID",
        "/items/*/description": f"{_COMMODITY}/dec:Description",
        "/items/*/origin_country": f"{_ITEM}/dec:Origin/dec:CountryCode",
        "/items/*/value": f"{_ITEM}/dec:StatisticalValueAmount",
        "/items/*/value/value": f"{_COMMODITY}/dec:InvoiceLine/dec:ItemChargeAmount",
        "/items/*/value/currency": f"{_COMMODITY}/dec:InvoiceLine/dec:ItemChargeAmount",
        "/items/*/quantity": f"{_ITEM}/dec:Packaging/dec:QuantityQuantity",
        "/items/*/quantity/value": f"{_COMMODITY}/dec:GoodsMeasure/dec:TariffQuantity",
        "/items/*/gross_weight/value": f"{_COMMODITY}/dec:GoodsMeasure/dec:GrossMassMeasure",
        "/items/*/net_weight/value": f"{_COMMODITY}/dec:GoodsMeasure/dec:NetNetWeightMeasure",
        "/total_packages": f"{_DECLARATION}/dec:TotalPackageQuantity",
        "/total_gross_weight/value": f"{_DECLARATION}/dec:TotalGrossMassMeasure",
        "/total_value/value": f"{_DECLARATION}/dec:InvoiceAmount",
        "/total_value/currency": f"{_DECLARATION}/dec:InvoiceAmount",
    }

    def detect(self, probe: Probe) -> bool:
        if not super().detect(probe):
            return False
        root = probe.tree.getroot()
        if root.tag == f"{{{DEC}}}Declaration":
            return True
        wco_type = type_name(root)
        return wco_type == "DEC" or (wco_type is None and bool(bodies(root, DEC, "Declaration")))

    def parse(self, probe: Probe) -> Document:
        return read_declaration(probe.tree.getroot())

    def build(self, doc: Document, ctx: RenderContext) -> etree._Element:
        assert isinstance(doc, Declaration)  # XmlAdapter.render checked the kind
        return write_declaration(doc)
