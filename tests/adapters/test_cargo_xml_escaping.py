"""Hypothesis: any XML-legal text in names, addresses, descriptions and reasons survives render -> parse.

Markup characters (& < > " '), CJK, tabs, new lines and carriage returns included;
text is generated without leading or trailing white space because readers strip it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.adapters import RenderContext
from hub.models import Address, CustomsNote, Party, ReceiptError
from tests.conftest import example

MARKUP_AND_CJK = list("&<>\"'") + ["&amp;", "]]>", "<!--", "中华人民共和国", "貨物", "東京", "한국", "€",
                                   "\t", "\n", "\r"]
XML_TEXT = st.lists(
    st.one_of(st.characters(exclude_categories=("Cs", "Cc", "Cn")), st.sampled_from(MARKUP_AND_CJK)),
    min_size=1, max_size=30,
).map("".join).filter(lambda t: t == t.strip() and t != "")
CTX = RenderContext(message_id="HUB-ESC-1", created_at=datetime(2026, 11, 27, tzinfo=UTC))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(name=XML_TEXT, street=XML_TEXT, description=XML_TEXT, note=XML_TEXT, content=XML_TEXT)
def test_waybill_text_survives_render_and_parse(engine, name, street, description, note, content):
    doc = engine.read(example("cargo_xml", "xfwb-pek-fra.xml")).document
    doc = doc.model_copy(update={
        "shipper": Party(id="X1", name=name, address=Address(street=street, city=name, country="CN")),
        "agent": Party(name=name, email=note),
        "goods_description": description,
        "handling_notes": [note, description],
        "customs_notes": [CustomsNote(content_code="T", content=content, subject_code="SHP", country="CN")],
    })
    again = engine.read(engine.render(doc, "xfwb", CTX).data).document
    assert (again.shipper, again.agent, again.goods_description, again.handling_notes, again.customs_notes) == \
        (doc.shipper, doc.agent, doc.goods_description, doc.handling_notes, doc.customs_notes)


@SETTINGS
@given(name=XML_TEXT, description=XML_TEXT)
def test_house_waybill_text_survives_render_and_parse(engine, name, description):
    doc = engine.read(example("cargo_xml", "xfzb-sha-fra.xml")).document
    doc = doc.model_copy(update={"consignee": Party(name=name), "goods_description": description})
    again = engine.read(engine.render(doc, "xfzb", CTX).data).document
    assert (again.consignee, again.goods_description) == (doc.consignee, doc.goods_description)


@SETTINGS
@given(description=XML_TEXT)
def test_manifest_description_survives_render_and_parse(engine, description):
    doc = engine.read(example("cargo_xml", "xffm-ca932-fra-pek.xml")).document
    first = doc.consignments[0].model_copy(update={"goods_description": description})
    doc = doc.model_copy(update={"consignments": [first, *doc.consignments[1:]]})
    again = engine.read(engine.render(doc, "xffm", CTX).data).document
    assert again.consignments[0].goods_description == description


@SETTINGS
@given(reason=XML_TEXT, summary=XML_TEXT, pointer=XML_TEXT)
def test_response_reasons_survive_render_and_parse(engine, reason, summary, pointer):
    doc = engine.read(example("cargo_xml", "xfnm-rejected-999-44556676.xml")).document
    doc = doc.model_copy(
        update={"text": summary, "errors": [ReceiptError(code="RULE_X", text=reason, pointer=pointer)]})
    again = engine.read(engine.render(doc, "xfnm", CTX).data).document
    assert (again.text, again.errors) == (summary, doc.errors)
