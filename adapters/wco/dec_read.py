"""Reading a WCO DEC declaration into the canonical Declaration.

Where the data model has more than one place for a fact, the hub reads:
- hs_code: the Classification with IdentificationTypeCode TSP, else the first one;
- value: InvoiceLine/ItemChargeAmount, else the item's StatisticalValueAmount;
- quantity: GoodsMeasure/TariffQuantity, else the sum of Packaging/QuantityQuantity
  (unit: its unitCode, else the Rec 21 package type as Rec 20 ``X..`` code);
- a measure without unitCode is in the canonical default unit (KGM);
- procedure: the first GovernmentProcedure/CurrentCode of the first item (DMS
  has procedures per item only);
- trade_country: ExportCountry for an import, Destination for an export;
- origin_country: the item's Origin/CountryCode; an export item without one (DMS leaves
  it optional on exports) has the ExportCountry, the country the goods leave;
- transport_documents: GoodsShipment/Consignment/TransportContractDocument, then
  GoodsShipment/PreviousDocument (item-level previous documents are references
  to earlier declarations, not transport documents, and are not read);
- declaration_office: DeclarationOfficeID, else (DMS leaves it optional: a pre-lodged
  export has none) the ExitOffice, else the SupervisingOffice; none of them is FIELD_MISSING;
- equipment: GoodsShipment/Consignment/TransportEquipment/ID, each once (a ULD id such
  as PMC1337XX is read as its type, serial and owner; a container number whole).
"""

from __future__ import annotations

from lxml import etree

from hub import xmlkit
from hub.errors import ParseError
from hub.models import (
    Address,
    Amount,
    Declaration,
    Direction,
    DocumentReference,
    Function,
    GoodsItem,
    Measure,
    MessageHeader,
    Party,
    TransportEquipment,
)
from hub.validation import element_path

from . import codes
from .dms import DEC, NS, bodies

_CLASSIFICATION_TYPE = "TSP"
_PHONE, _EMAIL = "TE", "EM"


def read_declaration(root: etree._Element) -> Declaration:
    """The canonical declaration of a DEC message (MetaData envelope or bare Declaration)."""
    found = bodies(root, DEC, "Declaration")
    if not found:
        raise ParseError("the WCO envelope carries no Declaration", code="FIELD_MISSING",
                         line=root.sourceline, path=element_path(root) + "/Declaration")
    d = found[0]
    type_code = _text(d, "dec:TypeCode")
    direction = codes.direction_in(type_code)
    shipment = d.find("dec:GoodsShipment", NS)
    return Declaration(
        header=MessageHeader(function=_function(d, type_code)),
        reference=xmlkit.required(d, "dec:FunctionalReferenceID", NS),
        direction=direction,
        type_code=codes.type_code_in(type_code),
        declarant=_party(_child(d, "dec:Declarant")),
        importer=_party(_find(shipment, "dec:Importer")),
        exporter=_party(d.find("dec:Exporter", NS)),
        declaration_office=_office(d),
        procedure=_text(shipment, "dec:GovernmentAgencyGoodsItem/dec:GovernmentProcedure/dec:CurrentCode"),
        transport_mode=codes.transport_mode_in(_text(d, "dec:BorderTransportMeans/dec:ModeCode")),
        transport_documents=_documents(shipment),
        equipment=_equipment(shipment),
        trade_country=_trade_country(shipment, direction),
        issued_at=xmlkit.when_at(d, "dec:IssueDateTime/decds:DateTimeString", NS),
        items=[_item(el, _text(shipment, "dec:ExportCountry/dec:ID") if direction is Direction.EXPORT else None)
               for el in _iter(shipment, "dec:GovernmentAgencyGoodsItem")],
        total_packages=xmlkit.integer(d, "dec:TotalPackageQuantity", NS),
        total_gross_weight=_measure(d, "dec:TotalGrossMassMeasure"),
        total_value=_amount(d, "dec:InvoiceAmount"),
    )


_OFFICES = ("dec:DeclarationOfficeID", "dec:ExitOffice/dec:ID", "dec:SupervisingOffice/dec:ID")


def _office(d: etree._Element) -> str:
    for path in _OFFICES:
        if (office := _text(d, path)) is not None:
            return office
    raise ParseError("DeclarationOfficeID is missing, and no ExitOffice or SupervisingOffice names an office: "
                     "the hub needs the customs office the declaration goes to", code="FIELD_MISSING",
                     line=d.sourceline, path=element_path(d) + "/DeclarationOfficeID")


def _equipment(shipment: etree._Element | None) -> list[TransportEquipment]:
    found: list[TransportEquipment] = []
    for el in _iter(shipment, "dec:Consignment/dec:TransportEquipment"):
        if (identifier := _text(el, "dec:ID")) is not None:
            equipment = TransportEquipment.from_id(identifier)
            if equipment not in found:
                found.append(equipment)
    return found


def _function(d: etree._Element, type_code: str | None) -> Function:
    code = xmlkit.required(d, "dec:FunctionCode", NS)
    function = codes.function_in(code, type_code)
    if function is None:
        node = d.find("dec:FunctionCode", NS)
        raise ParseError(f"FunctionCode {code} is none of 9 (original), 13/5/4 (amendment), "
                         "1 or 13 with TypeCode INV (cancellation)", code="CODE_UNKNOWN",
                         line=node.sourceline, path=element_path(node))
    return function


def _party(el: etree._Element | None) -> Party | None:
    if el is None:
        return None
    return Party(id=_text(el, "dec:ID"), name=_text(el, "dec:Name"),
                 address=_address(el.find("dec:Address", NS)),
                 phone=_communication(el, _PHONE), email=_communication(el, _EMAIL))


def _address(el: etree._Element | None) -> Address | None:
    if el is None:
        return None
    return Address(street=_text(el, "dec:Line"), city=_text(el, "dec:CityName"),
                   postcode=_text(el, "dec:PostcodeID"), country=_text(el, "dec:CountryCode"))


def _communication(party: etree._Element, type_code: str) -> str | None:
    for el in party.iterfind("dec:Communication", NS):
        if _text(el, "dec:TypeCode") == type_code:
            return _text(el, "dec:ID")
    return None


def _item(el: etree._Element, export_country: str | None) -> GoodsItem:
    commodity = _child(el, "dec:Commodity")
    xmlkit.required(el, "dec:SequenceNumeric", NS)
    origin = _text(el, "dec:Origin/dec:CountryCode") or export_country
    return GoodsItem(
        sequence=xmlkit.integer(el, "dec:SequenceNumeric", NS),
        hs_code=_hs_code(commodity),
        description=xmlkit.required(commodity, "dec:Description", NS),
        origin_country=origin or xmlkit.required(el, "dec:Origin/dec:CountryCode", NS),
        quantity=_measure(commodity, "dec:GoodsMeasure/dec:TariffQuantity") or _packages(el),
        value=_item_value(el, commodity),
        gross_weight=_measure(commodity, "dec:GoodsMeasure/dec:GrossMassMeasure"),
        net_weight=_measure(commodity, "dec:GoodsMeasure/dec:NetNetWeightMeasure"),
    )


def _hs_code(commodity: etree._Element) -> str:
    classifications = commodity.findall("dec:Classification", NS)
    for el in classifications:
        if _text(el, "dec:IdentificationTypeCode") == _CLASSIFICATION_TYPE and _text(el, "dec:ID"):
            return _text(el, "dec:ID")
    for el in classifications:
        if _text(el, "dec:ID"):
            return _text(el, "dec:ID")
    raise ParseError("Classification/ID (commodity code, type TSP) is missing", code="FIELD_MISSING",
                     line=commodity.sourceline, path=element_path(commodity) + "/Classification")


def _item_value(el: etree._Element, commodity: etree._Element) -> Amount:
    value = _amount(commodity, "dec:InvoiceLine/dec:ItemChargeAmount") or _amount(el, "dec:StatisticalValueAmount")
    if value is None:
        raise ParseError("InvoiceLine/ItemChargeAmount (or StatisticalValueAmount) is missing",
                         code="FIELD_MISSING", line=el.sourceline,
                         path=element_path(commodity) + "/InvoiceLine/ItemChargeAmount")
    return value


def _packages(el: etree._Element) -> Measure | None:
    packages = [p for p in el.iterfind("dec:Packaging", NS) if _text(p, "dec:QuantityQuantity")]
    if not packages:
        return None
    first = packages[0]
    type_code = _text(first, "dec:TypeCode")
    unit = xmlkit.attr(first, "dec:QuantityQuantity", "unitCode", NS) or (f"X{type_code}" if type_code else "PCE")
    total = sum(xmlkit.integer(p, "dec:QuantityQuantity", NS) for p in packages)
    return Measure(value=total, unit=unit)


def _documents(shipment: etree._Element | None) -> list[DocumentReference]:
    found = [el for el in _iter(shipment, "dec:Consignment/dec:TransportContractDocument")]
    found += [el for el in _iter(shipment, "dec:PreviousDocument") if _text(el, "dec:ID")]
    return [DocumentReference(type=codes.document_type_in(_text(el, "dec:TypeCode")),
                              id=xmlkit.required(el, "dec:ID", NS)) for el in found]


def _trade_country(shipment: etree._Element | None, direction: Direction) -> str | None:
    if direction is Direction.EXPORT:
        return _text(shipment, "dec:Destination/dec:CountryCode")
    return _text(shipment, "dec:ExportCountry/dec:ID")


def _amount(el: etree._Element, path: str) -> Amount | None:
    value = xmlkit.number(el, path, NS)
    if value is None:
        return None
    currency = xmlkit.attr(el, path, "currencyID", NS)
    if not currency:
        node = el.find(path, NS)
        raise ParseError(f"{etree.QName(node).localname} {value} has no currencyID", code="FIELD_MISSING",
                         line=node.sourceline, path=element_path(node) + "/@currencyID")
    return Amount(value=value, currency=currency)


def _measure(el: etree._Element, path: str) -> Measure | None:
    value = xmlkit.number(el, path, NS)
    if value is None:
        return None
    unit = xmlkit.attr(el, path, "unitCode", NS)
    return Measure(value=value, unit=unit) if unit else Measure(value=value)


def _text(el: etree._Element | None, path: str) -> str | None:
    return xmlkit.text(el, path, NS)


def _find(el: etree._Element | None, path: str) -> etree._Element | None:
    return None if el is None else el.find(path, NS)


def _iter(el: etree._Element | None, path: str):
    return iter(()) if el is None else el.iterfind(path, NS)


def _child(el: etree._Element, path: str) -> etree._Element:
    found = el.find(path, NS)
    if found is None:
        local = path.split(":")[-1]
        raise ParseError(f"{local} is missing", code="FIELD_MISSING", line=el.sourceline,
                         path=element_path(el) + "/" + local)
    return found
