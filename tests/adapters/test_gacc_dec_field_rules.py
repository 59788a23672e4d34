"""DecMessage as the single window sends it: the whole TrafMode list, its extra sections, containers,
and drafts refused by name.

- TrafMode: every code of the customs' list is read (W logistics centre, 9 other, 6 post ...);
  2/3/4/5 are sea/rail/road/air, the others leave the canonical transport mode empty. A code
  outside the list is still CODE_UNMAPPED.
- EcoRelation and the other sections the single window adds are accepted and carried unread.
- A draft (empty CodeTS) is refused with HS_CODE_MISSING on each such goods item, and an empty
  ClientSeqNo is FIELD_MISSING; neither is a bare schema fault.
- DecContainers/Container/ContainerId is the declaration's equipment, read and written.
"""

from __future__ import annotations

import pytest

from hub.adapters import RenderContext
from hub.models import TransportEquipment, TransportMode
from tests.conftest import example

CTX = RenderContext(message_id="HUB-DEC-1", sender_id="EPORTHUB", receiver_id="CUSTOMS-CN")


def sea(*changes: tuple[bytes, bytes]) -> bytes:
    data = example("gacc", "dec-export-sea.xml")
    for old, new in changes:
        assert old in data, old
        data = data.replace(old, new)
    return data


def problems(engine, data: bytes) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in engine.inspect(data).problems]


@pytest.mark.parametrize("code", ["W", "9", "6", "0", "1", "7", "8", "G", "H", "L", "T", "X", "Y", "Z"])
def test_every_customs_transport_mode_is_accepted_without_a_canonical_mode(engine, code):
    data = sea((b"<TrafMode>2</TrafMode>", f"<TrafMode>{code}</TrafMode>".encode()))
    assert problems(engine, data) == []
    doc = engine.read(data).document
    assert doc.transport_mode is None and doc.customs_transport_mode == code
    written = engine.render(doc, "gacc-dec", CTX).data                 # never silently dropped for customs
    assert f"<TrafMode>{code}</TrafMode>".encode() in written
    via_json = engine.read(engine.render(doc, "json", CTX).data).document
    assert f"<TrafMode>{code}</TrafMode>".encode() in engine.render(via_json, "gacc-dec", CTX).data


@pytest.mark.parametrize("code,mode", [("2", TransportMode.SEA), ("3", TransportMode.RAIL),
                                       ("4", TransportMode.ROAD), ("5", TransportMode.AIR)])
def test_the_four_transport_modes_keep_their_canonical_mode(engine, code, mode):
    data = sea((b"<TrafMode>2</TrafMode>", f"<TrafMode>{code}</TrafMode>".encode()))
    assert engine.read(data).document.transport_mode is mode


def test_a_transport_mode_outside_the_customs_list_is_still_refused(engine):
    assert problems(engine, sea((b"<TrafMode>2</TrafMode>", b"<TrafMode>Q</TrafMode>"))) == [("CODE_UNMAPPED", 7)]


def test_the_single_windows_extra_sections_are_accepted(engine):
    extra = (b"  <EcoRelation>\n    <CertType/>\n    <EcoCertNo/>\n    <DecGNo/>\n    <EcoGNo/>\n"
             b"    <ExtendFiled/>\n  </EcoRelation>\n  <DecSupplementLists/>\n</DecMessage>")
    assert problems(engine, sea((b"</DecMessage>", extra))) == []


def test_a_draft_with_empty_hs_codes_is_refused_naming_each_item_and_the_reference(engine):
    data = sea((b"<CodeTS>6302310010</CodeTS>", b"<CodeTS/>"), (b"<CodeTS>6302320090</CodeTS>", b"<CodeTS></CodeTS>"),
               (b"<ClientSeqNo>202612050000001102</ClientSeqNo>", b"<ClientSeqNo/>"))
    found = engine.inspect(data).problems
    assert [(p.code, p.path) for p in found] == [
        ("HS_CODE_MISSING", "/DecMessage/DecLists/DecList[1]/CodeTS"),
        ("HS_CODE_MISSING", "/DecMessage/DecLists/DecList[2]/CodeTS"),
        ("FIELD_MISSING", "/DecMessage/DecSign/ClientSeqNo")]
    assert "goods item 1 has no HS code" in found[0].message


def test_a_malformed_hs_code_is_still_a_schema_fault_quoting_its_pattern(engine):
    found = engine.inspect(sea((b"<CodeTS>6302310010</CodeTS>", b"<CodeTS>63A2</CodeTS>"))).problems
    assert [p.code for p in found] == ["SCHEMA_INVALID"]
    assert "\\d{4,10}" in found[0].message


def test_containers_are_the_declarations_equipment_both_ways(engine):
    declaration = engine.read(example("gacc", "dec-export-sea.xml")).document
    assert declaration.equipment == [TransportEquipment(serial="MSKU8812345")]
    with_uld = declaration.model_copy(update={"equipment": [*declaration.equipment, TransportEquipment(
        type_code="PMC", serial="1337", owner="CA")]})
    output = engine.render(with_uld, "gacc-dec", CTX)
    ids = [el.text for el in output.tree.getroot().iter("{http://www.chinaport.gov.cn/dec}ContainerId")]
    assert ids == ["MSKU8812345", "PMC1337CA"]
    assert engine.read(output.data).document.equipment == with_uld.equipment
