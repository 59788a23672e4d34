"""EDIFACT beyond the air profile: PAXLST for road and sea crossings (no flight number, the border
crossing place, the border leg of a multi-leg list) and CUSCAR national profiles D:95B-D:03B
(bills by RFF+BM, CNI, RFF+AAM or DOC; national port codes; item weights).

Fixtures are the project's own, written in the shapes partners send (see ../shared/corpus/field).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from hub.composition import build_engine
from hub.models import Manifest, Measure, PersonRole, PersonsList, TransportMode
from hub.settings import Settings
from tests.adapters.test_edifact_syntax import interchange, message, problems


@pytest.fixture(scope="module")
def lenient_engine():
    return build_engine(Settings(edifact_lenient=True))

# -- PAXLST for road and sea crossings ---------------------------------------------------------------

def paxlst(*body: str, ref: str = "P1", una: str = "UNA:+.? '", guide: str = ":IATA") -> bytes:
    """A PAXLST D03B that declares the WCO/IATA/ICAO API guide (UNH 0057 IATA), whose SG2 is TDT alone
    with the times at each place (plain D03B wants a DTM straight after TDT); ``guide=""`` declares none."""
    return interchange(*message(list(body), ref=ref, kind=f"PAXLST:D:03B:UN{guide}"), syntax="UNOA:4", una=una)


TRUCK_CREW = ["BGM+250+TRIP0042+9", "TDT+11++3++ROADCO:172+++:109::TRK7781", "LOC+60+DEHAM",
              "DTM+132:202611271030:203", "NAD+FM+++MEIER:ANNA", "ATT+2++F", "DOC+P+X123"]


def test_a_truck_crew_list_reads_without_a_flight_number(engine):
    doc = engine.read(paxlst(*TRUCK_CREW)).document
    assert isinstance(doc, PersonsList)
    assert (doc.mode, doc.role, doc.carrier, doc.journey_id) == \
        (TransportMode.ROAD, PersonRole.CREW, "ROADCO", "TRK7781")
    assert (doc.arrival.code, doc.arrival_at) == ("DEHAM", datetime(2026, 11, 27, 10, 30))
    assert doc.departure.code == "DEHAM"  # a land crossing has one place: the border crossing
    assert [(p.surname, p.given_names, p.sex) for p in doc.persons] == [("MEIER", "ANNA", "F")]


def test_a_crew_list_without_the_guide_it_follows_is_refused_strictly_and_read_leniently(engine, lenient_engine):
    """The same list declaring no guide breaks plain D03B (SG2 TDT without its DTM): both readings are facts."""
    data = paxlst(*TRUCK_CREW, guide="")
    (code, _, path), = problems(engine, data)
    assert (code, path) == ("EDI_SEGMENT_MISSING", "segment 5 LOC, message P1 segment 4")
    assert "DTM" in engine.inspect(data).problems[0].message
    relaxed = lenient_engine.read(data)
    assert relaxed.document == engine.read(paxlst(*TRUCK_CREW)).document
    assert [w.code for w in relaxed.warnings] == ["EDI_SEGMENT_MISSING"]


def test_the_conveyance_id_comes_from_tdt_c222_8213_first(engine):
    body = [s.replace(":109::TRK7781", "B-AB123:109::TRK7781") for s in TRUCK_CREW]
    assert engine.read(paxlst(*body)).document.journey_id == "B-AB123"
    body = [s.replace("TDT+11++3", "TDT+11+TRIP77+3") for s in TRUCK_CREW]
    assert engine.read(paxlst(*body)).document.journey_id == "TRIP77"


def test_a_sea_crossing_reads_the_vessel_and_its_ports(engine):
    body = ["BGM+745", "TDT+20++1++SEACO+++9074729:146::NORDIC STAR", "LOC+125+NLRTM", "DTM+189:202611260800:203",
            "LOC+87+GBFXT", "DTM+232:202611271400:203", "NAD+FL+++SMITH:JOHN:PAUL", "DOC+P+P7"]
    doc = engine.read(paxlst(*body)).document
    assert (doc.mode, doc.journey_id, doc.departure.code, doc.arrival.code) == \
        (TransportMode.SEA, "9074729", "NLRTM", "GBFXT")
    assert doc.persons[0].given_names == "JOHN PAUL"


def test_air_still_requires_a_flight_number(engine):
    body = ["BGM+745", "TDT+20++4++CA", "LOC+125+PEK", "LOC+87+FRA", "NAD+FL+++WANG:LI"]
    (code, _, path), = problems(engine, paxlst(*body))
    assert code == "EDI_SEGMENT_MISSING" and "TDT" in path


def test_a_list_without_places_reads_with_the_places_marked_unknown(engine):
    body = ["BGM+10+LOCK0001+4", "TDT+11++++LOCK:172", "DTM+132:20261230:102",
            "NAD+VW+0000041153:109++ADAMS:CHRIS::::1+1 MAIN ROAD+RESTON+VA:163:5+20190", "ATT+2++M",
            "EMP+4+++1++8", "NAT+2+US::5", "DOC+5K+P1009"]
    doc = engine.read(paxlst(*body)).document
    assert (doc.mode, doc.role, doc.journey_id, doc.carrier) == \
        (TransportMode.ROAD, PersonRole.CREW, "LOCK0001", "LOCK")
    assert doc.departure.code == doc.arrival.code == "ZZZ"
    assert doc.arrival_at == datetime(2026, 12, 30)
    (person,) = doc.persons
    assert (person.surname, person.given_names, person.nationality) == ("ADAMS", "CHRIS", "US")
    assert [(d.type, d.number) for d in person.documents] == [("5K", "P1009")]


def test_repetitions_under_syntax_4_keep_the_first_value(engine):
    body = [s.replace("ATT+2++F", "ATT+2++F*F*F") for s in TRUCK_CREW]
    assert engine.read(paxlst(*body, una="")).document.persons[0].sex == "F"
    assert engine.read(paxlst(*body)).document.persons[0].sex == "F*F*F"   # UNA declares no repetition


def test_the_border_leg_of_a_multi_leg_list_is_chosen(engine):
    body = ["BGM+745", "TDT+20+QQ877+++QQ", "LOC+92+MIA", "DTM+189:2611101500:201", "LOC+92+IAD",
            "DTM+232:2611101755:201", "TDT+20+QQ827+++QQ", "LOC+125+JFK", "DTM+189:2611102000:201", "LOC+87+CDG",
            "DTM+232:2611110630:201", "TDT+20+QQ829+++QQ", "LOC+92+CDG", "DTM+189:2611111000:201", "LOC+92+NCE",
            "DTM+232:2611111130:201", "NAD+FL+++DOE:JANE", "DOC+P+P1"]
    doc = engine.read(paxlst(*body)).document
    assert (doc.journey_id, doc.departure.code, doc.arrival.code) == ("QQ827", "JFK", "CDG")
    assert (doc.departure_at, doc.arrival_at) == (datetime(2026, 11, 10, 20, 0), datetime(2026, 11, 11, 6, 30))


def test_a_single_leg_routing_list_still_reads_its_first_leg(engine):
    body = ["BGM+745", "TDT+20+CA931+++CA", "LOC+92+PEK", "DTM+189:2611101500:201", "LOC+92+FRA",
            "DTM+232:2611101955:201", "NAD+FL+++DOE:JANE"]
    doc = engine.read(paxlst(*body)).document
    assert (doc.journey_id, doc.departure.code, doc.arrival.code) == ("CA931", "PEK", "FRA")


# -- CUSCAR national profiles -------------------------------------------------------------------------

ACE = ["BGM+85:::STANDARD+TRIP4411+22", "DTM+132:202612301200:203", "LOC+60+0901:77", "NAD+CA+TRKC:172",
       "TDT+11++03+:::BT++I++:109::10000324", "CNI+1+:23", "DOC+714:::61+KH0411::TRKC", "RFF+AAM:TRKCKH0411",
       "LOC+9+U0107:78", "NAD+CN+65424:109+1 MAIN STREET+ANNA SMITH++BELTSVILLE+MD:163+20708+US", "GID+1",
       "PAC+158++COL", "FTX+AAA+++IRON COIL:SHEET METAL", "MEA+AAI++K:750"]


def cuscar_d03b(*body: str, application: str = "ACE") -> bytes:
    """A CUSCAR D03B in US CBP's ACE profile, declared as ACE does it (UNB 0026 application reference ACE),
    which puts DOC in the consignment group; ``application=""`` declares nothing (plain D03B)."""
    data = interchange(*message(list(body), kind="CUSCAR:D:03B:UN"), syntax="UNOA:4")
    return data.replace(b"+IC1'", f"+IC1++{application}'".encode(), 1) if application else data


def test_a_d03b_truck_cargo_report_reads_its_bill_from_rff_aam(engine):
    doc = engine.read(cuscar_d03b(*ACE)).document
    assert isinstance(doc, Manifest)
    c = doc.conveyance
    assert (c.mode, c.journey_id, c.carrier.id, c.registration, c.name) == \
        (TransportMode.ROAD, "10000324", "TRKC", None, "10000324")
    assert c.departure_date == date(2026, 12, 30)  # no departure date: the arrival (border crossing) date
    # national port codes (CBP lists 77, 78) are neither UN/LOCODEs nor IATA codes: kept as names
    assert (doc.loading_location.code, doc.loading_location.name) == ("ZZZ", "U0107 (code list 78)")
    assert (doc.unloading_location.code, doc.unloading_location.name) == ("ZZZ", "0901 (code list 77)")
    (bill,) = doc.consignments
    assert (bill.transport_document, bill.pieces, bill.gross_weight) == \
        ("TRKCKH0411", 158, Measure(value=Decimal(750), unit="KGM"))
    assert bill.goods_description == "IRON COIL\nSHEET METAL"


def test_the_ace_profile_undeclared_is_refused_strictly_and_read_leniently(engine, lenient_engine):
    """Plain D03B has no DOC in the consignment group: an ACE message that does not say so is refused
    with the directory's code, and the lenient hub reads the same manifest."""
    data = cuscar_d03b(*ACE, application="")
    (code, _, path), = problems(engine, data)
    assert (code, path) == ("EDI_SEGMENT_UNEXPECTED", "segment 9 DOC, message M1 segment 8")
    relaxed = lenient_engine.read(data)
    assert relaxed.document == engine.read(cuscar_d03b(*ACE)).document
    assert "EDI_SEGMENT_UNEXPECTED" in [w.code for w in relaxed.warnings]


@pytest.mark.parametrize("swap, expected", [
    (("RFF+AAM:TRKCKH0411", "RFF+BM:BL0099"), "BL0099"),
    (("RFF+AAM:TRKCKH0411", "RFF+XX:1"), "KH0411"),            # DOC C503 when no reference names the bill
    (("CNI+1+:23", "CNI+1+CNIBILL7"), "CNIBILL7"),
])
def test_the_bill_is_found_in_rff_bm_cni_rff_aam_or_doc(engine, swap, expected):
    body = [s.replace(*swap) for s in ACE]
    assert engine.read(cuscar_d03b(*body)).document.consignments[0].transport_document == expected


def test_a_consignment_without_any_bill_names_every_place_it_looked(engine):
    # a reference that names no bill stays: the consignment group's LOC needs an RFF to open SG5
    body = [s.replace("RFF+AAM:TRKCKH0411", "RFF+XX:1") for s in ACE if not s.startswith("DOC+")]
    (code, _, path), = problems(engine, cuscar_d03b(*body))
    assert code == "EDI_SEGMENT_MISSING" and "CNI" in path
    assert "RFF+BM" in engine.inspect(cuscar_d03b(*body)).problems[0].message


@pytest.mark.parametrize("version", ["D:95B", "D:96B", "D:99B", "D:01B", "D:03B"])
def test_cuscar_directories_d95b_to_d03b_read_the_same_profile(engine, version):
    data = interchange(*message(kind=f"CUSCAR:{version.replace('D:', 'D:')}:UN"))
    assert engine.read(data).document.conveyance.journey_id == "V1"
