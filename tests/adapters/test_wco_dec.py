"""The WCO DEC adapter: golden files, round trips both ways, code mappings, escaping, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Direction, Function
from tests.adapters.golden_support import line_of, with_function
from tests.adapters.wco_support import assert_golden, rich_declaration, same_except_message_id
from tests.conftest import EXAMPLES, example

DEC_EXAMPLES = sorted(p.name for p in (EXAMPLES / "wco").glob("dec_*.xml"))
DEC = {"d": "urn:wco:datamodel:WCO:DEC-DMS:2", "p1": "urn:wco:datamodel:WCO:Declaration_DS:DMS:2"}
CTX = RenderContext(message_id="HUB-TEST-0001", created_at=datetime(2026, 11, 27, tzinfo=UTC))


def rendered(engine, doc) -> etree._Element:
    """The Declaration element of the rendered DEC (validated against schemas/wco/dec.xsd by the engine)."""
    return engine.render(doc, "wco-dec", CTX).tree.getroot().find("d:Declaration", DEC)


def round_trip(engine, doc):
    return engine.read(engine.render(doc, "wco-dec", CTX).data).document


@pytest.mark.parametrize("name", DEC_EXAMPLES)
def test_each_dec_example_parses_to_its_golden_canonical_json(engine, name):
    inbound = engine.read(example("wco", name))
    assert inbound.adapter.name == "wco-dec"
    assert_golden(name, inbound.document)


@pytest.mark.parametrize("name", DEC_EXAMPLES)
def test_each_dec_example_survives_parse_render_parse(engine, ctx, name):
    doc = engine.read(example("wco", name)).document
    again = engine.read(engine.render(doc, "wco-dec", ctx).data).document
    assert same_except_message_id(again, doc)


def test_a_declaration_using_every_canonical_field_survives_render_and_parse(engine):
    doc = rich_declaration()
    assert round_trip(engine, doc) == doc


def test_the_import_example_reads_parties_items_documents_and_totals(engine):
    doc = engine.read(example("wco", "dec_import_cn_gb.xml")).document
    assert (doc.reference, doc.direction, doc.type_code, doc.procedure) == \
        ("LRN-2026-GB-00417", Direction.IMPORT, "IMA", "40")
    assert doc.declarant.name == "Harbour & Crane Customs Brokers Ltd"
    assert doc.exporter.name.startswith("宁波示例塑料制品有限公司")
    assert [(d.type, d.id) for d in doc.transport_documents] == [("BL", "NSPU2611250417")]
    assert [str(i.quantity.value) + i.quantity.unit for i in doc.items] == ["40XCT", "30XCT", "200NAR"]
    assert doc.total_value.value == doc.summed_value()
    assert doc.issued_at == datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def test_cancellation_is_written_as_function_13_with_type_inv_and_read_back_as_cancel(engine):
    doc = with_function(rich_declaration(), Function.CANCEL)
    el = rendered(engine, doc)
    assert (el.findtext("d:FunctionCode", namespaces=DEC), el.findtext("d:TypeCode", namespaces=DEC)) == ("13", "INV")
    again = round_trip(engine, doc)
    assert (again.function, again.type_code, again.reference) == (Function.CANCEL, None, doc.reference)


def test_amendment_is_written_as_function_13_and_keeps_the_declaration_type(engine):
    el = rendered(engine, rich_declaration())
    assert (el.findtext("d:FunctionCode", namespaces=DEC), el.findtext("d:TypeCode", namespaces=DEC)) == ("13", "EXD")


@pytest.mark.parametrize("code, function", [("1", Function.CANCEL), ("5", Function.AMEND),
                                            ("4", Function.AMEND), ("13", Function.AMEND)])
def test_untdid_function_codes_are_read_as_their_canonical_function(engine, code, function):
    data = example("wco", "dec_export_gb_us.xml").replace(b"<FunctionCode>9<", f"<FunctionCode>{code}<".encode())
    assert engine.read(data).document.function is function


def test_an_unknown_function_code_is_refused_at_its_line(engine):
    data = example("wco", "dec_export_gb_us.xml").replace(b"<FunctionCode>9<", b"<FunctionCode>14<")
    problem = engine.inspect(data).problems[0]
    assert (problem.code, problem.line) == ("CODE_UNKNOWN", line_of(data, b"<FunctionCode>"))


def test_a_type_code_of_another_agency_gives_way_to_the_direction(engine):
    doc = rich_declaration().model_copy(update={"type_code": "0", "direction": Direction.EXPORT})
    assert rendered(engine, doc).findtext("d:TypeCode", namespaces=DEC) == "EX"
    again = round_trip(engine, doc)
    assert (again.direction, again.type_code) == (Direction.EXPORT, None)


def test_a_bare_direction_without_type_code_survives_as_direction_only(engine):
    doc = rich_declaration().model_copy(update={"type_code": None})
    assert round_trip(engine, doc) == doc


def test_an_offset_with_minutes_is_written_as_the_same_instant_in_utc(engine):
    when = datetime(2026, 11, 27, 14, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    doc = rich_declaration().model_copy(update={"issued_at": when})
    text = rendered(engine, doc).findtext("d:IssueDateTime/p1:DateTimeString", namespaces=DEC)
    assert text == "20261127083000Z"
    assert round_trip(engine, doc).issued_at == when


def test_a_naive_date_at_midnight_is_written_as_format_102_and_read_back_naive(engine):
    doc = rich_declaration().model_copy(update={"issued_at": datetime(2026, 11, 27)})
    string = rendered(engine, doc).find("d:IssueDateTime/p1:DateTimeString", DEC)
    assert (string.get("formatCode"), string.text) == ("102", "20261127")
    assert round_trip(engine, doc).issued_at == datetime(2026, 11, 27)


def test_transport_documents_are_written_as_previous_documents_with_untdid_codes(engine):
    docs = rendered(engine, rich_declaration()).findall("d:GoodsShipment/d:PreviousDocument", DEC)
    assert [(d.findtext("d:CategoryCode", namespaces=DEC), d.findtext("d:TypeCode", namespaces=DEC))
            for d in docs] == [("Z", "730"), ("Z", "380"), ("Z", "N71")]


def test_a_transport_contract_document_of_the_full_data_model_is_read_too(engine):
    data = example("wco", "dec_export_gb_us.xml").replace(
        b"<Destination>", b"<Consignment><TransportContractDocument><ID>MAEU123</ID><TypeCode>705</TypeCode>"
                          b"</TransportContractDocument></Consignment><Destination>")
    docs = engine.read(data).document.transport_documents
    assert [(d.type, d.id) for d in docs] == [("BL", "MAEU123"), ("AWB", "125-12345675")]


_MARKUP = st.sampled_from(list("&<>\"'") + ["&amp;", "]]>", "<!--", "中文", "報關單", "😀", " "])
_TEXT = st.lists(st.one_of(_MARKUP, st.characters(codec="utf-8", categories=["L", "N", "P", "S"])),
                 min_size=1, max_size=30).map(lambda parts: " ".join("".join(parts).split()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT.filter(bool), description=_TEXT.filter(bool), street=_TEXT.filter(bool))
def test_names_and_descriptions_with_markup_characters_and_cjk_survive_a_round_trip(
        engine, name, description, street):
    doc = rich_declaration()
    doc.exporter.name = name
    doc.declarant.address.street = street
    doc.items[0].description = description
    assert round_trip(engine, doc) == doc


def test_the_metadata_envelope_and_a_bare_declaration_are_detected_as_wco_dec(engine):
    assert engine.detect(example("wco", "dec_import_cn_gb.xml")).name == "wco-dec"
    assert engine.detect(example("wco", "dec_export_gb_us.xml")).name == "wco-dec"


def test_a_metadata_envelope_of_another_wco_type_is_not_taken_for_a_declaration(engine):
    assert engine.detect(example("wco", "res_accepted.xml")).name != "wco-dec"


def test_a_declaration_without_function_code_is_schema_invalid_at_its_line(engine):
    data = example("wco", "dec_import_cn_gb.xml").replace(b"<FunctionCode>9</FunctionCode>", b"")
    problems = engine.inspect(data).problems
    assert problems[0].code == "SCHEMA_INVALID"
    assert problems[0].line == line_of(data, b"<FunctionalReferenceID>")


def test_an_unknown_origin_country_gets_rule_country_code_at_its_line(engine):
    origin = b"<CountryCode>CN</CountryCode>\n        </Origin>"  # items 2 and 3 (item 1 has a TypeCode)
    data = example("wco", "dec_import_cn_gb.xml").replace(origin, origin.replace(b"CN", b"XZ"), 1)
    problems = engine.inspect(data).problems
    assert [(p.code, p.path, p.line) for p in problems] == \
        [("RULE_COUNTRY_CODE", "/items/1/origin_country", line_of(data, b"<CountryCode>XZ"))]


def test_an_invoice_amount_differing_from_the_items_sum_gets_rule_total_mismatch_at_its_line(engine):
    data = example("wco", "dec_import_cn_gb.xml").replace(b">18450.00<", b">18450.01<")
    problems = engine.inspect(data).problems
    assert [(p.code, p.line) for p in problems] == [("RULE_TOTAL_MISMATCH", line_of(data, b"<InvoiceAmount"))]


def test_a_goods_item_without_description_gets_field_missing_at_its_commodity(engine):
    data = example("wco", "dec_export_gb_us.xml").replace(
        b"<Description>Jumpers, knitted, of cashmere</Description>", b"")
    problem = engine.inspect(data).problems[0]
    assert (problem.code, problem.line) == ("FIELD_MISSING", line_of(data, b"<Commodity>", nth=2))


def test_an_amount_without_currency_is_schema_invalid(engine):
    data = example("wco", "dec_export_gb_us.xml").replace(b'<InvoiceAmount currencyID="GBP">', b"<InvoiceAmount>")
    problem = engine.inspect(data).problems[0]
    assert (problem.code, problem.line) == ("SCHEMA_INVALID", line_of(data, b"<InvoiceAmount>"))


def test_a_name_longer_than_the_profile_allows_is_refused_naming_the_field(engine):
    doc = rich_declaration()
    doc.exporter.name = "N" * 71
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "wco-dec", CTX)
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_TOO_LONG", "/exporter/name")


def test_a_party_id_may_have_the_data_models_35_characters_not_only_the_eoris_17(engine):
    doc = rich_declaration()
    doc.importer.id = "91440300795439964P"  # a Chinese unified social credit code: 18
    doc.exporter.id = "X" * 35
    assert round_trip(engine, doc) == doc
    doc.declarant.id = "X" * 36
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "wco-dec", CTX)
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_TOO_LONG", "/declarant/id")


def test_a_value_with_more_decimals_than_the_profile_allows_is_refused_naming_the_field(engine):
    doc = rich_declaration()
    doc.items[1].value.value = Decimal("1249.5001")
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "wco-dec", CTX)
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_PRECISION", "/items/1/value/value")


def test_multi_line_text_is_folded_onto_one_line(engine):
    doc = rich_declaration()
    doc.items[0].description = "Laptops\n  14 inch\tsilver"
    assert round_trip(engine, doc).items[0].description == "Laptops 14 inch silver"
