"""GACC MT1101/MT2101 manifests: mapping, waybills rendered as manifests, Head, codes, errors, escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from hub.errors import ConversionError, InvalidDocument
from hub.models import Function, Party, TransportMode, WaybillType
from tests.adapters.gacc_support import CTX, XML_TEXT, air_waybill
from tests.adapters.golden_support import line_of
from tests.conftest import example

M1 = {"m": "urn:Declaration:datamodel:standard:CN:MT1101:1"}


def test_the_air_manifest_reads_conveyance_locations_and_consignments(engine):
    m = engine.read(example("gacc", "mt1101-air-import.xml")).document
    c = m.conveyance
    assert (c.mode, c.journey_id, c.departure_date, c.carrier.id, c.registration) == \
        (TransportMode.AIR, "CA936", date(2026, 11, 26), "CA", "B-2447")
    assert (m.loading_location.code, m.unloading_location.code, m.declaration_office) == ("FRA", "PVG", "2233")
    assert m.arrival_at == datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    assert m.business_key == "CA936/2026-11-26"
    first, second = m.consignments
    assert (first.transport_document, first.house_documents, first.pieces) == \
        ("999-33014553", ["FRA26110411", "FRA26110412"], 12)
    assert (first.gross_weight.value, first.volume.value, first.volume.unit) == \
        (Decimal("356.5"), Decimal("2.150"), "MTQ")
    assert first.consignee.name == "上海浦东国际货运有限公司" and first.consignee.phone == "+86 21 6888 1234"
    assert first.consignor.name == "Rhein-Main Electronics GmbH & Co. KG"
    assert first.consignor.address.country == "DE"
    assert second.hs_codes == ["846693", "8483109000"] and second.special_handling == ["HEA"]


def test_an_air_waybill_renders_as_a_valid_mt1101_carrying_awb_pieces_and_weight(engine):
    output = engine.render(air_waybill(), "gacc-mt1101", CTX)  # the engine validates against MT1101.xsd
    root = output.tree.getroot()
    consignment = root.find("m:Declaration/m:Consignment", M1)
    assert root.findtext("m:Declaration/m:BorderTransportMeans/m:JourneyID", namespaces=M1) == "CA936"
    assert root.findtext("m:Declaration/m:BorderTransportMeans/m:DepartureDateTime", namespaces=M1) == "20261126"
    assert root.findtext("m:Declaration/m:Carrier/m:ID", namespaces=M1) == "CA"
    assert consignment.findtext("m:TransportContractDocument/m:ID", namespaces=M1) == "999-12345675"
    assert consignment.findtext("m:TotalPackageQuantity", namespaces=M1) == "12"
    assert consignment.findtext("m:TotalGrossMassMeasure", namespaces=M1) == "356.5"
    assert consignment.find("m:TotalGrossMassMeasure", M1).get("unitCode") == "KGM"
    assert len(root.findall("m:Declaration/m:Consignment", M1)) == 1
    manifest = engine.read(output.data).document
    assert manifest.consignments[0].consignee.name == "上海张江医疗器械有限公司"
    assert manifest.consignments[0].hs_codes == ["901819"]


def test_a_house_waybill_renders_its_master_as_the_bill_and_itself_as_house_bill(engine):
    house = air_waybill(type=WaybillType.HOUSE, number="FRA26110411", master_number="999-12345675")
    manifest = engine.read(engine.render(house, "gacc-mt2101", CTX).data).document
    assert manifest.consignments[0].transport_document == "999-12345675"
    assert manifest.consignments[0].house_documents == ["FRA26110411"]


def test_a_waybill_without_routing_cannot_become_a_manifest(engine):
    with pytest.raises(ConversionError, match="no routing.*routing\\[0\\]"):
        engine.render(air_waybill(routing=[]), "gacc-mt1101", CTX)


def test_a_house_waybill_without_master_is_refused_with_a_clear_message(engine):
    house = air_waybill(type=WaybillType.HOUSE, number="FRA26110411")
    with pytest.raises(ConversionError, match="names no master AWB"):
        engine.render(house, "gacc-mt1101", CTX)


def test_the_head_takes_identity_and_beijing_send_time_from_the_context(engine):
    root = engine.render(air_waybill(), "gacc-mt1101", CTX).tree.getroot()
    head = {el.tag.split("}")[1]: el.text for el in root.find("m:Head", M1)}
    assert head == {"MessageID": CTX.message_id, "FunctionCode": "2", "MessageType": "MT1101",
                    "SenderID": "EPORTHUB", "ReceiverID": "2233", "SendTime": "20261127163000000",
                    "Version": "1.0"}


@pytest.mark.parametrize("code,function", [("2", Function.ORIGINAL), ("9", Function.ORIGINAL),
                                           ("5", Function.AMEND), ("3", Function.CANCEL)])
def test_manifest_function_codes_are_read(engine, code, function):
    data = example("gacc", "mt1101-air-import.xml").replace(
        b"<FunctionCode>2</FunctionCode>", f"<FunctionCode>{code}</FunctionCode>".encode())
    assert engine.read(data).document.header.function is function


@pytest.mark.parametrize("function,code", [(Function.AMEND, "5"), (Function.CANCEL, "3")])
def test_manifest_functions_are_written_as_gacc_codes(engine, function, code):
    manifest = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    manifest.header.function = function
    root = engine.render(manifest, "gacc-mt1101", CTX).tree.getroot()
    assert root.findtext("m:Head/m:FunctionCode", namespaces=M1) == code


def test_an_unmapped_transport_type_code_is_an_error_naming_typecode_and_its_line(engine):
    data = example("gacc", "mt1101-air-import.xml").replace(b"<TypeCode>4</TypeCode>", b"<TypeCode>7</TypeCode>")
    with pytest.raises(InvalidDocument) as err:
        engine.read(data)
    problem = err.value.problems[0]
    assert problem.code == "CODE_UNMAPPED" and "TypeCode '7'" in problem.message
    assert problem.line == line_of(data, b"<TypeCode>")


def test_a_schema_invalid_manifest_is_reported_with_its_line(engine):
    data = example("gacc", "mt1101-air-import.xml").replace(
        b'<TotalPackageQuantity unitCode="PK">12<', b'<TotalPackageQuantity unitCode="PK">twelve<')
    problems = engine.inspect(data).problems
    assert [p.code for p in problems] == ["SCHEMA_INVALID"]
    assert problems[0].line == line_of(data, b"twelve")


def test_a_wrong_awb_check_digit_is_reported_on_the_line_of_the_bill(engine):
    data = example("gacc", "mt1101-air-import.xml").replace(b"999-66201833", b"999-66201834")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path) for p in problems] == [("RULE_AWB_CHECK_DIGIT", "/consignments/1/transport_document")]
    assert problems[0].line == line_of(data, b"999-66201834")


def test_a_message_type_that_contradicts_the_namespace_is_refused(engine):
    data = example("gacc", "mt1101-air-import.xml").replace(b"<MessageType>MT1101<", b"<MessageType>MT2101<")
    assert [p.code for p in engine.inspect(data).problems] == ["MESSAGE_TYPE_MISMATCH"]


def test_a_manifest_without_consignments_cannot_be_rendered(engine):
    manifest = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    with pytest.raises(ConversionError, match="at least one consignment"):
        engine.render(manifest.model_copy(update={"consignments": []}), "gacc-mt1101", CTX)


def test_an_arrival_time_in_utc_is_written_as_beijing_wall_clock(engine):
    manifest = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    manifest.arrival_at = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    root = engine.render(manifest, "gacc-mt1101", CTX).tree.getroot()
    assert root.findtext("m:Declaration/m:UnloadingLocation/m:ArrivalDateTime", namespaces=M1) == "20261204060000"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=XML_TEXT, description=XML_TEXT)
def test_party_names_and_goods_text_survive_render_and_parse(engine, name, description):
    waybill = air_waybill(consignee=Party(name=name), goods_description=description)
    consignment = engine.read(engine.render(waybill, "gacc-mt1101", CTX).data).document.consignments[0]
    assert (consignment.consignee.name, consignment.goods_description) == (name, description)
