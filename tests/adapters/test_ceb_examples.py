"""The CEB examples: one consistent order/payment/waybill/inventory set, a receipt of each kind and
the inventory in a DXP envelope. Each is detected, parsed to its golden JSON and survives a round trip."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.ceb import dxp
from tests.adapters.golden_support import assert_golden
from tests.conftest import EXAMPLES, example

CEB_EXAMPLES = sorted(p.name for p in (EXAMPLES / "ceb").glob("*.xml"))
PLAIN = [name for name in CEB_EXAMPLES if not name.startswith("dxp-")]
FORMAT_BY_PREFIX = {"ceb311": "ceb311", "ceb312": "ceb312", "ceb411": "ceb411", "ceb412": "ceb412",
                    "ceb511": "ceb511", "ceb512": "ceb512", "ceb621": "ceb621", "ceb622": "ceb622",
                    "dxp-": "dxp"}


def without_envelope(doc) -> dict:
    """The document without the header fields a renderer takes from the RenderContext."""
    data = doc.model_dump()
    for field in ("message_id", "sender_id"):
        data["header"][field] = None
    return data


def read(engine, name):
    return engine.read(example("ceb", name)).document


def test_there_is_an_example_of_every_ceb_format():
    formats = {next(fmt for prefix, fmt in FORMAT_BY_PREFIX.items() if name.startswith(prefix))
               for name in CEB_EXAMPLES}
    assert formats == set(FORMAT_BY_PREFIX.values())


@pytest.mark.parametrize("name", CEB_EXAMPLES)
def test_each_ceb_example_is_detected_as_its_format(engine, name):
    expected = next(fmt for prefix, fmt in FORMAT_BY_PREFIX.items() if name.startswith(prefix))
    assert engine.detect(example("ceb", name)).name == expected


@pytest.mark.parametrize("name", CEB_EXAMPLES)
def test_each_ceb_example_is_valid_and_parses_to_its_golden_canonical_json(engine, name):
    assert_golden("ceb", name, read(engine, name))


@pytest.mark.parametrize("name", PLAIN)
def test_each_ceb_example_survives_parse_render_parse(engine, ctx, name):
    inbound = engine.read(example("ceb", name))
    again = engine.read(engine.render(inbound.document, inbound.adapter.name, ctx).data)
    assert again.adapter.name == inbound.adapter.name
    assert without_envelope(again.document) == without_envelope(inbound.document)


def test_the_enveloped_inventory_reads_as_the_plain_one(engine):
    inbound = engine.read(example("ceb", "dxp-ceb621-inventory.xml"))
    assert inbound.adapter.name == "ceb621" and inbound.envelope.name == "dxp"
    assert inbound.document == read(engine, "ceb621-inventory.xml")
    assert dxp.open(example("ceb", "dxp-ceb621-inventory.xml")).payload == example("ceb", "ceb621-inventory.xml")


def test_the_four_documents_tell_one_consistent_story(engine):
    order = read(engine, "ceb311-order.xml").records[0]
    payment = read(engine, "ceb411-payment.xml").records[0]
    bill = read(engine, "ceb511-logistics.xml").records[0]
    inventory = read(engine, "ceb621-inventory.xml").records[0]
    assert order.order_no == payment.order_no == bill.order_no == inventory.order_no == "YPH20261127000042"
    assert order.pay_transaction_id == payment.pay_transaction_id == "HFT2026112710350000088"
    assert bill.logistics_no == inventory.logistics_no == "YTGJ2026112700042"
    assert order.goods_value == inventory.goods_value() == sum(i.total for i in order.items) == Decimal("347.50")
    assert order.actual_paid == payment.amount_paid == \
        order.goods_value + order.freight + order.tax_total - order.discount == Decimal("384.12")
    assert order.consignee.name == bill.consignee.name == order.buyer.name == inventory.buyer.name == "王晓明"
    assert order.consignee.address == bill.consignee.address == inventory.consignee_address
    assert order.buyer.id_number == payment.payer.id_number == inventory.buyer.id_number
    assert order.platform == payment.platform == inventory.platform
    assert bill.logistics_company == inventory.logistics_company and order.seller == inventory.seller
    assert order.freight == bill.freight == inventory.freight and bill.weight.value == inventory.gross_weight


@pytest.mark.parametrize("receipt,declaration,key", [
    ("ceb312-order-accepted.xml", "ceb311-order.xml", "YPH20261127000042"),
    ("ceb412-payment-accepted.xml", "ceb411-payment.xml", "HFT2026112710350000088"),
    ("ceb512-logistics-accepted.xml", "ceb511-logistics.xml", "YTGJ2026112700042"),
    ("ceb622-inventory-released.xml", "ceb621-inventory.xml", "DFBG2026112700017"),
])
def test_each_example_receipt_answers_its_declaration_by_key_and_guid(engine, receipt, declaration, key):
    r, d = read(engine, receipt), read(engine, declaration)
    assert r.business_key == d.business_key == key
    assert r.answers_message_id == d.header.message_id
    assert r.answers_type == declaration[:6].upper()
