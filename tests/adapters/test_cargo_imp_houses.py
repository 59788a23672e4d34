"""An FHL listing several houses (HBS lines) under one master: one house waybill per HBS.

``parse_all`` (what the engine calls) gives one Waybill of type house per HBS,
each with the master AWB and its own pieces, weight, description, HS codes,
customs notes and parties (the lines below its HBS, up to the next HBS). The
consolidation-list form lists houses without parties: a house then has empty
shipper and consignee. ``parse`` reads a one-house FHL; for several it refuses
with CIMP_HOUSES_MULTIPLE rather than return one house and drop the others.
TXT lines are 65 characters: a full line runs on into the next one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters import cargo_imp
from hub.adapters import Probe
from hub.errors import DocumentError, ParseError
from hub.models import Party, WaybillType
from tests.adapters.test_cargo_imp import fixed_engine
from tests.conftest import example

LIST = b"""FHL/4
MBI/618-20260424SINLAX/T6K321.5
HBS/SGH0001/SINLAX/1/K18/1/PUMP SEAL KIT
TXT/PUMP SEAL KIT . ETC.
OCI/US/SHP/MU/X
/US/CUS/AN/MERLION PRECISION TOOLS
HBS/SGH0002/SINLAX/2/K103.5/2/BEARINGS
HBS/SGH0003/SINLAX/3/K200/3/GEAR BOX HOUSIN
TXT/GEAR BOX HOUSING ALUMINIUM CAST
HTS/848340
"""

DETAIL = b"""FHL/5
MBI/618-20260424SINLAX/T3K120
HBS/SGH0011/SINLAX/1/K20/1/VALVES
/EAW
SHP
NAM/MERLION PRECISION TOOLS
ADR/8 KAKI BUKIT AVE 1
LOC/SINGAPORE
/SG/417941
CNE
NAM/PACIFIC RIM IMPORTS INC
ADR/2200 E EL SEGUNDO BLVD
LOC/EL SEGUNDO/CA
/US/90245
HBS/SGH0012/SINLAX/2/K100/2/GASKETS
SHP
NAM/TEMASEK RUBBER WORKS
ADR/3 TUAS AVE 2
LOC/SINGAPORE
/SG/639443
CNE
NAM/HARBOR GASKET CO
ADR/19 OCEAN GATE
LOC/LONG BEACH/CA
/US/90802
CVD/SGD/PP/NVD/NCV/XXX
"""


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


@pytest.fixture(scope="module")
def fhl():
    return next(a for a in cargo_imp.adapters() if a.name == "fhl")


def test_every_hbs_of_a_consolidation_list_is_its_own_house_under_the_master(imp):
    houses = imp.inspect(LIST).documents
    assert [(h.type, h.number, h.master_number, h.pieces, h.gross_weight.value) for h in houses] == [
        (WaybillType.HOUSE, "SGH0001", "618-20260424", 1, Decimal("18")),
        (WaybillType.HOUSE, "SGH0002", "618-20260424", 2, Decimal("103.5")),
        (WaybillType.HOUSE, "SGH0003", "618-20260424", 3, Decimal("200"))]
    assert [h.goods_description for h in houses] == ["PUMP SEAL KIT . ETC.", "BEARINGS",
                                                     "GEAR BOX HOUSING ALUMINIUM CAST"]
    assert [h.hs_codes for h in houses] == [[], [], ["848340"]]
    assert [[n.content for n in h.customs_notes] for h in houses] == [["X", "MERLION PRECISION TOOLS"], [], []]
    assert all(h.shipper == Party() and h.consignee == Party() for h in houses)
    assert imp.inspect(LIST).problems == []


def test_each_house_of_a_detailed_fhl_keeps_its_own_parties_and_handling(imp):
    one, two = imp.read(DETAIL).documents
    assert (one.number, one.special_handling, one.shipper.name, one.consignee.address.country) == \
        ("SGH0011", ["EAW"], "MERLION PRECISION TOOLS", "US")
    assert (two.number, two.special_handling, two.shipper.name, two.consignee.address.city) == \
        ("SGH0012", [], "TEMASEK RUBBER WORKS", "LONG BEACH/CA")


def test_parse_reads_one_house_and_refuses_several_rather_than_drop_any(fhl):
    house = fhl.parse(Probe(example("cargo_imp", "fhl-hkg-fra.txt")))
    assert house.number == "KAF26110451"
    assert [h.number for h in fhl.parse_all(Probe(LIST))] == ["SGH0001", "SGH0002", "SGH0003"]
    with pytest.raises(ParseError) as raised:
        fhl.parse(Probe(LIST))
    assert (raised.value.code, raised.value.line) == ("CIMP_HOUSES_MULTIPLE", 7)


def test_every_house_of_a_list_writes_back_to_an_fhl_that_reads_the_same(imp, ctx):
    houses = imp.read(LIST).documents
    assert [h.number for h in houses] == ["SGH0001", "SGH0002", "SGH0003"]
    for house in houses:
        assert imp.read(imp.render(house, "fhl", ctx).data).document == house


def test_a_line_under_the_master_before_any_house_is_refused(imp):
    data = LIST.replace(b"HBS/SGH0001", b"HTS/848340\nHBS/SGH0001", 1)
    with pytest.raises(DocumentError) as raised:
        imp.read(data)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_LINE_UNEXPECTED", 3)


def test_a_full_txt_line_runs_on_into_the_next_and_a_shorter_one_ends_a_line(imp, ctx):
    full = "GEAR BOX HOUSINGS ALUMINIUM CAST FOR INDUSTRIAL PUMPS AND COMPRES"
    assert len(full) == 65
    data = LIST.replace(b"TXT/GEAR BOX HOUSING ALUMINIUM CAST",
                        f"TXT/{full}\n/SORS OF THE SERIES 5\n/SECOND LINE".encode())
    house = imp.read(data).documents[2]
    assert house.goods_description == full + "SORS OF THE SERIES 5\nSECOND LINE"
    output = imp.render(house, "fhl", ctx).data
    assert all(len(line) <= 69 for line in output.split(b"\r\n"))
    assert imp.read(output).document.goods_description == house.goods_description


def test_the_houses_of_one_fhl_share_one_header_read_once():
    from datetime import UTC, datetime
    asked = []

    def clock():
        asked.append(1)
        return datetime(2026, 11, 27, 8, 30, tzinfo=UTC)

    fhl = next(a for a in cargo_imp.adapters(clock=clock) if a.name == "fhl")
    houses = fhl.parse_all(Probe(b"QK LAXFMEK\n.SINFMEK 270739 M-1\n" + DETAIL))
    assert len(houses) == 2 and len(asked) == 1
    assert houses[0].header == houses[1].header and houses[0].header is not houses[1].header
    assert houses[0].header.issued_at == datetime(2026, 11, 27, 7, 39, tzinfo=UTC)
