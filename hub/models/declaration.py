"""Declaration: a goods declaration to customs (with inspection data)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import (
    Amount,
    CarriesEquipment,
    Count,
    Direction,
    Function,
    Kind,
    Measure,
    MessageHeader,
    Model,
    Party,
    TransportEquipment,
    TransportMode,
)


class DocumentReference(Model):
    """A transport or supporting document the declaration refers to."""

    type: str = Field(..., description="e.g. AWB, BL, HAWB, INVOICE")
    id: str


class GoodsItem(Model):
    """One goods item line."""

    sequence: Count
    hs_code: str
    description: str
    origin_country: str
    quantity: Measure | None = None
    value: Amount
    gross_weight: Measure | None = None
    net_weight: Measure | None = None


class Declaration(CarriesEquipment):
    """A customs goods declaration."""

    _omitted_when_empty = ("equipment", "customs_transport_mode")

    kind: Literal[Kind.DECLARATION] = Kind.DECLARATION
    header: MessageHeader = Field(default_factory=MessageHeader)
    reference: str = Field(..., description="the declarant's own reference: LRN, ClientSeqNo")
    direction: Direction = Direction.IMPORT
    type_code: str | None = Field(None, description="declaration type, e.g. IMZ")
    declarant: Party
    importer: Party | None = None
    exporter: Party | None = None
    declaration_office: str
    procedure: str | None = Field(None, description="customs procedure / trade mode code")
    transport_mode: TransportMode | None = None
    customs_transport_mode: str | None = Field(None, description="the customs' own transport-mode code where "
                                               "Rec 19 has no equivalent (GACC TrafMode W logistics centre, "
                                               "9 other, 7 bonded zone ...): kept so that customs' own format "
                                               "writes it back")
    transport_documents: list[DocumentReference] = Field(default_factory=list)
    equipment: list[TransportEquipment] = Field(default_factory=list, description="containers or ULDs declared")
    trade_country: str | None = None
    issued_at: datetime | None = None
    items: list[GoodsItem] = Field(default_factory=list)
    total_packages: Count | None = None
    total_gross_weight: Measure | None = None
    total_value: Amount | None = None

    @property
    def business_key(self) -> str:
        return self.reference

    @property
    def function(self) -> Function:
        """Original, amendment or cancellation: the message header's function."""
        return self.header.function

    def summed_value(self) -> Decimal:
        return sum((i.value.value for i in self.items), Decimal(0))
