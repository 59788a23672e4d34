"""The CEB adapters against the customs' own XSDs and samples (corpus/china_customs/ceb).

- All eight samples (CEB311/312/411/412/511/512/621/622) are valid against the official
  ceb_import_202205.xsd and against the hub's schemas, and parse to the values they hold.
- The samples' receipts do not answer the samples' declarations (other orderNo, copNo,
  payTransactionId, logisticsNo: asserted below), so correlation is shown through a receipt
  the hub renders for each parsed declaration.
- Everything the hub renders from the samples' canonical models, and every CEB example, is
  valid against the official XSD as well as the hub's own; a DxpMsg the hub seals and a DxpRep
  it builds are valid against the official DXP XSD.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from adapters.ceb import dxp, guid_for
from hub.adapters import RenderContext
from hub.models import Direction, Measure, Receipt, ReceiptStatus
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.conformance
SAMPLES = ["CEB311", "CEB312", "CEB411", "CEB412", "CEB511", "CEB512", "CEB621", "CEB622"]
CST = timezone(timedelta(hours=8))
GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
KEY_FIELD = {"CEB311": "order_no", "CEB411": "pay_transaction_id", "CEB511": "logistics_no", "CEB621": "cop_no"}
CTX = RenderContext(message_id="HUB-CONFORMANCE-1", sender_id="1101180326", receiver_id="1105910159",
                    created_at=datetime(2026, 11, 27, 8, 30, tzinfo=UTC))


@pytest.fixture(scope="module")
def ceb(corpus):
    return corpus / "china_customs" / "ceb"


@pytest.fixture(scope="module")
def official(ceb):
    return etree.XMLSchema(etree.parse(str(ceb / "xsd" / "ceb_import_202205.xsd")))


@pytest.fixture(scope="module")
def official_dxp(ceb):
    return etree.XMLSchema(etree.parse(str(ceb / "xsd" / "dxp_terminal_node_202205.xsd")))


def sample(ceb, name: str) -> bytes:
    return (ceb / "samples" / f"{name}Message.xml").read_bytes()


def errors(schema: etree.XMLSchema, tree) -> list[str]:
    schema.validate(tree)
    return [f"{e.line}: {e.message}" for e in schema.error_log]


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_is_valid_against_the_official_xsd_and_the_hubs_own(engine, ceb, official, name):
    data = sample(ceb, name)
    assert errors(official, etree.fromstring(data)) == []
    inbound = engine.inspect(data)
    assert (inbound.adapter.name, inbound.problems) == (name.lower(), [])


def test_the_order_sample_reads_six_orders_with_their_amounts_buyer_and_lines(engine, ceb):
    orders = engine.read(sample(ceb, "CEB311")).document
    assert (len(orders.records), orders.header.message_id, orders.header.sender_id) == (6, GUID, "1101180326")
    o = orders.records[0]
    assert (o.order_no, o.goods_value, o.freight, o.tax_total, o.actual_paid, o.currency) == \
        ("order20160321116421002", 14000, 5000, 50, 19050, "CNY")
    assert (o.platform.id, o.seller.name, o.pay_transaction_id, o.batch_numbers) == \
        ("1105910159", "东方物通科技(北京)有限公司", "20160001634226001", "20160317")
    assert (o.buyer.name, o.buyer.registration, o.buyer.id_number) == ("aa", "ID20160001", "130681136250023332")
    assert (o.consignee.name, o.consignee.address, o.consignee.district) == ("焦洪宇", "北京市海淀区", "072750")
    assert o.applied_at == datetime(2016, 3, 8, 11, 27, 1, tzinfo=CST)
    assert [(i.sequence, i.item_no, i.unit, i.quantity, i.price, i.total, i.origin_country) for i in o.items] == \
        [(1, "AF001-001", "007", 100, 20, 2000, "JP"), (2, "AF001-002", "007", 200, 10, 12000, "JP")]


def test_the_payment_sample_reads_ten_payments_of_two_transactions(engine, ceb):
    payments = engine.read(sample(ceb, "CEB411")).document
    assert [p.pay_transaction_id for p in payments.records] == ["P0242250007", "P0242250008"] * 5
    assert payments.business_key == "P0242250007+9"
    p = payments.records[1]
    assert (p.order_no, p.amount_paid, p.currency, p.payer.name, p.payer.phone, p.payment_company.id) == \
        ("order2016030811340008", 19050, "CNY", "支付人", "13256254445", "1101110323")
    assert p.paid_at == datetime(2016, 3, 15, 15, 35, 55, tzinfo=CST)


def test_the_logistics_sample_reads_six_waybills_in_kilograms(engine, ceb):
    bills = engine.read(sample(ceb, "CEB511")).document
    assert [b.order_no[-3:] for b in bills.records] == ["002", "003", "004", "004", "006", "008"]
    b = bills.records[0]
    assert (b.logistics_no, b.bill_no, b.weight, b.packages, b.freight, b.insured_fee) == \
        ("L201603081138007", "TY201603081344007", Measure(value=Decimal(4000), unit="KGM"), 6000, 5000, 200)
    assert (b.consignee.name, b.consignee.phone, b.goods_info) == ("李小可", "13936921298", "包裹")


def test_the_inventory_sample_reads_ten_inventories_with_gacc_codes_mapped(engine, ceb):
    inventories = engine.read(sample(ceb, "CEB621")).document
    assert [i.cop_no for i in inventories.records] == ["NBBH20160308005", "NBBH20160308006"] * 5
    assert [i.country for i in inventories.records[:2]] == ["JP", "CN"]
    i = inventories.records[0]
    assert (i.order_no, i.logistics_no, i.pre_no, i.invt_no, i.ems_no, i.direction) == \
        ("order2016030811340001", "L201603081138007", None, None, "S1501I000164", Direction.IMPORT)
    assert (i.declared_on, i.customs_code, i.trade_mode, i.traf_mode, i.area.id) == \
        (date(2016, 3, 8), "3700", "9610", "0", "110108130000000007")
    assert (i.gross_weight, i.net_weight, i.packages, i.freight, i.insured_fee) == (4000, 3500, 6000, 500, 200)
    assert [(x.hs_code, x.name, x.trade_country, x.unit2, x.total) for x in i.items] == \
        [("8541401000", "小米盒子", "JP", "035", 20), ("8541401000", "花王纸尿裤", None, "035", 12)]


@pytest.mark.parametrize("name,key,answers,guid,status,code,text,reference,issuer", [
    ("CEB312", "order20160321116420545", "CEB311", GUID, ReceiptStatus.ACKNOWLEDGED, "2",
     f"declaring: 新增申报成功[{GUID}]", None, None),
    ("CEB412", "P0321000433", "CEB411", GUID, ReceiptStatus.ACCEPTED, "120", "accepted into customs: a", None, None),
    ("CEB512", "L20160321114400001", "CEB511", GUID[:-1] + "6", ReceiptStatus.ACKNOWLEDGED, "2",
     "declaring: 新增申报成功[4CDE1CFD-EDED-46B1-946C-B8022E42FC96]", None, None),
    ("CEB622", "cop2016032211000", "CEB621", GUID, ReceiptStatus.ACKNOWLEDGED, "1", "stored: 暂存",
     "B20160512000001882", "1501"),
])
def test_each_receipt_sample_reads_its_key_guid_status_and_reference(engine, ceb, name, key, answers, guid, status,
                                                                     code, text, reference, issuer):
    r = engine.read(sample(ceb, name)).document
    assert (r.business_key, r.answers_type, r.answers_message_id, r.status, r.agency_status, r.text) == \
        (key, answers, guid, status, code, text)
    assert (r.agency_reference, r.issuer, r.header.message_id) == (reference, issuer, GUID)


@pytest.mark.parametrize("declaration,receipt,sample_keys,receipt_key", [
    ("CEB311", "CEB312", {"order20160321116421002"}, "order20160321116420545"),
    ("CEB411", "CEB412", {"P0242250007", "P0242250008"}, "P0321000433"),
    ("CEB511", "CEB512", {"L201603081138007"}, "L20160321114400001"),
    ("CEB621", "CEB622", {"NBBH20160308005", "NBBH20160308006"}, "cop2016032211000"),
])
def test_the_sample_receipts_answer_other_keys_so_a_hub_receipt_shows_the_correlation(
        engine, ceb, declaration, receipt, sample_keys, receipt_key):
    declared = engine.read(sample(ceb, declaration)).document
    attr = KEY_FIELD[declaration]
    keys = {getattr(r, attr) for r in declared.records}
    assert keys == sample_keys
    assert engine.read(sample(ceb, receipt)).document.business_key == receipt_key not in keys
    # the hub renders the declaration for a hub message, the customs answer it (a receipt the hub renders)
    sent = engine.render(declared, declaration.lower(), CTX).tree.getroot()
    record_guid = sent.findtext("*/*/{http://www.chinaport.gov.cn/ceb}guid")
    answer = Receipt(answers_message_id=CTX.message_id, business_key=getattr(declared.records[0], attr),
                     status=ReceiptStatus.ACCEPTED,
                     agency_reference="B20160512000001882" if receipt == "CEB622" else None)
    r = engine.read(engine.render(answer, receipt.lower(), CTX).data).document
    assert r.business_key == getattr(declared.records[0], attr) \
        and r.answers_message_id == record_guid == guid_for(CTX.message_id)
    assert r.answers_type == declaration


@pytest.mark.parametrize("name", SAMPLES)
def test_what_the_hub_renders_from_each_sample_is_valid_against_the_official_xsd(engine, ceb, official, name):
    inbound = engine.read(sample(ceb, name))
    out = engine.render(inbound.document, inbound.adapter.name, CTX)  # checked against the hub's own schema
    assert errors(official, out.tree) == []


@pytest.mark.parametrize("path", sorted((EXAMPLES / "ceb").glob("ceb*.xml")), ids=lambda p: p.name)
def test_every_ceb_example_is_valid_against_the_official_xsd(official, path):
    assert errors(official, etree.parse(str(path))) == []


def test_a_dxp_envelope_the_hub_seals_and_a_reply_it_builds_are_valid_against_the_official_dxp_xsd(
        engine, ceb, official_dxp):
    inventories = engine.read(sample(ceb, "CEB621")).document
    out = engine.render(inventories, "ceb621+dxp", CTX)
    assert errors(official_dxp, out.tree) == []
    assert errors(official_dxp, etree.parse(str(EXAMPLES / "ceb" / "dxp-ceb621-inventory.xml"))) == []
    reply = dxp.Reply(receiver_id="1101180326", responses=(dxp.Response(
        code="0", notice_date=date(2026, 11, 27), original=dxp.open(out.data).info),))
    assert errors(official_dxp, dxp.build_reply(reply)) == []


def test_the_hubs_dxp_rep_receipts_are_valid_against_the_official_dxp_xsd(engine, official_dxp):
    from hub.models import Receipt, ReceiptStatus
    refused = Receipt(answers_message_id="HUB-0123.CUSTOMS-CN-EC", business_key="-", status=ReceiptStatus.REJECTED,
                      text="payload is not a CEB message", answers_type="CEB621Message",
                      more=[Receipt(answers_message_id="HUB-0456.CUSTOMS-CN-EC", business_key="-",
                                    status=ReceiptStatus.ACKNOWLEDGED)])
    out = engine.render(refused, "dxp-rep", CTX)
    assert errors(official_dxp, out.tree) == []
