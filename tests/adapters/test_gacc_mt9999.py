"""GACC MT9999 manifest receipts: which message and bill they answer, and how it stands."""

from __future__ import annotations

import pytest
from lxml import etree

from hub.errors import InvalidDocument
from hub.models import Receipt, ReceiptError, ReceiptStatus
from tests.adapters.gacc_support import CTX
from tests.conftest import example

R = {"m": "urn:Declaration:datamodel:standard:CN:MT9999:1"}


def test_a_receipt_for_one_bill_is_keyed_by_that_bill_and_names_the_answered_message(engine):
    r = engine.read(example("gacc", "mt9999-accepted.xml")).document
    assert (r.business_key, r.status, r.agency_status) == ("999-33014553", ReceiptStatus.ACCEPTED, "01")
    assert (r.answers_message_id, r.answers_type, r.issuer) == \
        ("CN_MT1101_1p0_2233310012345_20261127081500123", "MT1101", "2233")
    assert r.text == "11301 原始舱单主要数据传输成功。" and r.errors == []


def test_a_receipt_for_a_house_bill_is_keyed_by_the_house_bill(engine):
    r = engine.read(example("gacc", "mt9999-rejected.xml")).document
    assert (r.business_key, r.status, r.answers_type) == ("SHA26120007", ReceiptStatus.REJECTED, "MT2101")
    assert "危险品联系人信息不完整 & 须补充UN编号" in r.text


def test_a_receipt_for_several_bills_is_keyed_by_the_journey_and_lists_the_bills_not_accepted(engine):
    r = engine.read(example("gacc", "mt9999-journey.xml")).document
    assert (r.business_key, r.status, r.agency_status) == ("052E", ReceiptStatus.REJECTED, "03")
    assert [(e.pointer, e.code) for e in r.errors] == [("COSU6287345137", "02"), ("COSU6287345144", "03")]


@pytest.mark.parametrize("code,status", [("01", ReceiptStatus.ACCEPTED), ("02", ReceiptStatus.ACKNOWLEDGED),
                                         ("03", ReceiptStatus.REJECTED), ("11", ReceiptStatus.ACCEPTED),
                                         ("12", ReceiptStatus.REJECTED), ("13", ReceiptStatus.REJECTED),
                                         ("99", ReceiptStatus.OTHER)])
def test_response_codes_map_to_receipt_statuses_and_keep_the_agency_code(engine, code, status):
    data = example("gacc", "mt9999-accepted.xml").replace(b"<Code>01</Code>", f"<Code>{code}</Code>".encode())
    r = engine.read(data).document
    assert (r.status, r.agency_status) == (status, code)


def test_a_response_that_answers_nothing_is_refused(engine):
    data = example("gacc", "mt9999-journey.xml")
    start, end = data.index(b"<Consignment>"), data.rindex(b"</Consignment>") + len(b"</Consignment>")
    with pytest.raises(InvalidDocument) as err:
        engine.read(data[:start] + data[end:])
    assert err.value.problems[0].code == "FIELD_MISSING"


def test_a_hub_made_journey_receipt_validates_and_reads_back(engine):
    receipt = Receipt(answers_message_id="CN_MT2101_1p0_X_1", answers_type="MT2101", business_key="MU583",
                      issuer="2233", status=ReceiptStatus.REJECTED, agency_status="03", text="退单",
                      errors=[ReceiptError(code="03", text="不接受申报", pointer="781-55501272")])
    output = engine.render(receipt, "gacc-mt9999", CTX)
    assert output.tree.getroot().findtext("m:Response/m:BorderTransportMeans/m:JourneyID", namespaces=R) == "MU583"
    again = engine.read(output.data).document
    assert again.model_dump(exclude={"header", "issued_at"}) == receipt.model_dump(exclude={"header", "issued_at"})


def test_a_receipt_without_agency_code_gets_the_code_of_its_status(engine):
    receipt = Receipt(business_key="999-33014553", status=ReceiptStatus.ACCEPTED)
    root = engine.render(receipt, "gacc-mt9999", CTX).tree.getroot()
    assert root.findtext("m:Response/m:Consignment/m:ResponseType/m:Code", namespaces=R) == "01"
    assert root.findtext("m:Head/m:MessageType", namespaces=R) == "MT9999"
    assert root.findtext("m:Head/m:MessageID", namespaces=R) == CTX.message_id


def test_an_answer_to_a_message_that_is_not_a_gacc_manifest_says_mt9999_as_its_type(engine, ctx):
    from hub.models import Receipt, ReceiptStatus
    for answered in ("FWB", "CEB311", None):
        out = engine.render(Receipt(business_key="999-12345675", status=ReceiptStatus.ACCEPTED,
                                    answers_type=answered), "gacc-mt9999", ctx)
        assert b"<MessageType>MT9999</MessageType>" in out.data
    out = engine.render(Receipt(business_key="999-12345675", status=ReceiptStatus.ACCEPTED, answers_type="MT2101"),
                        "gacc-mt9999", ctx)
    assert b"<MessageType>MT2101</MessageType>" in out.data


# --- answers to the lifecycle reports: MT3101 arrival, MT4101 tally -------------------------------------


def test_an_answer_to_an_arrival_report_is_keyed_by_the_journey_and_names_mt3101(engine):
    r = engine.read(example("gacc", "mt9999-arrival-accepted.xml")).document
    assert (r.answers_type, r.answers_message_id) == ("MT3101", "CN_MT3101_1p0_2233310012345_20261127094102310")
    assert (r.business_key, r.status, r.agency_status, r.errors) == ("CA936", ReceiptStatus.ACCEPTED, "01", [])


def test_an_answer_to_a_tally_report_gives_each_bill_its_code_and_names_mt4101(engine):
    r = engine.read(example("gacc", "mt9999-tally-review.xml")).document
    assert (r.answers_type, r.business_key, r.status, r.agency_status) == \
        ("MT4101", "CA936", ReceiptStatus.ACKNOWLEDGED, "02")
    assert [(e.pointer, e.code) for e in r.errors] == [("999-66201833", "02")]
    assert "短少" in r.errors[0].text


def test_a_hub_made_answer_to_an_arrival_report_answers_the_conveyance_not_a_bill(engine):
    receipt = Receipt(answers_message_id="HUB-0123456789ABCDEF01234567.CUSTOMS-CN", answers_type="MT3101",
                      business_key="CA936/2026-11-26", issuer="2233", status=ReceiptStatus.ACCEPTED,
                      agency_status="01", text="抵境报告已接收")
    root = engine.render(receipt, "gacc-mt9999", CTX).tree.getroot()
    assert root.find("m:Response/m:Consignment", R) is None
    assert root.findtext("m:Response/m:BorderTransportMeans/m:JourneyID", namespaces=R) == "CA936/2026-11-26"
    assert root.findtext("m:Head/m:MessageType", namespaces=R) == "MT3101"
    again = engine.read(etree.tostring(root)).document
    assert again.model_dump(exclude={"header", "issued_at"}) == receipt.model_dump(exclude={"header", "issued_at"})


def test_a_hub_made_answer_to_a_tally_lists_the_bills_not_accepted(engine):
    receipt = Receipt(answers_message_id="CN_MT4101_1p0_X_1", answers_type="MT4101", business_key="CA936",
                      issuer="2233", status=ReceiptStatus.ACKNOWLEDGED, agency_status="02",
                      errors=[ReceiptError(code="02", text="理货差异 转人工审核", pointer="999-66201833")])
    again = engine.read(engine.render(receipt, "gacc-mt9999", CTX).data).document
    assert again.model_dump(exclude={"header", "issued_at"}) == receipt.model_dump(exclude={"header", "issued_at"})


@pytest.mark.parametrize("report,fmt", [("mt3101-air-arrival.xml", "gacc-mt3101"),
                                        ("mt4101-air-tally.xml", "gacc-mt4101")])
def test_customs_answer_to_a_delivered_report_correlates_with_that_delivery(engine, report, fmt):
    """The hub sends the report under its delivery id; customs' MT9999 echoes it as MessageID."""
    from hub.adapters import RenderContext
    from hub.worker.receipts import receipt_keys
    delivery = "HUB-0123456789ABCDEF01234567.CUSTOMS-CN"
    sent = engine.render(engine.read(example("gacc", report)).document, fmt, RenderContext(message_id=delivery))
    answered = etree.fromstring(sent.data).findtext("{*}Head/{*}MessageType")
    answer = example("gacc", "mt9999-arrival-accepted.xml").replace(
        b"CN_MT3101_1p0_2233310012345_20261127094102310", delivery.encode()).replace(
        b"<MessageType>MT3101<", f"<MessageType>{answered}<".encode())
    r = engine.read(answer).document
    assert r.answers_type == fmt[-6:].upper() and receipt_keys(r) == (delivery,)
