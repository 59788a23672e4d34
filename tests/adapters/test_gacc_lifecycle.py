"""GACC MT3101 arrival reports and MT4101 tally reports: mapping, detection, rules, round trips, JSON, CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.errors import ConversionError
from hub.models import ArrivalReport, Journey, Kind, Location, Measure, Party, TalliedBill, TallyReport, TransportMode
from tests.adapters.gacc_support import CTX
from tests.adapters.golden_support import line_of
from tests.conftest import EXAMPLES, example

A = {"m": "urn:Declaration:datamodel:standard:CN:MT3101:1"}
T = {"m": "urn:Declaration:datamodel:standard:CN:MT4101:1"}
BEIJING = timezone(timedelta(hours=8))


def arrival(**changes) -> ArrivalReport:
    report = ArrivalReport(
        journey=Journey(mode=TransportMode.AIR, journey_id="CA936", carrier=Party(id="CA"),
                        registration="B-2447", departure_date=date(2026, 11, 26)),
        arrival_location=Location(code="PVG"), arrived_at=datetime(2026, 11, 27, 9, 35, 12, tzinfo=BEIJING),
        declaration_office="2233")
    return report.model_copy(update=changes)


def tally(**changes) -> TallyReport:
    report = TallyReport(
        journey=Journey(mode=TransportMode.AIR, journey_id="CA936", carrier=Party(id="CA"),
                        departure_date=date(2026, 11, 26)),
        tallied_at=datetime(2026, 11, 27, 13, 20, tzinfo=BEIJING), location=Location(code="PVG"),
        declaration_office="2233", tally_party=Party(id="2233980001", name="东方航空物流 理货"),
        bills=[TalliedBill(transport_document="999-33014553", pieces=12, gross_weight=Measure(value=Decimal("356.5")),
                           declared_pieces=12, declared_gross_weight=Measure(value=Decimal("356.5"))),
               TalliedBill(transport_document="999-66201833", pieces=38, gross_weight=Measure(value=Decimal("1150")),
                           declared_pieces=40, declared_gross_weight=Measure(value=Decimal("1204.0")),
                           discrepancies=["MSCA"])],
        total_pieces=50, total_gross_weight=Measure(value=Decimal("1506.5")))
    return report.model_copy(update=changes)


# --- MT3101 arrival report -------------------------------------------------------------------------------


def test_the_air_arrival_report_reads_the_flight_its_actual_arrival_place_and_customs(engine):
    inbound = engine.read(example("gacc", "mt3101-air-arrival.xml"))
    r = inbound.document
    assert inbound.adapter.name == "gacc-mt3101" and r.kind is Kind.ARRIVAL
    j = r.journey
    assert (j.mode, j.journey_id, j.carrier.id, j.registration, j.departure_date) == \
        (TransportMode.AIR, "CA936", "CA", "B-2447", date(2026, 11, 26))
    assert (r.arrival_location.code, r.declaration_office) == ("PVG", "2233")
    assert r.arrived_at == datetime(2026, 11, 27, 1, 35, 12, tzinfo=UTC)
    assert r.business_key == "CA936/2026-11-26"


def test_a_sea_arrival_report_in_the_port_system_layout_reads_its_arrival_date(engine):
    r = engine.read(example("gacc", "mt3101-sea-arrival.xml")).document
    assert (r.journey.mode, r.journey.journey_id, r.journey.registration, r.journey.departure_date) == \
        (TransportMode.SEA, "052E", "UN9795610", None)
    assert r.arrived_at == datetime(2026, 12, 4, 5, 40, tzinfo=BEIJING)
    assert r.business_key == "052E/2026-12-04"      # no journey date: the (Beijing) arrival date


def test_an_arrival_report_renders_as_a_valid_mt3101_and_reads_back_the_same(engine):
    report = arrival(remarks="早到 & <准时>")
    output = engine.render(report, "gacc-mt3101", CTX)        # the engine validates against MT3101.xsd
    root = output.tree.getroot()
    assert root.findtext("m:Head/m:MessageType", namespaces=A) == "MT3101"
    assert root.findtext("m:Declaration/m:UnloadingLocation/m:ArrivalDateTime", namespaces=A) == "20261127093512"
    assert root.findtext("m:Declaration/m:BorderTransportMeans/m:DepartureDateTime", namespaces=A) == "20261126"
    again = engine.read(output.data).document
    assert again.model_dump(exclude={"header"}) == report.model_dump(exclude={"header"})


def test_an_arrival_in_utc_is_written_as_beijing_wall_clock(engine):
    report = arrival(arrived_at=datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    root = engine.render(report, "gacc-mt3101", CTX).tree.getroot()
    assert root.findtext("m:Declaration/m:UnloadingLocation/m:ArrivalDateTime", namespaces=A) == "20261128010000"


def test_an_arrival_report_without_any_arrival_time_fails_its_schema(engine):
    data = example("gacc", "mt3101-air-arrival.xml")
    start = data.index(b"<ArrivalDateTime>")
    end = data.index(b"</ArrivalDateTime>") + len(b"</ArrivalDateTime>")
    assert [p.code for p in engine.inspect(data[:start] + data[end:]).problems] == ["SCHEMA_INVALID"]


def test_an_arrival_a_week_before_its_flight_date_is_a_rule_problem_on_its_line(engine):
    data = example("gacc", "mt3101-air-arrival.xml").replace(b"20261127093512", b"20261120093512")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path) for p in problems] == [("RULE_ARRIVAL_BEFORE_DEPARTURE", "/arrived_at")]
    assert problems[0].line == line_of(data, b"20261120093512")


def test_an_arrival_report_whose_message_type_contradicts_its_namespace_is_refused(engine):
    data = example("gacc", "mt3101-air-arrival.xml").replace(b"<MessageType>MT3101<", b"<MessageType>MT1101<")
    assert [p.code for p in engine.inspect(data).problems] == ["MESSAGE_TYPE_MISMATCH"]


# --- MT4101 tally report ---------------------------------------------------------------------------------


def test_the_air_tally_reads_tallied_and_declared_figures_and_discrepancies_per_bill(engine):
    inbound = engine.read(example("gacc", "mt4101-air-tally.xml"))
    t = inbound.document
    assert inbound.adapter.name == "gacc-mt4101" and t.kind is Kind.TALLY
    assert (t.journey.journey_id, t.journey.departure_date, t.location.code, t.declaration_office) == \
        ("CA936", date(2026, 11, 26), "PVG", "2233")
    assert t.tallied_at == datetime(2026, 11, 27, 13, 20, tzinfo=BEIJING)
    assert t.tally_party.id == "2233980001"
    assert (t.total_pieces, t.total_gross_weight.value) == (50, Decimal("1506.5"))
    first, second = t.bills
    assert (first.transport_document, first.house_documents, first.pieces, first.discrepancies) == \
        ("999-33014553", ["FRA26110411", "FRA26110412"], 12, [])
    assert (second.pieces, second.gross_weight.value, second.declared_pieces, second.declared_gross_weight.value,
            second.discrepancies) == (38, Decimal("1150.0"), 40, Decimal("1204.0"), ["MSCA"])
    assert t.business_key == "CA936/2026-11-26"


def test_a_sea_tally_without_declared_figures_reads(engine):
    t = engine.read(example("gacc", "mt4101-sea-tally.xml")).document
    assert t.journey.mode is TransportMode.SEA and len(t.bills) == 3
    assert all(b.declared_pieces is None for b in t.bills)


def test_a_tally_report_renders_as_a_valid_mt4101_and_reads_back_the_same(engine):
    report = tally(remarks="第2票短少2件")
    output = engine.render(report, "gacc-mt4101", CTX)
    root = output.tree.getroot()
    assert root.findtext("m:Head/m:MessageType", namespaces=T) == "MT4101"
    assert root.findtext("m:Declaration/m:TallyDateTime", namespaces=T) == "20261127132000"
    assert [c.findtext("m:DiscrepancyCode", namespaces=T) for c in root.iterfind("m:Declaration/m:Consignment", T)] \
        == [None, "MSCA"]
    again = engine.read(output.data).document
    assert again.model_dump(exclude={"header"}) == report.model_dump(exclude={"header"})


def test_tally_totals_that_differ_from_the_bills_sums_are_rule_problems_on_their_lines(engine):
    data = example("gacc", "mt4101-air-tally.xml").replace(
        b"<TotalPackageQuantity>50<", b"<TotalPackageQuantity>52<")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path) for p in problems] == [("RULE_TOTAL_MISMATCH", "/total_pieces")]
    assert problems[0].line == line_of(data, b"<TotalPackageQuantity>52<")


def test_a_tallied_bill_that_differs_from_its_declared_figures_needs_a_discrepancy_code(engine):
    data = example("gacc", "mt4101-air-tally.xml").replace(b"<DiscrepancyCode>MSCA</DiscrepancyCode>", b"")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path) for p in problems] == [("RULE_TALLY_DISCREPANCY", "/bills/1/discrepancies")]
    assert problems[0].line == line_of(data, b"<Consignment>", 2)


def test_a_bill_that_matches_its_declaration_may_still_carry_a_discrepancy_code(engine):
    doc = tally()
    doc.bills[0].discrepancies = ["DMG"]
    assert engine.read(engine.render(doc, "gacc-mt4101", CTX).data).document.bills[0].discrepancies == ["DMG"]


def test_an_air_tally_checks_awb_check_digits(engine):
    data = example("gacc", "mt4101-air-tally.xml").replace(b"999-66201833", b"999-66201834")
    assert [(p.code, p.path) for p in engine.inspect(data).problems] == \
        [("RULE_AWB_CHECK_DIGIT", "/bills/1/transport_document")]


def test_a_negative_tally_count_from_json_is_a_rule_problem():
    from hub import rules
    doc = tally()
    doc.bills[0].pieces, doc.total_pieces = -1, 37
    assert ("RULE_NEGATIVE", "/bills/0/pieces") in [(p.code, p.path) for p in rules.check(doc)]


def test_a_tally_with_a_unit_the_total_does_not_share_is_not_summed():
    from hub import rules
    doc = tally()
    doc.bills[1].gross_weight = Measure(value=Decimal("2535"), unit="LBR")
    assert "RULE_TOTAL_MISMATCH" not in [p.code for p in rules.check(doc)]


def test_a_tally_without_bills_is_not_a_canonical_document():
    with pytest.raises(ValueError, match="bills"):
        TallyReport.model_validate({**tally().model_dump(), "bills": []})


# --- what other formats make of them ---------------------------------------------------------------------


def test_only_their_own_formats_and_json_carry_arrival_and_tally_reports(engine):
    writers = {a.name for a in engine.registry if Kind.ARRIVAL in a.writes}
    assert writers == {"gacc-mt3101", "json"}
    assert {a.name for a in engine.registry if Kind.TALLY in a.writes} == {"gacc-mt4101", "json"}
    with pytest.raises(ConversionError, match="cannot carry"):
        engine.render(arrival(), "gacc-mt1101", CTX)
    with pytest.raises(ConversionError):
        engine.render(tally(), "xffm", CTX)


def test_a_flight_manifest_does_not_become_an_arrival_report(engine):
    """XFFM's arrival time is the scheduled one: the model has no actual arrival to report."""
    manifest = engine.read(example("cargo_xml", "xffm-ca932-fra-pek.xml")).document
    with pytest.raises(ConversionError):
        engine.render(manifest, "gacc-mt3101", CTX)


@pytest.mark.parametrize("name", ["mt3101-air-arrival.xml", "mt4101-air-tally.xml"])
def test_canonical_json_carries_them_both_ways(engine, name):
    inbound = engine.read(example("gacc", name))
    as_json = engine.render(inbound.document, "json", CTX)
    back = engine.read(as_json.data)
    assert back.adapter.name == "json" and back.document == inbound.document
    again = engine.read(engine.render(back.document, inbound.adapter.name, CTX).data).document
    assert again.model_dump(exclude={"header"}) == inbound.document.model_dump(exclude={"header"})


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_hub_formats_lists_both_with_their_schemas():
    rows = {r["name"]: r for r in json.loads(run("formats", "--json").output)}
    assert rows["gacc-mt3101"]["read"] == ["arrival"] and rows["gacc-mt3101"]["write"] == ["arrival"]
    assert rows["gacc-mt4101"]["read"] == ["tally"] and rows["gacc-mt4101"]["schema"] == "gacc/MT4101.xsd"


@pytest.mark.parametrize("name,fmt", [("mt3101-air-arrival.xml", "gacc-mt3101"),
                                      ("mt4101-sea-tally.xml", "gacc-mt4101")])
def test_hub_convert_goes_to_json_and_back(tmp_path, name, fmt):
    as_json = tmp_path / "doc.json"
    result = run("convert", EXAMPLES / "gacc" / name, "--to", "json", "-o", as_json)
    assert result.exit_code == 0, result.output
    back = tmp_path / "doc.xml"
    result = run("convert", as_json, "--to", fmt, "-o", back)
    assert result.exit_code == 0, result.output
    assert f"{fmt} (gacc; " in run("detect", back).output
