"""Cargo-IMP party blocks as they are really written: both layouts, continuation lines, the country line.

FWB (and FHL/5): ``SHP[/account]`` then ``NAM/`` name, ``ADR/`` street, ``LOC/``
place[/state], each of NAM and ADR continued by ``/...`` lines, and the line
after LOC is ``/country/postcode/contact id/contact number``. Older and field
FWBs write the same four lines positionally (``/name``, ``/street``, ``/place``,
``/country...``). FHL up to version 4 puts the name on the tag line
(``SHP/NAME``) and continues positionally. A continuation is never read as a
country: only the line after LOC (or the last line of a positional block) is.
"""

from __future__ import annotations

import pytest

from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Address, Party
from tests.adapters.test_cargo_imp import fixed_engine
from tests.conftest import example

HEAD = b"FWB/17\n618-20260424SINLAX/T12K640\n"
TAIL = b"RTD/1/P12/K640\n/NG/MACHINE PARTS\nISU/19JUN26/SINGAPORE\n"
CNE = b"CNE\nNAM/PACIFIC RIM IMPORTS INC\nADR/2200 E EL SEGUNDO BLVD\nLOC/EL SEGUNDO/CA\n/US/90245\n"


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def shipper(imp, block: bytes) -> Party:
    return imp.read(HEAD + block + CNE + TAIL).document.shipper


def test_an_address_continuation_line_is_street_not_country(imp):
    block = (b"SHP\nNAM/MERLION PRECISION TOOLS PTE LTD\nADR/UNIT 05-12 KAKI BUKIT INDUSTRIAL \n"
             b"/ TERRACE BLOCK 3\nLOC/SINGAPORE\n/SG/416186/TE/6567450000\n")
    assert shipper(imp, block) == Party(
        name="MERLION PRECISION TOOLS PTE LTD", phone="6567450000",
        address=Address(street="UNIT 05-12 KAKI BUKIT INDUSTRIAL TERRACE BLOCK 3", city="SINGAPORE",
                        postcode="416186", country="SG"))


def test_name_and_street_continue_on_one_line_each_and_a_third_line_is_refused(imp):
    block = (b"SHP/ACC778\nNAM/MERLION PRECISION TOOLS PTE LTD\n/BONDED WAREHOUSE DIVISION\n"
             b"ADR/UNIT 05-12 KAKI BUKIT\n/INDUSTRIAL TERRACE BLOCK 3\nLOC/SINGAPORE/SG01\n/SG/416186\n")
    assert shipper(imp, block) == Party(
        id="ACC778", name="MERLION PRECISION TOOLS PTE LTD BONDED WAREHOUSE DIVISION",
        address=Address(street="UNIT 05-12 KAKI BUKIT INDUSTRIAL TERRACE BLOCK 3", city="SINGAPORE/SG01",
                        postcode="416186", country="SG"))
    third = block.replace(b"/INDUSTRIAL TERRACE BLOCK 3\n", b"/INDUSTRIAL TERRACE\n/BLOCK 3\n")
    problems = imp.inspect(HEAD + third + CNE + TAIL).problems
    assert [(p.code, p.line, p.path) for p in problems] == [("CIMP_FIELD_TOO_LONG", 8, "SHP/ADR/street address")]


def test_the_positional_layout_still_reads_name_street_place_and_country(imp):
    block = b"SHP\n/MERLION PRECISION TOOLS\n/8 KAKI BUKIT AVE 1\n/SINGAPORE\n/SG/417941/TE/6567450000\n"
    assert shipper(imp, block) == Party(name="MERLION PRECISION TOOLS", phone="6567450000", address=Address(
        street="8 KAKI BUKIT AVE 1", city="SINGAPORE", postcode="417941", country="SG"))


def test_a_positional_block_of_more_than_four_lines_has_several_street_lines(imp):
    block = b"SHP\n/MERLION PRECISION TOOLS\n/UNIT 05-12\n/8 KAKI BUKIT AVE 1\n/SINGAPORE\n/SG/417941\n"
    assert shipper(imp, block).address == Address(street="UNIT 05-12 8 KAKI BUKIT AVE 1", city="SINGAPORE",
                                                  postcode="417941", country="SG")


def test_contact_pairs_may_continue_on_the_next_line(imp):
    block = b"SHP\nNAM/MERLION\nADR/8 KAKI BUKIT AVE 1\nLOC/SINGAPORE\n/SG/417941\n/FX/6567450001/TE/6567450000\n"
    assert shipper(imp, block).phone == "6567450000"


def test_without_a_loc_line_only_a_last_country_shaped_line_is_the_country(imp):
    block = b"SHP\nNAM/MERLION\nADR/8 KAKI BUKIT AVE 1\n/KAKI BUKIT\n/SG/417941\n"
    assert shipper(imp, block).address == Address(street="8 KAKI BUKIT AVE 1 KAKI BUKIT", postcode="417941",
                                                  country="SG")


FHL = b"FHL/4\nMBI/618-20260424SINLAX/T12K640\nHBS/SINH0001/SINLAX/3/K120/3/PUMP PARTS\n"


def test_an_fhl4_party_has_its_name_on_the_tag_line(imp):
    data = FHL + (b"SHP/MERLION PRECISION TOOLS PTE LTD\n/8 KAKI BUKIT AVE 1\n/SINGAPORE\n/SG/417941\n"
                  b"CNE/PACIFIC RIM IMPORTS INC\n/2200 E EL SEGUNDO BLVD\n/EL SEGUNDO/CA\n/US/90245/TE/3105550100\n")
    house = imp.read(data).document
    assert house.shipper == Party(name="MERLION PRECISION TOOLS PTE LTD", address=Address(
        street="8 KAKI BUKIT AVE 1", city="SINGAPORE", postcode="417941", country="SG"))
    assert house.consignee == Party(name="PACIFIC RIM IMPORTS INC", phone="3105550100", address=Address(
        street="2200 E EL SEGUNDO BLVD", city="EL SEGUNDO/CA", postcode="90245", country="US"))


def test_an_fhl5_party_continues_its_name_and_street(imp):
    data = FHL.replace(b"FHL/4", b"FHL/5") + (
        b"SHP\nNAM/MERLION PRECISION TOOLS PTE LTD\n/BONDED WAREHOUSE\nADR/8 KAKI BUKIT AVE 1\n/KAKI BUKIT\n"
        b"LOC/SINGAPORE\n/SG/417941\n"
        b"CNE\nNAM/PACIFIC RIM IMPORTS INC\n/RECEIVING\nADR/2200 E EL SEGUNDO BLVD\n/DOCK 4\nLOC/EL SEGUNDO/CA\n"
        b"/US/902451234\n")
    house = imp.read(data).document
    assert (house.shipper.name, house.shipper.address.street, house.shipper.address.country) == \
        ("MERLION PRECISION TOOLS PTE LTD BONDED WAREHOUSE", "8 KAKI BUKIT AVE 1 KAKI BUKIT", "SG")
    assert (house.consignee.name, house.consignee.additional_name, house.consignee.address.street,
            house.consignee.address.country, house.consignee.address.postcode) == \
        ("PACIFIC RIM IMPORTS INC", "RECEIVING", "2200 E EL SEGUNDO BLVD DOCK 4", "US", "902451234")
    assert house.consignee.full_name == "PACIFIC RIM IMPORTS INC RECEIVING"


@pytest.mark.parametrize("lines, name, more", [
    ([b"NAM/CISCO SYSTEMS INC", b"/SLC"], "CISCO SYSTEMS INC", "SLC"),              # room above: a line of its own
    ([b"NAM/MERLION PRECISION TOOLS PTE LTD", b"/BONDED WAREHOUSE"],                 # no room: a wrap
     "MERLION PRECISION TOOLS PTE LTD BONDED WAREHOUSE", None),
    ([b"NAM/HONG KONG MANUFACTURING ", b"/BLDG"], "HONG KONG MANUFACTURING BLDG", None),  # split at a blank
    ([b"NAM/ACME", b"/ LOGISTICS"], "ACME LOGISTICS", None),
])
def test_a_name_continuation_is_a_wrap_only_when_the_line_above_had_no_room(imp, lines, name, more):
    data = FHL.replace(b"FHL/4", b"FHL/5") + b"SHP\n" + b"\n".join(lines) + b"\nLOC/SINGAPORE\n/SG\n"
    shipper = imp.read(data).document.shipper
    assert (shipper.name, shipper.additional_name) == (name, more)


def test_an_additional_name_is_written_on_its_own_line_and_reads_back(imp):
    fwb = imp.read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document
    consignee = fwb.consignee.model_copy(update={"name": "PACIFIC RIM IMPORTS INC", "additional_name": "RECEIVING"})
    out = imp.render(fwb.model_copy(update={"consignee": consignee}), "fwb", RenderContext(message_id="T1"))
    assert b"NAM/PACIFIC RIM IMPORTS INC\n/RECEIVING\n" in out.data.replace(b"\r\n", b"\n")
    back = imp.read(out.data).document.consignee
    assert (back.name, back.additional_name) == ("PACIFIC RIM IMPORTS INC", "RECEIVING")
    xml = imp.read(imp.render(fwb.model_copy(update={"consignee": consignee}), "xfwb",
                              RenderContext(message_id="T2")).data).document
    assert xml.consignee.name == "PACIFIC RIM IMPORTS INC RECEIVING"       # Cargo-XML has one name field


@pytest.mark.parametrize("name, more", [
    ("ACME LOGISTICS", "C/O SOUTHERN FORWARDING"),               # two lines: each its own
    ("PACIFIC RIM IMPORTS INC", "RECEIVING"),                    # room: as before
])
def test_an_additional_name_reads_back_as_written_even_when_the_name_leaves_no_room_for_it(imp, name, more):
    fwb = imp.read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document
    consignee = fwb.consignee.model_copy(update={"name": name, "additional_name": more})
    out = imp.render(fwb.model_copy(update={"consignee": consignee}), "fwb", RenderContext(message_id="T1"))
    block = out.data.split(b"\r\nCNE")[1].split(b"\r\nLOC/")[0].split(b"\r\n")[1:]
    assert all(len(line) <= 4 + 35 for line in block)
    back = imp.read(out.data).document.consignee
    assert (back.name, back.additional_name) == (name, more)


@pytest.mark.parametrize("name, more", [
    (None, "WAREHOUSE 5"),                                         # an empty NAM line: any line below continues it
    ("ACMEINTERNATIONALLOGISTICSCOMPANY", "WAREHOUSE"),           # no blank to break the name at
    ("ACME INTERNATIONAL LOGISTICS CO", "WAREHOUSE 5"),           # no room after the name, and a third line
                                                                   # (the name's last word moved down) is not given
])
def test_an_additional_name_the_name_cannot_leave_room_for_is_folded_into_the_name_whole(imp, name, more):
    fwb = imp.read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document
    consignee = fwb.consignee.model_copy(update={"name": name, "additional_name": more})
    out = imp.render(fwb.model_copy(update={"consignee": consignee}), "fwb", RenderContext(message_id="T1"))
    back = imp.read(out.data).document.consignee
    assert (back.name, back.additional_name, back.full_name) == (consignee.full_name, None, consignee.full_name)


@pytest.mark.parametrize("name, more", [
    ("MERLION PRECISION TOOLS PTE LTD SINGAPORE BRANCH OFFICE EAST", "WAREHOUSE 5"),
    ("ACME LOGISTICS PTE LTD", "C/O SOUTHERN INTERNATIONAL FORWARDING AND WAREHOUSING"),
])
def test_a_name_longer_than_its_two_lines_is_refused_naming_the_line_and_field(imp, name, more):
    fwb = imp.read(example("cargo_imp", "fwb-cx-hkg-fra.txt")).document
    consignee = fwb.consignee.model_copy(update={"name": name, "additional_name": more})
    with pytest.raises(ConversionError) as caught:
        imp.render(fwb.model_copy(update={"consignee": consignee}), "fwb", RenderContext(message_id="T1"))
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_INVALID", "CNE/NAM/name")
    assert "2 of 35" in str(caught.value)
