"""UN/EDIFACT adapters: golden canonical JSON, round trips, detection, conversions to and from other families.

Golden files live in tests/adapters/golden/edifact/<example>.json; regenerate them after a
deliberate mapping change with ``HUB_REGEN_GOLDEN=1 pytest tests/adapters`` and review the diff.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.edifact.writer import reference
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Function, PersonRole, ReceiptStatus, TransportMode, WaybillType
from tests.adapters.golden_support import assert_golden, with_function
from tests.conftest import EXAMPLES, example

EXAMPLE_FILES = sorted(p.name for p in (EXAMPLES / "edifact").glob("*.edi"))
FORMATS = ("cuscar", "cusdec", "iftmin", "paxlst", "contrl", "aperak", "cusres")
CST = timezone(timedelta(hours=8))


def read(engine, name: str):
    return engine.read(example("edifact", name)).document


def ctx_from(doc) -> RenderContext:
    """A context that repeats the document's own envelope, so the whole model must survive."""
    h = doc.header
    return RenderContext(message_id=h.message_id, sender_id=h.sender_id, receiver_id=h.recipient_id,
                         created_at=h.issued_at)


def test_every_format_has_an_example_and_sea_cuscar_has_two():
    prefixes = [name.split("-")[0] for name in EXAMPLE_FILES]
    assert {fmt: prefixes.count(fmt) >= 1 for fmt in FORMATS} == dict.fromkeys(FORMATS, True)
    assert prefixes.count("cuscar") >= 2


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_parses_into_its_golden_canonical_json(engine, name):
    assert_golden("edifact", name, read(engine, name))


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_detected_as_its_own_format(engine, name):
    assert engine.detect(example("edifact", name)).name == name.split("-")[0]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_valid_and_breaks_no_business_rule(engine, name):
    assert engine.inspect(example("edifact", name)).problems == []


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_parse_render_parse_unchanged(engine, name):
    document = read(engine, name)
    output = engine.render(document, name.split("-")[0], ctx_from(document))
    assert output.media_type == "application/edifact"
    assert engine.read(output.data).document == document


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_rendering_takes_ids_and_parties_from_the_context_and_keeps_the_business_content(engine, ctx, name):
    document = read(engine, name)
    out = engine.render(document, name.split("-")[0], ctx)
    again = engine.read(out.data).document
    short = reference(ctx.message_id)             # the hub's id does not fit an..14: a stable digest
    assert len(short) == 14 and out.references == (short,) and reference(ctx.message_id) == short
    assert (again.header.message_id, again.header.sender_id, again.header.recipient_id) == \
        (short, ctx.sender_id, ctx.receiver_id)
    assert again.header.issued_at == ctx.created_at.replace(tzinfo=None)  # UNB S004, written in UTC
    assert (again.header.conversation_id, again.header.function) == \
        (document.header.conversation_id, document.header.function)
    excluded = {"header", "issuer"} | ({"issued_at"} if name.startswith("contrl") else set())  # CONTRL: UNB time
    assert again.model_dump(exclude=excluded) == document.model_dump(exclude=excluded)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_canonical_json_and_back(engine, name):
    original = read(engine, name)
    from_json = engine.read(engine.render(original, "json", ctx_from(original)).data).document
    back = engine.render(from_json, name.split("-")[0], ctx_from(original))
    assert engine.read(back.data).document == original


@pytest.mark.parametrize("function, code", [(Function.ORIGINAL, b"+9'"), (Function.AMEND, b"+5'"),
                                            (Function.CANCEL, b"+1'")])
def test_cuscar_bgm_function_is_9_5_or_1_both_ways(engine, ctx, function, code):
    manifest = with_function(read(engine, "cuscar-052e-uslax-cnsha.edi"), function)
    data = engine.render(manifest, "cuscar", ctx).data
    assert b"BGM+785+HUB-TEST-0001" + code in data
    assert engine.read(data).document.header.function is function


def test_sea_cuscar_reads_voyage_ports_and_consignments(engine):
    m = read(engine, "cuscar-052e-uslax-cnsha.edi")
    c = m.conveyance
    assert (c.mode, c.carrier.id, c.journey_id, c.departure_date, c.registration, c.name) == \
        (TransportMode.SEA, "COSU", "052E", date(2026, 11, 18), "9795610", "COSCO SHIPPING ARIES")
    assert (m.loading_location.code, m.unloading_location.code, m.declaration_office) == ("USLAX", "CNSHA", "2248")
    assert m.arrival_at == datetime(2026, 12, 4, 6, 0, tzinfo=CST)
    assert [x.transport_document for x in m.consignments] == ["COSU6287345120", "COSU6287345188", "COSU6287345201"]
    assert m.consignments[0].consignee.id == "USCI+91310000132149237G"  # released '+' in the data
    assert m.consignments[0].consignee.name == "上海食品进出口有限公司"
    assert m.consignments[2].house_documents == ["SHAHB2611001", "SHAHB2611002"]
    assert m.consignments[2].goods_description == "INDUSTRIAL PUMPS\nSPARE PARTS (VALVES, SEALS)"
    assert (m.total_pieces, m.total_gross_weight.value) == (m.summed_pieces(), m.summed_weight())
    assert m.business_key == "052E/2026-11-18"


def test_sea_cuscar_converts_into_a_valid_gacc_mt1101(engine, ctx):
    output = engine.convert(example("edifact", "cuscar-052e-uslax-cnsha.edi"), "gacc-mt1101", ctx)
    assert output.tree is not None  # validated against schemas/gacc/MT1101.xsd by the engine
    mt1101 = engine.read(output.data).document
    cuscar = read(engine, "cuscar-052e-uslax-cnsha.edi")
    assert mt1101.business_key == cuscar.business_key
    assert mt1101.declaration_office == "2248"
    assert [c.transport_document for c in mt1101.consignments] == [c.transport_document for c in cuscar.consignments]
    assert [c.hs_codes for c in mt1101.consignments] == [c.hs_codes for c in cuscar.consignments]


def test_gacc_mt1101_converts_into_a_cuscar_that_reads_back_the_same_manifest(engine, ctx):
    mt1101 = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    cuscar = engine.render(mt1101, "cuscar", ctx)
    again = engine.read(cuscar.data).document
    assert again.model_dump(exclude={"header"}) == mt1101.model_dump(exclude={"header"})
    assert b"UNB+UNOW:4+" in cuscar.data  # Chinese names: the smallest repertoire is UTF-8


@pytest.mark.parametrize("xml, kind", [("xfwb-pek-fra.xml", WaybillType.MASTER),
                                       ("xfzb-bjs-fra.xml", WaybillType.HOUSE)])
def test_cargo_xml_waybills_convert_into_iftmin_and_back_unchanged(engine, ctx, xml, kind):
    waybill = engine.read(example("cargo_xml", xml)).document
    iftmin = engine.render(waybill, "iftmin", ctx)
    again = engine.read(iftmin.data).document
    assert again.type is kind
    assert again.model_dump(exclude={"header"}) == waybill.model_dump(exclude={"header"})


@pytest.mark.parametrize("xml", ["dec_import_cn_gb.xml", "dec_export_gb_us.xml"])
def test_wco_declarations_convert_into_cusdec_and_back_unchanged(engine, ctx, xml):
    declaration = engine.read(example("wco", xml)).document
    again = engine.read(engine.render(declaration, "cusdec", ctx).data).document
    assert again.model_dump(exclude={"header"}) == declaration.model_dump(exclude={"header"})


def test_cusdec_reads_the_declaration_and_its_items(engine):
    d = read(engine, "cusdec-import-2248-lrn000187.edi")
    assert (d.reference, d.direction.value, d.type_code, d.declaration_office, d.procedure) == \
        ("LRN-2026-SH-000187", "import", "IM", "2248", "0110")
    assert [(t.type, t.id) for t in d.transport_documents] == [("BL", "COSU6287345120"), ("INVOICE", "PPM-INV-26-0917")]
    assert [(i.sequence, i.hs_code, i.value.value) for i in d.items] == \
        [(1, "0202300090", Decimal("72000.00")), (2, "0202200090", Decimal("27600.00"))]
    assert d.total_value.value == d.summed_value()


def test_cusdec_refuses_a_document_type_without_an_rff_qualifier(engine, ctx):
    d = read(engine, "cusdec-import-2248-lrn000187.edi")
    odd = d.model_copy(
        update={"transport_documents": [d.transport_documents[0].model_copy(update={"type": "CONTRACT"})]})
    with pytest.raises(ConversionError) as err:
        engine.render(odd, "cusdec", ctx)
    assert (err.value.code, err.value.path) == ("CODE_UNMAPPED", "/transport_documents/0/type")


def test_paxlst_reads_flight_passengers_and_documents(engine):
    p = read(engine, "paxlst-ca931-pek-fra.edi")
    assert (p.role, p.carrier, p.journey_id, p.departure.code, p.arrival.code) == \
        (PersonRole.PASSENGER, "CA", "CA931", "PEK", "FRA")
    assert (p.total, len(p.persons)) == (3, 3)
    assert [(x.surname, x.given_names, x.sex, x.born_on.isoformat()) for x in p.persons] == [
        ("ZHANG", "WEI", "M", "1984-03-12"), ("MUELLER", "ANNA MARIA", "F", "1990-07-01"),
        ("DUPONT", "JEAN", "M", "1958-11-23")]
    assert [(d.type, d.number, d.issuing_country) for d in p.persons[2].documents] == \
        [("P", "19AB23456", "FRA"), ("I", "X4RTBPFW4", "FRA")]
    assert p.business_key == "CA931/2026-12-01/passenger"


def test_paxlst_crew_list_uses_bgm_250_nad_fm_and_cnt_41(engine, ctx):
    crew = read(engine, "paxlst-ca931-crew.edi")
    assert crew.role is PersonRole.CREW
    data = engine.render(crew, "paxlst", ctx).data
    assert b"BGM+250'" in data and data.count(b"NAD+FM+") == 2 and b"CNT+41:2'" in data


@pytest.mark.parametrize("name, status, agency", [
    ("aperak-accepted-cuscar-052e.edi", ReceiptStatus.ACCEPTED, "1"),
    ("aperak-rejected-cuscar-0471w.edi", ReceiptStatus.REJECTED, "12"),
    ("cusres-accepted-lrn000187.edi", ReceiptStatus.ACCEPTED, "RELEASED"),
    ("cusres-rejected-lrn000191.edi", ReceiptStatus.REJECTED, "REJECTED"),
    ("contrl-acknowledged-cuscar-052e.edi", ReceiptStatus.ACKNOWLEDGED, "7"),
    ("contrl-rejected-cuscar-0471w.edi", ReceiptStatus.REJECTED, "4"),
])
def test_receipt_examples_read_their_status_and_the_agency_code(engine, name, status, agency):
    receipt = read(engine, name)
    assert (receipt.status, receipt.agency_status) == (status, agency)


def test_a_manifest_cannot_be_written_as_a_receipt_format(engine, ctx):
    with pytest.raises(ConversionError):
        engine.render(read(engine, "cuscar-052e-uslax-cnsha.edi"), "aperak", ctx)


def test_edifact_writes_are_listed_with_the_edifact_media_type(engine):
    edifact = [a for a in engine.registry if a.family == "edifact"]
    assert sorted(a.name for a in edifact) == sorted(FORMATS)
    assert {a.media_type for a in edifact} == {"application/edifact"}
    assert {a.name: a.negative_receipt for a in edifact} == {**dict.fromkeys(FORMATS, "contrl"), "contrl": None}
    assert all(a.schema is None for a in edifact)


def test_amendment_keeps_function_common_access_reference_and_released_characters(engine):
    data = example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")
    m = engine.read(data).document
    assert (m.header.function, m.header.conversation_id) == (Function.AMEND, "MFT-0471W-SGSIN")
    assert b"Ma?'arof & Sons" in data and b"Medline?+Supply" in data and b"CATHODES?: GRADE A" in data
    assert m.consignments[0].consignor.name == "Ma'arof & Sons Sdn. Bhd."
    assert m.consignments[0].consignee.name == "Shanghai Medline+Supply Co."
    assert m.consignments[1].goods_description == "COPPER CATHODES: GRADE A"


def test_a_short_id_is_its_own_reference_and_a_long_one_a_stable_digest():
    assert reference("MSG0001") == "MSG0001"
    long_id = "HUB-4CF4F8034E08C12C7AF8E594.CUSTOMS-CN"
    assert reference(long_id) == reference(long_id) != reference(long_id + "X")
    assert len(reference(long_id)) == 14 and reference(long_id).isalnum()


def test_cuscar_total_gross_weight_in_unit_k_reads_as_kgm_like_the_item_weights(engine):
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi").replace(b"CNT+7:40450.5:KGM", b"CNT+7:40450.5:K", 1)
    weight = engine.read(data).document.total_gross_weight
    assert (weight.value, weight.unit) == (Decimal("40450.5"), "KGM")
