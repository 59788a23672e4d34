"""GACC DecMessage: field map, GBK and wrapped variants, code tables, round trips, errors, escaping."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from hub.errors import ConversionError, InvalidDocument, UnknownFormat
from hub.models import Address, Direction, Function, Measure, Party, TransportMode
from tests.adapters.gacc_support import CTX, XML_TEXT, gacc_declaration
from tests.adapters.golden_support import line_of, with_function
from tests.conftest import example

D = {"d": "http://www.chinaport.gov.cn/dec"}


def rendered_head(engine, doc) -> dict[str, str]:
    root = engine.render(doc, "gacc-dec", CTX).tree.getroot()
    return {el.tag.split("}")[1]: el.text for el in root.find("d:DecHead", D)}


def test_the_air_import_reads_parties_documents_items_and_totals(engine):
    d = engine.read(example("gacc", "dec-import-air.xml")).document
    assert (d.reference, d.direction, d.type_code, d.procedure, d.declaration_office) == \
        ("202611270000000731", Direction.IMPORT, "M", "0110", "2233")
    assert (d.transport_mode, d.trade_country, d.total_packages) == (TransportMode.AIR, "DE", 12)
    assert d.issued_at == datetime(2026, 11, 27, 2, 15, tzinfo=UTC)
    assert (d.declarant.id, d.declarant.name, d.declarant.email) == \
        ("91310000MA1FL2B39H", "上海东方报关有限公司", "declare@dongfang-customs.example")
    assert (d.importer.id, d.importer.name, d.importer.phone) == \
        ("91310115MA1H8QRT4C", "上海张江医疗器械有限公司", "021-5080 3322")
    assert (d.exporter.id, d.exporter.name) == ("DE813499217", "Rhein-Main Electronics GmbH & Co. KG")
    assert [(x.type, x.id) for x in d.transport_documents] == \
        [("AWB", "99920893165"), ("HAWB", "SHA26110578"), ("Y", "ECFTA2026DE00123")]
    first, second = d.items
    assert (first.quantity, first.origin_country, first.net_weight) == \
        (Measure(value=Decimal("40"), unit="C62"), "DE", None)
    assert (second.quantity.unit, second.origin_country, second.net_weight) == \
        ("H87", "CH", Measure(value=Decimal("96.5"), unit="KGM"))
    assert d.total_value.value == d.summed_value() == Decimal("184400.00")


def test_a_gbk_declaration_without_namespace_reads_its_chinese_names_and_legacy_codes(engine):
    data = example("gacc", "dec-import-road-gbk.xml")
    assert b'encoding="GBK"' in data and "深圳".encode("gbk") in data
    inbound = engine.read(data)
    d = inbound.document
    assert inbound.adapter.name == "gacc-dec"
    assert d.declarant.name == "深圳倍通物流科技有限公司"
    assert (d.importer.name, d.exporter.name) == ("深圳华南精密电子有限公司", "香港畅运国际物流有限公司")
    assert d.items[0].description == "多功能一体机用钢铁滚轴"
    assert (d.trade_country, d.items[0].origin_country, d.items[0].value.currency) == ("HK", "JP", "USD")
    assert d.issued_at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)


def test_the_single_window_import_wrapper_is_read_with_its_message_id(engine):
    inbound = engine.read(example("gacc", "dec-importmessage-rail.xml"))
    assert inbound.adapter.name == "gacc-dec"
    assert inbound.document.header.message_id == "DEC-CQ-20261210-0042"
    assert [(x.type, x.id) for x in inbound.document.transport_documents] == [("CIM", "CIM26DE0045671")]


def test_an_import_wrapper_without_a_declaration_is_not_taken_for_one(engine):
    with pytest.raises(UnknownFormat):
        engine.detect(b"<ImportMessage><SWImpHead/><SWImpData><Other/></SWImpData></ImportMessage>")


def test_a_declaration_with_every_field_gacc_carries_survives_render_and_parse(engine):
    doc = gacc_declaration()
    assert engine.read(engine.render(doc, "gacc-dec", CTX).data).document == doc


def test_an_export_swaps_the_domestic_and_overseas_parties(engine):
    doc = gacc_declaration(direction=Direction.EXPORT, importer=Party(name="West Coast Lighting Inc."),
                           exporter=Party(id="91320594MA1N7QWE3K", name="苏州明辉照明科技有限公司"))
    head = rendered_head(engine, doc)
    assert (head["IEFlag"], head["TradeCoScc"], head["OverseasConsigneeEname"]) == \
        ("E", "91320594MA1N7QWE3K", "West Coast Lighting Inc.")
    assert engine.read(engine.render(doc, "gacc-dec", CTX).data).document == doc


def test_codes_are_written_as_iso_letters_and_gacc_units_and_ids_by_length(engine):
    root = engine.render(gacc_declaration(), "gacc-dec", CTX).tree.getroot()
    head = {el.tag.split("}")[1]: el.text for el in root.find("d:DecHead", D)}
    assert (head["TradeCountry"], head["TrafMode"], head["BillNo"]) == ("DEU", "5", "99920893165_SHA26110578")
    assert (head["AgentCodeScc"], head["TradeCode"]) == ("91310000MA1FL2B39H", "3122460789")
    items = root.findall("d:DecLists/d:DecList", D)
    assert [(i.findtext("d:GUnit", namespaces=D), i.findtext("d:OriginCountry", namespaces=D),
             i.findtext("d:TradeCurr", namespaces=D)) for i in items] == \
        [("001", "DEU", "EUR"), ("007", "CHE", "EUR")]
    assert items[1].findtext("d:FirstUnit", namespaces=D) == "035"
    assert root.findtext("d:DecLicenseDocus/d:LicenseDocu/d:CertCode", namespaces=D) == "INV-2026-0042"


def test_an_unmapped_gacc_country_is_an_error_naming_the_field_and_line(engine):
    data = example("gacc", "dec-import-air.xml").replace(b"<OriginCountry>CHE<", b"<OriginCountry>ZZZ<")
    with pytest.raises(InvalidDocument) as err:
        engine.read(data)
    problem = err.value.problems[0]
    assert (problem.code, problem.line) == ("CODE_UNMAPPED", line_of(data, b"ZZZ"))
    assert "OriginCountry 'ZZZ'" in problem.message


def test_an_unmapped_traffic_mode_is_an_error_naming_trafmode(engine):
    # W (logistics centre) is on the customs' list and read; Q is on no list
    data = example("gacc", "dec-export-sea.xml").replace(b"<TrafMode>2<", b"<TrafMode>Q<")
    problem = engine.inspect(data).problems[0]
    assert problem.code == "CODE_UNMAPPED" and problem.message.startswith("TrafMode 'Q'")


@pytest.mark.parametrize("change,pointer", [
    ({"trade_country": "CL"}, "/trade_country"),
    ({"total_gross_weight": Measure(value=Decimal("700"), unit="LBR")}, "/total_gross_weight/unit"),
])
def test_a_canonical_code_without_gacc_equivalent_is_a_conversion_error_naming_the_field(engine, change, pointer):
    with pytest.raises(ConversionError) as err:
        engine.render(gacc_declaration(**change), "gacc-dec", CTX)
    assert err.value.path == pointer and pointer in err.value.message


def test_an_unmapped_item_currency_or_unit_names_the_item_field(engine):
    doc = gacc_declaration()
    doc.items[1].value.currency = "XAF"
    with pytest.raises(ConversionError, match="/items/1/value/currency"):
        engine.render(doc, "gacc-dec", CTX)
    doc = gacc_declaration()
    doc.items[0].quantity.unit = "LPA"  # litre of pure alcohol: GACC has litres (095) only
    with pytest.raises(ConversionError, match="/items/0/quantity/unit"):
        engine.render(doc, "gacc-dec", CTX)


@pytest.mark.parametrize("function", [Function.AMEND, Function.CANCEL])
def test_amendments_and_cancellations_cannot_be_written_as_a_decmessage(engine, function):
    with pytest.raises(ConversionError, match="modify/withdraw"):
        engine.render(with_function(gacc_declaration(), function), "gacc-dec", CTX)


def test_a_foreign_declaration_type_is_not_written_as_entry_type(engine):
    assert "EntryType" not in rendered_head(engine, gacc_declaration(type_code="IMZ"))


def test_a_schema_invalid_declaration_is_reported_with_its_line(engine):
    data = example("gacc", "dec-export-sea.xml").replace(b"<IEFlag>E<", b"<IEFlag>X<")
    problems = engine.inspect(data).problems
    assert [p.code for p in problems] == ["SCHEMA_INVALID"]
    assert problems[0].line == line_of(data, b"<IEFlag>")


def test_a_rule_error_in_a_declaration_without_namespace_points_at_its_line(engine):
    data = example("gacc", "dec-import-road-gbk.xml").replace(b"<GQty>1007.1200<", b"<GQty>0<")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path) for p in problems] == [("RULE_NOT_POSITIVE", "/items/0/quantity/value")]
    assert problems[0].line == line_of(data, b"<GQty>0<")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=XML_TEXT, description=XML_TEXT)
def test_trader_names_and_goods_names_survive_render_and_parse(engine, name, description):
    doc = gacc_declaration()
    doc.declarant.name = name
    doc.items[0].description = description
    again = engine.read(engine.render(doc, "gacc-dec", CTX).data).document
    assert (again.declarant.name, again.items[0].description) == (name, description)


@pytest.mark.parametrize("unit, gacc, read_back", [
    ("XCT", "120", "XCT"), ("XCS", "120", "XCT"), ("XBX", "140", "XBX"), ("XBO", "142", "XBO"),
    ("XBG", "136", "XBG"), ("XPK", "125", "XPK"), ("XCX", "122", "XCX"), ("LTR", "095", "LTR"),
    ("NAR", "011", "NAR"), ("PCE", "007", "H87"),
])
def test_package_and_count_units_are_written_as_gacc_units_and_read_back(engine, unit, gacc, read_back):
    doc = gacc_declaration()
    doc.items[0].quantity.unit = unit
    output = engine.render(doc, "gacc-dec", CTX)
    assert output.tree.getroot().findtext("d:DecLists/d:DecList/d:GUnit", namespaces=D) == gacc
    assert engine.read(output.data).document.items[0].quantity.unit == read_back


def test_an_exports_overseas_consignee_keeps_its_address_line(engine):
    doc = gacc_declaration(direction=Direction.EXPORT,
                           importer=Party(id="US-EIN-12-3456789", name="West Coast Lighting Inc.",
                                          address=Address(street="400 Harbor Blvd, Long Beach CA 90802")),
                           exporter=Party(id="91320594MA1N7QWE3K", name="苏州明辉照明科技有限公司"))
    head = rendered_head(engine, doc)
    assert (head["OverseasConsigneeCode"], head["OverseasConsignorAddr"]) == \
        ("US-EIN-12-3456789", "400 Harbor Blvd, Long Beach CA 90802")
    assert "OverseasConsignorCode" not in head and "OverseasConsignorEname" not in head
    assert engine.read(engine.render(doc, "gacc-dec", CTX).data).document == doc


def test_an_overseas_party_with_a_chinese_name_only_is_read_in_either_direction(engine):
    data = example("gacc", "dec-export-sea.xml").replace(
        b"<OverseasConsigneeEname>Hanseatic Home Textiles GmbH</OverseasConsigneeEname>",
        "<OverseasConsignorCname>汉萨家纺有限公司</OverseasConsignorCname>".encode())
    assert engine.read(data).document.importer.name == "汉萨家纺有限公司"
