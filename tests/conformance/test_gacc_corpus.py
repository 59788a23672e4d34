"""The project's GACC schemas and code tables against the reference corpus.

- MT1401_template.xml (a published manifest of the same family, another message type):
  every Head and Declaration element path it uses is declared by our MT1101 schema,
  except the MT1401-only GovernmentAgencyGoodsItem; children come in our sequence order;
  the paths the hub reads into the canonical model are all among them.
- SWImportMessage_DecMessage_template.xml: every element (ImportMessage wrapper, DecHead,
  DecList, Container, LicenseDocu, DecFreeTxt, DecSign) is declared by our DecMessage
  schema, and the empty template fails validation only on the four values the hub needs.
- codes.py: its Rec 20 units, ISO country pairs and currencies exist in the corpus lists.
Namespaces are ignored when comparing (MT1401 lives in its own namespace).
"""

from __future__ import annotations

import csv

import pytest
import xmlschema
from lxml import etree

from adapters.gacc import codes
from tests.conftest import ROOT

pytestmark = pytest.mark.conformance
SCHEMAS = ROOT / "schemas" / "gacc"

MT1401_NOT_DECLARED = {
    "Declaration/Consignment/GovernmentAgencyGoodsItem",
    "Declaration/Consignment/GovernmentAgencyGoodsItem/GoodsMeasure",
    "Declaration/Consignment/GovernmentAgencyGoodsItem/GoodsMeasure/GrossMassMeasure",
}
_C = "Declaration/Consignment/"
MT1401_READ_BY_HUB = {
    "Head/MessageID", "Head/FunctionCode", "Head/MessageType", "Head/SenderID", "Head/ReceiverID",
    "Head/SendTime", "Declaration/DeclarationOfficeID", "Declaration/BorderTransportMeans/TypeCode",
    "Declaration/Carrier/ID", "Declaration/UnloadingLocation/ArrivalDateTime", "Declaration/UnloadingLocation/ID",
    _C + "GrossVolumeMeasure", _C + "TotalPackageQuantity", _C + "TransportContractDocument/ID",
    _C + "ConsignmentItem/Commodity/CargoDescription", _C + "ConsignmentItem/Commodity/Classification/ID",
    *(f"{_C}{party}/{leaf}" for party in ("Consignee", "Consignor")
      for leaf in ("ID", "Name", "Communication/ID", "Communication/TypeID")),
}
DEC_READ_BY_HUB = {
    "SWImpHead/CopMsgId",
    *(f"SWImpData/DecMessage/DecHead/{tag}" for tag in (
        "CustomMaster", "IEPort", "BillNo", "TrafMode", "TradeCode", "TradeName", "OwnerCode", "OwnerName",
        "AgentCode", "AgentName", "TradeCountry", "TradeMode", "PackNo", "GrossWet", "EntryType", "IEFlag",
        "AgentLinkMAIL", "AgentLinkPHONE", "OwnerLinkMAIL", "OwnerLinkPHONE", "AgentCodeScc", "OwnerCodeScc",
        "TradeCodeScc")),
    *(f"SWImpData/DecMessage/DecLists/DecList/{tag}" for tag in (
        "GNo", "CodeTS", "GName", "GQty", "GUnit", "FirstQty", "FirstUnit", "OriginCountry", "TradeCurr",
        "DeclTotal")),
    "SWImpData/DecMessage/DecLicenseDocus/LicenseDocu/DocuCode",
    "SWImpData/DecMessage/DecLicenseDocus/LicenseDocu/CertCode",
    *(f"SWImpData/DecMessage/DecSign/{tag}" for tag in ("OperType", "ClientSeqNo", "SignDate")),
}


def schema_paths(element) -> dict[str, list[str]]:
    """Every element path below an xmlschema element -> its children's names in declared order."""
    paths: dict[str, list[str]] = {}

    def walk(el, prefix: str) -> None:
        children = [c for c in el.iterchildren() if type(c).__name__ == "XsdElement"]
        paths[prefix.rstrip("/")] = [c.local_name for c in children]
        for child in children:
            walk(child, f"{prefix}{child.local_name}/")

    walk(element, "")
    return paths


def template_paths(el: etree._Element, prefix: str = "") -> dict[str, list[str]]:
    """Every element path below ``el`` -> its children's local names in document order."""
    children = [c for c in el if isinstance(c.tag, str)]
    paths = {prefix.rstrip("/"): [etree.QName(c).localname for c in children]}
    for child in children:
        paths.update(template_paths(child, f"{prefix}{etree.QName(child).localname}/"))
    return paths


@pytest.fixture(scope="module")
def mt1101_paths():
    schema = xmlschema.XMLSchema(str(SCHEMAS / "MT1101.xsd"))
    return schema_paths(schema.maps.elements["{urn:Declaration:datamodel:standard:CN:MT1101:1}Manifest"])


@pytest.fixture(scope="module")
def mt1401(corpus):
    return template_paths(etree.parse(str(corpus / "china_customs/manifest/MT1401_template.xml")).getroot())


@pytest.fixture(scope="module")
def dec_template(corpus):
    return etree.parse(str(corpus / "china_customs/declaration/SWImportMessage_DecMessage_template.xml"))


def test_every_mt1401_head_and_declaration_path_is_declared_except_its_own_goods_item(mt1101_paths, mt1401):
    used = set(mt1401) - {""}
    assert used - set(mt1101_paths) == MT1401_NOT_DECLARED
    assert len(used & set(mt1101_paths)) == 87


def test_the_mt1401_paths_the_hub_reads_are_declared_in_our_manifest_schema(mt1101_paths, mt1401):
    assert MT1401_READ_BY_HUB <= set(mt1401)
    assert MT1401_READ_BY_HUB <= set(mt1101_paths)


def test_mt1401_children_come_in_the_order_of_our_manifest_sequences(mt1101_paths, mt1401):
    out_of_order = {}
    for path, children in mt1401.items():
        order = mt1101_paths.get(path, [])
        positions = [order.index(name) for name in children if name in order]
        if positions != sorted(positions):
            out_of_order[path] = children
    assert out_of_order == {}
    assert len([p for p in mt1401 if len(mt1401[p]) > 1 and p in mt1101_paths]) >= 10  # the check had work to do


def test_every_element_of_the_decmessage_template_is_declared_in_our_schema(dec_template):
    schema = xmlschema.XMLSchema(str(SCHEMAS / "DecMessage.xsd"))
    declared = set(schema_paths(schema.maps.elements["ImportMessage"]))
    used = set(template_paths(dec_template.getroot())) - {""}
    assert used - declared == set()
    assert {p.split("/")[2] for p in used if p.count("/") >= 2 and p.startswith("SWImpData/DecMessage/")} == \
        {"DecHead", "DecLists", "DecContainers", "DecLicenseDocus", "DecFreeTxt", "DecSign"}
    assert DEC_READ_BY_HUB <= used


def test_the_empty_decmessage_template_fails_only_on_the_values_the_hub_requires(dec_template):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "DecMessage.xsd")))
    assert not schema.validate(dec_template)
    failing = {(e.message.split("'")[1], e.type_name) for e in schema.error_log}
    # an empty CodeTS passes the schema: the reader refuses a draft's as HS_CODE_MISSING
    assert failing == {("IEFlag", "SCHEMAV_CVC_ENUMERATION_VALID"), ("GNo", "SCHEMAV_CVC_DATATYPE_VALID_1_2_1"),
                       ("DeclTotal", "SCHEMAV_CVC_DATATYPE_VALID_1_2_1")}


def test_the_rec20_units_of_the_gacc_table_exist_and_are_current(corpus):
    """Plain Rec 20 codes are current in Rec 20; package units (X + Rec 21 code) current in Rec 21."""
    with open(corpus / "uncefact_codes/rec20_units_of_measure.csv", encoding="utf-8") as f:
        status = {row["CommonCode"]: row["Status"] for row in csv.DictReader(f)}
    with open(corpus / "uncefact_codes/rec21_package_types.csv", encoding="utf-8") as f:
        package_status = {row["Code"]: row["Status"] for row in csv.DictReader(f)}
    units = set(codes.UNIT_IN.values()) | (set(codes.UNIT_ALIASES) - {"PCE"})  # PCE: withdrawn Rec 20
    packages = {unit for unit in units if unit not in status and unit.startswith("X")}
    plain = units - packages
    assert {unit: status.get(unit) for unit in plain} == dict.fromkeys(plain, "")
    assert {unit: package_status.get(unit[1:]) for unit in packages} == dict.fromkeys(packages, "")
    assert {"XCT", "XBO", "XBG"} <= packages and {"KGM", "LTR"} <= plain


def test_the_iso_country_pairs_and_currencies_of_the_gacc_tables_exist(corpus):
    with open(corpus / "uncefact_codes/country-codes.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    alpha2 = {row["ISO3166-1-Alpha-3"]: row["ISO3166-1-Alpha-2"] for row in rows}
    currencies = {row["ISO4217-currency_alphabetic_code"] for row in rows}
    assert {a3: alpha2.get(a3) for a2, a3 in codes.COUNTRY_OUT.items()} == \
        {a3: a2 for a2, a3 in codes.COUNTRY_OUT.items()}
    assert set(codes.CURRENCY_OUT) - currencies == set()
    assert len(codes.COUNTRY_OUT) >= 20 and len(codes.CURRENCY_OUT) >= 10 and len(codes.UNIT_IN) >= 10
