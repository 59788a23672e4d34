"""Helpers shared by the GACC adapter tests: golden files, source lines, canonical builders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import strategies as st

from hub.adapters import RenderContext
from hub.models import (
    Address,
    Amount,
    Declaration,
    Direction,
    DocumentReference,
    GoodsItem,
    Location,
    Measure,
    Party,
    TransportLeg,
    TransportMode,
    Waybill,
)
from tests.adapters.golden_support import assert_golden as shared_assert_golden
from tests.conftest import EXAMPLES

GACC_EXAMPLES = sorted(p.name for p in (EXAMPLES / "gacc").glob("*.xml"))
CTX = RenderContext(message_id="CN_MT1101_1p0_EPORTHUB_20261127163000000", sender_id="EPORTHUB",
                    receiver_id="2233", created_at=datetime(2026, 11, 27, 8, 30, tzinfo=UTC))

XML_TEXT = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp")),
                       st.sampled_from("<>&'\"上海浦东國際貨運株式会社")),
    min_size=1, max_size=40,
).filter(lambda s: s == s.strip())
"""Texts XML 1.0 can carry that survive the readers' stripping: CJK, markup characters, quotes."""


def assert_golden(name: str, doc) -> None:
    """The canonical JSON of ``doc`` equals golden/gacc/<name>.json."""
    shared_assert_golden("gacc", name, doc)


def without_envelope(doc) -> dict:
    """The document without the header fields a renderer takes from the RenderContext."""
    data = doc.model_dump()
    for field in ("message_id", "sender_id", "recipient_id", "issued_at"):
        data["header"][field] = None
    return data


def air_waybill(**changes) -> Waybill:
    """A master AWB Frankfurt -> Shanghai Pudong on CA936."""
    waybill = Waybill(
        number="999-12345675",
        shipper=Party(name="Rhein-Main Electronics GmbH", address=Address(city="Frankfurt", country="DE")),
        consignee=Party(id="91310115MA1H8QRT4C", name="上海张江医疗器械有限公司", phone="021-5080 3322"),
        origin=Location(code="FRA"), destination=Location(code="PVG"),
        pieces=12, gross_weight=Measure(value=Decimal("356.5")), volume=Measure(value=Decimal("2.15"), unit="MTQ"),
        goods_description="MEDICAL MONITORS", hs_codes=["901819"], special_handling=["EAP"],
        routing=[TransportLeg(carrier="CA", number="936", departure=Location(code="FRA"),
                              arrival=Location(code="PVG"),
                              departure_at=datetime(2026, 11, 26, 13, 45, tzinfo=UTC))],
    )
    return waybill.model_copy(update=changes)


def gacc_declaration(**changes) -> Declaration:
    """An import declaration that sets every canonical field a DecMessage carries."""
    declaration = Declaration(
        reference="202611270000000999", direction=Direction.IMPORT, type_code="M",
        declarant=Party(id="91310000MA1FL2B39H", name="上海东方报关有限公司", phone="021-6888 5510",
                        email="declare@dongfang-customs.example"),
        importer=Party(id="3122460789", name="上海张江医疗器械有限公司", phone="021-5080 3322"),
        exporter=Party(id="DE813499217", name="Rhein-Main Electronics GmbH & Co. KG",
                       address=Address(street="Cargo City Süd 534, 60549 Frankfurt")),
        declaration_office="2233", procedure="0110", transport_mode=TransportMode.AIR,
        transport_documents=[DocumentReference(type="AWB", id="99920893165"),
                             DocumentReference(type="HAWB", id="SHA26110578"),
                             DocumentReference(type="INVOICE", id="INV-2026-0042")],
        trade_country="DE", issued_at=datetime(2026, 11, 27, 10, 15, tzinfo=UTC),
        items=[
            GoodsItem(sequence=1, hs_code="9018199000", description="医用监护仪 <PM-700> & \"cables\"",
                      origin_country="DE", quantity=Measure(value=Decimal("40"), unit="C62"),
                      value=Amount(value=Decimal("170000.00"), currency="EUR")),
            GoodsItem(sequence=2, hs_code="901890", description="Sensors", origin_country="CH",
                      quantity=Measure(value=Decimal("480"), unit="H87"),
                      value=Amount(value=Decimal("14400.00"), currency="EUR"),
                      net_weight=Measure(value=Decimal("96.5"), unit="KGM")),
        ],
        total_packages=12, total_gross_weight=Measure(value=Decimal("356.5")),
        total_value=Amount(value=Decimal("184400.00"), currency="EUR"),
    )
    return declaration.model_copy(update=changes)
