"""Cargo-XML negative paths: schema violations, business rules located on source lines, parse and render refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from hub.adapters import Probe
from hub.composition import build_engine
from hub.errors import ConversionError, ParseError
from hub.models import Measure, Party
from hub.settings import Settings
from tests.adapters.golden_support import line_of
from tests.conftest import ROOT, example


def problems(engine, data: bytes) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in engine.inspect(data).problems]


XFWB = example("cargo_xml", "xfwb-pek-fra.xml")
XFZB = example("cargo_xml", "xfzb-bjs-fra.xml")
XFFM = example("cargo_xml", "xffm-ca935-pvg-fra.xml")


def test_non_numeric_piece_count_is_schema_invalid_on_its_line(engine):
    data = XFWB.replace(b"<TotalPieceQuantity>42<", b"<TotalPieceQuantity>forty-two<")
    assert problems(engine, data) == [("SCHEMA_INVALID", line_of(data, "forty-two"))]


def test_waybill_without_shipper_is_schema_invalid_with_a_line(engine):
    start, end = XFWB.index(b"<ConsignorParty>"), XFWB.index(b"</ConsignorParty>") + len(b"</ConsignorParty>")
    found = engine.inspect(XFWB[:start] + XFWB[end:]).problems
    assert [p.code for p in found] == ["SCHEMA_INVALID"]
    assert found[0].line and "ConsignorParty" in found[0].message


def test_malformed_awb_is_schema_invalid(engine):
    data = XFWB.replace(b"<ID>999-12345675</ID>", b"<ID>999-1234567</ID>")
    assert problems(engine, data) == [("SCHEMA_INVALID", line_of(data, "<ID>999-1234567</ID>"))]


def test_weight_without_unit_is_schema_invalid(engine):
    data = XFWB.replace(b'<IncludedTareGrossWeightMeasure unitCode="KGM">', b"<IncludedTareGrossWeightMeasure>")
    assert [code for code, _ in problems(engine, data)] == ["SCHEMA_INVALID"]


def test_unknown_purpose_code_is_schema_invalid(engine):
    data = XFWB.replace(b"<PurposeCode>Creation<", b"<PurposeCode>Replace<")
    assert problems(engine, data) == [("SCHEMA_INVALID", line_of(data, "Replace"))]


def test_elements_out_of_order_are_schema_invalid(engine):
    origin = b"<OriginLocation>\n      <ID>PEK</ID>\n      <Name>BEIJING CAPITAL</Name>\n    </OriginLocation>\n    "
    assert origin in XFWB
    data = XFWB.replace(origin, b"").replace(b"<ConsignorParty>", origin + b"<ConsignorParty>")
    assert [code for code, _ in problems(engine, data)] == ["SCHEMA_INVALID"]


def test_wrong_awb_check_digit_is_reported_on_the_awb_line(engine):
    data = XFWB.replace(b"<ID>999-12345675</ID>", b"<ID>999-12345676</ID>")
    assert problems(engine, data) == [("RULE_AWB_CHECK_DIGIT", line_of(data, "999-12345676"))]


def test_wrong_master_awb_check_digit_of_a_house_waybill_is_reported_on_its_line(engine):
    data = XFZB.replace(b"<ID>999-12345675</ID>", b"<ID>999-12345670</ID>")
    assert problems(engine, data) == [("RULE_AWB_CHECK_DIGIT", line_of(data, "999-12345670"))]


def test_wrong_awb_in_the_third_manifest_consignment_is_reported_on_that_consignment(engine):
    data = XFFM.replace(b"<ID>999-31415926</ID>", b"<ID>999-31415927</ID>")
    assert problems(engine, data) == [("RULE_AWB_CHECK_DIGIT", line_of(data, "999-31415927"))]


def test_manifest_totals_that_do_not_add_up_are_reported_on_the_total(engine):
    data = XFFM.replace(b"<TotalPieceQuantity>65<", b"<TotalPieceQuantity>66<")
    assert problems(engine, data) == [("RULE_TOTAL_MISMATCH", line_of(data, "<TotalPieceQuantity>66<"))]


def test_unknown_consignee_country_is_reported_on_the_country_line(engine):
    data = XFWB.replace(b"<CountryID>DE</CountryID>", b"<CountryID>XX</CountryID>", 1)
    expected = line_of(data, "<CountryID>XX</CountryID>")
    assert ("RULE_COUNTRY_CODE", expected) in problems(engine, data)


def test_short_hs_code_is_reported_on_its_own_type_code_line(engine):
    data = XFWB.replace(b"<TypeCode>851762</TypeCode>", b"<TypeCode>8517</TypeCode>")
    assert problems(engine, data) == [("RULE_HS_CODE", line_of(data, "<TypeCode>8517<"))]


def test_zero_pieces_is_reported_on_the_piece_count(engine):
    data = XFWB.replace(b"<TotalPieceQuantity>42<", b"<TotalPieceQuantity>0<")
    assert problems(engine, data) == [("RULE_NOT_POSITIVE", line_of(data, "<TotalPieceQuantity>0<"))]


def test_parsing_without_a_schema_names_the_missing_part_and_its_parent_line(engine):
    tree = etree.fromstring(XFWB.replace(b"rsm:MasterConsignment", b"rsm:Consignment")).getroottree()
    with pytest.raises(ParseError) as caught:
        engine.registry.get("xfwb").parse(Probe(data=b"", tree=tree))
    assert (caught.value.code, caught.value.line) == ("FIELD_MISSING", 2)
    assert caught.value.path == "/Waybill/MasterConsignment"


def test_rendering_converts_tonnes_to_kilograms(engine, ctx):
    doc = engine.read(XFWB).document
    heavy = doc.model_copy(update={"gross_weight": Measure(value=Decimal("1.2505"), unit="TNE")})
    again = engine.read(engine.render(heavy, "xfwb", ctx).data).document
    assert again.gross_weight == Measure(value=Decimal("1250.5"), unit="KGM")


def test_rendering_refuses_a_weight_unit_cargo_xml_cannot_carry(engine, ctx):
    doc = engine.read(XFWB).document
    with pytest.raises(ConversionError) as caught:
        engine.render(doc.model_copy(update={"gross_weight": Measure(value=Decimal(3), unit="STN")}), "xfwb", ctx)
    assert caught.value.code == "CONVERT_UNIT"


def test_rendering_refuses_text_xml_cannot_carry(engine, ctx):
    doc = engine.read(XFWB).document
    with pytest.raises(ConversionError) as caught:
        engine.render(doc.model_copy(update={"shipper": Party(name="BELL\x07CO")}), "xfwb", ctx)
    assert caught.value.code == "CONVERT_TEXT_INVALID"


def test_a_house_waybill_without_master_awb_cannot_become_an_xfzb(engine, ctx):
    doc = engine.read(XFZB).document.model_copy(update={"master_number": None})
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "xfzb", ctx)
    assert caught.value.code == "CONVERT_FIELD_MISSING"


def test_a_deployment_schema_directory_replaces_the_project_schema_of_the_same_name(tmp_path):
    for xsd in (ROOT / "schemas" / "cargo_xml").glob("*.xsd"):
        (tmp_path / xsd.name).write_bytes(xsd.read_bytes())
    stricter = (tmp_path / "xfwb.xsd").read_text().replace(
        'type="ram:WaybillConsignmentType"/>', 'type="ram:WaybillConsignmentType"/>'
        '\n      <xs:element name="Signature" type="xs:string"/>')
    (tmp_path / "xfwb.xsd").write_text(stricter)
    licensed = build_engine(Settings(iata_schema_dir=tmp_path))
    assert [p.code for p in licensed.inspect(XFWB).problems] == ["SCHEMA_INVALID"]
    assert build_engine(Settings()).inspect(XFWB).problems == []
