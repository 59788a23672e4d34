"""Manifest: the cargo report of one conveyance (flight, voyage, train)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import (
    CarriesEquipment,
    Count,
    Kind,
    Location,
    Measure,
    MessageHeader,
    Model,
    Party,
    TransportEquipment,
    TransportMode,
)


class Conveyance(Model):
    """The means of transport and its journey."""

    mode: TransportMode
    carrier: Party
    journey_id: str = Field(..., description="flight, voyage or train number")
    departure_date: date
    registration: str | None = Field(None, description="aircraft registration, IMO number, ...")
    name: str | None = None


class ManifestConsignment(CarriesEquipment):
    """One transport document carried on the conveyance."""

    transport_document: str = Field(..., description="AWB or bill of lading number")
    house_documents: list[str] = Field(default_factory=list)
    pieces: Count
    gross_weight: Measure
    volume: Measure | None = None
    goods_description: str | None = None
    hs_codes: list[str] = Field(default_factory=list)
    origin: Location | None = None
    destination: Location | None = None
    consignor: Party | None = None
    consignee: Party | None = None
    special_handling: list[str] = Field(default_factory=list)
    equipment: list[TransportEquipment] = Field(default_factory=list, description="the ULDs (or containers) "
                                                "this consignment is loaded in")

    def hs_chapters(self) -> set[str]:
        return {code[:2] for code in self.hs_codes}


class Manifest(Model):
    """A manifest: conveyance, where it loads and unloads, and what it carries."""

    kind: Literal[Kind.MANIFEST] = Kind.MANIFEST
    header: MessageHeader = Field(default_factory=MessageHeader)
    conveyance: Conveyance
    loading_location: Location
    unloading_location: Location
    arrival_at: datetime | None = None
    declaration_office: str | None = Field(None, description="customs office code, e.g. GACC 4 digits")
    consignments: list[ManifestConsignment] = Field(default_factory=list)
    total_pieces: Count | None = None
    total_gross_weight: Measure | None = None
    part: Count | None = Field(None, description="the part number when the sender split the manifest "
                             "(Cargo-IMP FFM 1, 2 ... CONT/LAST); None for a whole manifest")
    last_part: bool | None = Field(None, description="with ``part``: whether it is the last one (LAST)")

    @property
    def business_key(self) -> str:
        c = self.conveyance
        key = f"{c.journey_id}/{c.departure_date.isoformat()}"
        return f"{key}/part{self.part}" if self.part else key

    def summed_pieces(self) -> int:
        return sum(c.pieces for c in self.consignments)

    def summed_weight(self) -> Decimal:
        return sum((c.gross_weight.value for c in self.consignments), Decimal(0))


def by_equipment(consignments: list[ManifestConsignment], bulk_first: bool = False
                 ) -> list[tuple[TransportEquipment | None, list[ManifestConsignment]]]:
    """Consignments grouped by the equipment (ULD, container) they are loaded in: the first, when
    one names several; pieces of equipment with the same ``id`` are one, in order of first
    appearance. The bulk consignments (no equipment) are one group with None, last or, with
    ``bulk_first``, first; there is no bulk group without a bulk consignment."""
    groups: dict[str, tuple[TransportEquipment, list[ManifestConsignment]]] = {}
    bulk: list[ManifestConsignment] = []
    for item in consignments:
        if item.equipment:
            groups.setdefault(item.equipment[0].id, (item.equipment[0], []))[1].append(item)
        else:
            bulk.append(item)
    loaded: list[tuple[TransportEquipment | None, list[ManifestConsignment]]] = list(groups.values())
    if not bulk:
        return loaded
    return [(None, bulk), *loaded] if bulk_first else [*loaded, (None, bulk)]
