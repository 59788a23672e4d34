"""Helpers shared by the WCO adapter tests: golden files, source lines, a declaration with every field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

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
    TransportMode,
)
from tests.adapters.golden_support import assert_golden as shared_assert_golden


def assert_golden(name: str, doc) -> None:
    """The canonical JSON of ``doc`` equals golden/wco/<name>.json."""
    shared_assert_golden("wco", name, doc)


def same_except_message_id(a, b) -> bool:
    """Equal documents once header.message_id (which a renderer takes from the context) is set aside."""
    header = a.header.model_copy(update={"message_id": b.header.message_id})
    return a.model_copy(update={"header": header}) == b


def rich_declaration() -> Declaration:
    """A declaration that sets every canonical field the WCO DEC carries."""
    party = Party(id="GB000111222000", name="Acme & Söhne <Export> \"Ltd\"",
                  address=Address(street="1 Quay Street", city="Dover", postcode="CT17 9ZZ", country="GB"),
                  phone="+44 1304 000000", email="customs@acme.example")
    return Declaration(
        header=MessageHeader(function=Function.AMEND),
        reference="LRN-RICH-0001",
        direction=Direction.EXPORT,
        type_code="EXD",
        declarant=party,
        importer=Party(name="深圳示例贸易有限公司", address=Address(city="深圳", country="CN")),
        exporter=party.model_copy(update={"phone": None}),
        declaration_office="GBDVR001",
        procedure="1000",
        transport_mode=TransportMode.ROAD,
        transport_documents=[DocumentReference(type="CMR", id="CMR-2026-000123"),
                             DocumentReference(type="INVOICE", id="INV 77/2026"),
                             DocumentReference(type="N71", id="PACKING-LIST-9")],
        trade_country="CN",
        issued_at=datetime(2026, 11, 27, 8, 30, 15, tzinfo=timezone(timedelta(hours=2))),
        items=[
            GoodsItem(sequence=1, hs_code="8471300000", description="Laptops, 14 inch", origin_country="GB",
                      quantity=Measure(value=Decimal("25"), unit="NAR"),
                      value=Amount(value=Decimal("18750.50"), currency="GBP"),
                      gross_weight=Measure(value=Decimal("62.125")),
                      net_weight=Measure(value=Decimal("50"), unit="KGM")),
            GoodsItem(sequence=2, hs_code="852351", description="Solid-state drives", origin_country="TW",
                      value=Amount(value=Decimal("1249.50"), currency="GBP")),
        ],
        total_packages=7,
        total_gross_weight=Measure(value=Decimal("70.5")),
        total_value=Amount(value=Decimal("20000.00"), currency="GBP"),
    )
