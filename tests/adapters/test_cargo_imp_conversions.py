"""Cargo-IMP <-> Cargo-XML and canonical JSON through the one canonical model.

FWB -> XFWB -> FWB and FFM -> XFFM -> FFM keep every field both formats carry
(the engine validates each XML output against the hub's Cargo-XML schemas);
every example survives canonical JSON and back; Hypothesis checks that free
text in names, addresses, descriptions and notes survives FWB render -> parse.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.cargo_imp.lines import wrap
from hub.adapters import RenderContext
from hub.models import Address, CustomsNote, Party
from tests.adapters.test_cargo_imp import EXAMPLE_FILES, NOW, ctx_from, fixed_engine, fmt_of
from tests.conftest import example

CTX = RenderContext(message_id="HUB-CONV-1", sender_id="EPORTHUB", receiver_id="CUSTOMS", created_at=NOW)
WAYBILLS = [n for n in EXAMPLE_FILES if fmt_of(n) == "fwb"]
MANIFESTS = [n for n in EXAMPLE_FILES if fmt_of(n) == "ffm"]


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def read(imp, name: str):
    return imp.read(example("cargo_imp", name)).document


def business(doc) -> dict:
    return doc.model_dump(exclude={"header"})


@pytest.mark.parametrize("name", WAYBILLS)
def test_fwb_to_xfwb_and_back_keeps_every_field_both_carry(imp, name):
    fwb = read(imp, name)
    xfwb = imp.render(fwb, "xfwb", CTX)  # schema-validated by the engine
    assert xfwb.tree is not None and xfwb.data.startswith(b"<?xml")
    via_xml = imp.read(xfwb.data).document
    assert business(via_xml) == business(fwb)
    again = imp.read(imp.render(via_xml, "fwb", CTX).data).document
    assert business(again) == business(fwb)


def test_xfwb_carries_the_fwb_awb_parties_goods_and_consolidation(imp):
    xfwb = imp.render(read(imp, "fwb-cx-hkg-fra.txt"), "xfwb", CTX).data
    for fragment in (b"<ram:TypeCode>741</ram:TypeCode>", b"<ram:ID>160-24680132</ram:ID>",
                     b"<ram:Name>PACIFIC ELECTRONICS TRADING LTD</ram:Name>",
                     b"<ram:Identification>CONSOLIDATION AS PER ATTACHED MANIFEST</ram:Identification>",
                     b'<ram:IncludedTareGrossWeightMeasure unitCode="KGM">345.5<'):
        assert fragment in xfwb


def test_fhl_to_xfzb_and_back_keeps_every_field_both_carry(imp):
    fhl = read(imp, "fhl-hkg-fra.txt")
    via_xml = imp.read(imp.render(fhl, "xfzb", CTX).data).document
    assert business(via_xml) == business(fhl)
    assert business(imp.read(imp.render(via_xml, "fhl", CTX).data).document) == business(fhl)


@pytest.mark.parametrize("name", MANIFESTS)
def test_ffm_to_xffm_and_back_keeps_every_field_both_carry(imp, name):
    ffm = read(imp, name)
    xffm = imp.render(ffm, "xffm", CTX)
    assert b"<ram:ID>CA931</ram:ID>" in xffm.data
    via_xml = imp.read(xffm.data).document
    whole = ffm.model_copy(update={"part": None, "last_part": None})    # XFFM carries no part numbers
    assert business(via_xml) == business(whole)
    assert business(imp.read(imp.render(via_xml, "ffm", CTX).data).document) == business(whole)


def test_an_assembled_manifest_converts_to_one_xffm(imp):
    whole = imp.read(example("cargo_imp", "ffm-ca931-pek-fra-part1.txt") +
                     example("cargo_imp", "ffm-ca931-pek-fra-part2.txt")).document
    via_xml = imp.read(imp.render(whole, "xffm", CTX).data).document
    assert len(via_xml.consignments) == 6 and business(via_xml) == business(whole)


def test_status_goes_to_canonical_json_and_back_to_the_same_fsu(imp):
    data = example("cargo_imp", "fsu-rcf-999-87654335-typeb.txt")
    status = imp.read(data).document
    as_json = imp.render(status, "json", ctx_from(status))
    assert b'"kind":"status"' in as_json.data and b'"flight":"CA931"' in as_json.data
    from_json = imp.read(as_json.data).document
    assert from_json == status
    fsu = imp.render(from_json, "fsu", ctx_from(status))
    assert fsu.data.replace(b"\r\n", b"\n") == data.replace(b"QD FRAFFCA", b"QK FRAFFCA")
    assert imp.read(fsu.data).document == status


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_survives_canonical_json_and_back(imp, name):
    original = read(imp, name)
    from_json = imp.read(imp.render(original, "json", ctx_from(original)).data).document
    assert from_json == original
    assert imp.read(imp.render(from_json, fmt_of(name), ctx_from(original)).data).document == original


TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()'/:+?", min_size=1, max_size=70) \
    .map(lambda t: " ".join(t.split())).filter(bool)
LINE = TEXT.filter(lambda t: len(t) % 20 != 0)  # a full last chunk would run on into the next line
WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,-()'/:+?", min_size=1, max_size=20)
LONG = st.lists(WORD, min_size=1, max_size=4).map(" ".join) \
    .filter(lambda t: len(wrap(t, 35)) <= 2)                          # a NAM or ADR line and one continuation
FIELD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()'", min_size=1, max_size=17) \
    .map(lambda t: " ".join(t.split())).filter(bool)                   # a LOC place, no '/'
PLACE = st.tuples(FIELD, st.none() | FIELD.map(lambda t: t[:9].strip()).filter(bool)) \
    .map(lambda p: p[0] if p[1] is None else f"{p[0]}/{p[1]}")       # PLACE or PLACE/STATE
NOTE = TEXT.map(lambda t: t[:35].strip()).filter(bool)                # an OCI text: 35
OSI = TEXT.map(lambda t: t[:65].strip()).filter(bool)                 # an OSI line: 65
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(name=LONG, street=LONG, city=PLACE, lines=st.lists(LINE, min_size=1, max_size=3), note=OSI,
       content=NOTE, agent=NOTE)
def test_free_text_survives_fwb_render_and_parse(imp, name, street, city, lines, note, content, agent):
    doc = read(imp, "fwb-ca-pek-fra-typeb.txt").model_copy(update={
        "shipper": Party(id="ACC1", name=name, address=Address(street=street, city=city, country="CN")),
        "agent": Party(id="1234567", name=agent, address=Address(city=city.split("/")[0])),
        "goods_description": "\n".join(lines),
        "handling_notes": [note, name[:65].strip()],
        "customs_notes": [CustomsNote(content_code="T", content=content, subject_code="SHP", country="CN")],
    })
    again = imp.read(imp.render(doc, "fwb", CTX).data).document
    assert (again.shipper, again.agent, again.goods_description, again.handling_notes, again.customs_notes) == \
        (doc.shipper, doc.agent, doc.goods_description, doc.handling_notes, doc.customs_notes)
