"""The hub's EDIFACT receipts fit their directories: codes longer than ERC allows, long texts, long
ids, and a CONTRL that knows no interchange - written, valid (the render checks every output against
its directory) and read back with what they said."""

from __future__ import annotations

import pytest

from adapters import edifact
from adapters.edifact.writer import reference
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Receipt, ReceiptError, ReceiptStatus

CTX = RenderContext(message_id="HUB-0123456789ABCDEF01234567.SENDER", sender_id="EPORTHUB", receiver_id="SENDER")
HUB_ID = "HUB-89ABCDEF0123456789ABCDEF.CUSTOMS-CN"
REASON = ("The consignee telephone number is missing for perishable cargo bound for China (CN) and the rate class "
          "given for the special handling code PER is not one the carrier's tariff allows; correct both, check "
          "the weights of pieces 2 and 3 against the master air waybill, and send the message again, please!")


def adapter(name: str):
    return next(a for a in edifact.adapters() if a.name == name)


def round_trip(engine, name: str, receipt: Receipt) -> tuple[bytes, Receipt]:
    data = adapter(name).render(receipt, CTX).data
    return data, engine.read(data).document


def rejection(**changes) -> Receipt:
    facts = {"answers_message_id": "ONE0471W0002", "business_key": "0471W/2026-11-24", "answers_type": "CUSCAR",
             "status": ReceiptStatus.REJECTED}
    return Receipt(**(facts | changes))


@pytest.mark.parametrize("name", ["aperak", "cusres"])
def test_a_rejection_with_hub_codes_longer_than_erc_allows_reads_back_with_its_codes_and_texts(engine, name):
    errors = [ReceiptError(code="RULE_AWB_CHECK_DIGIT", text="AWB 160-24680133 fails its check digit (expected 2)",
                           pointer="/number"),
              ReceiptError(code="EDI_ELEMENT_TOO_LONG", text="NAD element 3036 is too long"),
              ReceiptError(code="RULE_WEIGHT_MISSING"),
              ReceiptError(code="E102", text="TOTAL VALUE DIFFERS")]
    data, back = round_trip(engine, name, rejection(errors=errors))
    assert [(e.code, e.text, e.pointer) for e in back.errors] == [(e.code, e.text, e.pointer) for e in errors]
    assert b"ERC+39'" in data and b"ERC+E102'" in data      # an EDI_* code as its 0085 code; a short one as it is
    assert b"RULE_AWB_CHECK_DIGIT" not in data.split(b"ERC+")[1].split(b"'")[0]
    # an agency's ERC keeps its own code, even when its text starts with what looks like a hub code
    foreign = data.replace(b"ERC+39'", b"ERC+E1'")
    assert [(e.code, e.text) for e in engine.read(foreign).document.errors][1] == \
        ("E1", "EDI_ELEMENT_TOO_LONG\nNAD element 3036 is too long")


@pytest.mark.parametrize("name", ["aperak", "cusres"])
def test_a_three_hundred_character_reason_round_trips(engine, name):
    assert len(REASON) == 300
    receipt = rejection(text=REASON, errors=[ReceiptError(code="RULE_AWB_CHECK_DIGIT", text=REASON),
                                             ReceiptError(code="E9", text=REASON + "\nSECOND LINE")])
    output = adapter(name).render(receipt, CTX)
    back = engine.read(output.data).document
    assert back.text == REASON
    assert [(e.code, e.text) for e in back.errors] == \
        [("RULE_AWB_CHECK_DIGIT", REASON), ("E9", REASON + "\nSECOND LINE")]
    assert output.warnings == ()


def test_a_contrl_answering_an_unknown_interchange_is_written_and_valid(engine):
    receipt = Receipt(answers_message_id=HUB_ID, business_key="999-12345675", status=ReceiptStatus.REJECTED,
                      errors=[ReceiptError(code="RULE_AWB_CHECK_DIGIT", text=REASON)])
    data, back = round_trip(engine, "contrl", receipt)
    assert f"UCI+{reference(HUB_ID)}+SENDER+EPORTHUB+4+18'".encode() in data
    assert (back.status, back.answers_interchange, [e.code for e in back.errors]) == \
        (ReceiptStatus.REJECTED, reference(HUB_ID), ["18"])


def test_a_contrl_for_an_agency_number_longer_than_a_syntax_error_code_says_unspecified(engine):
    data, back = round_trip(engine, "contrl", rejection(answers_interchange="IC1",
                                                      errors=[ReceiptError(code="0001", text="MANIFEST NOT FOUND")]))
    assert b"UCM+ONE0471W0002+CUSCAR:D:95B:UN+4+18'" in data
    assert [e.code for e in back.errors] == ["18"]


@pytest.mark.parametrize("facts, expected", [
    ({"business_key": "LRN-2026-GB-00418-AND-SOME-MORE"}, reference("LRN-2026-GB-00418-AND-SOME-MORE")),
    ({"business_key": ""}, reference(CTX.message_id)),
    ({"answers_message_id": "CN_MT1101_1p0_2233310012345_20261127081500123", "answers_type": "MT1101",
      "business_key": "999-33014553"}, reference("CN_MT1101_1p0_2233310012345_20261127081500123")),
])
def test_a_contrl_always_names_an_interchange_the_reader_reads_back(engine, facts, expected):
    data, back = round_trip(engine, "contrl", Receipt(status=ReceiptStatus.ACKNOWLEDGED, **facts))
    assert back.answers_interchange == expected
    if "answers_type" in facts:
        assert (back.answers_message_id, back.answers_type) == (expected, "MT1101")


@pytest.mark.parametrize("name", ["aperak", "cusres"])
def test_an_answered_hub_id_longer_than_rff_allows_is_written_as_its_reference(engine, name):
    data, back = round_trip(engine, name, rejection(answers_message_id=HUB_ID, errors=[ReceiptError(code="E1")]))
    assert f"RFF+ACW:{reference(HUB_ID)}'".encode() in data
    assert back.answers_message_id == reference(HUB_ID)


@pytest.mark.parametrize("name", ["aperak", "cusres"])
def test_an_answered_foreign_id_longer_than_rff_allows_is_refused(name):
    receipt = rejection(answers_message_id="{C438C60E-8459-5878-BB03-53A147A6D6EF}", errors=[ReceiptError(code="E1")])
    with pytest.raises(ConversionError) as caught:
        adapter(name).render(receipt, CTX)
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_INVALID", "RFF+ACW C506 1154")
