"""Real-world XML traffic (corpus/field: cargo_xml, ceb, gacc, wco) and the official XSDs.

1. Never stricter than the official schema: every CEB sample (china_customs/ceb/samples and
   field/ceb) is checked against the customs' ceb_import_202205.xsd, every WCO DMS sample
   (eu_wco/wco_dms_uk_cds/samples and field/wco) against the DMS schemas; a sample the official
   schema accepts passes the hub's own schema and is read without problems.
2. The verdicts corpus/README.md (section field/) expects: the accepted files are read right
   (ULDs, carriers, pieces), the refused ones are refused with a code naming the defect.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from hub.errors import DocumentError
from hub.models import TransportEquipment

pytestmark = pytest.mark.conformance

DMS_DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"
DMS_RES = "urn:wco:datamodel:WCO:RES-DMS:2"
DRIVER = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:eport-hub:test:field-driver">
{imports}
</xs:schema>"""


def well_formed(path: Path) -> etree._Element | None:
    try:
        return etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


def verdict(engine, data: bytes) -> list[tuple[str, str]]:
    """The problems the hub finds, as (code, message); [] when it accepts the message."""
    try:
        return [(p.code, p.message) for p in engine.inspect(data).problems]
    except DocumentError as exc:
        return [(p.code, p.message) for p in exc.problems]


# ---- 1. the official schemas -------------------------------------------------------------

def ceb_samples(corpus: Path) -> list[Path]:
    return sorted((corpus / "china_customs" / "ceb" / "samples").glob("*.xml")) + \
        sorted((corpus / "field" / "ceb").glob("*.xml"))


@pytest.fixture(scope="module")
def official_ceb(corpus) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(corpus / "china_customs" / "ceb" / "xsd" / "ceb_import_202205.xsd")))


def test_every_ceb_sample_the_official_schema_accepts_the_hub_accepts(engine, corpus, official_ceb):
    checked, refused = [], []
    for path in ceb_samples(corpus):
        root = well_formed(path)
        if root is None or not official_ceb.validate(root):
            continue
        checked.append(path.name)
        if found := verdict(engine, path.read_bytes()):
            refused.append((path.name, found))
    assert refused == []
    # the 8 official 2022 samples, the 4 2018-edition ones and the signed CEB621: exactly these 13
    assert sorted(checked) == sorted([
        *(f"CEB{n}Message.xml" for n in (311, 312, 411, 412, 511, 512, 621, 622)),
        *(f"CEB{n}_2018ed_official_sample.xml" for n in (311, 411, 511, 621)),
        "CEB621_hainan_webapp_signed.xml",
    ])


def test_the_unsigned_inventory_is_refused_by_the_official_schema_and_by_the_hub(engine, corpus, official_ceb):
    path = corpus / "field" / "ceb" / "CEB621_hainan_webapp_unsigned.xml"
    assert not official_ceb.validate(well_formed(path))
    assert any("Signature" in str(e.message) for e in official_ceb.error_log)
    found = verdict(engine, path.read_bytes())
    assert [code for code, _ in found] == ["SCHEMA_INVALID"] and "Signature" in found[0][1]


@pytest.fixture(scope="module")
def dms_schemas(corpus, tmp_path_factory) -> tuple[etree.XMLSchema, etree.XMLSchema]:
    xsd = corpus / "eu_wco" / "wco_dms_uk_cds" / "xsd"
    out = tmp_path_factory.mktemp("dms")

    def driver(name: str, *modules: tuple[str, str]) -> etree.XMLSchema:
        imports = "\n".join(f'  <xs:import namespace="{ns}" schemaLocation="{(xsd / f).as_uri()}"/>'
                            for ns, f in modules)
        (out / name).write_text(DRIVER.format(imports=imports), encoding="utf-8")
        return etree.XMLSchema(etree.parse(str(out / name)))

    return (driver("dec.xsd", ("urn:wco:datamodel:WCO:DocumentMetaData-DMS:2", "DocumentMetaData_2_DMS.xsd"),
                   (DMS_DEC, "WCO_DEC_2_DMS.xsd")),
            driver("res.xsd", (DMS_RES, "WCO_RES_2_DMS.xsd")))


def official_wco_valid(root: etree._Element, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> bool:
    """A DEC through the MetaData driver; a RES response by response (the corpus envelope takes DEC only)."""
    dec, res = schemas
    responses = root.findall(f"{{{DMS_RES}}}Response")
    if responses:
        return all(res.validate(etree.ElementTree(copy.deepcopy(r))) for r in responses)
    return dec.validate(root)


def test_every_wco_sample_the_official_schema_accepts_the_hub_accepts(engine, corpus, dms_schemas):
    samples = sorted((corpus / "eu_wco" / "wco_dms_uk_cds" / "samples").glob("*.xml")) + \
        sorted((corpus / "field" / "wco").glob("*.xml"))
    checked, refused = [], []
    for path in samples:
        root = well_formed(path)
        if root is None or not official_wco_valid(root, dms_schemas):
            continue
        checked.append(path.name)
        if found := verdict(engine, path.read_bytes()):
            refused.append((path.name, found))
    assert refused == []
    assert {"TT1_EX_v2.02_Accepted.xml", "TT1_EX_v2.02_Rejected_RefData.xml", "TT1_IM_v2.02_Accepted.xml",
            "TT1_IM_v2.02_Rejected_Format.xml", "TT1_IM_v2.02_Rejected_Obligation_Netmass.xml"} <= set(checked)


# ---- 2. the field verdicts -----------------------------------------------------------------

ACCEPTED = [
    "cargo_xml/riege_888-11111111_XFWB_multipleULD_multipleHTS.xml", "cargo_xml/riege_888-11111111_XFWB_noModeCode.xml",
    "cargo_xml/riege_888-11111111_XFWB_pieceQuantityItemCountMismatch.xml", "cargo_xml/riege_xfwbExample.xml",
    "ceb/CEB311_2018ed_official_sample.xml", "ceb/CEB411_2018ed_official_sample.xml",
    "ceb/CEB511_2018ed_official_sample.xml", "ceb/CEB621_2018ed_official_sample.xml",
    "ceb/CEB621_hainan_webapp_signed.xml", "gacc/DecMessage_export_Dec20181_bom.xml",
    "wco/TT1_EX_v2.02_Accepted.xml", "wco/TT1_EX_v2.02_Rejected_RefData.xml", "wco/TT1_IM_v2.02_Accepted.xml",
    "wco/TT1_IM_v2.02_Rejected_Format.xml", "wco/TT1_IM_v2.02_Rejected_Obligation_Netmass.xml",
]
REFUSED = {
    "ceb/CEB621_hainan_webapp_unsigned.xml": ("SCHEMA_INVALID", "Signature"),
    "gacc/DecMessage_import_Dec20171231120400950020180206193553.xml": ("HS_CODE_MISSING", "HS code"),
    "gacc/SWImportMessage_DecMessage_export_Dec201801181647076926.xml": ("HS_CODE_MISSING", "HS code"),
    "gacc/DecImportResponse_AS3_dump_1.xml": ("XML_MALFORMED", "Extra content"),
    "gacc/MT2401_manifest_sample.xml": ("FORMAT_UNKNOWN", "MT2401"),
    "wco/TT1_IM_v2.01_Accepted_Notification.xml": ("XML_MALFORMED", "Extra content"),
    "wco/TT1_IM_v2.01_Rejected_Format_Notification.xml": ("XML_MALFORMED", "Extra content"),
}


@pytest.fixture(scope="module")
def field(corpus) -> Path:
    return corpus / "field"


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_conforming_field_message_is_accepted(engine, field, name):
    assert verdict(engine, (field / name).read_bytes()) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_broken_field_message_is_refused_with_a_code_naming_its_defect(engine, field, name):
    code, named = REFUSED[name]
    found = verdict(engine, (field / name).read_bytes())
    assert found and found[0][0] == code and named in found[0][1]


def read(engine, field: Path, name: str):
    return engine.read((field / name).read_bytes()).document


def test_the_riege_xfwb_ulds_are_carried_into_xfwb_and_json(engine, field, ctx):
    name = "cargo_xml/riege_888-11111111_XFWB_multipleULD_multipleHTS.xml"
    waybill = read(engine, field, name)
    ulds = [TransportEquipment(type_code="PMC", serial="1337", owner="XX"),
            TransportEquipment(type_code="AKE", serial="4711", owner="XX")]
    assert (waybill.number, waybill.equipment, [e.id for e in ulds]) == \
        ("888-11111111", ulds, ["PMC1337XX", "AKE4711XX"])
    assert waybill.hs_codes == ["000111", "000222"]
    assert engine.read(engine.render(waybill, "xfwb", ctx).data).document.equipment == ulds
    assert '"serial":"1337"' in engine.render(waybill, "json", ctx).data.decode()


def test_the_riege_xfwb_variants_read_their_carriers_pieces_and_routes(engine, field):
    no_mode = read(engine, field, "cargo_xml/riege_888-11111111_XFWB_noModeCode.xml")
    assert [(leg.carrier, leg.number) for leg in no_mode.routing] == [("XX", "XX8012"), ("XX", "XX345")]
    assert no_mode.consolidation is False
    mismatch = read(engine, field, "cargo_xml/riege_888-11111111_XFWB_pieceQuantityItemCountMismatch.xml")
    assert mismatch.pieces == 5  # the consignment's count, though the dimensions add up to 3
    example = read(engine, field, "cargo_xml/riege_xfwbExample.xml")
    assert (example.number, example.origin.code, example.destination.code) == ("020-68548340", "VCP", "CDG")
    assert [(leg.carrier, leg.number, leg.arrival.code) for leg in example.routing] == [("LH", "LH5050", "FRA")]


def test_a_leg_without_its_carrier_element_takes_the_flight_designators_airline(engine, field):
    data = (field / "cargo_xml" / "riege_xfwbExample.xml").read_bytes()
    without = data.replace(b"<UsedLogisticsTransportMeans>", b"<!--").replace(b"</UsedLogisticsTransportMeans>", b"-->")
    assert without != data
    assert [leg.carrier for leg in engine.read(without).document.routing] == ["LH"]


def test_the_field_declarations_read_their_offices_modes_and_containers(engine, field):
    export = read(engine, field, "wco/TT1_EX_v2.02_Accepted.xml")
    assert (export.declaration_office, export.total_packages, [e.id for e in export.equipment]) == \
        ("GB000093", 55, ["DM1234"])
    dec = read(engine, field, "gacc/DecMessage_export_Dec20181_bom.xml")
    assert dec.transport_mode is None and [i.hs_code for i in dec.items] == ["8504500000"] * 4
