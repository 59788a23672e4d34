"""Manifest lifecycle reports of one conveyance: its arrival at the border and the tally of what it unloaded.

A manifest (MT1101) says what a conveyance will bring; these report what happened: the
arrival report (GACC MT3101, 运输工具抵境报告) when and where the conveyance actually arrived,
the tally report (MT4101, 理货报告) how many pieces and what weight of each bill were actually
counted off it, against what was declared, with the tally's discrepancy codes. Their own kinds,
not a Manifest with a purpose flag: a format that writes manifests must not take an arrival
for a manifest, and the store tells a flight's manifest and its reports apart by kind.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import Count, Kind, Location, Measure, MessageHeader, Model, Party, TransportMode


class Journey(Model):
    """The conveyance a report is about: a manifest's conveyance whose journey date may be unknown."""

    mode: TransportMode
    journey_id: str = Field(..., description="flight, voyage or train number")
    carrier: Party | None = None
    registration: str | None = Field(None, description="aircraft registration, IMO number, ...")
    name: str | None = None
    departure_date: date | None = Field(None, description="the journey's (flight) date, when the report names it")

    def key(self, fallback: datetime) -> str:
        """``journey/date`` as a manifest of the same journey is keyed; without a journey date, the
        report's own date (its local date as given) stands in."""
        day = self.departure_date or fallback.date()
        return f"{self.journey_id}/{day.isoformat()}"


class ArrivalReport(Model):
    """A conveyance's actual arrival: where, when, reported to which customs office."""

    kind: Literal[Kind.ARRIVAL] = Kind.ARRIVAL
    header: MessageHeader = Field(default_factory=MessageHeader)
    journey: Journey
    arrival_location: Location
    arrived_at: datetime = Field(..., description="the actual arrival")
    declaration_office: str | None = Field(None, description="customs office code, e.g. GACC 4 digits")
    remarks: str | None = None

    @property
    def business_key(self) -> str:
        return self.journey.key(self.arrived_at)


class TalliedBill(Model):
    """One bill as tallied: the pieces and weight counted, those declared (when the report gives them)
    and the discrepancy codes the tally party gives (for air, IATA discrepancy codes such as MSCA
    missing cargo, FDCA found cargo, OFLD offloaded; kept as sent)."""

    transport_document: str = Field(..., description="AWB or bill of lading number")
    house_documents: list[str] = Field(default_factory=list)
    pieces: Count = Field(..., description="pieces tallied")
    gross_weight: Measure = Field(..., description="gross weight tallied")
    declared_pieces: Count | None = None
    declared_gross_weight: Measure | None = None
    discrepancies: list[str] = Field(default_factory=list)

    def differs(self) -> bool:
        """Whether what was tallied differs from what was declared (unknown figures never differ)."""
        pieces = self.declared_pieces is not None and self.declared_pieces != self.pieces
        weight = self.declared_gross_weight is not None and (
            self.declared_gross_weight.unit == self.gross_weight.unit
            and self.declared_gross_weight.value != self.gross_weight.value)
        return pieces or weight


class TallyReport(Model):
    """What was counted off a conveyance, bill by bill, and when."""

    kind: Literal[Kind.TALLY] = Kind.TALLY
    header: MessageHeader = Field(default_factory=MessageHeader)
    journey: Journey
    tallied_at: datetime = Field(..., description="when the tally was completed")
    location: Location | None = Field(None, description="where it was unloaded and tallied")
    declaration_office: str | None = Field(None, description="customs office code, e.g. GACC 4 digits")
    tally_party: Party | None = Field(None, description="who tallied (the tally company or ground handler)")
    bills: list[TalliedBill] = Field(..., min_length=1)
    total_pieces: Count | None = None
    total_gross_weight: Measure | None = None
    remarks: str | None = None

    @property
    def business_key(self) -> str:
        return self.journey.key(self.tallied_at)

    def summed_pieces(self) -> int:
        return sum(b.pieces for b in self.bills)

    def summed_weight(self, unit: str) -> Decimal | None:
        """The bills' tallied weight in ``unit``; None when some bill weighs in another unit."""
        if any(b.gross_weight.unit != unit for b in self.bills):
            return None
        return sum((b.gross_weight.value for b in self.bills), Decimal(0))
