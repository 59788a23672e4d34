"""CEB receipts: the returnStatus table, which record a multi-record receipt stands for, guid echoes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.ceb import guid_for
from adapters.ceb.returns import RETURN_STATUS
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import MessageHeader, Receipt, ReceiptStatus
from tests.conftest import example

C = {"ceb": "http://www.chinaport.gov.cn/ceb"}
S = ReceiptStatus
RETURN = """<CEB622Message xmlns="http://www.chinaport.gov.cn/ceb" guid="A5D2D2D7-A4CE-412F-987B-D1909603618C"
 version="1.0">{}</CEB622Message>"""
RECORD = """<InventoryReturn><guid>E47E66B0-EE29-59E0-B0B2-6119272AE3E7</guid><copNo>COP-1</copNo>
<preNo>B20261127000004217</preNo>{invt}<returnStatus>{code}</returnStatus><returnTime>{time}</returnTime>
<returnInfo>{info}</returnInfo></InventoryReturn>"""


def returns(*records: tuple[str, str], invt: str = "") -> bytes:
    body = "".join(RECORD.format(code=code, time=time, info=f"info {code}", invt=invt) for code, time in records)
    return RETURN.format(body).encode()


def element(out, tag: str) -> str | None:
    """The value in the last return record (the one the Receipt itself stands for)."""
    found = out.tree.getroot().findall(f"*/ceb:{tag}", namespaces=C)
    return found[-1].text if found else None


@pytest.mark.parametrize("code,status,meaning", [
    ("1", S.ACKNOWLEDGED, "stored"), ("2", S.ACKNOWLEDGED, "declaring"), ("3", S.ACKNOWLEDGED, "sent to customs"),
    ("4", S.REJECTED, "sending to customs failed"), ("100", S.REJECTED, "returned by customs"),
    ("120", S.ACCEPTED, "accepted into customs"), ("300", S.ACKNOWLEDGED, "manual review"),
    ("399", S.ACCEPTED, "concluded"), ("500", S.OTHER, "inspection"), ("501", S.OTHER, "held, handed to clearance"),
    ("502", S.OTHER, "held, handed to anti-smuggling"), ("503", S.OTHER, "held, handed to legal affairs"),
    ("550", S.OTHER, "held"), ("599", S.OTHER, "held, other"), ("700", S.REJECTED, "returned shipment"),
    ("800", S.ACCEPTED, "released"), ("899", S.ACCEPTED, "cleared"), ("-1", S.REJECTED, "error"),
    ("-301010", S.REJECTED, "error"), ("42", S.OTHER, "unknown status"),
])
def test_return_status_codes_map_to_receipt_statuses(engine, code, status, meaning):
    data = example("ceb", "ceb412-payment-accepted.xml").replace(b">120<", f">{code}<".encode())
    r = engine.read(data).document
    assert (r.status, r.agency_status, r.text) == (status, code, f"{meaning}: [Code:2600;Desc:支付单海关入库成功]")
    assert [(e.code, e.text) for e in r.errors] == \
        ([(code, "[Code:2600;Desc:支付单海关入库成功]")] if status is S.REJECTED else [])


def test_the_table_covers_every_documented_code():
    assert set(RETURN_STATUS) == {"1", "2", "3", "4", "100", "120", "300", "399", "500", "501", "502", "503",
                                  "599", "700", "800", "899"}


def test_a_receipt_with_several_records_stands_for_the_latest(engine):
    r = engine.read(example("ceb", "ceb622-inventory-released.xml")).document
    assert (r.agency_status, r.status, r.agency_reference, r.issuer, r.business_key) == \
        ("800", S.ACCEPTED, "22332026I000123456", "2233", "DFBG2026112700017")
    assert r.issued_at == datetime(2026, 11, 27, 6, 20, 5, 117000, tzinfo=UTC)
    assert r.header.recipient_id == "3122980155"


@pytest.mark.parametrize("records,chosen", [
    ((("2", "20261127100000000"), ("120", "20261127100000000")), "120"),
    ((("800", "20261127100000000"), ("-1", "20261127100000000")), "-1"),
    ((("899", "20261127090000000"), ("100", "20261127100000001")), "100"),
])
def test_among_records_of_the_same_time_the_highest_rank_wins(engine, records, chosen):
    assert engine.read(returns(*records)).document.agency_status == chosen


def test_an_inventory_receipt_without_invtno_refers_to_the_preno(engine):
    r = engine.read(returns(("2", "20261127100000000"))).document
    assert r.agency_reference == "B20261127000004217"
    assert engine.read(returns(("2", "20261127100000000"), invt="<invtNo>22332026I000123456</invtNo>")) \
        .document.agency_reference == "22332026I000123456"


@pytest.mark.parametrize("name", ["ceb312-order-accepted.xml", "ceb412-payment-accepted.xml",
                                  "ceb512-logistics-accepted.xml", "ceb622-inventory-released.xml"])
def test_return_info_is_written_back_without_the_meaning_the_reader_put_before_it(engine, ctx, name):
    inbound = engine.read(example("ceb", name))
    out = engine.render(inbound.document, inbound.adapter.name, ctx)
    assert element(out, "returnInfo") == inbound.document.text.split(": ", 1)[1]
    assert element(out, "guid") == inbound.document.answers_message_id


@pytest.mark.parametrize("status,code", [(S.ACKNOWLEDGED, "2"), (S.ACCEPTED, "120"), (S.REJECTED, "-1")])
def test_a_receipt_without_agency_code_is_written_with_the_code_of_its_status(engine, ctx, status, code):
    out = engine.render(Receipt(business_key="YPH1", status=status), "ceb312", ctx)
    assert (element(out, "returnStatus"), element(out, "returnTime")) == (code, "20261127163000000")
    assert element(out, "returnInfo") == engine.read(out.data).document.text.split(": ")[0]


def test_a_code_of_another_family_or_another_status_is_not_written(engine, ctx):
    accepted = Receipt(business_key="YPH1", status=S.ACCEPTED, agency_status="P")
    assert element(engine.render(accepted, "ceb312", ctx), "returnStatus") == "120"
    held = Receipt(business_key="YPH1", status=S.OTHER, agency_status="502")
    assert element(engine.render(held, "ceb312", ctx), "returnStatus") == "502"
    with pytest.raises(ConversionError, match="returnStatus"):
        engine.render(Receipt(business_key="YPH1", status=S.OTHER, agency_status="C"), "ceb312", ctx)


def test_order_receipt_parties_come_from_the_addressee_else_the_receiver(engine, ctx):
    out = engine.render(Receipt(business_key="YPH1", status=S.ACCEPTED), "ceb312", ctx)
    assert (element(out, "ebpCode"), element(out, "ebcCode")) == ("CUSTOMS", "CUSTOMS")
    addressed = Receipt(header=MessageHeader(recipient_id="3122960002"), business_key="YPH1", status=S.ACCEPTED)
    assert element(engine.render(addressed, "ceb312", ctx), "ebcCode") == "3122960002"
    with pytest.raises(ConversionError) as err:
        engine.render(Receipt(business_key="YPH1", status=S.ACCEPTED), "ceb312",
                      RenderContext(message_id="M", receiver_id="R" * 19))
    assert err.value.code == "CEB_RECEIVER_ID"


def test_an_inventory_receipt_needs_the_18_character_pre_entry_number(engine, ctx):
    with pytest.raises(ConversionError) as err:
        engine.render(Receipt(business_key="COP-1", status=S.ACCEPTED, agency_reference="B123"), "ceb622", ctx)
    assert (err.value.code, err.value.path) == ("FIELD_REQUIRED", "/agency_reference")
    out = engine.render(Receipt(business_key="COP-1", status=S.ACCEPTED, agency_reference="22332026I000123456",
                                issuer="CUSTOMS-CN"), "ceb622", ctx)
    assert (element(out, "preNo"), element(out, "invtNo"), element(out, "customsCode")) == \
        ("22332026I000123456", None, None)


def test_a_receipt_for_a_hub_message_echoes_the_guid_the_hub_gave_that_message(engine, ctx):
    hub_id = "HUB-20261127-000042"
    declared = engine.render(engine.read(example("ceb", "ceb311-order.xml")).document, "ceb311",
                             RenderContext(message_id=hub_id))
    record_guid = declared.tree.getroot().findtext("*/*/ceb:guid", namespaces=C)
    answer = engine.render(Receipt(answers_message_id=hub_id, business_key="YPH20261127000042",
                                   status=S.ACCEPTED), "ceb312", ctx)
    receipt = engine.read(answer.data).document
    assert receipt.answers_message_id == record_guid == guid_for(hub_id)
    kept = Receipt(answers_message_id=record_guid, business_key="YPH20261127000042", status=S.ACCEPTED)
    assert element(engine.render(kept, "ceb312", ctx), "guid") == record_guid


def test_every_record_of_a_receipt_is_an_answer_applied_oldest_first(engine, ctx):
    receipt = engine.read(example("ceb", "ceb622-inventory-released.xml")).document
    answers = receipt.answers()
    assert len(answers) == 3 and answers[-1].agency_status == "800" and answers[-1].more == []
    assert [a.agency_status for a in answers] == sorted((a.agency_status for a in answers), key=int)
    again = engine.read(engine.render(receipt, "ceb622", ctx).data).document
    assert [a.agency_status for a in again.answers()] == [a.agency_status for a in answers]
