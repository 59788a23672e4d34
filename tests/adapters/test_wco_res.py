"""The WCO RES adapter: golden files, round trips, the choice among answers, statuses, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hub.adapters import RenderContext
from hub.models import Receipt, ReceiptError, ReceiptStatus
from tests.adapters.golden_support import line_of
from tests.adapters.wco_support import assert_golden, same_except_message_id
from tests.conftest import EXAMPLES, example

RES_EXAMPLES = sorted(p.name for p in (EXAMPLES / "wco").glob("res_*.xml"))
RES = {"r": "urn:wco:datamodel:WCO:RES-DMS:2"}
CTX = RenderContext(message_id="HUB-TEST-0001", created_at=datetime(2026, 11, 27, tzinfo=UTC))


def response(code: str, lrn: str | None = "LRN-1", mrn: str | None = "26GBMRN0000000001", extra: str = "") -> str:
    """One Response element in the RES namespace's default form."""
    declaration = (f"<FunctionalReferenceID>{lrn}</FunctionalReferenceID>" if lrn else "") + \
                  (f"<ID>{mrn}</ID>" if mrn else "")
    return (f"<Response><FunctionCode>{code}</FunctionCode>{extra}"
            f"<Declaration>{declaration}</Declaration></Response>")


def envelope(*responses: str) -> bytes:
    return ('<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" '
            'xmlns="urn:wco:datamodel:WCO:RES-DMS:2"><md:WCOTypeName>RES</md:WCOTypeName>'
            + "".join(responses) + "</md:MetaData>").encode()


def receipt(**fields) -> Receipt:
    values = {"business_key": "LRN-1", "status": ReceiptStatus.REJECTED, "agency_status": "03",
              "agency_reference": "26GBMRN0000000001",
              "issued_at": datetime(2026, 11, 27, 9, 0, tzinfo=UTC)}
    return Receipt(**{**values, **fields})


def rendered(engine, doc: Receipt) -> etree._Element:
    return engine.render(doc, "wco-res", CTX).tree.getroot().find("r:Response", RES)


@pytest.mark.parametrize("name", RES_EXAMPLES)
def test_each_res_example_parses_to_its_golden_canonical_json(engine, name):
    inbound = engine.read(example("wco", name))
    assert inbound.adapter.name == "wco-res"
    assert_golden(name, inbound.document)


@pytest.mark.parametrize("name", RES_EXAMPLES)
def test_each_res_example_survives_parse_render_parse(engine, ctx, name):
    doc = engine.read(example("wco", name)).document
    again = engine.read(engine.render(doc, "wco-res", ctx).data).document
    assert same_except_message_id(again, doc)
    assert again.header.message_id == ctx.message_id


def test_the_rejected_example_reads_the_rejection_with_its_errors_and_pointers(engine):
    doc = engine.read(example("wco", "res_rejected.xml")).document
    assert (doc.status, doc.agency_status, doc.business_key) == (ReceiptStatus.REJECTED, "03", "LRN-2026-GB-00418")
    assert [(e.code, e.pointer) for e in doc.errors] == [("CDS12062", "42A/67A/68A[2]/63A#111"),
                                                         ("CDS40049", "42A#114")]


def test_a_rejection_is_chosen_over_a_later_answer(engine):
    doc = engine.read(envelope(response("03"), response("01"), response("13"))).document
    assert (doc.status, doc.agency_status) == (ReceiptStatus.REJECTED, "03")


def test_without_a_rejection_the_last_answer_is_chosen(engine):
    doc = engine.read(envelope(response("01"), response("13"), response("09"))).document
    assert (doc.status, doc.agency_status) == (ReceiptStatus.OTHER, "09")


def test_lrn_and_mrn_come_from_another_answer_when_the_chosen_one_lacks_them(engine):
    doc = engine.read(envelope(response("01", mrn="26GBFIRST00000001"), response("09", lrn="LRN-1", mrn=None))).document
    assert (doc.business_key, doc.agency_reference) == ("LRN-1", "26GBFIRST00000001")


@pytest.mark.parametrize("code, status", [("01", ReceiptStatus.ACCEPTED), ("1", ReceiptStatus.ACCEPTED),
                                          ("02", ReceiptStatus.ACKNOWLEDGED), ("03", ReceiptStatus.REJECTED),
                                          ("13", ReceiptStatus.OTHER), ("09", ReceiptStatus.OTHER)])
def test_function_codes_map_to_receipt_statuses_and_are_kept_as_agency_status(engine, code, status):
    data = response(code).replace("<Response>", '<Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2">', 1)
    doc = engine.read(data.encode()).document
    assert (doc.status, doc.agency_status) == (status, code)


def test_an_agency_status_of_another_format_gives_way_to_the_status_code(engine):
    doc = receipt(status=ReceiptStatus.ACCEPTED, agency_status="E1")
    assert rendered(engine, doc).findtext("r:FunctionCode", namespaces=RES) == "01"


def test_an_agency_status_meaning_the_same_status_is_kept(engine):
    doc = receipt(status=ReceiptStatus.OTHER, agency_status="13")
    assert rendered(engine, doc).findtext("r:FunctionCode", namespaces=RES) == "13"


def test_hub_error_codes_and_json_pointers_are_folded_into_the_description(engine):
    error = ReceiptError(code="RULE_COUNTRY_CODE", text="'XZ' is not an ISO 3166 country code",
                         pointer="/items/1/origin_country")
    el = rendered(engine, receipt(errors=[error])).find("r:Error", RES)
    assert el.findtext("r:Description", namespaces=RES) == \
        "RULE_COUNTRY_CODE: 'XZ' is not an ISO 3166 country code (at /items/1/origin_country)"
    assert el.find("r:ValidationCode", RES) is None and el.find("r:Pointer", RES) is None


def test_dms_shaped_errors_survive_render_and_parse(engine):
    errors = [ReceiptError(code="CDS12050", text="Wrong <value> & \"quote\"", pointer="42A/67A/68A[12]/02A#360"),
              ReceiptError(code="CDS10020", pointer="#9"), ReceiptError(code="", text="no code")]
    doc = receipt(errors=errors, text="see errors", issuer="HMRC")
    assert same_except_message_id(engine.read(engine.render(doc, "wco-res", CTX).data).document, doc)


def test_a_long_receipt_text_is_clipped_to_the_profile_limit(engine):
    doc = receipt(text="x" * 600)
    text = rendered(engine, doc).findtext("r:AdditionalInformation/r:StatementDescription", namespaces=RES)
    assert len(text) == 512 and text.endswith("…")


_TEXT = st.lists(st.one_of(st.sampled_from(list("&<>\"'") + ["中文", "報關單", "]]>", " "]),
                           st.characters(codec="utf-8", categories=["L", "N", "P", "S"])),
                 min_size=1, max_size=100).map(lambda parts: " ".join("".join(parts).split())).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, description=_TEXT)
def test_receipt_texts_with_markup_characters_and_cjk_survive_a_round_trip(engine, text, description):
    doc = receipt(text=text, errors=[ReceiptError(code="CDS10001", text=description)])
    assert same_except_message_id(engine.read(engine.render(doc, "wco-res", CTX).data).document, doc)


def test_res_envelopes_and_a_bare_response_are_detected_as_wco_res(engine):
    assert engine.detect(example("wco", "res_rejected.xml")).name == "wco-res"
    bare = response("01").replace("<Response>", '<Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2">', 1)
    assert engine.detect(bare.encode()).name == "wco-res"
    untyped = envelope(response("01")).replace(b"<md:WCOTypeName>RES</md:WCOTypeName>", b"")
    assert engine.detect(untyped).name == "wco-res"


def test_a_declaration_envelope_is_not_taken_for_a_response(engine):
    assert engine.detect(example("wco", "dec_import_cn_gb.xml")).name != "wco-res"


def test_a_response_without_its_declaration_block_is_schema_invalid_at_its_line(engine):
    data = example("wco", "res_accepted.xml")
    start, end = data.index(b"    <Declaration>"), data.index(b"</Declaration>") + len(b"</Declaration>\n")
    data = data[:start] + data[end:]
    problem = engine.inspect(data).problems[0]
    assert (problem.code, problem.line) == ("SCHEMA_INVALID", line_of(data, b"<Response>"))
    assert "Declaration" in problem.message
