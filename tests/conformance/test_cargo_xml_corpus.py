"""IATA Cargo-XML against the reference corpus: real XFWB/XFZB samples pass the hub's schema and map correctly.

The samples (corpus/iata_cargo/xml, Riege one-record-converter test data) are read
in place, never copied into the project. Expected values are the ones in the files.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.models import Measure, WaybillType

pytestmark = pytest.mark.conformance

XFWB, XFWB_ACAS, XFZB = "888-11111111_XFWB.xml", "888-11111111_XFWB_ACAS_US.xml", "SEL22222222_XFZB.xml"


@pytest.fixture(scope="module")
def samples(corpus) -> Path:
    return corpus / "iata_cargo" / "xml"


def sample(samples: Path, name: str) -> bytes:
    return (samples / name).read_bytes()


@pytest.mark.parametrize("name, fmt", [(XFWB, "xfwb"), (XFWB_ACAS, "xfwb"), (XFZB, "xfzb")])
def test_sample_is_detected_and_passes_the_hub_schema(engine, samples, name, fmt):
    probe = engine.probe(sample(samples, name))
    adapter = engine.registry.detect(probe)
    assert adapter.name == fmt
    assert engine.schemas.validate(probe.tree, adapter.schema) == []


@pytest.mark.parametrize("name", [XFWB, XFWB_ACAS])
def test_master_waybill_sample_maps_awb_quantities_and_parties(engine, samples, name):
    wb = engine.read(sample(samples, name)).document
    assert (wb.type, wb.number, wb.consolidation) == (WaybillType.MASTER, "888-11111111", True)
    assert (wb.pieces, wb.gross_weight, wb.volume) == \
        (3, Measure(value=Decimal("1042.0"), unit="KGM"), Measure(value=Decimal("2.602"), unit="MTQ"))
    assert (wb.origin.code, wb.destination.code) == ("ORK", "PVG")
    assert (wb.shipper.id, wb.shipper.name, wb.shipper.address.country, wb.shipper.phone) == \
        ("SHP_ACCOUNT_NO_1234", "FORWARDER COMPANY IRELAND LTD", "IE", "353123456789")
    assert wb.consignee.name == "FORWARDER COMPANY SHANGHAI LTD\nROOM 123 SPECIAL BUILDING. NR 987"
    assert (wb.consignee.address.city, wb.consignee.address.country) == ("SHANGHAI", "CN")
    assert (wb.agent.id, wb.agent.name, wb.agent.address.postcode) == \
        ("87654321", "FORWARDER COMPANY IRELAND LIMITED", "ABCD")
    assert [(leg.number, leg.departure.code, leg.arrival.code) for leg in wb.routing] == \
        [("XX8012", "ORK", "DUB"), ("XX345", "DUB", "AUH")]
    assert (wb.special_handling, wb.hs_codes, len(wb.handling_notes)) == (["NSC"], ["000111"], 3)
    assert wb.goods_description.splitlines()[0] == "CONSOLIDATION"
    assert (wb.header.sender_id, wb.header.recipient_id) == ("RIEGESOFTWARE", "CCSPROVIDERNAME")


def test_acas_sample_carries_the_us_customs_notes(engine, samples):
    plain = engine.read(sample(samples, XFWB)).document
    acas = engine.read(sample(samples, XFWB_ACAS)).document
    extra = acas.customs_notes[len(plain.customs_notes):]
    assert (len(plain.customs_notes), len(extra)) == (9, 9)
    assert {(n.subject_code, n.country) for n in extra} == {("CUS", "US")}
    assert [n.content_code for n in extra] == ["AH", "AH", "RT", "BT", "FT", "AN", "AI", "AR", "AE"]


def test_house_waybill_sample_maps_hawb_master_quantities_and_parties(engine, samples):
    wb = engine.read(sample(samples, XFZB)).document
    assert (wb.type, wb.number, wb.master_number) == (WaybillType.HOUSE, "SEL22222222", "888-11111111")
    assert (wb.pieces, wb.gross_weight) == (10, Measure(value=Decimal("134.0"), unit="KGM"))
    assert (wb.origin.code, wb.destination.code) == ("ICN", "FDH")
    assert (wb.shipper.name, wb.shipper.address.postcode, wb.shipper.address.country) == \
        ("SPARE PART LTD.", "12345", "KR")
    assert (wb.consignee.name, wb.consignee.address.city, wb.consignee.phone) == \
        ("REPAIR DIENST GMBH", "FRIEDRICHSHAFEN", None)
    assert (wb.hs_codes, wb.goods_description) == (["1133557799"], "SPARE PARTS")
    assert [n.content for n in wb.customs_notes] == ["5432109876", "KIM QUAN KWUN", "0553456789012", "DE3056777000"]


@pytest.mark.parametrize("name, fmt", [(XFWB, "xfwb"), (XFWB_ACAS, "xfwb"), (XFZB, "xfzb")])
def test_sample_round_trips_through_the_hub_output(engine, samples, name, fmt):
    document = engine.read(sample(samples, name)).document
    h = document.header
    ctx = RenderContext(message_id=h.message_id, sender_id=h.sender_id, receiver_id=h.recipient_id,
                        created_at=h.issued_at)
    assert engine.read(engine.render(document, fmt, ctx).data).document == document
