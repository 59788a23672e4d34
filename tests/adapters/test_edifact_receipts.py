"""EDIFACT receipts: CONTRL as the hub's rejection, APERAK and CUSRES statuses, what a reply echoes."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters import edifact
from adapters.edifact.pointer import Pointer
from hub.adapters import Probe, RenderContext
from hub.errors import InvalidDocument
from hub.models import Receipt, ReceiptError, ReceiptStatus
from hub.routing import Router, load_routes
from hub.store.sqlite import SqliteStore
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from hub.worker.status import native_rejection
from tests.adapters.test_edifact_syntax import BODY, interchange, message
from tests.conftest import example

ROOT = Path(__file__).resolve().parents[2]
BAD = example("bad", "cuscar-wrong-unt.edi")
TOPOLOGY = Topology("t")


def adapter(name: str):
    return next(a for a in edifact.adapters() if a.name == name)


def rejection(engine, data: bytes) -> Receipt:
    """The CONTRL the hub sends back for ``data``, read back into a Receipt."""
    inbound = engine.inspect(data)
    errors = inbound.problems
    publication = native_rejection(engine, TOPOLOGY, "CARRIER-ONE", "HUB-1", inbound.adapter, data, None, errors,
                                   "EPORTHUB")
    assert publication.content_type == "application/edifact" and publication.headers["x-hub-format"] == "contrl"
    assert engine.detect(publication.body).name == "contrl"
    return engine.read(publication.body).document


def test_a_wrong_unt_count_comes_back_as_a_contrl_rejecting_interchange_and_message(engine):
    contrl = rejection(engine, BAD)
    assert (contrl.status, contrl.agency_status) == (ReceiptStatus.REJECTED, "4")
    assert (contrl.answers_interchange, contrl.answers_message_id, contrl.answers_type) == \
        ("ONE0471W0002", "ONE0471W0002", "CUSCAR")
    assert [(e.code, e.pointer) for e in contrl.errors] == [("29", "UNT, message ONE0471W0002")]
    assert contrl.errors[0].text == "Control count does not match number of instances received"


def test_a_bad_character_in_a_segment_comes_back_with_its_position_in_the_message(engine):
    data = interchange(*message([BODY[0], "FTX+AAI+++Lower", *BODY[1:]]), syntax="UNOA:3")
    contrl = rejection(engine, data)
    assert [(e.code, e.pointer) for e in contrl.errors] == [("21", "message M1 segment 3 element 5:1")]
    publication = native_rejection(engine, TOPOLOGY, "X", "HUB-1", engine.inspect(data).adapter, data, None,
                                   engine.inspect(data).problems, "EPORTHUB")
    assert b"UCI+IC1+X+EPORTHUB+4'" in publication.body
    assert b"UCM+M1+CUSCAR:D:95B:UN+4'\nUCS+3'\nUCD+21+5:1'" in publication.body


def test_an_envelope_error_is_reported_on_the_uci(engine):
    data = interchange(*message(), zref="IC9")
    contrl = rejection(engine, data)
    assert [(e.code, e.pointer) for e in contrl.errors] == [("28", "UNZ")]


def test_a_business_rule_error_is_reported_on_the_answered_message(engine):
    paxlst = example("edifact", "paxlst-ca931-pek-fra.edi").replace(b"CNT+42:3'", b"CNT+42:4'")
    contrl = rejection(engine, paxlst)
    assert (contrl.answers_message_id, contrl.answers_type) == ("CA931P1201", "PAXLST")
    assert [(e.code, e.pointer) for e in contrl.errors] == [("18", "message CA931P1201")]


def test_the_router_answers_a_bad_edifact_interchange_with_json_and_contrl(engine, tmp_path):
    store = SqliteStore(tmp_path / "store.db")
    store.migrate()
    try:
        core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, TOPOLOGY, "EPORTHUB")
        work, = core.handle([Inbound(tag=1, body=BAD, sender="CARRIER-ONE")])
    finally:
        store.close()
    assert work.delivery_ids == []
    contrl = next(p for p in work.publications if p.content_type == "application/edifact")
    assert contrl.routing_key == "CARRIER-ONE"
    receipt = engine.read(contrl.body).document
    assert (receipt.answers_interchange, receipt.errors[0].code) == ("ONE0471W0002", "29")


@pytest.mark.parametrize("pointer, expected", [
    ("segment 31 UNT, message M1 segment 30", b"UCM+M1+CUSCAR:D:95B:UN+4+29+UNT'"),
    ("message M1 segment 7", b"UCM+M1+CUSCAR:D:95B:UN+4'\nUCS+7+29'"),
    ("segment 9 NAD, message M1 segment 8 element 3:2", b"UCS+8'\nUCD+29+3:2'"),
    ("segment 12 UNZ", b"UCI+IC1+SENDER+EPORTHUB+4+29+UNZ'"),
    ("/consignments/0/pieces", b"UCM+M1+CUSCAR:D:95B:UN+4+29'"),
])
def test_contrl_puts_each_error_where_its_pointer_says(pointer, expected):
    receipt = Receipt(answers_interchange="IC1", answers_message_id="M1", answers_type="CUSCAR", business_key="K",
                      status=ReceiptStatus.REJECTED, errors=[ReceiptError(code="EDI_UNT_COUNT", pointer=pointer)])
    data = adapter("contrl").render(receipt, RenderContext(message_id="C1", sender_id="EPORTHUB",
                                                           receiver_id="SENDER")).data
    assert expected in data


@pytest.mark.parametrize("text", ["segment 31 UNT, message M1 segment 30", "message M1 segment 8 element 3:2",
                                  "UNT, message M1", "segment 12 UNZ", "UNZ", "message M1"])
def test_pointers_read_back_what_they_say(text):
    assert str(Pointer.parse(text)) == text


@pytest.mark.parametrize("text", ["/consignments/0/pieces", "", None, "somewhere else"])
def test_other_pointers_are_not_edifact_positions(text):
    assert Pointer.parse(text) is None


@pytest.mark.parametrize("errors, status", [([], ReceiptStatus.ACKNOWLEDGED), (["1"], ReceiptStatus.ACCEPTED),
                                            (["1", "13"], ReceiptStatus.REJECTED), (["12"], ReceiptStatus.REJECTED)])
def test_aperak_status_follows_its_erc_codes(engine, errors, status):
    body = ["BGM++A1+9", "RFF+ACW:M9", *[f"ERC+{code}" for code in errors]]
    receipt = engine.read(interchange(*message(body, kind="APERAK:D:96A:UN"))).document
    assert (receipt.status, receipt.answers_message_id, receipt.business_key) == (status, "M9", "M9")
    assert [e.code for e in receipt.errors] == [c for c in errors if c != "1"]


@pytest.mark.parametrize("body, status, agency", [
    (["BGM+962+MRN1+9+AP", "GIS+ZZZ:::RELEASED"], ReceiptStatus.ACCEPTED, "RELEASED"),
    (["BGM+962+MRN1+9", "GIS+ZZZ:::HELD"], ReceiptStatus.OTHER, "HELD"),
    (["BGM+962+MRN1+9", "GIS+23"], ReceiptStatus.OTHER, "23"),
    (["BGM+962+MRN1+9", "ERP++CST:12", "ERC+E1", "FTX+AAO+++BAD HS"], ReceiptStatus.REJECTED, None),
    (["BGM+962+MRN1+9"], ReceiptStatus.ACKNOWLEDGED, None),
])
def test_cusres_status_follows_response_type_errors_and_status_segment(engine, body, status, agency):
    receipt = engine.read(interchange(*message(_cusres(body), kind="CUSRES:D:96B:UN"))).document
    assert (receipt.status, receipt.agency_status, receipt.agency_reference) == (status, agency, "MRN1")


@pytest.mark.parametrize("body, status, agency", [
    (["BGM+962+MRN1+9+AP", "STS++RELEASED"], ReceiptStatus.ACCEPTED, "RELEASED"),
    (["BGM+962+MRN1+9", "STS++HELD"], ReceiptStatus.OTHER, "HELD"),
])
def test_a_national_cusres_with_a_status_segment_reads_its_status_when_lenient(engine, body, status, agency):
    """CUSRES D:96B has no STS, but national variants send one: refused as read strictly, its status
    read with HUB_EDIFACT_LENIENT (the STS kept as a warning)."""
    data = interchange(*message(_cusres(body), kind="CUSRES:D:96B:UN"))
    with pytest.raises(InvalidDocument, match="STS"):
        engine.read(data)
    probe = Probe(data)
    receipt = next(a for a in edifact.adapters(lenient=True) if a.name == "cusres").parse(probe)
    assert (receipt.status, receipt.agency_status, receipt.agency_reference) == (status, agency, "MRN1")
    assert [w.code for w in probe.warnings] == ["EDI_SEGMENT_UNEXPECTED"]


def _cusres(body: list[str]) -> list[str]:
    """A CUSRES D:96B body in its segment order: the header's status (GIS) before the answered message
    (RFF+ACW, segment group 3), the errors (ERP, segment group 4) after it."""
    errors = next((n for n, seg in enumerate(body) if seg.startswith("ERP")), len(body))
    return [*body[:errors], "RFF+ACW:D7", *body[errors:]]


def test_cusres_error_position_without_a_hub_pointer_points_into_the_answered_message(engine):
    body = ["BGM+962+MRN1+9", "RFF+ACW:D7", "ERP++CST:12", "ERC+E1", "FTX+AAO+++BAD HS"]
    receipt = engine.read(interchange(*message(body, kind="CUSRES:D:96B:UN"))).document
    assert [(e.code, e.text, e.pointer) for e in receipt.errors] == [("E1", "BAD HS", "message D7 segment 12")]


def test_reply_facts_echo_interchange_message_type_and_business_key_of_a_failed_message():
    facts = adapter("cuscar").reply_facts(BAD)
    assert facts == {"answers_interchange": "ONE0471W0002", "answers_message_id": "ONE0471W0002",
                     "answers_type": "CUSCAR", "business_key": "0471W/2026-11-24"}


@pytest.mark.parametrize("data", [b"", b"\x00\xff garbage", b"UNB+UNOA:3+A+B+261127:0830+R1'UNH+M1+CUSCAR",
                                  b"UNA:+.? 'UNB+UNOZ:3+A+B+261127:0830+R2'UNH+M2+CUSCAR:D:95B:UN'BGM+785'"])
def test_reply_facts_never_raise_and_keep_what_they_can(data):
    facts = adapter("cuscar").reply_facts(data)
    assert isinstance(facts, dict)
    if b"+R2'" in data:
        assert facts == {"answers_interchange": "R2", "answers_message_id": "M2", "answers_type": "CUSCAR"}
    if b"+R1'" in data:
        assert facts["answers_interchange"] == "R1"
