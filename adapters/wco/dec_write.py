"""Writing the canonical Declaration as a WCO DEC in the DMS profile's element order.

Every canonical field has one place, the one :mod:`dec_read` reads first, so a
declaration survives canonical -> DEC -> canonical unchanged. Known limits of the
DMS profile (see :mod:`codes` and :mod:`dms`): a cancellation's TypeCode is INV,
so its declaration type and direction are not carried; a non-WCO type_code gives
way to the direction; transport documents are written as PreviousDocument
(category Z) because the profile has no TransportContractDocument; the
procedure is repeated on every item because the profile has no header-level
procedure; text is folded onto one line. Equipment (containers, ULDs) is written as
GoodsShipment/Consignment/TransportEquipment, a ULD as one ID (PMC1337XX). Party IDs may have 35 characters (the
generic data model's limit, see :mod:`dms`), not the UK EORI's 17.
"""

from __future__ import annotations

from lxml import etree

from hub import xmlkit
from hub.models import Address, Declaration, Direction, GoodsItem, Party

from . import codes
from .dms import (
    AMOUNT_DIGITS,
    COUNT_DIGITS,
    DEC,
    DEC_DS,
    MEASURE_DIGITS,
    PARTY_ID_LENGTH,
    envelope,
    fit,
    put,
    put_number,
    put_when,
)

_CLASSIFICATION_TYPE = "TSP"
_PHONE, _EMAIL = "TE", "EM"


def q(local: str) -> str:
    """The DEC-namespace tag of a local name."""
    return f"{{{DEC}}}{local}"


def write_declaration(doc: Declaration) -> etree._Element:
    """md:MetaData (WCOTypeName DEC) wrapping the Declaration."""
    root = envelope("DEC", {None: DEC, "p1": DEC_DS})
    d = xmlkit.container(root, q("Declaration"))
    xmlkit.add(d, q("FunctionCode"), codes.function_out(doc.function))
    put(d, q("FunctionalReferenceID"), doc.reference, 35, "/reference")
    put_when(d, q("IssueDateTime"), DEC_DS, doc.issued_at, "/issued_at")
    xmlkit.add(d, q("TypeCode"), codes.type_code_out(doc.function, doc.direction, doc.type_code))
    put_number(d, q("GoodsItemQuantity"), len(doc.items), "/items", (5, 0))
    put(d, q("DeclarationOfficeID"), doc.declaration_office, 17, "/declaration_office")
    _totals(d, doc)
    if doc.transport_mode is not None:
        xmlkit.add(xmlkit.container(d, q("BorderTransportMeans")), q("ModeCode"), doc.transport_mode.rec19)
    _party(d, "Declarant", doc.declarant, "/declarant")
    _party(d, "Exporter", doc.exporter, "/exporter")
    _shipment(xmlkit.container(d, q("GoodsShipment")), doc)
    return root


def _totals(d: etree._Element, doc: Declaration) -> None:
    if doc.total_value is not None:
        put_number(d, q("InvoiceAmount"), doc.total_value.value, "/total_value/value", AMOUNT_DIGITS,
                   currencyID=doc.total_value.currency)
    if doc.total_gross_weight is not None:
        put_number(d, q("TotalGrossMassMeasure"), doc.total_gross_weight.value, "/total_gross_weight/value",
                   MEASURE_DIGITS, unitCode=_unit(doc.total_gross_weight.unit, "/total_gross_weight/unit"))
    put_number(d, q("TotalPackageQuantity"), doc.total_packages, "/total_packages", COUNT_DIGITS)


def _party(parent: etree._Element, tag: str, party: Party | None, pointer: str) -> None:
    if party is None:
        return
    el = xmlkit.container(parent, q(tag))
    put(el, q("Name"), party.full_name, 70, f"{pointer}/name")
    put(el, q("ID"), party.id, PARTY_ID_LENGTH, f"{pointer}/id")
    _address(el, party.address, f"{pointer}/address")
    for value, type_code, field in ((party.phone, _PHONE, "phone"), (party.email, _EMAIL, "email")):
        if value is not None:
            communication = xmlkit.container(el, q("Communication"))
            put(communication, q("ID"), value, 50, f"{pointer}/{field}")
            xmlkit.add(communication, q("TypeCode"), type_code)


def _address(parent: etree._Element, address: Address | None, pointer: str) -> None:
    if address is None:
        return
    el = xmlkit.container(parent, q("Address"))
    put(el, q("CityName"), address.city, 35, f"{pointer}/city")
    put(el, q("CountryCode"), address.country, 2, f"{pointer}/country")
    put(el, q("Line"), address.street, 70, f"{pointer}/street")
    put(el, q("PostcodeID"), address.postcode, 9, f"{pointer}/postcode")


def _shipment(shipment: etree._Element, doc: Declaration) -> None:
    if doc.equipment:
        consignment = xmlkit.container(shipment, q("Consignment"))
        for i, equipment in enumerate(doc.equipment):
            el = xmlkit.container(consignment, q("TransportEquipment"))
            put_number(el, q("SequenceNumeric"), i + 1, f"/equipment/{i}", (5, 0))
            put(el, q("ID"), equipment.id, 17, f"/equipment/{i}/serial")
    if doc.direction is Direction.EXPORT and doc.trade_country is not None:
        put(xmlkit.container(shipment, q("Destination")), q("CountryCode"), doc.trade_country, 2,
            "/trade_country")
    elif doc.trade_country is not None:
        put(xmlkit.container(shipment, q("ExportCountry")), q("ID"), doc.trade_country, 2, "/trade_country")
    for i, item in enumerate(doc.items):
        _item(xmlkit.container(shipment, q("GovernmentAgencyGoodsItem")), item, doc.procedure, f"/items/{i}")
    _party(shipment, "Importer", doc.importer, "/importer")
    for i, document in enumerate(doc.transport_documents):
        pointer = f"/transport_documents/{i}"
        el = xmlkit.container(shipment, q("PreviousDocument"))
        xmlkit.add(el, q("CategoryCode"), codes.PREVIOUS_DOCUMENT_CATEGORY)
        put(el, q("ID"), document.id, 70, f"{pointer}/id")
        put(el, q("TypeCode"), codes.document_code_out(document.type, f"{pointer}/type"), 3, f"{pointer}/type")


def _item(el: etree._Element, item: GoodsItem, procedure: str | None, pointer: str) -> None:
    put_number(el, q("SequenceNumeric"), item.sequence, f"{pointer}/sequence", (5, 0))
    commodity = xmlkit.container(el, q("Commodity"))
    put(commodity, q("Description"), item.description, 512, f"{pointer}/description")
    classification = xmlkit.container(commodity, q("Classification"))
    put(classification, q("ID"), item.hs_code, 18, f"{pointer}/hs_code")
    xmlkit.add(classification, q("IdentificationTypeCode"), _CLASSIFICATION_TYPE)
    _measures(commodity, item, pointer)
    put_number(xmlkit.container(commodity, q("InvoiceLine")), q("ItemChargeAmount"), item.value.value,
               f"{pointer}/value/value", AMOUNT_DIGITS, currencyID=item.value.currency)
    if procedure is not None:
        put(xmlkit.container(el, q("GovernmentProcedure")), q("CurrentCode"), procedure, 7, "/procedure")
    put(xmlkit.container(el, q("Origin")), q("CountryCode"), item.origin_country, 4,
        f"{pointer}/origin_country")


def _measures(commodity: etree._Element, item: GoodsItem, pointer: str) -> None:
    measures = (("GrossMassMeasure", item.gross_weight, "gross_weight"),
                ("NetNetWeightMeasure", item.net_weight, "net_weight"),
                ("TariffQuantity", item.quantity, "quantity"))
    if all(measure is None for _, measure, _ in measures):
        return
    el = xmlkit.container(commodity, q("GoodsMeasure"))
    for tag, measure, field in measures:
        if measure is not None:
            put_number(el, q(tag), measure.value, f"{pointer}/{field}/value", MEASURE_DIGITS,
                       unitCode=_unit(measure.unit, f"{pointer}/{field}/unit"))


def _unit(unit: str, pointer: str) -> str | None:
    return fit(unit, 5, pointer, "unitCode")
