"""DxpRep as a receipt: the exchange platform's transport answer, correlated by the CopMsgId it echoes."""

from __future__ import annotations

import pytest

from hub.models import Receipt, ReceiptError, ReceiptStatus


def reply(engine, ctx, receipt: Receipt) -> Receipt:
    out = engine.render(receipt, "dxp-rep", ctx)
    inbound = engine.read(out.data)
    assert inbound.adapter.name == "dxp-rep"
    return inbound.document


@pytest.mark.parametrize("status, code", [(ReceiptStatus.ACKNOWLEDGED, "0"), (ReceiptStatus.REJECTED, "1")])
def test_a_reply_echoes_the_copmsgid_and_reads_back_with_its_status(engine, ctx, status, code):
    sent = Receipt(answers_message_id="HUB-0123.CUSTOMS-CN-EC", business_key="-", status=status,
                   answers_type="CEB311Message", text="taken" if code == "0" else "bad payload")
    back = reply(engine, ctx, sent)
    assert (back.answers_message_id, back.business_key, back.status, back.agency_status, back.answers_type) == (
        "HUB-0123.CUSTOMS-CN-EC", "HUB-0123.CUSTOMS-CN-EC", status, code, "CEB311Message")
    assert back.errors == ([] if code == "0" else [ReceiptError(code="1", text="bad payload")])


def test_any_non_zero_code_is_a_refusal_and_several_responses_are_several_answers(engine, ctx):
    sent = Receipt(answers_message_id="M2", business_key="-", status=ReceiptStatus.REJECTED, agency_status="2001",
                   text="receiver unknown",
                   more=[Receipt(answers_message_id="M1", business_key="-", status=ReceiptStatus.ACKNOWLEDGED,
                                 agency_status="000")])
    back = reply(engine, ctx, sent)
    assert [(a.answers_message_id, a.status, a.agency_status) for a in back.answers()] == [
        ("M1", ReceiptStatus.ACKNOWLEDGED, "000"), ("M2", ReceiptStatus.REJECTED, "2001")]


def test_a_dxp_envelope_the_hub_cannot_open_is_answered_with_a_dxp_rep(engine):
    from hub.transport.base import Topology
    from hub.worker.status import native_rejection
    broken = (b'<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0"><dxp:TransInfo>'
              b'<dxp:CopMsgId>EC-0001</dxp:CopMsgId></dxp:TransInfo></dxp:DxpMsg>')
    inbound = engine.inspect(broken)
    assert inbound.adapter.name == "dxp" and not inbound.valid
    pub = native_rejection(engine, Topology("t"), "EC-PLATFORM", "HUB-1", inbound.adapter, broken, None,
                           inbound.problems, "EPORTHUB")
    answer = engine.read(pub.body)
    assert answer.adapter.name == "dxp-rep" and answer.document.status is ReceiptStatus.REJECTED
    assert answer.document.answers_message_id == "EC-0001"          # echoed from the broken envelope
