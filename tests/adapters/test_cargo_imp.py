"""IATA Cargo-IMP adapters: golden canonical JSON, round trips, detection, and what each format maps.

Cargo-IMP dates carry no year, so these tests read with an engine whose
Cargo-IMP clock is fixed (``fixed_engine``); the composed engine (fixture
``engine``) is used where the clock does not matter. Golden files live in
tests/adapters/golden/cargo_imp/<example>.json; regenerate them after a
deliberate mapping change with ``HUB_REGEN_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters import cargo_imp, cargo_xml, json_canonical
from hub.adapters import Registry, RenderContext
from hub.errors import ConversionError
from hub.models import Location, Measure, MessageHeader, ReceiptStatus, TransportMode, WaybillType
from hub.pipeline import Engine
from hub.settings import Settings
from hub.validation import SchemaSet
from tests.adapters.golden_support import assert_golden
from tests.conftest import EXAMPLES, example

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
EXAMPLE_FILES = sorted(p.name for p in (EXAMPLES / "cargo_imp").glob("*.txt"))
FORMATS = ("fwb", "fhl", "ffm", "fsu", "fma", "fna")


def fixed_engine(now: datetime = NOW) -> Engine:
    """Cargo-XML, Cargo-IMP (its clock at ``now``) and canonical JSON, with the project's schemas."""
    adapters = [*cargo_xml.adapters(), *cargo_imp.adapters(clock=lambda: now), *json_canonical.adapters()]
    return Engine(Registry(adapters), SchemaSet(Settings().schema_dir, {}))


def ctx_from(doc) -> RenderContext:
    """A context that repeats the document's own envelope, so the whole model must survive."""
    h = doc.header
    return RenderContext(message_id=h.message_id, sender_id=h.sender_id, receiver_id=h.recipient_id,
                         created_at=h.issued_at or NOW)


def fmt_of(name: str) -> str:
    return name.split("-")[0]


@pytest.fixture(scope="module")
def imp() -> Engine:
    return fixed_engine()


def read(imp: Engine, name: str):
    return imp.read(example("cargo_imp", name)).document


def test_every_cargo_imp_format_has_an_example():
    assert sorted({fmt_of(name) for name in EXAMPLE_FILES}) == sorted(FORMATS)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_parses_into_its_golden_canonical_json(imp, name):
    assert_golden("cargo_imp", name, read(imp, name))


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_is_detected_as_its_own_format_by_the_composed_engine(engine, name):
    assert engine.detect(example("cargo_imp", name)).name == fmt_of(name)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_survives_parse_render_parse_unchanged(imp, name):
    document = read(imp, name)
    output = imp.render(document, fmt_of(name), ctx_from(document))
    assert imp.read(output.data).document == document


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_rendering_for_a_non_type_b_receiver_drops_the_envelope_and_keeps_the_business_content(imp, ctx, name):
    document = read(imp, name)
    output = imp.render(document, fmt_of(name), ctx)
    again = imp.read(output.data).document
    assert output.data.startswith(fmt_of(name).upper().encode())
    assert again.header == MessageHeader()
    excluded = {"header", "issuer", "issued_at"}  # a receipt's issuer and time are the envelope's
    assert again.model_dump(exclude=excluded) == document.model_dump(exclude=excluded)


def test_output_is_plain_text_in_type_b_lines(imp, ctx):
    output = imp.render(read(imp, "fwb-cx-hkg-fra.txt"), "fwb", ctx)
    assert output.media_type == "text/plain" and output.tree is None
    assert output.data.startswith(b"FWB/16\r\n160-24680132HKGFRA/T12K345.5MC2.10\r\n")
    assert output.data.endswith(b"\r\n") and b"\n" not in output.data.replace(b"\r\n", b"")


def test_adapters_declare_family_media_type_kinds_and_fna_as_their_negative_receipt(engine):
    found = {a.name: (a.family, a.media_type, a.schema, {k.value for k in a.reads}, a.negative_receipt)
             for a in engine.registry if a.family == "cargo-imp"}
    assert found == {"fwb": ("cargo-imp", "text/plain", None, {"waybill"}, "fna"),
                     "fhl": ("cargo-imp", "text/plain", None, {"waybill"}, "fna"),
                     "ffm": ("cargo-imp", "text/plain", None, {"manifest"}, "fna"),
                     "fsu": ("cargo-imp", "text/plain", None, {"status"}, "fna"),
                     "fma": ("cargo-imp", "text/plain", None, {"receipt"}, None),
                     "fna": ("cargo-imp", "text/plain", None, {"receipt"}, None)}
    assert all(engine.registry.get(n).writes == engine.registry.get(n).reads for n in found)
    assert engine.registry.get("fna").is_receipt and not engine.registry.get("fwb").is_receipt


def test_the_composed_engine_resolves_dates_around_todays_date(engine):
    status = engine.read(example("cargo_imp", "fsu-dlv-160-24680132.txt")).document
    assert abs(status.happened_at - datetime.now()) < timedelta(days=184)
    assert (status.happened_at.month, status.happened_at.day) == (11, 27)


# -- FWB ----------------------------------------------------------------------------------------------

def test_waybill_reads_awb_quantities_parties_and_agent(imp):
    wb = read(imp, "fwb-cx-hkg-fra.txt")
    assert (wb.type, wb.number, wb.origin.code, wb.destination.code) == (WaybillType.MASTER, "160-24680132",
                                                                          "HKG", "FRA")
    assert (wb.pieces, wb.gross_weight, wb.volume) == \
        (12, Measure(value=Decimal("345.5"), unit="KGM"), Measure(value=Decimal("2.10"), unit="MTQ"))
    assert (wb.shipper.id, wb.shipper.name, wb.shipper.phone, wb.shipper.address.country) == \
        ("HK40218", "PACIFIC ELECTRONICS TRADING LTD", "85223456789", "HK")
    assert (wb.consignee.address.city, wb.consignee.address.postcode) == ("KELSTERBACH", "65451")
    assert (wb.agent.id, wb.agent.name, wb.agent.address.city) == ("1347001", "KERRY AIR FREIGHT HK", "HONG KONG")


def test_goods_chunks_of_twenty_characters_run_on_and_nc_marks_a_consolidation(imp):
    wb = read(imp, "fwb-cx-hkg-fra.txt")
    assert (wb.consolidation, wb.goods_description) == (True, "CONSOLIDATION AS PER ATTACHED MANIFEST")
    assert wb.hs_codes == ["847330", "850760"]
    direct = read(imp, "fwb-ca-pek-fra-typeb.txt")
    assert (direct.consolidation, direct.goods_description) == (False, "FROZEN SEAFOOD")


def test_a_shorter_goods_chunk_ends_a_line_of_the_description(imp, ctx):
    wb = read(imp, "fwb-ca-pek-fra-typeb.txt")
    wb = wb.model_copy(update={"goods_description": "FROZEN SEAFOOD, SHRIMPS AND SQUID\nKEEP FROZEN"})
    output = imp.render(wb, "fwb", ctx)
    assert b"/NG/FROZEN SEAFOOD, SHRI\r\n/2/NG/MPS AND SQUID\r\n/3/NG/KEEP FROZEN\r\n" in output.data
    assert imp.read(output.data).document.goods_description == wb.goods_description


def test_routing_joins_rtg_arrivals_and_carriers_with_flt_flights_and_days(imp):
    legs = read(imp, "fwb-ca-pek-fra-typeb.txt").routing
    assert [(leg.carrier, leg.number, leg.departure.code, leg.arrival.code, leg.departure_at.isoformat())
            for leg in legs] == [("CA", "CA1501", "PEK", "PVG", "2026-11-26T00:00:00"),
                                 ("CA", "CA935", "PVG", "FRA", "2026-11-27T00:00:00")]


def test_handling_notes_and_customs_notes_keep_one_entry_per_line(imp):
    wb = read(imp, "fwb-cx-hkg-fra.txt")
    assert wb.handling_notes == ["LITHIUM ION BATTERIES PACKED WITH EQUIPMENT", "SECTION II PI967"]
    assert [(n.country, n.subject_code, n.content_code, n.content) for n in wb.customs_notes] == [
        ("HK", "ISS", "RA", "01234-02"), (None, None, "ED", "1227"), ("DE", "CNE", "T", "DE1234567890123")]
    assert wb.special_handling == ["ELI", "ECC", "SPX"]


def test_tonnes_are_written_as_kilograms_and_an_unknown_volume_unit_is_refused(imp, ctx):
    wb = read(imp, "fwb-ca-pek-fra-typeb.txt")
    tonnes = wb.model_copy(update={"gross_weight": Measure(value=Decimal("1.5"), unit="TNE")})
    assert b"/T20K1500MC3.2\r\n" in imp.render(tonnes, "fwb", ctx).data
    with pytest.raises(ConversionError) as raised:
        imp.render(wb.model_copy(update={"volume": Measure(value=Decimal(1), unit="LTR")}), "fwb", ctx)
    assert raised.value.code == "CONVERT_UNIT"


def test_a_line_break_inside_a_one_line_field_is_written_as_a_blank(imp, ctx):
    wb = read(imp, "fwb-ca-pek-fra-typeb.txt")
    two_lines = wb.shipper.model_copy(update={"name": "ZHOUSHAN OCEAN\nFOODS CO LTD"})
    again = imp.read(imp.render(wb.model_copy(update={"shipper": two_lines}), "fwb", ctx).data).document
    assert again.shipper.name == "ZHOUSHAN OCEAN FOODS CO LTD"


# -- FHL ----------------------------------------------------------------------------------------------

def test_house_waybill_carries_its_number_master_awb_and_txt_description(imp):
    house = read(imp, "fhl-hkg-fra.txt")
    assert (house.type, house.number, house.master_number) == (WaybillType.HOUSE, "KAF26110451", "160-24680132")
    assert (house.pieces, house.gross_weight.value, house.special_handling) == (5, Decimal("120.0"), ["ELI"])
    assert house.goods_description == "LAPTOP SPARE PARTS: KEYBOARDS,\nBATTERIES PACKED WITH EQUIPMENT"
    assert (house.shipper.address.street, house.consignee.address.postcode) == \
        ("18 WANG CHIU ROAD KOWLOON BAY", "65451")


def test_a_short_house_description_needs_no_txt_line(imp, ctx):
    house = read(imp, "fhl-hkg-fra.txt").model_copy(update={"goods_description": "LAPTOP PARTS"})
    output = imp.render(house, "fhl", ctx)
    assert b"/K120.0//LAPTOP PARTS\r\n" in output.data and b"TXT/" not in output.data
    assert imp.read(output.data).document.goods_description == "LAPTOP PARTS"


def test_waybill_types_go_to_their_own_format(imp, ctx):
    with pytest.raises(ConversionError):
        imp.render(read(imp, "fwb-cx-hkg-fra.txt"), "fhl", ctx)
    with pytest.raises(ConversionError):
        imp.render(read(imp, "fhl-hkg-fra.txt"), "fwb", ctx)


# -- FFM ----------------------------------------------------------------------------------------------

def test_flight_manifest_part_reads_flight_ports_and_consignments_across_ulds(imp):
    part = read(imp, "ffm-ca931-pek-fra-part1.txt")
    c = part.conveyance
    assert (c.mode, c.carrier.id, c.journey_id, c.departure_date.isoformat(), c.registration) == \
        (TransportMode.AIR, "CA", "CA931", "2026-11-26", "B2485")
    assert (part.loading_location.code, part.unloading_location.code, part.arrival_at.isoformat()) == \
        ("PEK", "FRA", "2026-11-27T05:30:00")
    assert [(x.transport_document, x.pieces, x.gross_weight.value) for x in part.consignments] == [
        ("999-87654335", 8, Decimal("96.0")), ("784-31415926", 20, Decimal("640")),
        ("999-87654346", 15, Decimal("300"))]
    assert (part.part, part.last_part, part.business_key) == (1, False, "CA931/2026-11-26/part1")


def test_consecutive_parts_in_one_payload_are_assembled_into_one_manifest(imp):
    one, two = example("cargo_imp", "ffm-ca931-pek-fra-part1.txt"), example("cargo_imp", "ffm-ca931-pek-fra-part2.txt")
    whole = imp.read(one + two).document
    assert [x.transport_document for x in whole.consignments] == \
        [x.transport_document for part in (one, two) for x in imp.read(part).document.consignments]
    assert whole.summed_pieces() == 8 + 20 + 15 + 25 + 3 + 1


def test_handling_codes_run_together_are_split_into_three_letter_codes(imp):
    data = example("cargo_imp", "ffm-ca931-pek-fra-part2.txt").replace(b"/PIL/ACT", b"/PILACT")
    assert imp.read(data).document.consignments[1].special_handling == ["PIL", "ACT"]


def test_manifest_output_is_one_complete_part_and_nil_when_empty(imp, ctx):
    part = read(imp, "ffm-ca931-pek-fra-part2.txt")
    assert (part.part, part.last_part) == (2, True)
    output = imp.render(part, "ffm", ctx).data                      # a part stays that part
    assert output.startswith(b"FFM/5\r\n2/CA931/26NOV/PEK/B2485\r\nFRA/27NOV0530\r\n") and output.endswith(b"LAST\r\n")
    first = imp.render(read(imp, "ffm-ca931-pek-fra-part1.txt"), "ffm", ctx).data
    assert first.startswith(b"FFM/5\r\n1/CA931/") and first.endswith(b"CONT\r\n")
    whole = imp.render(part.model_copy(update={"part": None, "last_part": None}), "ffm", ctx).data
    assert whole.startswith(b"FFM/5\r\n1/CA931/26NOV/PEK/B2485\r\nFRA/27NOV0530\r\n") and whole.endswith(b"LAST\r\n")
    part = part.model_copy(update={"part": None, "last_part": None})
    empty = imp.render(part.model_copy(update={"consignments": []}), "ffm", ctx).data
    assert b"\r\nFRA/27NOV0530/NIL\r\nLAST\r\n" in empty
    assert imp.read(empty).document.consignments == []


def test_a_bare_flight_number_gets_the_carrier_prefix_and_sea_manifests_are_refused(imp, ctx):
    part = read(imp, "ffm-ca931-pek-fra-part1.txt")
    bare = part.model_copy(update={"conveyance": part.conveyance.model_copy(update={"journey_id": "931"})})
    assert imp.read(imp.render(bare, "ffm", ctx).data).document.conveyance.journey_id == "CA931"
    sea = part.model_copy(update={"conveyance": part.conveyance.model_copy(update={"mode": TransportMode.SEA})})
    with pytest.raises(ConversionError):
        imp.render(sea, "ffm", ctx)


# -- FSU ----------------------------------------------------------------------------------------------

def test_status_reads_flight_airport_pair_quantity_and_the_further_fields(imp):
    dep = read(imp, "fsu-dep-999-87654346.txt")
    assert (dep.waybill, dep.code, dep.flight, dep.carrier) == ("999-87654346", "DEP", "CA931", "CA")
    assert (dep.location, dep.arrival, dep.happened_at) == \
        (Location(code="PEK"), Location(code="FRA"), datetime(2026, 11, 26))
    assert (dep.shipment_code, dep.pieces, dep.weight.value, dep.total_pieces) == ("D", 15, Decimal("300"), 40)
    assert (dep.details, dep.ulds, dep.customs_notes[0].content) == (["S2355", "A0012"], ["AKE23456CA"], "00417-01")


def test_status_at_a_place_has_no_flight_and_keeps_the_time(imp):
    dlv = read(imp, "fsu-dlv-160-24680132.txt")
    assert (dlv.code, dlv.flight, dlv.carrier, dlv.location.code) == ("DLV", None, None, "FRA")
    assert (dlv.happened_at, dlv.details) == (datetime(2026, 11, 27, 15, 30), ["RHEIN-MAIN TECHNIK"])


def test_status_with_a_carrier_only_and_without_a_quantity_takes_the_awb_lines_count(imp):
    data = b"FSU/14\n160-24680132HKGFRA/T12K345.5\nTFD/LH/27NOV0915/FRA\n"
    status = imp.read(data).document
    assert (status.code, status.carrier, status.flight, status.pieces, status.weight.value) == \
        ("TFD", "LH", None, 12, Decimal("345.5"))


def test_flight_events_are_written_with_a_time_only_when_one_is_known(imp, ctx):
    dep = read(imp, "fsu-dep-999-87654346.txt")
    assert b"\r\nDEP/CA931/26NOV/PEKFRA/D15K300/S2355/A0012\r\n" in imp.render(dep, "fsu", ctx).data
    timed = dep.model_copy(update={"happened_at": datetime(2026, 11, 26, 23, 55)})
    assert b"\r\nDEP/CA931/26NOV2355/PEKFRA/" in imp.render(timed, "fsu", ctx).data


def test_receipts_go_to_the_answer_of_their_status(imp, ctx):
    fma, fna = read(imp, "fma-999-87654324-typeb.txt"), read(imp, "fna-160-24680133.txt")
    assert (fma.status, fna.status) == (ReceiptStatus.ACCEPTED, ReceiptStatus.REJECTED)
    for receipt, wrong in ((fma, "fna"), (fna, "fma")):
        with pytest.raises(ConversionError):
            imp.render(receipt, wrong, ctx)


def test_a_status_for_part_of_a_consignment_without_a_code_is_written_as_a_part(imp, ctx):
    dlv = read(imp, "fsu-dlv-160-24680132.txt").model_copy(update={"shipment_code": None, "pieces": 5})
    output = imp.render(dlv, "fsu", ctx)
    assert b"\r\n160-24680132HKGFRA/P5K345.5T12\r\n" in output.data
    again = imp.read(output.data).document
    assert (again.shipment_code, again.pieces, again.total_pieces) == ("P", 5, 12)
