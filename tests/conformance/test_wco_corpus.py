"""WCO DEC/RES against the UK CDS DMS reference corpus: its samples parse, our outputs pass its schemas.

The corpus declaration validates only through a driver schema that imports both
DocumentMetaData_2_DMS.xsd and WCO_DEC_2_DMS.xsd; the corpus DocumentMetaData
envelope admits a DEC Declaration only, so a RES envelope is checked Response by
Response against WCO_RES_2_DMS.xsd.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from hub.models import Direction, Function, ReceiptError, ReceiptStatus, TransportMode
from tests.adapters.golden_support import with_function
from tests.adapters.wco_support import rich_declaration, same_except_message_id
from tests.conftest import EXAMPLES, example

pytestmark = pytest.mark.conformance

RES_NS = "urn:wco:datamodel:WCO:RES-DMS:2"
DRIVER = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:eport-hub:test:driver">
{imports}
</xs:schema>
"""
IMPORT = '  <xs:import namespace="{namespace}" schemaLocation="{location}"/>'


@pytest.fixture(scope="module")
def dms(corpus) -> Path:
    return corpus / "eu_wco" / "wco_dms_uk_cds"


def driver(tmp_path: Path, dms: Path, *modules: tuple[str, str]) -> etree.XMLSchema:
    """A schema importing the corpus DMS modules by absolute path, written into tmp_path."""
    imports = "\n".join(IMPORT.format(namespace=ns, location=(dms / "xsd" / name).as_uri()) for ns, name in modules)
    path = tmp_path / "driver.xsd"
    path.write_text(DRIVER.format(imports=imports), encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
def dec_schema(tmp_path, dms) -> etree.XMLSchema:
    return driver(tmp_path, dms, ("urn:wco:datamodel:WCO:DocumentMetaData-DMS:2", "DocumentMetaData_2_DMS.xsd"),
                  ("urn:wco:datamodel:WCO:DEC-DMS:2", "WCO_DEC_2_DMS.xsd"))


@pytest.fixture
def res_schema(tmp_path, dms) -> etree.XMLSchema:
    return driver(tmp_path, dms, (RES_NS, "WCO_RES_2_DMS.xsd"))


def assert_valid(schema: etree.XMLSchema, tree) -> None:
    assert schema.validate(tree), [str(e) for e in schema.error_log]


def assert_responses_valid(schema: etree.XMLSchema, tree: etree._ElementTree) -> None:
    responses = tree.getroot().findall(f"{{{RES_NS}}}Response")
    assert responses
    for response in responses:
        assert_valid(schema, etree.ElementTree(copy.deepcopy(response)))


def test_the_uk_sample_declaration_parses_with_its_reference_office_and_goods_item(engine, dms):
    doc = engine.read((dms / "samples" / "example_accepted_import.xml").read_bytes()).document
    assert (doc.reference, doc.declaration_office, doc.function, doc.direction, doc.type_code) == \
        ("Import_Accepted", "GBLBA001", Function.ORIGINAL, Direction.IMPORT, "IMZ")
    assert (doc.transport_mode, doc.trade_country, doc.procedure, doc.total_packages) == \
        (TransportMode.SEA, "US", "40", 55)
    assert doc.issued_at == datetime(2017, 8, 10, 9, 30, 30, tzinfo=UTC)
    assert (doc.declarant.id, doc.importer.id, doc.exporter.name, doc.exporter.address.country) == \
        ("INSERTEORI", "INSERTEORI", "Bags Exports", "US")
    [item] = doc.items
    assert (item.sequence, item.hs_code, item.origin_country, item.value.value, item.value.currency) == \
        (1, "42021219", "US", Decimal("1000"), "GBP")
    assert (item.gross_weight.value, item.net_weight.value) == (Decimal("150"), Decimal("100"))


def test_the_uk_sample_declaration_rendered_back_passes_the_dms_schemas(engine, ctx, dms, dec_schema):
    doc = engine.read((dms / "samples" / "example_accepted_import.xml").read_bytes()).document
    output = engine.render(doc, "wco-dec", ctx)
    assert_valid(dec_schema, output.tree)
    assert same_except_message_id(engine.read(output.data).document, doc)


def test_the_uk_sample_response_parses_to_a_receipt_for_import_accepted_with_its_mrn(engine, dms):
    inbound = engine.read((dms / "samples" / "example_accepted_import_notification.xml").read_bytes())
    receipt = inbound.document
    assert inbound.adapter.name == "wco-res"
    assert (receipt.business_key, receipt.agency_reference) == ("Import_Accepted", "18GBJCM3USAFD2WD51")
    # Three answers (01 accepted, 13 assessment, 09): without a rejection the last one is read.
    assert (receipt.status, receipt.agency_status) == (ReceiptStatus.OTHER, "09")
    assert receipt.header.message_id == "f634f77719d546a7b0eb83092bb3a015"


def test_the_uk_sample_response_rendered_back_passes_the_dms_res_schema(engine, ctx, dms, res_schema):
    receipt = engine.read((dms / "samples" / "example_accepted_import_notification.xml").read_bytes()).document
    assert_responses_valid(res_schema, engine.render(receipt, "wco-res", ctx).tree)


@pytest.mark.parametrize("name", sorted(p.name for p in (EXAMPLES / "wco").glob("dec_*.xml")))
def test_each_dec_example_and_its_rendering_pass_the_dms_schemas(engine, ctx, dec_schema, name):
    data = example("wco", name)
    assert_valid(dec_schema, etree.ElementTree(etree.fromstring(data)))
    assert_valid(dec_schema, engine.render(engine.read(data).document, "wco-dec", ctx).tree)


@pytest.mark.parametrize("name", sorted(p.name for p in (EXAMPLES / "wco").glob("res_*.xml")))
def test_each_res_example_and_its_rendering_pass_the_dms_res_schema(engine, ctx, res_schema, name):
    data = example("wco", name)
    assert_responses_valid(res_schema, etree.ElementTree(etree.fromstring(data)))
    assert_responses_valid(res_schema, engine.render(engine.read(data).document, "wco-res", ctx).tree)


@pytest.mark.parametrize("function", list(Function))
def test_a_declaration_using_every_canonical_field_renders_to_a_dms_valid_declaration(
        engine, ctx, dec_schema, function):
    doc = with_function(rich_declaration(), function)
    assert_valid(dec_schema, engine.render(doc, "wco-dec", ctx).tree)


def test_a_hub_receipt_with_hub_codes_and_json_pointers_renders_to_a_dms_valid_response(
        engine, ctx, res_schema):
    receipt = engine.read(example("wco", "res_rejected.xml")).document
    receipt.errors.append(ReceiptError(code="RULE_TOTAL_MISMATCH", text="total value differs " * 40,
                                       pointer="/total_value/value"))
    receipt.agency_status = None
    assert_responses_valid(res_schema, engine.render(receipt, "wco-res", ctx).tree)
