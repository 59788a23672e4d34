"""XFNM: reading airline answers, and writing the hub's own (negative) receipts to Cargo-XML senders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.models import Function, MessageHeader, Receipt, ReceiptError, ReceiptStatus
from tests.conftest import example

XFWB = example("cargo_xml", "xfwb-pek-fra.xml")


def test_accepted_response_names_the_answered_awb_type_and_conversation(engine):
    receipt = engine.read(example("cargo_xml", "xfnm-accepted-999-12345675.xml")).document
    assert (receipt.business_key, receipt.answers_type, receipt.status, receipt.agency_status) == \
        ("999-12345675", "741", ReceiptStatus.ACCEPTED, "Accepted")
    assert (receipt.header.conversation_id, receipt.issuer, receipt.errors) == \
        ("CONV-PEK-20261126-7731", "AIRCHINACARGO", [])
    assert receipt.answers_message_id is None  # an XFNM does not echo it


def test_rejected_response_lists_each_response_status_as_an_error(engine):
    receipt = engine.read(example("cargo_xml", "xfnm-rejected-999-44556676.xml")).document
    assert (receipt.status, receipt.agency_reference, receipt.text) == \
        (ReceiptStatus.REJECTED, "ACC-REJ-5531", "Waybill rejected: 2 errors")
    assert [(e.code, e.pointer) for e in receipt.errors] == [
        ("RTD102E", "masterConsignment.consigneeParty.definedTradeContact"), ("RTD215E", None)]
    assert receipt.errors[1].text == 'rate class "Q" <not allowed> for SPH code PER'


def test_hub_negative_receipt_for_a_bad_waybill_is_a_valid_rejecting_xfnm(engine, ctx):
    bad = XFWB.replace(b"<ID>999-12345675</ID>", b"<ID>999-12345676</ID>")
    inbound = engine.inspect(bad)
    receipt = Receipt(header=MessageHeader(conversation_id=inbound.document.header.conversation_id),
                      business_key=inbound.document.business_key, answers_type="741",
                      status=ReceiptStatus.REJECTED, text=f"{len(inbound.problems)} problem(s)",
                      errors=[ReceiptError(code=p.code, text=f"line {p.line}: {p.message}", pointer=p.path)
                              for p in inbound.problems])
    output = engine.render(receipt, "xfnm", ctx)  # validated against xfnm.xsd by the engine
    assert b"<ram:StatusCode>Rejected</ram:StatusCode>" in output.data
    assert b"<ram:ConditionCode>Error</ram:ConditionCode>" in output.data
    assert b"<ram:ConversationID>CONV-PEK-20261126-7731</ram:ConversationID>" in output.data
    again = engine.read(output.data).document
    assert (again.business_key, again.answers_type, again.status) == ("999-12345676", "741", ReceiptStatus.REJECTED)
    assert again.errors == receipt.errors
    assert (again.header.message_id, again.header.sender_id, again.header.recipient_id) == \
        (ctx.message_id, ctx.sender_id, ctx.receiver_id)
    assert again.issued_at == ctx.created_at


def test_minimal_receipt_renders_with_only_key_and_status(engine, ctx):
    output = engine.render(Receipt(business_key="BJS00012345", status=ReceiptStatus.ACCEPTED), "xfnm", ctx)
    again = engine.read(output.data).document
    assert (again.business_key, again.status, again.answers_type, again.errors) == \
        ("BJS00012345", ReceiptStatus.ACCEPTED, None, [])


@pytest.mark.parametrize("status, agency, written", [
    (ReceiptStatus.ACCEPTED, None, "Accepted"),
    (ReceiptStatus.ACKNOWLEDGED, None, "Accepted"),
    (ReceiptStatus.REJECTED, None, "Rejected"),
    (ReceiptStatus.REJECTED, "REJECTED", "REJECTED"),
    (ReceiptStatus.REJECTED, "1", "Rejected"),  # another agency's code is not a Cargo-XML status
    (ReceiptStatus.OTHER, "Processed", "Processed"),
    (ReceiptStatus.OTHER, None, "Other"),
])
def test_status_code_is_written_from_the_canonical_status(engine, ctx, status, agency, written):
    receipt = Receipt(business_key="999-12345675", status=status, agency_status=agency)
    output = engine.render(receipt, "xfnm", ctx)
    assert f"<ram:StatusCode>{written}</ram:StatusCode>".encode() in output.data


def test_status_codes_are_read_case_insensitively_and_unknown_ones_kept(engine):
    data = example("cargo_xml", "xfnm-rejected-999-44556676.xml")
    lower = engine.read(data.replace(b">Rejected<", b">rejected<")).document
    other = engine.read(data.replace(b">Rejected<", b">Processed<")).document
    assert (lower.status, lower.agency_status) == (ReceiptStatus.REJECTED, "rejected")
    assert (other.status, other.agency_status) == (ReceiptStatus.OTHER, "Processed")


@pytest.mark.parametrize("function, purpose", [(Function.ORIGINAL, "Response"), (Function.AMEND, "Update"),
                                               (Function.CANCEL, "Deletion")])
def test_purpose_code_follows_the_receipt_function(engine, ctx, function, purpose):
    receipt = Receipt(header=MessageHeader(function=function), business_key="999-12345675",
                      status=ReceiptStatus.ACCEPTED)
    output = engine.render(receipt, "xfnm", ctx)
    assert f"<ram:PurposeCode>{purpose}</ram:PurposeCode>".encode() in output.data
    assert engine.read(output.data).document.header.function is function


def test_issue_time_keeps_fractions_and_offset(engine, ctx):
    moment = datetime(2026, 11, 27, 8, 30, 5, 125000, tzinfo=UTC)
    receipt = Receipt(business_key="999-12345675", status=ReceiptStatus.ACCEPTED, issued_at=moment)
    again = engine.read(engine.render(receipt, "xfnm", ctx).data).document
    assert again.issued_at == moment == again.header.issued_at
