"""IATA Cargo-IMP against the reference corpus: real FWB/16, FSU/14 (in its Type-B envelope) and FFM/5 traffic.

The samples (corpus/iata_cargo/cimp) are read in place, never copied into the
project. Expected values are the ones in the files. The engine's Cargo-IMP
clock is fixed on 21 June 2026, so the year-less dates resolve to 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.models import Location, Measure, WaybillType
from tests.adapters.test_cargo_imp import fixed_engine

pytestmark = pytest.mark.conformance

FWB, FSU, FFM = "FWB16_sample1.txt", "FSU14_sample_with_TypeB_envelope.txt", "FFM_test.txt"
NOW = datetime(2026, 6, 21, 9, 0, tzinfo=UTC)
CTX = RenderContext(message_id="HUB-CONF-1", sender_id="EPORTHUB", receiver_id="CUSTOMS", created_at=NOW)


@pytest.fixture(scope="module")
def samples(corpus) -> Path:
    return corpus / "iata_cargo" / "cimp"


@pytest.fixture(scope="module")
def imp():
    return fixed_engine(NOW)


def sample(samples: Path, name: str) -> bytes:
    return (samples / name).read_bytes()


@pytest.mark.parametrize("name, fmt", [(FWB, "fwb"), (FSU, "fsu"), (FFM, "ffm")])
def test_sample_is_detected_by_the_composed_engine_and_reads_without_problems(engine, imp, samples, name, fmt):
    data = sample(samples, name)
    assert engine.detect(data).name == fmt
    assert imp.inspect(data).problems == []  # parses, and every AWB check digit holds


def test_fwb_sample_maps_awb_route_quantities_and_parties(imp, samples):
    wb = imp.read(sample(samples, FWB)).document
    assert (wb.type, wb.number, wb.origin.code, wb.destination.code) == (WaybillType.MASTER, "157-68076960",
                                                                          "BSL", "DOH")
    assert (wb.pieces, wb.gross_weight, wb.volume) == \
        (1, Measure(value=Decimal("40"), unit="KGM"), Measure(value=Decimal("0.36"), unit="MTQ"))
    assert (wb.shipper.name, wb.shipper.address.street, wb.shipper.address.country) == \
        ("F  HOFFMANN - LA ROCHE LTD", "GRENZACHERSTRASSE 124", "CH")
    assert (wb.consignee.name, wb.consignee.address.city, wb.consignee.address.country) == \
        ("M S  EBN SINA MEDICAL", "DOHA", "QA")
    assert (wb.agent.id, wb.agent.name) == ("8147158", "DSV AIR  SEA AG")
    assert [(leg.departure.code, leg.arrival.code, leg.carrier) for leg in wb.routing] == \
        [("BSL", "ZRH", "QR"), ("ZRH", "DOH", "QR")]
    assert (wb.hs_codes, wb.special_handling) == (["30049000"], ["PIL", "PIP", "ERT", "DNS", "SPX", "EAP", "ECC"])
    assert wb.goods_description.splitlines()[0] == "PHARMACEUTICALS - NOT RESTRICTED"
    assert [(n.content_code, n.content) for n in wb.customs_notes][:2] == [("RA", "00043-01"), ("ED", "1128")]
    assert len(wb.customs_notes) == 6 and len(wb.handling_notes) == 2


def test_fsu_sample_maps_its_envelope_awb_and_status_line(imp, samples):
    status = imp.read(sample(samples, FSU)).document
    h = status.header
    assert (h.recipient_id, h.sender_id, h.issued_at) == \
        ("SIN05XH", "HDQFMQR", datetime(2026, 6, 20, 7, 39, tzinfo=UTC))
    assert (status.waybill, status.origin.code, status.destination.code, status.total_pieces) == \
        ("157-53806270", "HKG", "NLU", 10)
    assert (status.code, status.flight, status.carrier, status.location, status.happened_at) == \
        ("FIW", "QR8403", "QR", Location(code="DOH"), datetime(2026, 6, 20, 10, 39))
    assert (status.shipment_code, status.pieces, status.weight) == \
        ("P", 2, Measure(value=Decimal("505.0"), unit="KGM"))
    assert (status.details, status.ulds) == (["S0720", "A1008"], ["PMC72534QR", "PMC77313QR"])
    assert [(n.country, n.content_code, n.content) for n in status.customs_notes] == [
        ("HK", "RA", "28490"), ("HK", "SS", "SPX"), ("HK", "SM", "XRY"), ("HK", "SN", "XING WEIJI"),
        ("HK", "SD", "18JUN262100")]


def test_ffm_sample_part_maps_flight_and_every_consignment_line(imp, samples):
    manifest = imp.read(sample(samples, FFM)).document
    c = manifest.conveyance
    assert (c.journey_id, c.carrier.id, c.departure_date.isoformat(), c.registration) == \
        ("KZ134", "KZ", "2026-06-20", "JA15KZ")
    assert (manifest.loading_location.code, manifest.unloading_location.code) == ("NRT", "ORD")
    found = [(x.transport_document, x.pieces, x.gross_weight.value) for x in manifest.consignments]
    assert len(found) == 17
    assert found[:3] == [("933-22405670", 2, Decimal("440.1")), ("933-22405784", 30, Decimal("1693.5")),
                         ("205-33450222", 145, Decimal("2280"))]
    assert found[-1] == ("933-34675163", 197, Decimal("2218"))
    assert [n for n, _, _ in found].count("933-22405784") == 3  # one consignment divided over three ULDs
    assert (manifest.summed_pieces(), manifest.summed_weight()) == (755, Decimal("22094.9"))
    third = manifest.consignments[2]
    assert (third.origin.code, third.goods_description, third.special_handling, third.volume.value) == \
        ("PEK", "PHONE CASE", ["EAP", "SPX"], Decimal("12.31"))


@pytest.mark.parametrize("name, fmt", [(FWB, "fwb"), (FSU, "fsu"), (FFM, "ffm")])
def test_sample_round_trips_through_the_hub_output(imp, samples, name, fmt):
    document = imp.read(sample(samples, name)).document
    again = imp.read(imp.render(document, fmt, CTX).data).document
    assert again.model_dump(exclude={"header"}) == document.model_dump(exclude={"header"})


@pytest.mark.parametrize("name, fmt", [(FWB, "xfwb"), (FFM, "xffm")])
def test_sample_converts_to_schema_valid_cargo_xml_keeping_the_shared_fields(imp, samples, name, fmt):
    document = imp.read(sample(samples, name)).document
    via_xml = imp.read(imp.render(document, fmt, CTX).data).document
    parts = {"part", "last_part"} if fmt == "xffm" else set()      # XFFM carries no part numbers
    assert via_xml.model_dump(exclude={"header"} | parts) == document.model_dump(exclude={"header"} | parts)
