"""Shipment status: one event in a consignment's life (Cargo-IMP FSU, Cargo-XML XFSU)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import Kind, Location, Measure, MessageHeader, Model


class ShipmentStatus(Model):
    """What happened to a waybill's pieces, where and when (IATA status codes: RCS, DEP, ARR, DLV ...)."""

    kind: Literal[Kind.STATUS] = Kind.STATUS
    header: MessageHeader = Field(default_factory=MessageHeader)
    waybill: str = Field(..., description="AWB '888-11111111'")
    origin: Location | None = None
    destination: Location | None = None
    total_pieces: int | None = None
    code: str = Field(..., description="IATA status code, e.g. RCS, MAN, DEP, ARR, RCF, NFD, DLV")
    happened_at: datetime | None = None
    location: Location | None = None
    carrier: str | None = None
    flight: str | None = None
    pieces: int | None = None
    weight: Measure | None = None
    text: str | None = None

    @property
    def business_key(self) -> str:
        return self.waybill
