"""CEB311/411/511/621: code mapping, guids, BaseTransfer, appType, required fields, errors with lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from adapters.ceb import guid_for
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Function, Measure, Receipt, ReceiptStatus
from tests.adapters.gacc_support import XML_TEXT
from tests.adapters.golden_support import line_of, with_function
from tests.conftest import example

C = {"ceb": "http://www.chinaport.gov.cn/ceb"}
DS = "{http://www.w3.org/2000/09/xmldsig#}Signature"
DOCS = {"ceb311": "ceb311-order.xml", "ceb411": "ceb411-payment.xml", "ceb511": "ceb511-logistics.xml",
        "ceb621": "ceb621-inventory.xml"}


def doc(engine, fmt: str):
    return engine.read(example("ceb", DOCS[fmt])).document


def first(doc, **changes):
    """The document with its first record changed."""
    return doc.model_copy(update={"records": [doc.records[0].model_copy(update=changes), *doc.records[1:]]})


def codes(engine, data: bytes) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in engine.inspect(data).problems]


def test_currencies_and_countries_are_gacc_numbers_in_ceb_and_iso_codes_in_the_model(engine, ctx):
    order = doc(engine, "ceb311")
    assert (order.records[0].currency, order.records[0].items[0].origin_country) == ("CNY", "JP")
    root = engine.render(order, "ceb311", ctx).tree.getroot()
    assert root.findtext("ceb:Order/ceb:OrderHead/ceb:currency", namespaces=C) == "142"
    assert root.findtext("ceb:Order/ceb:OrderList/ceb:country", namespaces=C) == "116"
    inventory = doc(engine, "ceb621").records[0]
    assert (inventory.country, inventory.items[0].trade_country) == ("JP", "JP")


@pytest.mark.parametrize("fmt", DOCS)
def test_a_rendered_message_has_version_1_0_and_the_guid_of_the_hub_message_id(engine, ctx, fmt):
    out = engine.render(doc(engine, fmt), fmt, ctx)
    root = out.tree.getroot()
    assert root.get("version") == "1.0"
    assert root.get("guid") == root.findtext("*/*/ceb:guid", namespaces=C) == guid_for("HUB-TEST-0001")
    assert engine.render(doc(engine, fmt), fmt, ctx).data == out.data
    other = RenderContext(message_id="HUB-TEST-0002", created_at=ctx.created_at)
    assert engine.render(doc(engine, fmt), fmt, other).tree.getroot().get("guid") != root.get("guid")


def test_guids_are_upper_case_uuids_and_each_further_record_has_its_own(engine, ctx):
    orders = doc(engine, "ceb311")
    two = orders.model_copy(update={"records": [orders.records[0],
                                                orders.records[0].model_copy(update={"order_no": "YPH2"})]})
    guids = engine.render(two, "ceb311", ctx).tree.getroot().xpath("ceb:Order/ceb:OrderHead/ceb:guid/text()",
                                                                   namespaces=C)
    assert guids == [guid_for("HUB-TEST-0001"), guid_for("HUB-TEST-0001", 2)]
    assert guids[0] != guids[1] and guids[0] == guids[0].upper() and len(guids[0]) == 36


def test_base_transfer_is_read_as_the_sender_and_written_from_the_render_context(engine, ctx):
    order = doc(engine, "ceb311")
    assert order.header.sender_id == "3122960001"
    transfer = engine.render(order, "ceb311", ctx).tree.getroot().find("ceb:BaseTransfer", C)
    assert [(el.tag.split("}")[1], el.text) for el in transfer] == \
        [("copCode", "EPORTHUB"), ("copName", "EPORTHUB"), ("dxpMode", "DXP"), ("dxpId", "EPORTHUB")]


def test_a_sender_id_too_long_for_copcode_cannot_be_written(engine):
    long = RenderContext(message_id="M1", sender_id="E-PORT-HUB-SHANGHAI-01")
    with pytest.raises(ConversionError) as err:
        engine.render(doc(engine, "ceb411"), "ceb411", long)
    assert err.value.code == "CEB_SENDER_ID"


@pytest.mark.parametrize("function,app_type", [(Function.ORIGINAL, "1"), (Function.AMEND, "2"),
                                               (Function.CANCEL, "3")])
def test_app_type_is_the_message_function(engine, ctx, function, app_type):
    out = engine.render(with_function(doc(engine, "ceb511"), function), "ceb511", ctx)
    assert out.tree.getroot().findtext("*/*/ceb:appType", namespaces=C) == app_type
    assert engine.read(out.data).document.header.function is function


def test_a_message_mixing_app_types_is_refused_at_the_second_type(engine, ctx):
    orders = doc(engine, "ceb311")
    two = orders.model_copy(update={"records": [orders.records[0]] * 2})
    data = engine.render(two, "ceb311", ctx).data.replace(b"<ceb:appType>1<", b"<ceb:appType>2<", 1)
    data = data.replace(b"><", b">\n<")
    assert codes(engine, data) == [("CEB_MIXED_APP_TYPE", line_of(data, "<ceb:appType>1<"))]


def test_a_stored_draft_reads_as_a_declaration_and_is_written_as_declared(engine, ctx):
    data = example("ceb", "ceb411-payment.xml").replace(b"<ceb:appStatus>2<", b"<ceb:appStatus>1<")
    payment = engine.read(data).document
    assert payment == doc(engine, "ceb411")
    assert engine.render(payment, "ceb411", ctx).tree.getroot().findtext("*/*/ceb:appStatus", namespaces=C) == "2"


def test_only_the_inventory_carries_the_unsigned_signature_template(engine, ctx):
    inventory = engine.render(doc(engine, "ceb621"), "ceb621", ctx).tree.getroot()
    signature = inventory[-1]
    assert signature.tag == DS
    assert [el.get("Algorithm") for el in signature.iter() if el.get("Algorithm")] == [
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"]
    assert [el.text for el in signature.iter() if el.tag.endswith(("DigestValue", "SignatureValue"))] == [None, None]
    order = engine.render(doc(engine, "ceb311"), "ceb311", ctx).tree.getroot()
    assert order.find(DS) is None


@pytest.mark.parametrize("fmt,change,pointer", [
    ("ceb311", lambda r: {"buyer": r.buyer.model_copy(update={"registration": None})},
     "/records/0/buyer/registration"),
    ("ceb411", lambda r: {"paid_at": None}, "/records/0/paid_at"),
    ("ceb511", lambda r: {"consignee": r.consignee.model_copy(update={"name": None})}, "/records/0/consignee/name"),
])
def test_a_value_the_customs_require_names_its_canonical_field_when_missing(engine, ctx, fmt, change, pointer):
    document = doc(engine, fmt)
    with pytest.raises(ConversionError) as err:
        engine.render(first(document, **change(document.records[0])), fmt, ctx)
    assert (err.value.code, err.value.path) == ("FIELD_REQUIRED", pointer)


def test_an_inventory_without_lines_cannot_be_written(engine, ctx):
    with pytest.raises(ConversionError) as err:
        engine.render(first(doc(engine, "ceb621"), items=[]), "ceb621", ctx)
    assert (err.value.code, err.value.path) == ("FIELD_REQUIRED", "/records/0/items")


def test_a_currency_without_gacc_number_cannot_be_written(engine, ctx):
    with pytest.raises(ConversionError) as err:
        engine.render(first(doc(engine, "ceb411"), currency="XAF"), "ceb411", ctx)
    assert (err.value.code, err.value.path) == ("CODE_UNMAPPED", "/records/0/currency")


def test_a_weight_in_grams_is_written_in_kilograms_and_more_than_five_decimals_are_refused(engine, ctx):
    bills = first(doc(engine, "ceb511"), weight=Measure(value=Decimal("2650"), unit="GRM"))
    assert engine.read(engine.render(bills, "ceb511", ctx).data).document.records[0].weight == \
        Measure(value=Decimal("2.65"), unit="KGM")
    with pytest.raises(ConversionError) as err:
        engine.render(first(bills, freight=Decimal("15.000001")), "ceb511", ctx)
    assert (err.value.code, err.value.path) == ("NUMBER_PRECISION", "/records/0/freight")


def test_an_unknown_gacc_currency_is_refused_at_its_line(engine):
    data = example("ceb", "ceb311-order.xml").replace(b"<ceb:currency>142<", b"<ceb:currency>999<", 1)
    assert codes(engine, data) == [("CODE_UNMAPPED", line_of(data, "<ceb:currency>999<"))]
    assert "currency '999'" in engine.inspect(data).problems[0].message


def test_a_goods_value_differing_from_its_lines_is_a_rule_error_on_its_line(engine):
    data = example("ceb", "ceb311-order.xml").replace(b"<ceb:goodsValue>347.50<", b"<ceb:goodsValue>348.50<")
    problem = engine.inspect(data).problems[0]
    assert (problem.code, problem.line, problem.path) == \
        ("RULE_TOTAL_MISMATCH", line_of(data, "<ceb:goodsValue>"), "/records/0/goods_value")


def test_a_zero_quantity_on_an_inventory_line_points_at_that_line(engine):
    data = example("ceb", "ceb621-inventory.xml").replace(b"<ceb:qty>1<", b"<ceb:qty>0<")
    assert codes(engine, data) == [("RULE_NOT_POSITIVE", line_of(data, "<ceb:qty>0<"))]


def test_a_schema_invalid_inventory_names_every_fault_with_line_and_path(engine):
    data = example("ceb", "ceb621-inventory.xml").replace(b"<ceb:gcode>2106909090<", b"<ceb:gcode>210690<") \
        .replace(b"<ceb:ieFlag>I<", b"<ceb:ieFlag>X<")
    problems = engine.inspect(data).problems
    assert [(p.code, p.line, p.path) for p in problems] == [
        ("SCHEMA_INVALID", line_of(data, "<ceb:ieFlag>"), "/CEB621Message/Inventory/InventoryHead/ieFlag"),
        ("SCHEMA_INVALID", line_of(data, "<ceb:gcode>210690<"),
         "/CEB621Message/Inventory/InventoryList[2]/gcode")]


def test_a_lower_case_guid_is_accepted_as_the_customs_schema_does(engine):
    # the customs' documentation asks for capitals; their schema checks only the length (36)
    data = example("ceb", "ceb511-logistics.xml").replace(b'guid="B8D2C714', b'guid="b8d2c714')
    assert codes(engine, data) == []


def test_reply_facts_echo_the_first_records_guid_and_key_even_when_the_message_is_bad(engine):
    adapter = engine.registry.get("ceb621")
    data = example("ceb", "ceb621-inventory.xml").replace(b"<ceb:gcode>2106909090<", b"<ceb:gcode>x<")
    assert adapter.reply_facts(data) == {"answers_type": "CEB621", "business_key": "DFBG2026112700017",
                                         "answers_message_id": "E47E66B0-EE29-59E0-B0B2-6119272AE3E7"}
    assert adapter.reply_facts(b"<not xml") == {}


def test_a_refused_order_is_answered_with_a_ceb312_that_echoes_its_guid(engine, ctx):
    adapter = engine.registry.get("ceb311")
    facts = adapter.reply_facts(example("ceb", "ceb311-order.xml"))
    refusal = Receipt(**facts, status=ReceiptStatus.REJECTED, text="rejected by the e-port hub")
    out = engine.render(refusal, adapter.negative_receipt, RenderContext(message_id="N1", receiver_id="3122960001"))
    r = engine.read(out.data).document
    assert (r.answers_message_id, r.business_key, r.status, r.agency_status, r.text) == \
        ("C438C60E-8459-5878-BB03-53A147A6D6EF", "YPH20261127000042", ReceiptStatus.REJECTED, "-1",
         "error: rejected by the e-port hub")
    assert [engine.registry.get(f).negative_receipt for f in DOCS] == ["ceb312", "ceb412", "ceb512", None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=XML_TEXT, model=XML_TEXT)
def test_names_with_markup_and_cjk_survive_a_round_trip(engine, name, model):
    orders = doc(engine, "ceb311")
    record = orders.records[0]
    item = record.items[0].model_copy(update={"name": name, "model": model})
    changed = first(orders, buyer=record.buyer.model_copy(update={"name": name[:60]}),
                    items=[item, *record.items[1:]])
    ctx = RenderContext(message_id="P1", created_at=datetime(2026, 11, 27, tzinfo=UTC))
    again = engine.read(engine.render(changed, "ceb311", ctx).data).document.records[0]
    assert (again.buyer.name, again.items[0].name, again.items[0].model) == (name[:60], name, model)
