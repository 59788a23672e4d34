"""Reading iata:datamodel:3 parts into canonical values.

Readers accept None (an absent parent) and return None for absent values, so
nested look-ups chain without guards; required values raise ParseError with
the line and path of the parent element.

Design note (speed): parts (a party, a location, a measure ...) are read as the
plain field values of their canonical model, and the adapter validates the
whole document in one pydantic call: one nested validation costs a fraction of
one model construction per part, and it checks exactly the same.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from adapters.flights import carrier_of
from hub.errors import ParseError
from hub.validation import element_path
from hub.xmlkit import decimal_of, parse_when

from .datamodel import R

Fields = dict[str, Any]
"""The field values of a canonical model (Party, Location, Measure ...), validated with the document."""


class Kids:
    """The first child of each tag of one element, indexed in one pass (None: an absent element).

    One pass over the children and dictionary look-ups cost less than one
    ``iterchildren`` or ``find`` per field of a party, note or location.
    """

    __slots__ = ("el", "_first")

    def __init__(self, el: etree._Element | None) -> None:
        self.el = el
        found: dict[object, etree._Element] = {}
        if el is not None:
            for child in el:
                tag = child.tag
                if tag not in found:
                    found[tag] = child
        self._first = found

    def get(self, tag: str) -> etree._Element | None:
        """The first child called ``tag``, or None."""
        return self._first.get(tag)

    def text(self, tag: str) -> str | None:
        """Its stripped text; None when absent or empty."""
        node = self._first.get(tag)
        if node is None:
            return None
        return _clean(node.text)

    def need(self, tag: str) -> str:
        """A text that must be there; its absence is a parse error naming the element."""
        found = self.text(tag)
        if found is None:
            raise _missing(self.el, tag)
        return found

    def part(self, tag: str) -> etree._Element:
        """A child that must be there."""
        found = self._first.get(tag)
        if found is None:
            raise _missing(self.el, tag)
        return found

    def whole(self, tag: str) -> int | None:
        """A whole number (a piece count), or None when absent."""
        node = self._first.get(tag)
        if node is None or not (node.text or "").strip():
            return None
        number = _decimal(node)
        if number != number.to_integral_value():
            raise ParseError(f"{number} is not a whole number", code="NUMBER_INVALID", line=node.sourceline,
                             path=element_path(node))
        return int(number)

    def measure(self, tag: str, unit: str = "KGM") -> Fields | None:
        """A value with its unitCode (a Measure), e.g. IncludedTareGrossWeightMeasure."""
        node = self._first.get(tag)
        if node is None or not (node.text or "").strip():
            return None
        return {"value": _decimal(node), "unit": node.get("unitCode") or unit}

    def instant(self, tag: str) -> datetime | None:
        """An xs:dateTime, or None."""
        node = self._first.get(tag)
        if node is None or not (node.text or "").strip():
            return None
        return parse_when(node.text, node)


def _clean(text: str | None) -> str | None:
    """Text stripped at both ends, None when nothing is left (CRLF is LF already: the parser normalises it)."""
    return (text.strip() or None) if text else None


def values(el: etree._Element | None, tag: str) -> list[str]:
    """The non-empty stripped texts of every ``tag`` child."""
    if el is None:
        return []
    return [t for t in (_clean(c.text) for c in el.iterchildren(tag)) if t]


def equipment(el: etree._Element | None) -> Fields | None:
    """A ULD (AssociatedUnitLoadTransportEquipment, UtilizedUnitLoadTransportEquipment) as
    TransportEquipment fields: ID the serial, CharacteristicCode the ULD type, OperatingParty the
    owner. None when it names neither a serial nor a type."""
    if el is None:
        return None
    k = Kids(el)
    serial, type_code = k.text(R.ID), k.text(R.CharacteristicCode)
    if serial is None and type_code is None:
        return None
    return {"type_code": type_code, "serial": serial, "owner": Kids(k.get(R.OperatingParty)).text(R.PrimaryID)}


def item_equipment(items: list[etree._Element]) -> list[Fields]:
    """The ULDs the goods items are loaded in, each once, in document order."""
    found: list[Fields] = []
    for item in items:
        for el in item.iterchildren(R.AssociatedUnitLoadTransportEquipment):
            uld = equipment(el)
            if uld is not None and uld not in found:
                found.append(uld)
    return found


def location(el: etree._Element | None) -> Fields | None:
    """An OriginLocation, OccurrenceArrivalLocation ... as code and optional name (a Location)."""
    if el is None:
        return None
    k = Kids(el)
    return {"code": k.need(R.ID), "name": k.text(R.Name)}


def party(el: etree._Element | None, address_tag: str = R.PostalStructuredAddress) -> Fields | None:
    """A Party; its AccountID (else PrimaryID) becomes Party.id; the first trade contact gives phone and email."""
    if el is None:
        return None
    k = Kids(el)
    contact = Kids(k.get(R.DefinedTradeContact))
    return {"id": k.text(R.AccountID) or k.text(R.PrimaryID), "name": k.text(R.Name),
            "address": address(k.get(address_tag)),
            "phone": Kids(contact.get(R.DirectTelephoneCommunication)).text(R.CompleteNumber),
            "email": Kids(contact.get(R.URIEmailCommunication)).text(R.URIID)}


def address(el: etree._Element | None) -> Fields | None:
    """A PostalStructuredAddress or FreightForwarderAddress; several StreetName lines join with new lines."""
    if el is None:
        return None
    k = Kids(el)
    streets = values(el, R.StreetName)
    return {"street": "\n".join(streets) if streets else None, "city": k.text(R.CityName),
            "postcode": k.text(R.PostcodeCode), "country": k.text(R.CountryID)}


def customs_notes(el: etree._Element) -> list[Fields]:
    """Every IncludedCustomsNote (OCI line) of ``el``, as CustomsNote fields."""
    return [_customs_note(Kids(n)) for n in el.iterchildren(R.IncludedCustomsNote)]


def _customs_note(k: Kids) -> Fields:
    return {"content_code": k.need(R.ContentCode), "content": k.need(R.Content),
            "subject_code": k.text(R.SubjectCode), "country": k.text(R.CountryID)}


def special_handling(el: etree._Element) -> list[str]:
    """The SPH codes (HandlingSPHInstructions/DescriptionCode)."""
    return [code for n in el.iterchildren(R.HandlingSPHInstructions) if (code := Kids(n).text(R.DescriptionCode))]


def handling_notes(el: etree._Element) -> list[str]:
    """The OSI texts (HandlingOSIInstructions/Description)."""
    return [text for n in el.iterchildren(R.HandlingOSIInstructions) if (text := Kids(n).text(R.Description))]


def routing(el: etree._Element) -> list[Fields]:
    """The SpecifiedLogisticsTransportMovement legs (TransportLeg fields), in document order."""
    return [_leg(Kids(m)) for m in el.iterchildren(R.SpecifiedLogisticsTransportMovement)]


def _leg(k: Kids) -> Fields:
    departure = Kids(k.get(R.DepartureEvent))
    number = k.text(R.ID)
    carrier = Kids(k.get(R.UsedLogisticsTransportMeans)).text(R.Name)
    if carrier is None and number is not None:
        carrier = carrier_of(number)
    return {"carrier": carrier, "number": number,
            "departure": location(departure.get(R.OccurrenceDepartureLocation)),
            "arrival": location(Kids(k.get(R.ArrivalEvent)).get(R.OccurrenceArrivalLocation)),
            "departure_at": departure.instant(R.ScheduledOccurrenceDateTime)}


def goods(items: list[etree._Element]) -> tuple[list[str], str | None]:
    """HS codes (item TypeCode) and the nature of goods of the goods items, joined by new lines."""
    codes = [code for item in items for code in values(item, R.TypeCode)]
    natures = [n for item in items
               if (n := Kids(Kids(item).get(R.NatureIdentificationTransportCargo)).text(R.Identification))]
    return codes, "\n".join(natures) if natures else None


def _decimal(node: etree._Element) -> Decimal:
    return decimal_of(node.text.strip(), node)


def _missing(el: etree._Element, tag: str) -> ParseError:
    local = etree.QName(tag).localname
    return ParseError(f"{local} is missing", code="FIELD_MISSING", line=el.sourceline,
                      path=element_path(el) + "/" + local)
