"""Writing canonical values as iata:datamodel:3 parts, children in schema order."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from lxml import etree

from hub.errors import ConversionError
from hub.models import Address, CustomsNote, Location, Measure, Party, TransportEquipment, TransportLeg
from hub.xmlkit import fmt_decimal

from .datamodel import R

node = etree.SubElement
"""Append an empty element: ``node(parent, R.OriginLocation)``."""


def put(parent: etree._Element, tag: str, text: object) -> None:
    """Append ``<tag>text</tag>`` unless text is None (decimals keep their scale)."""
    if text is not None:
        etree.SubElement(parent, tag).text = text if type(text) is str else _format(text)


def _format(number: object) -> str:
    return fmt_decimal(number) if isinstance(number, Decimal) else str(number)


def when(moment: datetime) -> str:
    """An xs:dateTime, keeping fractions of a second and any offset."""
    return moment.isoformat()


def add_measure(parent: etree._Element, tag: str, measured: Measure | None) -> None:
    """A value with its unitCode (volumes and other measures)."""
    if measured is not None:
        etree.SubElement(parent, tag, unitCode=measured.unit).text = fmt_decimal(measured.value)


_TO_KILOGRAMS = {"TNE": Decimal(1000), "GRM": Decimal("0.001")}


def add_weight(parent: etree._Element, tag: str, weight: Measure | None) -> None:
    """A weight in KGM or LBR, the only units Cargo-XML knows; tonnes and grams become KGM."""
    if weight is None:
        return
    if weight.unit in _TO_KILOGRAMS:
        weight = Measure(value=(weight.value * _TO_KILOGRAMS[weight.unit]).normalize(), unit="KGM")
    elif weight.unit not in ("KGM", "LBR"):
        raise ConversionError(f"Cargo-XML weights are in KGM or LBR, not {weight.unit}", code="CONVERT_UNIT")
    add_measure(parent, tag, weight)


def add_location(parent: etree._Element, tag: str, place: Location | None, type_code: str | None = None) -> None:
    """ID, Name and an optional TypeCode (Airport) of a place."""
    if place is not None:
        el = node(parent, tag)
        put(el, R.ID, place.code)
        put(el, R.Name, place.name)
        put(el, R.TypeCode, type_code)


def add_party(parent: etree._Element, tag: str, who: Party | None, forwarder: bool = False) -> None:
    """ConsignorParty, ConsigneeParty (PartyType) or FreightForwarderParty (its own address tag)."""
    if who is None:
        return
    el = node(parent, tag)
    put(el, R.Name, who.full_name)
    put(el, R.AccountID, who.id)
    if who.address is not None:
        _add_address(node(el, R.FreightForwarderAddress if forwarder else R.PostalStructuredAddress), who.address)
    if who.phone is not None or who.email is not None:
        contact = node(el, R.DefinedTradeContact)
        if who.phone is not None:
            put(node(contact, R.DirectTelephoneCommunication), R.CompleteNumber, who.phone)
        if who.email is not None:
            put(node(contact, R.URIEmailCommunication), R.URIID, who.email)


def _add_address(el: etree._Element, where: Address) -> None:
    put(el, R.PostcodeCode, where.postcode)
    put(el, R.StreetName, where.street)
    put(el, R.CityName, where.city)
    put(el, R.CountryID, where.country)


def add_legs(parent: etree._Element, legs: list[TransportLeg]) -> None:
    """One SpecifiedLogisticsTransportMovement per leg, numbered from 1."""
    for sequence, leg in enumerate(legs, 1):
        el = node(parent, R.SpecifiedLogisticsTransportMovement)
        put(el, R.StageCode, "Main-Carriage")
        put(el, R.ModeCode, "4")
        put(el, R.ID, leg.number)
        put(el, R.SequenceNumeric, sequence)
        if leg.carrier is not None:
            put(node(el, R.UsedLogisticsTransportMeans), R.Name, leg.carrier)
        if leg.arrival is not None:
            add_location(node(el, R.ArrivalEvent), R.OccurrenceArrivalLocation, leg.arrival)
        if leg.departure is not None or leg.departure_at is not None:
            event = node(el, R.DepartureEvent)
            put(event, R.ScheduledOccurrenceDateTime, None if leg.departure_at is None else when(leg.departure_at))
            add_location(event, R.OccurrenceDepartureLocation, leg.departure)


def add_handling(parent: etree._Element, sph: list[str], osi: list[str]) -> None:
    """SPH codes, then OSI texts."""
    for code in sph:
        put(node(parent, R.HandlingSPHInstructions), R.DescriptionCode, code)
    for note in osi:
        put(node(parent, R.HandlingOSIInstructions), R.Description, note)


def add_customs_notes(parent: etree._Element, notes: list[CustomsNote]) -> None:
    """One IncludedCustomsNote (OCI line) per note."""
    for note in notes:
        el = node(parent, R.IncludedCustomsNote)
        put(el, R.ContentCode, note.content_code)
        put(el, R.Content, note.content)
        put(el, R.SubjectCode, note.subject_code)
        put(el, R.CountryID, note.country)


def add_equipment(parent: etree._Element, tag: str, uld: TransportEquipment) -> None:
    """One ULD: ID (serial), CharacteristicCode (ULD type), OperatingParty/PrimaryID (owner)."""
    el = node(parent, tag)
    put(el, R.ID, uld.serial)
    put(el, R.CharacteristicCode, uld.type_code)
    if uld.owner is not None:
        put(node(el, R.OperatingParty), R.PrimaryID, uld.owner)
