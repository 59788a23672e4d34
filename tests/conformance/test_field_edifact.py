"""Real partner EDIFACT (../shared/corpus/field/edifact): the verdicts the corpus README expects.

Accepted and read right: CONTRL_v4 (two CONTRL messages in one interchange), CUSCAR_D03B (a US
CBP ACE truck manifest: bill by RFF+AAM / DOC), PAXLST_D03B edifabric and smooks (a truck crew
list without flight number or places). Refused with a code naming the real defect: the four GTAS
PAXLST files and PNRGOV (by name). The files are read in place, never copied into the project.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from hub.errors import DocumentError
from hub.models import Manifest, PersonRole, PersonsList, Receipt, ReceiptStatus, TransportMode
from tests.conftest import corpus_folder

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def field(corpus) -> Path:
    return corpus_folder(corpus, "field", "edifact")


def codes(engine, data: bytes) -> set[str]:
    try:
        return {p.code for p in engine.inspect(data).problems}
    except DocumentError as exc:
        return {p.code for p in exc.problems}


def test_contrl_v4_with_two_messages_is_one_receipt_with_both_answers(engine, field):
    inbound = engine.read((field / "CONTRL_v4_edifabric.txt").read_bytes())
    assert inbound.adapter.name == "contrl" and len(inbound.documents) == 1
    receipt = inbound.document
    assert isinstance(receipt, Receipt)
    answers = receipt.answers()
    assert [a.header.message_id for a in answers] == ["2", "3"]
    assert {(a.status, a.agency_status, a.issuer) for a in answers} == {(ReceiptStatus.ACKNOWLEDGED, "8", "RECEIVER1")}


def test_cuscar_d03b_truck_manifest_reads_its_trip_and_bill(engine, field):
    doc = engine.read((field / "CUSCAR_D03B_edifabric_CargoReport.txt").read_bytes()).document
    assert isinstance(doc, Manifest)
    c = doc.conveyance
    assert (c.mode, c.journey_id, c.carrier.id, c.departure_date) == \
        (TransportMode.ROAD, "10000324", "LOCK", date(2004, 12, 30))
    assert doc.unloading_location.name == "0901 (code list 77)"
    (bill,) = doc.consignments
    assert (bill.transport_document, bill.pieces, bill.gross_weight.value, bill.gross_weight.unit) == \
        ("LOCKKH041122106", 158, 750, "KGM")
    assert bill.consignee.name == "KATHY SMITH" and bill.consignee.address.country == "US"


@pytest.mark.parametrize("name", ["PAXLST_D03B_edifabric_PassengerList.txt", "PAXLST_D03B_smooks_message_01.edi"])
def test_the_ace_truck_crew_list_reads_without_flight_number_or_places(engine, field, name):
    doc = engine.read((field / name).read_bytes()).document
    assert isinstance(doc, PersonsList)
    assert (doc.mode, doc.role, doc.carrier, doc.journey_id) == \
        (TransportMode.ROAD, PersonRole.CREW, "LOCK", "LOCKKH04103101")
    assert doc.arrival_at == datetime(2004, 12, 30)
    (driver,) = doc.persons
    assert (driver.surname, driver.given_names, driver.sex, driver.born_on, driver.nationality) == \
        ("AOMAD", "CHRIS", "M", date(1935, 9, 19), "US")
    assert [(d.type, d.number) for d in driver.documents] == [("5K", "P100971204141"), ("39", "15504141")]


def test_both_truck_lists_read_the_same(engine, field):
    one, other = (engine.read((field / n).read_bytes()).document for n in
                  ("PAXLST_D03B_edifabric_PassengerList.txt", "PAXLST_D03B_smooks_message_01.edi"))
    assert one.model_dump(exclude={"header"}) == other.model_dump(exclude={"header"})


@pytest.mark.parametrize("name, expected", [
    ("PAXLST_D02B_gtas_Test1_crew.txt",
     {"EDI_CHARSET_VIOLATION", "EDI_UNT_COUNT", "EDI_UNE_REFERENCE", "EDI_UNZ_REFERENCE"}),
    ("PAXLST_D02B_gtas_Test3_large.txt", {"EDI_CHARSET_VIOLATION", "EDI_UNT_COUNT"}),
    ("PAXLST_D02B_gtas_airline2_customUNA.edi", {"EDI_SEGMENT_TAG_INVALID", "EDI_UNT_COUNT", "EDI_UNT_REFERENCE"}),
    ("PAXLST_D05B_gtas_multiple_flight_leg.txt", {"EDI_CONTENT_AFTER_UNZ"}),
])
def test_the_gtas_files_are_refused_for_their_real_defects(engine, field, name, expected):
    assert expected <= codes(engine, (field / name).read_bytes())


def test_test3_segments_ended_by_cr_only_get_their_own_lines(engine, field):
    problems = engine.inspect((field / "PAXLST_D02B_gtas_Test3_large.txt").read_bytes()).problems
    unt = next(p for p in problems if p.code == "EDI_UNT_COUNT")
    assert unt.line > 200   # one line per CR-ended passenger block, not line 1
    assert len({p.line for p in problems}) > 10


def test_the_multi_leg_list_once_its_trailing_text_is_gone_reads_the_border_leg(engine, field):
    data = (field / "PAXLST_D05B_gtas_multiple_flight_leg.txt").read_bytes()
    cut = data[:data.rindex(b"UNZ+")] + data[data.rindex(b"UNZ+"):].split(b"'")[0] + b"'"
    doc = engine.read(cut).document
    assert (doc.journey_id, doc.departure.code, doc.arrival.code) == ("QQ827", "JFK", "CDG")
    assert (doc.departure_at, doc.arrival_at) == (datetime(2008, 8, 10, 20, 0), datetime(2008, 8, 11, 6, 30))
    assert [p.surname for p in doc.persons] == ["BARRETT", "LANG"]


def test_pnrgov_is_refused_by_name(engine, field):
    with pytest.raises(DocumentError) as caught:
        engine.inspect((field / "PNRGOV_edifabric_PassengerData.txt").read_bytes())
    (problem,) = caught.value.problems
    assert problem.code == "EDI_MESSAGE_TYPE_UNSUPPORTED" and problem.message.startswith("PNRGOV is not")
    assert problem.line == 4 and problem.path == "UNH, message 13052210400995"
