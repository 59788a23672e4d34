"""The hub's WCO DEC schema is never stricter than the DMS one, and reads what DMS leaves optional.

- DeclarationOfficeID is optional in DMS (a pre-lodged export has none): without it the exit
  office (else the supervising office) is the declaration's office; with none, FIELD_MISSING.
- TotalPackageQuantity and the other elements after DeclarationOfficeID stay in place without it.
- FunctionalReferenceID, Declarant and an item's Commodity are optional in DMS too: their absence
  is a FIELD_MISSING naming them, never a schema refusal.
- Equipment (Consignment/TransportEquipment) is read and written: a container number whole, a
  ULD as PMC1337XX (type, serial, owner).
"""

from __future__ import annotations

import re

import pytest

from hub.adapters import RenderContext
from hub.models import TransportEquipment
from tests.adapters.wco_support import rich_declaration
from tests.conftest import example

CTX = RenderContext(message_id="HUB-WCO-1", sender_id="EPORTHUB", receiver_id="HMRC")
OFFICE = b"    <DeclarationOfficeID>GBFXT001</DeclarationOfficeID>\n"
EXIT = b"    <ExitOffice>\n      <ID>GB000093</ID>\n    </ExitOffice>\n    <Exporter>"


def dec(*changes: tuple[bytes, bytes]) -> bytes:
    data = example("wco", "dec_import_cn_gb.xml")
    for old, new in changes:
        assert old in data, old
        data = data.replace(old, new, 1)
    return data


def problems(engine, data: bytes) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in engine.inspect(data).problems]


def test_without_a_declaration_office_the_exit_office_is_read_and_the_package_total_still_fits(engine):
    data = dec((OFFICE, b""), (b"    <Exporter>", EXIT))
    assert problems(engine, data) == []
    declaration = engine.read(data).document
    assert (declaration.declaration_office, declaration.total_packages) == ("GB000093", 120)


def test_without_any_office_the_refusal_names_the_declaration_office(engine):
    found = problems(engine, dec((OFFICE, b"")))
    assert [code for code, _ in found] == ["FIELD_MISSING"]
    assert "DeclarationOfficeID" in found[0][1]


@pytest.mark.parametrize("pattern,name", [
    (rb"\s*<FunctionalReferenceID>[^<]*</FunctionalReferenceID>", "FunctionalReferenceID"),
    (rb"\s*<Declarant>.*?</Declarant>", "Declarant"),
])
def test_what_dms_leaves_optional_but_the_hub_needs_is_field_missing_not_a_schema_refusal(engine, pattern, name):
    data = re.sub(pattern, b"", example("wco", "dec_import_cn_gb.xml"), count=1, flags=re.S)
    found = problems(engine, data)
    assert [code for code, _ in found] == ["FIELD_MISSING"] and name in found[0][1]


@pytest.mark.parametrize("equipment", [
    [TransportEquipment(serial="MSKU1234565")],
    [TransportEquipment(type_code="PMC", serial="1337", owner="XX"),
     TransportEquipment(type_code="AKE", serial="4711", owner="XX")],
])
def test_equipment_is_written_as_transport_equipment_and_read_back(engine, equipment):
    declaration = rich_declaration().model_copy(update={"equipment": equipment})
    output = engine.render(declaration, "wco-dec", CTX)
    ids = [el.text for el in output.tree.getroot().iter("{urn:wco:datamodel:WCO:DEC-DMS:2}ID")
           if el.getparent().tag.endswith("TransportEquipment")]
    assert ids == [e.id for e in equipment]
    assert engine.read(output.data).document.equipment == equipment
