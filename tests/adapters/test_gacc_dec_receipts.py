"""Declaration receipts: DecImportResponse (ClientSeqNo -> SeqNo) and DEC_RESULT (SeqNo -> entry, CHANNEL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.errors import ConversionError
from hub.models import Receipt, ReceiptStatus
from tests.adapters.gacc_support import CTX
from tests.conftest import example


def test_a_successful_import_response_links_the_client_reference_to_the_unified_number(engine):
    r = engine.read(example("gacc", "dec-response-success.xml")).document
    assert (r.business_key, r.agency_reference, r.status, r.agency_status, r.answers_type) == \
        ("202611270000000731", "I20260000918273645", ReceiptStatus.ACKNOWLEDGED, "0", "DEC")
    assert r.errors == []


def test_a_failed_import_response_without_namespace_is_a_rejection_with_its_message(engine):
    inbound = engine.read(example("gacc", "dec-response-failure.xml"))
    r = inbound.document
    assert inbound.adapter.name == "gacc-dec-response"
    assert (r.business_key, r.status, r.agency_reference) == ("202612050000001102", ReceiptStatus.REJECTED, None)
    assert [(e.code, e.text) for e in r.errors] == [("1", "表体第2项：原产国（地区）[CHE]与随附单证不符 <E0102>")]


def test_a_released_result_carries_the_entry_number_channel_and_notice_time(engine):
    r = engine.read(example("gacc", "dec-result-released.xml")).document
    assert (r.business_key, r.agency_reference, r.agency_status, r.status, r.issuer) == \
        ("I20260000918273645", "223320261000457811", "P", ReceiptStatus.ACCEPTED, "2233")
    assert r.issued_at == datetime(2026, 11, 27, 7, 42, 8, tzinfo=UTC)


def test_a_returned_result_is_a_rejection_without_entry_number(engine):
    r = engine.read(example("gacc", "dec-result-returned.xml")).document
    assert (r.status, r.agency_reference, r.errors[0].code) == (ReceiptStatus.REJECTED, None, "E")


def test_a_wrapped_result_is_keyed_by_seq_no_and_explained_by_result_info(engine):
    r = engine.read(example("gacc", "dec-data-concluded.xml")).document
    assert (r.business_key, r.status, r.issuer) == ("I20260000877112093", ReceiptStatus.ACCEPTED, "8001")
    assert r.text == "报关单已审结，请缴纳税费后等待放行"


def test_the_receipts_chain_client_reference_to_unified_number_to_entry_number(engine):
    declaration = engine.read(example("gacc", "dec-import-air.xml")).document
    response = engine.read(example("gacc", "dec-response-success.xml")).document
    result = engine.read(example("gacc", "dec-result-released.xml")).document
    assert response.business_key == declaration.business_key
    assert result.business_key == response.agency_reference
    assert len(result.agency_reference) == 18


@pytest.mark.parametrize("channel,status", [
    ("P", ReceiptStatus.ACCEPTED), ("R", ReceiptStatus.ACCEPTED), ("K", ReceiptStatus.ACCEPTED),
    ("G", ReceiptStatus.ACCEPTED), ("E", ReceiptStatus.REJECTED), ("Z", ReceiptStatus.REJECTED),
    ("D", ReceiptStatus.REJECTED), ("7", ReceiptStatus.ACKNOWLEDGED), ("L", ReceiptStatus.ACKNOWLEDGED),
    ("C", ReceiptStatus.OTHER), ("T", ReceiptStatus.OTHER), ("Q9", ReceiptStatus.OTHER),
])
def test_channel_codes_map_to_receipt_statuses(engine, channel, status):
    data = example("gacc", "dec-result-released.xml").replace(b"<CHANNEL>P<", f"<CHANNEL>{channel}<".encode())
    r = engine.read(data).document
    assert (r.status, r.agency_status) == (status, channel)


def test_a_result_with_a_short_entry_number_is_schema_invalid(engine):
    data = example("gacc", "dec-result-released.xml").replace(b"223320261000457811", b"2233202610")
    assert [p.code for p in engine.inspect(data).problems] == ["SCHEMA_INVALID"]


def test_a_result_cannot_be_written_with_an_entry_number_that_is_not_18_digits(engine):
    receipt = Receipt(business_key="I20260000918273645", status=ReceiptStatus.ACCEPTED, agency_reference="MRN-1")
    with pytest.raises(ConversionError, match="18-digit"):
        engine.render(receipt, "gacc-dec-result", CTX)


@pytest.mark.parametrize("status,channel", [(ReceiptStatus.ACCEPTED, "P"), (ReceiptStatus.REJECTED, "E"),
                                            (ReceiptStatus.ACKNOWLEDGED, "L")])
def test_a_result_without_agency_code_is_written_with_the_channel_of_its_status(engine, status, channel):
    receipt = Receipt(business_key="I20260000918273645", status=status)
    assert engine.render(receipt, "gacc-dec-result", CTX).tree.getroot().findtext("CHANNEL") == channel


def test_an_import_response_without_agency_code_says_0_for_success_and_1_for_failure(engine):
    ok = Receipt(business_key="K1", status=ReceiptStatus.ACCEPTED)
    refused = Receipt(business_key="K1", status=ReceiptStatus.REJECTED)
    codes = [engine.render(r, "gacc-dec-response", CTX).tree.getroot().findtext(
        "{http://www.chinaport.gov.cn/dec}ResponseCode") for r in (ok, refused)]
    assert codes == ["0", "1"]
