"""The FWB and FHL writers: upper case, IATA field lengths, continuation lines where the standard has them.

Values that fit are written whole; a name or street longer than 35 characters
goes on continuation lines split at blanks, and reads back the same; a value
for a field without continuation lines (place 17, postcode 9, OCI text 35, OSI
line 65, handling codes 3 ...) that is too long is refused with
CONVERT_FIELD_INVALID, never cut.
"""

from __future__ import annotations

import pytest

from hub.errors import ConversionError
from hub.models import Address, CustomsNote, Party
from tests.adapters.test_cargo_imp import fixed_engine
from tests.conftest import example


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def fwb(imp):
    return imp.read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document


def fhl(imp):
    return imp.read(example("cargo_imp", "fhl-hkg-fra.txt")).document


def test_the_writers_upper_case_what_they_write(imp, ctx):
    for doc, fmt in ((fwb(imp), "fwb"), (fhl(imp), "fhl")):
        lower = doc.model_copy(update={"shipper": Party(name="Müller Feinmechanik GmbH", address=Address(
            street="Hauptstraße 5", city="Kelsterbach", country="de")), "goods_description": "laptop parts"})
        output = imp.render(lower, fmt, ctx).data
        assert output == output.upper()
        again = imp.read(output).document
        assert (again.shipper.name, again.shipper.address.street, again.goods_description) == \
            ("MULLER FEINMECHANIK GMBH", "HAUPTSTRASSE 5", "LAPTOP PARTS")     # Cargo-IMP text is ASCII


@pytest.mark.parametrize("fmt", ["fwb", "fhl"])
def test_a_long_name_and_street_go_on_continuation_lines_and_read_back_the_same(imp, ctx, fmt):
    doc = fwb(imp) if fmt == "fwb" else fhl(imp)
    party = Party(name="SHENZHEN HUAQIANG NORTH ELECTRONIC COMPONENTS TRADING CO LTD",
                  address=Address(street="ROOM 1203 BLOCK B SEG TECHNOLOGY PARK HUAQIANG NORTH ROAD FUTIAN",
                                  city="SHENZHEN/GD", postcode="518031", country="CN"))
    output = imp.render(doc.model_copy(update={"consignee": party}), fmt, ctx).data
    lines = output.decode().split("\r\n")
    at = lines.index("NAM/SHENZHEN HUAQIANG NORTH ELECTRONIC", lines.index("CNE"))
    assert lines[at:at + 6] == ["NAM/SHENZHEN HUAQIANG NORTH ELECTRONIC", "/COMPONENTS TRADING CO LTD",
                                "ADR/ROOM 1203 BLOCK B SEG TECHNOLOGY", "/PARK HUAQIANG NORTH ROAD FUTIAN",
                                "LOC/SHENZHEN/GD", "/CN/518031"]
    assert all(len(line) <= 39 for line in lines[at:at + 6])
    assert imp.read(output).document.consignee == party


@pytest.mark.parametrize("fmt, update", [
    ("fwb", {"shipper": Party(name="X", address=Address(city="SAN FRANCISCO INTERNATIONAL", country="US"))}),
    ("fwb", {"shipper": Party(name="X", address=Address(city="SEATTLE", postcode="98101-12345", country="US"))}),
    ("fwb", {"shipper": Party(name="X", phone="+1 206 555 0100 EXTENSION 4455 OFFICE")}),
    ("fwb", {"shipper": Party(id="ACCOUNT-NUMBER-0042", name="X")}),
    ("fwb", {"agent": Party(id="1347001", name="KERRY LOGISTICS AIR FREIGHT HONG KONG LIMITED")}),
    ("fwb", {"customs_notes": [CustomsNote(country="US", subject_code="CNE", content_code="T",
                                           content="A TAX IDENTIFIER FAR LONGER THAN THIRTY-FIVE")]}),
    ("fwb", {"handling_notes": ["X" * 66]}),
    ("fwb", {"special_handling": ["ELIX"]}),
    ("fhl", {"number": "HOUSE-NUMBER-0001"}),
    ("fhl", {"hs_codes": ["8473301234567890123"]}),
])
def test_a_value_longer_than_its_field_is_refused_not_cut(imp, ctx, fmt, update):
    doc = fwb(imp) if fmt == "fwb" else fhl(imp)
    with pytest.raises(ConversionError) as raised:
        imp.render(doc.model_copy(update=update), fmt, ctx)
    assert raised.value.code == "CONVERT_FIELD_INVALID"


@pytest.mark.parametrize("fmt", ["fwb", "fhl"])
def test_every_line_the_writers_write_fits_the_type_b_line(imp, ctx, fmt):
    doc = fwb(imp) if fmt == "fwb" else fhl(imp)
    long = doc.model_copy(update={"goods_description": "A " * 200})
    assert max(len(line) for line in imp.render(long, fmt, ctx).data.split(b"\r\n")) <= 69


def test_shout_upper_cases_texts_and_keeps_enum_members():
    from adapters.cargo_imp.lines import shout
    from hub.models import WaybillType
    wb = fixed_engine().read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document
    wb = wb.model_copy(update={"shipper": wb.shipper.model_copy(update={"name": "Acme Ltd"})})
    loud = shout(wb)
    assert (loud.type, wb.type) == (WaybillType.MASTER, WaybillType.MASTER)
    assert loud.type is WaybillType.MASTER and loud.kind is wb.kind
    assert loud.shipper.name == "ACME LTD"
