"""IATA Cargo-XML adapters: golden canonical JSON, round trips, detection, cross-format rendering.

Golden files live in tests/adapters/golden/cargo_xml/<example>.json; regenerate
them after a deliberate mapping change with ``HUB_REGEN_GOLDEN=1 pytest tests/adapters``
and review the diff.
"""

from __future__ import annotations

import pytest

from hub.adapters import RenderContext
from hub.errors import ConversionError, UnknownFormat
from hub.models import Manifest, Receipt, TransportMode, Waybill, WaybillType
from tests.adapters.golden_support import assert_golden
from tests.conftest import EXAMPLES, example

EXAMPLE_FILES = sorted(p.name for p in (EXAMPLES / "cargo_xml").glob("*.xml"))
FORMATS = ("xfwb", "xfzb", "xffm", "xfnm")


def read(engine, name: str):
    return engine.read(example("cargo_xml", name)).document


def ctx_from(doc) -> RenderContext:
    """A context that repeats the document's own envelope, so the whole model must survive."""
    h = doc.header
    return RenderContext(message_id=h.message_id, sender_id=h.sender_id, receiver_id=h.recipient_id,
                         created_at=h.issued_at)


def test_there_are_two_or_more_examples_per_format():
    prefixes = [name.split("-")[0] for name in EXAMPLE_FILES]
    assert {fmt: prefixes.count(fmt) >= 2 for fmt in FORMATS} == dict.fromkeys(FORMATS, True)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_parses_into_its_golden_canonical_json(engine, name):
    assert_golden("cargo_xml", name, read(engine, name))


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_detected_as_its_own_format(engine, name):
    assert engine.detect(example("cargo_xml", name)).name == name.split("-")[0]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_parse_render_parse_unchanged(engine, name):
    document = read(engine, name)
    output = engine.render(document, name.split("-")[0], ctx_from(document))
    assert engine.read(output.data).document == document


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_rendering_takes_id_and_parties_from_the_context_and_keeps_the_business_content(engine, ctx, name):
    document = read(engine, name)
    output = engine.render(document, name.split("-")[0], ctx)
    again = engine.read(output.data).document
    assert (again.header.message_id, again.header.sender_id, again.header.recipient_id) == \
        (ctx.message_id, ctx.sender_id, ctx.receiver_id)
    assert again.header.conversation_id == document.header.conversation_id
    assert again.header.function == document.header.function
    excluded = {"header", "issuer", "issued_at"}  # a receipt's issuer and time are the envelope's
    assert again.model_dump(exclude=excluded) == document.model_dump(exclude=excluded)


def test_rendered_xml_uses_the_cargo_xml_namespaces_and_prefixes(engine, ctx):
    output = engine.render(read(engine, "xfwb-pek-fra.xml"), "xfwb", ctx)
    root = output.tree.getroot()
    assert (root.tag, root.nsmap) == ("{iata:waybill:1}Waybill", {"rsm": "iata:waybill:1", "ram": "iata:datamodel:3"})
    assert output.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert output.media_type == "application/xml"


def test_consolidation_follows_the_type_code_both_ways(engine, ctx):
    consolidated = read(engine, "xfwb-pek-fra.xml")
    direct = read(engine, "xfwb-food-fra-pek.xml")
    assert (consolidated.consolidation, direct.consolidation) == (True, False)
    flipped = engine.render(direct.model_copy(update={"consolidation": True}), "xfwb", ctx)
    assert b"<ram:TypeCode>741</ram:TypeCode>" in flipped.data
    assert engine.read(flipped.data).document.consolidation is True


def test_house_waybill_carries_the_hawb_and_its_master_awb(engine):
    house = read(engine, "xfzb-bjs-fra.xml")
    assert (house.type, house.number, house.master_number) == (WaybillType.HOUSE, "BJS00012345", "999-12345675")
    assert house.goods_description == "LAPTOP COMPUTERS, 14 INCH"  # the item's nature of goods wins


def test_house_waybill_without_item_description_uses_the_summary_description(engine):
    assert read(engine, "xfzb-sha-fra.xml").goods_description == "INDUSTRIAL VALVES AND SPARE PARTS"


def test_goods_items_give_every_hs_code_and_their_descriptions_line_by_line(engine):
    food = read(engine, "xfwb-food-fra-pek.xml")
    assert food.hs_codes == ["040690", "220421", "180632"]
    assert food.goods_description.splitlines() == [
        "FRENCH CHEESE (COMTE, BRIE)", "BURGUNDY RED WINE, 75 CL BOTTLES", "FILLED CHOCOLATE BARS"]


def test_routing_legs_keep_carrier_flight_places_and_departure_time(engine):
    legs = read(engine, "xfwb-pek-fra.xml").routing
    assert [(leg.carrier, leg.number, leg.departure.code, leg.arrival.code, leg.departure_at.isoformat())
            for leg in legs] == [("CA", "CA1501", "PEK", "PVG", "2026-11-26T18:30:00+08:00"),
                                 ("CA", "CA935", "PVG", "FRA", "2026-11-27T13:25:00+08:00")]


def test_flight_manifest_reads_flight_totals_and_every_consignment(engine):
    manifest = read(engine, "xffm-ca935-pvg-fra.xml")
    c = manifest.conveyance
    assert (c.mode, c.carrier.id, c.journey_id, c.departure_date.isoformat(), c.registration) == \
        (TransportMode.AIR, "CA", "CA935", "2026-11-27", "B-2091")
    assert (manifest.loading_location.code, manifest.unloading_location.code) == ("PVG", "FRA")
    assert [x.transport_document for x in manifest.consignments] == ["999-12345675", "999-22334454", "999-31415926"]
    assert manifest.consignments[0].house_documents == ["BJS00012345", "BJS00012346"]
    assert (manifest.total_pieces, manifest.total_gross_weight.value) == \
        (manifest.summed_pieces(), manifest.summed_weight())


def test_manifest_with_a_bare_flight_number_gets_the_carrier_prefix(engine, ctx):
    manifest = read(engine, "xffm-ca932-fra-pek.xml")
    bare = manifest.model_copy(update={"conveyance": manifest.conveyance.model_copy(update={"journey_id": "932"})})
    again = engine.read(engine.render(bare, "xffm", ctx).data).document
    assert again.conveyance.journey_id == "CA932"


def test_empty_manifest_is_written_with_a_nil_cargo_line(engine, ctx):
    manifest = read(engine, "xffm-ca932-fra-pek.xml").model_copy(
        update={"consignments": [], "total_pieces": None, "total_gross_weight": None})
    output = engine.render(manifest, "xffm", ctx)
    assert b"<ram:TypeCode>NIL</ram:TypeCode>" in output.data
    assert engine.read(output.data).document.consignments == []


def test_master_waybill_survives_json_and_back_through_the_engine(engine):
    original = read(engine, "xfwb-pek-fra.xml")
    as_json = engine.render(original, "json", ctx_from(original))
    from_json = engine.read(as_json.data).document
    back = engine.render(from_json, "xfwb", ctx_from(original))
    assert engine.read(back.data).document == original


@pytest.mark.parametrize("name", ["xfzb-bjs-fra.xml", "xffm-ca935-pvg-fra.xml", "xfnm-rejected-999-44556676.xml"])
def test_other_formats_survive_json_and_back_through_the_engine(engine, name):
    original = read(engine, name)
    from_json = engine.read(engine.render(original, "json", ctx_from(original)).data).document
    back = engine.render(from_json, name.split("-")[0], ctx_from(original))
    assert engine.read(back.data).document == original


def test_a_master_waybill_cannot_be_rendered_as_a_house_waybill(engine, ctx):
    with pytest.raises(ConversionError):
        engine.render(read(engine, "xfwb-pek-fra.xml"), "xfzb", ctx)


def test_a_house_waybill_cannot_be_rendered_as_a_master_waybill(engine, ctx):
    with pytest.raises(ConversionError):
        engine.render(read(engine, "xfzb-bjs-fra.xml"), "xfwb", ctx)


@pytest.mark.parametrize("fmt, name", [("xffm", "xfwb-pek-fra.xml"), ("xfnm", "xffm-ca935-pvg-fra.xml"),
                                       ("xfwb", "xfnm-accepted-999-12345675.xml")])
def test_a_format_refuses_documents_of_another_kind(engine, ctx, fmt, name):
    with pytest.raises(ConversionError):
        engine.render(read(engine, name), fmt, ctx)


def test_xffm_refuses_a_sea_manifest(engine, ctx):
    manifest = read(engine, "xffm-ca935-pvg-fra.xml")
    sea = manifest.model_copy(update={"conveyance": manifest.conveyance.model_copy(update={"mode": TransportMode.SEA})})
    assert not engine.registry.get("xffm").accepts(sea)
    with pytest.raises(ConversionError):
        engine.render(sea, "xffm", ctx)


def test_adapters_declare_family_schema_and_kinds(engine):
    kinds = {a.name: (a.family, a.schema, {k.value for k in a.reads}, {k.value for k in a.writes})
             for a in engine.registry if a.family == "cargo-xml"}
    assert kinds == {"xfwb": ("cargo-xml", "cargo_xml/xfwb.xsd", {"waybill"}, {"waybill"}),
                     "xfzb": ("cargo-xml", "cargo_xml/xfzb.xsd", {"waybill"}, {"waybill"}),
                     "xffm": ("cargo-xml", "cargo_xml/xffm.xsd", {"manifest"}, {"manifest"}),
                     "xfnm": ("cargo-xml", "cargo_xml/xfnm.xsd", {"receipt"}, {"receipt"})}
    assert engine.registry.get("xfnm").is_receipt


@pytest.mark.parametrize("root", [
    b'<Waybill xmlns="urn:oasis:names:specification:ubl:schema:xsd:Waybill-2"><ID>1</ID></Waybill>',
    b'<rsm:Waybill xmlns:rsm="iata:waybill:2"/>',
    b'<Response xmlns="iata:response:2"/>',
    b'<FlightManifest/>',
])
def test_a_foreign_root_with_a_cargo_xml_name_is_not_detected(engine, root):
    with pytest.raises(UnknownFormat):
        engine.detect(root)


def test_parsed_documents_have_the_canonical_types(engine):
    assert isinstance(read(engine, "xfwb-pek-fra.xml"), Waybill)
    assert isinstance(read(engine, "xffm-ca932-fra-pek.xml"), Manifest)
    assert isinstance(read(engine, "xfnm-accepted-999-12345675.xml"), Receipt)
