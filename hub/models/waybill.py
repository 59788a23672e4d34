"""Waybill: master air waybill or house waybill."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import Field

from .common import (
    CarriesEquipment,
    Count,
    CustomsNote,
    Kind,
    Location,
    Measure,
    MessageHeader,
    Model,
    Party,
    TransportEquipment,
)


class WaybillType(str, Enum):
    MASTER = "master"
    HOUSE = "house"


class TransportLeg(Model):
    """One flight (or voyage) of the routing."""

    carrier: str | None = None
    number: str | None = None
    departure: Location | None = None
    arrival: Location | None = None
    departure_at: datetime | None = None


class Waybill(CarriesEquipment):
    """A transport contract document: AWB (master) or house waybill."""

    kind: Literal[Kind.WAYBILL] = Kind.WAYBILL
    header: MessageHeader = Field(default_factory=MessageHeader)
    type: WaybillType = WaybillType.MASTER
    number: str = Field(..., description="AWB '888-11111111' (master) or the house bill number")
    master_number: str | None = Field(None, description="the master AWB of a house waybill")
    consolidation: bool = False
    shipper: Party
    consignee: Party
    agent: Party | None = None
    origin: Location
    destination: Location
    pieces: Count
    gross_weight: Measure
    volume: Measure | None = None
    goods_description: str | None = None
    hs_codes: list[str] = Field(default_factory=list)
    special_handling: list[str] = Field(default_factory=list)
    handling_notes: list[str] = Field(default_factory=list)
    customs_notes: list[CustomsNote] = Field(default_factory=list)
    routing: list[TransportLeg] = Field(default_factory=list)
    equipment: list[TransportEquipment] = Field(default_factory=list, description="the ULDs (or containers) "
                                                "the goods are loaded in")

    @property
    def business_key(self) -> str:
        return self.number
