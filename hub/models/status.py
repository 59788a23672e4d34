"""Shipment status: one event in a consignment's life (Cargo-IMP FSU, Cargo-XML XFSU)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import Count, CustomsNote, Kind, Location, Measure, MessageHeader, Model


class ShipmentStatus(Model):
    """What happened to a waybill's pieces, where and when (IATA status codes: RCS, DEP, ARR, DLV ...)."""

    kind: Literal[Kind.STATUS] = Kind.STATUS
    header: MessageHeader = Field(default_factory=MessageHeader)
    waybill: str = Field(..., description="AWB '888-11111111'")
    origin: Location | None = None
    destination: Location | None = None
    total_pieces: Count | None = None
    code: str = Field(..., description="IATA status code, e.g. RCS, MAN, DEP, ARR, RCF, NFD, DLV")
    happened_at: datetime | None = Field(None, description="local time at the event's place when the "
                                         "sender gives no offset (Cargo-IMP never does)")
    location: Location | None = Field(None, description="where it happened; for a flight event with an "
                                      "airport pair (BKD, MAN, DEP), the departure airport")
    arrival: Location | None = Field(None, description="the arrival airport of a flight event's airport pair")
    carrier: str | None = None
    flight: str | None = None
    shipment_code: str | None = Field(None, description="what pieces and weight cover: T total, P part, "
                                      "S split, D divided consignment (IATA shipment description code)")
    pieces: Count | None = None
    weight: Measure | None = None
    ulds: list[str] = Field(default_factory=list, description="the unit load devices the pieces are in")
    customs_notes: list[CustomsNote] = Field(default_factory=list, description="other customs information (OCI)")
    details: list[str] = Field(default_factory=list, description="further fields of the status line as sent: "
                               "time indicators (S0720 scheduled, A1008 actual), a receiver's name ...")
    text: str | None = Field(None, description="free text (Cargo-IMP OSI lines, one per line)")

    @property
    def business_key(self) -> str:
        return self.waybill
