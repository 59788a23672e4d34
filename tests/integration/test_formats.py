"""The format pack on the real broker: EDIFACT and Cargo-IMP senders, CONTRL and FNA rejections,
passenger lists to border control and quarantine with their receipts."""

from __future__ import annotations

import json

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.models import Receipt, ReceiptStatus
from hub.store.base import DeliveryState
from tests.conftest import example
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_flow import send

ENGINE = build_engine()


def by_type(got) -> dict[str, bytes]:
    return {props.content_type: body for props, body in got}


def test_an_interchange_with_a_wrong_segment_count_gets_a_contrl_naming_the_segment(settings, queues):
    with Hub(settings):
        send(settings, example("bad", "cuscar-wrong-unt.edi"), "SHIPPING-COSCO")
        got = by_type(queues.take(queues.topology.sender_queue("SHIPPING-COSCO"), 2))
        event = json.loads(got["application/json"])
        assert event["event"] == "message.rejected" and event["errors"][0]["code"] == "EDI_UNT_COUNT"
        contrl = ENGINE.read(got["application/edifact"])
        assert contrl.adapter.name == "contrl" and contrl.document.status is ReceiptStatus.REJECTED
        bad = example("bad", "cuscar-wrong-unt.edi").decode()
        interchange_ref = bad.split("UNB+")[1].split("'")[0].split("+")[4].split(":")[0]
        assert contrl.document.answers_interchange == interchange_ref
        (error,) = contrl.document.errors                     # UNTDID 0085 code 29: control count wrong
        assert error.code == "29" and error.pointer.startswith("UNT, message ")


def test_a_bad_cargo_imp_waybill_gets_an_fna_echoing_it(settings, queues):
    with Hub(settings):
        body = example("cargo_imp", "fwb-cx-hkg-fra.txt").replace(b"160-24680132", b"160-24680133")
        send(settings, body, "AIRLINE-MU")
        got = by_type(queues.take(queues.topology.sender_queue("AIRLINE-MU"), 2))
        fna = ENGINE.read(got["text/plain"])
        assert fna.adapter.name == "fna" and fna.document.business_key == "160-24680133"
        assert fna.document.errors[0].code == "RULE_AWB_CHECK_DIGIT"
        assert "160-24680133HKGFRA" in fna.document.text


def test_a_passenger_list_reaches_border_and_quarantine_and_both_answers_correlate(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("edifact", "paxlst-ca931-pek-fra.edi"), "AIRLINE-CA", "PAX-1")
        (border_props, border_body), = queues.take(queues.topology.receiver_queue("BORDER-CONTROL"), 1)
        (ciq_props, ciq_body), = queues.take(queues.topology.receiver_queue("INSPECTION-CIQ"), 1)
        paxlst, health = ENGINE.read(border_body), ENGINE.read(ciq_body)
        assert (paxlst.adapter.name, health.adapter.name) == ("paxlst", "quarantine-json")
        assert len(paxlst.document.persons) == len(health.document.persons) == 3
        hub_id = border_props.headers["x-hub-message-id"]
        wait_for(lambda: all(d.state is DeliveryState.SENT for d in hub.store.deliveries(hub_id)))

        cusres = Receipt(answers_message_id=paxlst.document.header.message_id, business_key="-",
                         status=ReceiptStatus.ACCEPTED, agency_status="1", text="cleared")
        send(settings, ENGINE.render(cusres, "cusres", RenderContext(message_id="B1", sender_id="BORDER-CONTROL",
                                                                     receiver_id="EPORTHUB")).data,
             "BORDER-CONTROL", receipt=True)
        ok = Receipt(answers_message_id=ciq_props.message_id, business_key="-", status=ReceiptStatus.ACCEPTED)
        send(settings, ENGINE.render(ok, "json", RenderContext(message_id="Q1")).data, "INSPECTION-CIQ",
             receipt=True)
        states = wait_for(lambda: (s := {d.receiver: d.state for d in hub.store.deliveries(hub_id)})
                          and set(s.values()) == {DeliveryState.ACCEPTED} and s)
        assert set(states) == {"BORDER-CONTROL", "INSPECTION-CIQ"}


def test_a_rejected_interchange_is_replayed_once_the_hub_reads_edifact_leniently(settings, queues):
    from hub.store.base import MessageFilter, MessageStatus
    from tests.integration.test_admin import hub_cli
    with Hub(settings) as hub:
        send(settings, example("bad", "cuscar-wrong-unt.edi"), "SHIPPING-COSCO", "COSCO-1")
        rejected = wait_for(lambda: hub.store.find(MessageFilter(status=MessageStatus.REJECTED)))
        assert rejected[0].errors[0]["code"] == "EDI_UNT_COUNT"
    lenient = settings.model_copy(update={"edifact_lenient": True})
    with Hub(lenient) as hub:                        # the operator turns HUB_EDIFACT_LENIENT on, then replays
        done = hub_cli(lenient, "replay", rejected[0].id)
        assert done.exit_code == 0, done.output
        wait_for(lambda: hub.store.message(rejected[0].id).status is MessageStatus.ACCEPTED)
        (props, body), = queues.take(queues.topology.receiver_queue("CUSTOMS-CN"), 1)
        assert ENGINE.detect(body).name == "gacc-mt1101"


def test_a_message_that_breaks_its_directory_gets_a_contrl_naming_segment_element_and_code(settings, queues):
    """UN/EDIFACT D99B gives LOC C517 3225 an..25: a 30-character place code is refused by the directory
    check, and the CONTRL names the segment, the element (C517, element 3 component 1) and code 39."""
    body = example("edifact", "iftmin-master-999-12345675.edi").replace(b"LOC+5+PEK:::", b"LOC+5+" + b"P" * 30 + b":::")
    (problem,) = ENGINE.inspect(body).problems
    assert problem.code == "EDI_ELEMENT_TOO_LONG" and problem.path.endswith(" element 3:1")
    at = problem.path.split(", ")[1]                          # message SLF20261126001 segment N element 3:1
    with Hub(settings):
        send(settings, body, "FORWARDER-SINOTRANS")
        got = by_type(queues.take(queues.topology.sender_queue("FORWARDER-SINOTRANS"), 2))
        event = json.loads(got["application/json"])
        assert event["event"] == "message.rejected"
        assert [e["code"] for e in event["errors"]] == ["EDI_ELEMENT_TOO_LONG"]
        contrl = ENGINE.read(got["application/edifact"])
        assert contrl.adapter.name == "contrl" and contrl.document.status is ReceiptStatus.REJECTED
        (error,) = contrl.document.errors                    # UNTDID 0085 code 39: data element too long
        assert error.code == "39" and error.pointer == at
