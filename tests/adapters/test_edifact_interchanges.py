"""EDIFACT interchanges of several messages (each its own document, each checked and named in
problems and in the CONTRL), receipts that answer several messages, message types the hub does
not read (refused by name), and line numbers for segments ended by a carriage return only.

Fixtures are the project's own, written in the shapes partners send (see ../shared/corpus/field).
"""

from __future__ import annotations

import pytest

from adapters import edifact
from adapters.edifact.pointer import Pointer
from hub.adapters import Probe
from hub.composition import build_engine
from hub.errors import DocumentError
from hub.models import Receipt, ReceiptStatus
from hub.settings import Settings
from hub.transport.base import Topology
from hub.worker.status import native_rejection
from tests.adapters.test_edifact_syntax import BODY, interchange, message, problems


def adapter(name: str, lenient: bool = False):
    return next(a for a in edifact.adapters(lenient=lenient) if a.name == name)


# -- several messages in one interchange ------------------------------------------------------------

def cuscar(voyage: str) -> list[str]:
    return [b.replace("V1", voyage) for b in BODY]


def test_every_message_of_an_interchange_is_its_own_document(engine):
    data = interchange(*message(cuscar("V1")), *message(cuscar("V2"), ref="M2"), *message(cuscar("V3"), ref="M3"))
    inbound = engine.inspect(data)
    assert inbound.problems == []
    assert [d.conveyance.journey_id for d in inbound.documents] == ["V1", "V2", "V3"]
    assert [d.header.message_id for d in inbound.documents] == ["M1", "M2", "M3"]
    assert inbound.document is inbound.documents[0]
    assert len({d.business_key for d in inbound.documents}) == 3


def test_each_message_keeps_its_own_unt_count_and_reference(engine):
    data = interchange(*message(ref="M1"), *message(ref="M2", count=4), *message(ref="M3", trailer_ref="MX"))
    assert problems(engine, data) == [
        ("EDI_UNT_COUNT", 24, "segment 23 UNT, message M2 segment 11"),
        ("EDI_UNT_REFERENCE", 35, "segment 34 UNT, message M3 segment 11")]


def test_the_interchange_count_counts_every_message(engine):
    data = interchange(*message(), *message(ref="M2"), count=1)
    assert problems(engine, data) == [("EDI_UNZ_COUNT", 25, "segment 24 UNZ")]


def test_a_problem_in_one_message_names_that_message_and_its_segment(engine):
    bad = [b.replace("TDT+20+V1+1", "TDT+20+V1+9") for b in BODY]
    data = interchange(*message(), *message(bad, ref="M2"), *message(ref="M3"))
    (code, line, path), = problems(engine, data)
    assert (code, line) == ("EDI_CODE_UNMAPPED", 16)
    assert path == "segment 15 TDT, message M2 segment 3 element 4:1"


def test_problems_in_two_messages_are_all_reported(engine):
    bad = [b.replace("TDT+20+V1+1", "TDT+20+V1+9") for b in BODY]
    data = interchange(*message(bad), *message(ref="M2"), *message(bad, ref="M3"))
    found = problems(engine, data)
    assert [Pointer.parse(p).message for _, _, p in found] == ["M1", "M3"]


def test_a_number_the_model_refuses_has_the_same_code_in_message_2_of_2_as_alone(engine):
    """15-digit piece counts break GID 7224 (n..8) first: strictly each is EDI_ELEMENT_TOO_LONG; a lenient
    hub reads them and the model's own guard refuses their 16-digit sum, the same alone and as message 2."""
    huge = [*BODY[:-1], "GID+1+999999999999999", "GID+2+999999999999999"]  # pieces sum to 16 digits
    alone = engine.inspect(interchange(*message(huge))).problems
    second = engine.inspect(interchange(*message(), *message(huge, ref="M2"))).problems
    assert [p.code for p in alone] == [p.code for p in second] == ["EDI_ELEMENT_TOO_LONG"] * 2
    assert [Pointer.parse(p.path).message for p in second] == ["M2", "M2"]
    lenient = build_engine(Settings(edifact_lenient=True))
    alone = lenient.inspect(interchange(*message(huge))).problems
    second = lenient.inspect(interchange(*message(), *message(huge, ref="M2"))).problems
    assert [p.code for p in alone] == [p.code for p in second] == ["NUMBER_OUT_OF_RANGE"]
    assert second[0].message.startswith("message M2: /pieces: ") and Pointer.parse(second[0].path).message == "M2"


def test_a_rule_broken_in_message_2_is_reported_once_at_its_segment(engine):
    bad = [b.replace("LOC+11+CNSHA", "LOC+11+XX1") for b in BODY]
    assert problems(engine, interchange(*message(), *message(bad, ref="M2"))) == \
        [("RULE_LOCATION_CODE", 18, "segment 17 LOC, message M2 segment 5")]


def test_a_message_of_another_type_in_the_interchange_is_named(engine):
    data = interchange(*message(), *message(ref="M2", kind="CUSDEC:D:96B:UN"))
    (code, line, path), = problems(engine, data)
    assert (code, path) == ("EDI_MESSAGE_TYPE", "segment 13 UNH, message M2 segment 1")
    assert "CUSDEC" in engine.inspect(data).problems[0].message


def contrl_for(engine, data: bytes) -> str:
    inbound = engine.inspect(data)
    errors = inbound.problems
    pub = native_rejection(engine, Topology("t"), "CARRIER", "HUB-1", inbound.adapter, data, None, errors,
                           "EPORTHUB")
    text = pub.body.decode()
    assert text.count("UNH+") == 1 and "UCI+IC1+" in text
    return text


def test_the_contrl_for_a_refused_interchange_names_each_failed_message(engine):
    bad = [b.replace("TDT+20+V1+1", "TDT+20+V1+9") for b in BODY]
    # SG5 keeps a reference that names no bill: D95B opens the group (and its GID) with an RFF
    no_bill = [b.replace("CNI+1+BL1", "CNI+1").replace("RFF+BM:BL1", "RFF+XX:1") for b in BODY]
    data = interchange(*message(), *message(bad, ref="M2"), *message(no_bill, ref="M3"))
    text = contrl_for(engine, data)
    assert "UCM+M2+CUSCAR:D:95B:UN+4'UCS+3'UCD+12+4:1'" in text.replace("\n", "")
    assert "UCM+M3+CUSCAR:D:95B:UN+4'UCS+7'UCD+13+3:1'" in text.replace("\n", "")
    contrl = Receipt.model_validate(engine.read(text.encode()).document.model_dump())
    assert {Pointer.parse(e.pointer).message for e in contrl.errors} == {"M2", "M3"}


def test_the_contrl_for_a_miscounted_message_names_it_at_message_level(engine):
    data = interchange(*message(), *message(ref="M2", count=3))
    assert "UCM+M2+CUSCAR:D:95B:UN+4+29+UNT" in contrl_for(engine, data)


def test_reply_facts_name_every_message_of_the_interchange(engine):
    data = interchange(*message(), *message(ref="M2"))
    facts = adapter("cuscar").reply_facts(data)
    assert (facts["answers_interchange"], facts["answers_message_id"], facts["answers_type"]) == \
        ("IC1", "M1", "CUSCAR")
    assert [(m["answers_message_id"], m["answers_type"]) for m in facts["more"]] == [("M2", "CUSCAR")]


def test_a_receipt_interchange_of_several_messages_is_one_receipt_with_every_answer(engine):
    data = interchange(*message(["UCI+HUBIC1+PARTNER+EPORTHUB+8"], ref="C1", kind="CONTRL:4:1:UN"),
                       *message(["UCI+HUBIC2+PARTNER+EPORTHUB+4+29+UNZ"], ref="C2", kind="CONTRL:4:1:UN"),
                       syntax="UNOB")
    inbound = engine.inspect(data)
    assert inbound.problems == [] and len(inbound.documents) == 1
    receipt = inbound.document
    assert isinstance(receipt, Receipt)
    answers = receipt.answers()
    assert [(a.answers_interchange, a.status) for a in answers] == \
        [("HUBIC1", ReceiptStatus.ACKNOWLEDGED), ("HUBIC2", ReceiptStatus.REJECTED)]
    assert [a.header.message_id for a in answers] == ["C1", "C2"]


def test_aperak_interchange_of_two_answers_is_one_receipt_in_order(engine):
    def aperak(key: str, code: str) -> list[str]:
        return ["BGM+++9", "DTM+137:202611270830:203", f"RFF+ACW:{key}", f"ERC+{code}"]   # APERAK D96A: no DOC
    data = interchange(*message(aperak("K1", "1"), ref="A1", kind="APERAK:D:96A:UN"),
                       *message(aperak("K2", "12"), ref="A2", kind="APERAK:D:96A:UN"))
    receipt = engine.read(data).document
    assert [(a.business_key, a.status) for a in receipt.answers()] == \
        [("K1", ReceiptStatus.ACCEPTED), ("K2", ReceiptStatus.REJECTED)]


def test_lenient_reading_still_relaxes_only_the_control_counts(engine):
    data = interchange(*message(), *message(ref="M2", count=4))
    docs = adapter("cuscar", lenient=True).parse_all(Probe(data))
    assert [d.header.message_id for d in docs] == ["M1", "M2"]
    with pytest.raises(DocumentError):
        adapter("cuscar").parse_all(Probe(data))


# -- message types the hub does not read -------------------------------------------------------------

PNR = ["MSG+:22", "ORG+XX", "TVL+270526:1039:270526:1142+PEK+FRA+CA+931"]


def test_an_unsupported_message_type_is_refused_by_name(engine):
    data = interchange(*message(PNR, kind="PNRGOV:11:1:IA"), syntax="UNOA:4")
    with pytest.raises(DocumentError) as caught:
        engine.inspect(data)
    (problem,) = caught.value.problems
    assert problem.code == "EDI_MESSAGE_TYPE_UNSUPPORTED"
    assert problem.message.startswith("PNRGOV is not a message type the hub reads (it reads CUSCAR, CUSDEC, "
                                      "IFTMIN, PAXLST, CONTRL, APERAK, CUSRES)")
    assert problem.line == 3


def test_an_unsupported_type_is_still_recognised_under_a_foreign_syntax_identifier(engine):
    data = interchange(*message(PNR, kind="PNRGOV:11:1:IA"), syntax="IATA:1", una="UNA:+.?*'")
    with pytest.raises(DocumentError) as caught:
        engine.detect(data)
    assert caught.value.code == "EDI_MESSAGE_TYPE_UNSUPPORTED" and "PNRGOV" in caught.value.message


def test_an_unsupported_message_after_a_supported_one_is_named(engine):
    data = interchange(*message(), *message(PNR, ref="M2", kind="PNRGOV:11:1:IA"))
    (code, _, path), = problems(engine, data)
    assert (code, path) == ("EDI_MESSAGE_TYPE_UNSUPPORTED", "segment 13 UNH, message M2 segment 1")


# -- line numbers ---------------------------------------------------------------------------------------

def test_segments_ended_by_a_carriage_return_only_get_their_own_line(engine):
    data = interchange(*message(count=99), sep="'\r", una="")
    assert problems(engine, data) == [("EDI_UNT_COUNT", 12, "segment 12 UNT, message M1 segment 11")]
    crlf = interchange(*message(count=99), sep="'\r\n", una="")
    assert problems(engine, crlf) == problems(engine, data)


def test_a_carriage_return_only_charset_error_has_its_line(engine):
    data = interchange(*message([b.replace("CAR", "car") for b in BODY]), syntax="UNOA:3", sep="'\r", una="")
    assert [(c, line) for c, line, _ in problems(engine, data)] == [("EDI_CHARSET_VIOLATION", 4)]
