"""Direction (import, export, transit, domestic) relative to the hub's home country, and routes
that match on it: countries of IATA airports and UN/LOCODEs, unknown places, HUB_HOME_COUNTRY."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.models import (
    Conveyance,
    Declaration,
    Location,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportMode,
    Waybill,
)
from hub.models import Direction as DeclarationDirection
from hub.models.waybill import TransportLeg
from hub.routing import Router, load_routes
from hub.routing.direction import Direction, country_of, direction_of
from hub.routing.router import facts_of
from hub.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def waybill(origin: str, destination: str) -> Waybill:
    return Waybill(number="999-12345675", shipper=Party(name="S"), consignee=Party(name="C"),
                   origin=Location(code=origin), destination=Location(code=destination), pieces=1,
                   gross_weight=Measure(value=Decimal("10")), hs_codes=["847130"],
                   routing=[TransportLeg(carrier="CA", number="931", departure=Location(code=origin),
                                         arrival=Location(code=destination),
                                         departure_at=datetime(2026, 11, 27, 1, 0, tzinfo=UTC))])


def manifest(loading: str, unloading: str) -> Manifest:
    return Manifest(conveyance=Conveyance(mode=TransportMode.SEA, carrier=Party(id="COSU"), journey_id="052E",
                                          departure_date=date(2026, 11, 20)),
                    loading_location=Location(code=loading), unloading_location=Location(code=unloading),
                    consignments=[ManifestConsignment(transport_document="COSU1", pieces=1,
                                                      gross_weight=Measure(value=Decimal("5")))])


@pytest.mark.parametrize("code, country", [
    ("PEK", "CN"), ("XIY", "CN"), ("PVG", "CN"), ("FRA", "DE"), ("HKG", "HK"), ("JFK", "US"),
    ("BJS", "CN"), ("LON", "GB"),                       # IATA city codes (several airports)
    ("CNSHA", "CN"), ("CN SHA", "CN"), ("DEHAM", "DE"), ("uslax", "US"),   # UN/LOCODE
    ("ZZZ", None), ("2233", None), ("XXABC", None), ("", None), ("PEKING", None),
    ("C NSHA", None), ("CN  SHA", None), ("CN SH", None),   # the one blank only after the country
])
def test_a_place_has_a_country_from_its_iata_code_or_its_un_locode(code, country):
    assert country_of(code) == country


@pytest.mark.parametrize("origin, destination, home, expected", [
    ("PEK", "FRA", "CN", Direction.EXPORT),
    ("XIY", "FRA", "CN", Direction.EXPORT),
    ("FRA", "PEK", "CN", Direction.IMPORT),
    ("PEK", "PVG", "CN", Direction.DOMESTIC),
    ("FRA", "HKG", "CN", Direction.TRANSIT),           # Hong Kong is its own customs territory
    ("FRA", "JFK", "CN", Direction.TRANSIT),
    ("PEK", "FRA", "DE", Direction.IMPORT),            # relative to the hub's home country
])
def test_a_waybill_direction_is_from_its_departure_and_final_destination(origin, destination, home, expected):
    found = direction_of(waybill(origin, destination), home)
    assert found.direction is expected
    assert origin in found.why and destination in found.why


def test_an_unknown_place_leaves_the_direction_unknown_and_says_which():
    found = direction_of(waybill("ZZZ", "FRA"), "CN")
    assert found.direction is None
    assert "'ZZZ'" in found.why and "origin" in found.why


def test_a_manifest_direction_is_from_where_its_conveyance_loads_and_unloads():
    assert direction_of(manifest("USLAX", "CNSHA"), "CN").direction is Direction.IMPORT
    assert direction_of(manifest("CNSHA", "SGSIN"), "CN").direction is Direction.EXPORT


def test_a_declaration_has_its_own_direction(engine):
    from tests.conftest import example
    dec = engine.read(example("gacc", "dec-export-sea.xml")).document
    assert isinstance(dec, Declaration) and dec.direction is DeclarationDirection.EXPORT
    assert direction_of(dec, "CN").direction is Direction.EXPORT
    imported = engine.read(example("gacc", "dec-import-air.xml")).document
    assert direction_of(imported, "CN").direction is Direction.IMPORT


def test_documents_without_places_have_no_direction(engine):
    from tests.conftest import example
    order = engine.read(example("ceb", "ceb311-order.xml")).document
    found = direction_of(order, "CN")
    assert found.direction is None and "order" in found.why


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    return path


ROUTES = """\
senders:
  AIR: {name: a, may_send: [waybill, manifest]}
receivers:
  C: {name: customs, accepts: [gacc-mt1101, gacc-mt2101]}
  A: {name: archive, accepts: [json]}
routes:
  - name: imports
    match: {kinds: [waybill], direction: import}
    deliver: [{receiver: C, format: gacc-mt1101}]
  - name: exports
    match: {kinds: [waybill], direction: [export]}
    deliver: [{receiver: C, format: gacc-mt2101}]
  - name: the-rest
    match: {direction: [transit, domestic]}
    deliver: [{receiver: A, format: json}]
"""


def test_routes_match_on_direction_one_or_a_list(tmp_path):
    router = Router(load_routes(write(tmp_path, ROUTES)), home_country="CN")
    assert router.routes.routes[0].match.direction == [Direction.IMPORT]

    def plan(o, d):
        return sorted((p.receiver, p.format, p.route) for p in router.plan(waybill(o, d), "AIR"))
    assert plan("PEK", "FRA") == [("C", "gacc-mt2101", "exports")]
    assert plan("FRA", "PEK") == [("C", "gacc-mt1101", "imports")]
    assert plan("FRA", "JFK") == [("A", "json", "the-rest")]
    assert plan("PEK", "CAN") == [("A", "json", "the-rest")]
    assert plan("ZZZ", "PEK") == []


def test_explain_says_which_direction_and_why_or_why_it_is_unknown(tmp_path):
    router = Router(load_routes(write(tmp_path, ROUTES)), home_country="CN")
    verdicts = {v.route.name: v for v in router.explain(waybill("PEK", "FRA"), "AIR")}
    assert verdicts["exports"].matched
    assert any("direction export" in r and "PEK" in r and "FRA" in r for r in verdicts["exports"].reasons)
    assert any("direction export is not in ['import']" in r for r in verdicts["imports"].reasons)
    unknown = {v.route.name: v for v in router.explain(waybill("ZZZ", "PEK"), "AIR")}
    assert not unknown["imports"].matched
    assert any("direction unknown" in r and "'ZZZ'" in r for r in unknown["imports"].reasons)


def test_the_fast_match_agrees_with_explain_on_direction(tmp_path):
    router = Router(load_routes(write(tmp_path, ROUTES)), home_country="CN")
    for o, d in (("PEK", "FRA"), ("FRA", "PEK"), ("ZZZ", "FRA"), ("FRA", "HKG"), ("PVG", "PEK")):
        doc = waybill(o, d)
        for verdict in router.explain(doc, "AIR"):
            assert Router._matches(verdict.route, facts_of(doc, "CN"), "AIR") is verdict.matched


def test_an_unknown_direction_in_routes_yaml_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, ROUTES.replace("direction: import", "direction: inbound"))
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert ":8: routes.0.match.direction.0" in err.value.message


def test_the_home_country_comes_from_hub_home_country(tmp_path, monkeypatch):
    assert Settings().home_country == "CN"
    monkeypatch.setenv("HUB_HOME_COUNTRY", "DE")
    assert Settings().home_country == "DE"
    router = Router(load_routes(write(tmp_path, ROUTES)))
    assert router.home_country == "DE"
    assert [p.format for p in router.plan(waybill("PEK", "FRA"), "AIR")] == ["gacc-mt1101"]   # an import to DE


def test_a_home_country_that_is_not_an_iso_code_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_HOME_COUNTRY", "China")
    with pytest.raises(ValueError):
        Settings()
    with pytest.raises(ValueError):
        Router(load_routes(write(tmp_path, ROUTES)), home_country="XX")


def test_routes_check_warns_of_a_direction_on_kinds_that_never_have_one(tmp_path):
    from hub.composition import build_registry
    from hub.routing import check_routes
    path = write(tmp_path, """\
senders: {P: {name: p, may_send: [order]}}
receivers: {A: {name: a, accepts: [json]}}
routes:
  - name: orders
    match: {kinds: [order], direction: import}
    deliver: [{receiver: A, format: json}]
""")
    findings = check_routes(load_routes(path), build_registry())
    assert any(f.level == "warning" and "route 'orders' matches on direction" in f.message for f in findings)


def legs(*hops: tuple[str, str, str]) -> list[TransportLeg]:
    return [TransportLeg(carrier="CA", number=n, departure=Location(code=a), arrival=Location(code=b),
                         departure_at=datetime(2026, 11, 26 + i, 10, 0, tzinfo=UTC))
            for i, (n, a, b) in enumerate(hops)]


def declared_flight(engine, ctx, doc, fmt: str) -> tuple[str, str, str, str]:
    out = engine.read(engine.render(doc, fmt, ctx).data).document
    return (out.conveyance.journey_id, out.loading_location.code, out.unloading_location.code,
            out.conveyance.departure_date.isoformat())


def test_an_export_waybill_is_declared_on_the_flight_that_leaves_china(engine, ctx):
    doc = waybill("PEK", "FRA").model_copy(update={"routing": legs(("CA1501", "PEK", "PVG"), ("CA935", "PVG", "FRA"))})
    assert declared_flight(engine, ctx, doc, "gacc-mt2101") == ("CA935", "PVG", "FRA", "2026-11-27")


def test_an_import_waybill_is_declared_on_the_flight_that_arrives_in_china(engine, ctx):
    doc = waybill("FRA", "XIY").model_copy(update={"routing": legs(("CA932", "FRA", "PEK"), ("CA1201", "PEK", "XIY"))})
    assert declared_flight(engine, ctx, doc, "gacc-mt1101") == ("CA932", "FRA", "PEK", "2026-11-26")
    transit = waybill("FRA", "JFK").model_copy(update={"routing": legs(("CA932", "FRA", "PEK"),
                                                                        ("CA981", "PEK", "JFK"))})
    assert declared_flight(engine, ctx, transit, "gacc-mt1101")[0] == "CA932"
    assert declared_flight(engine, ctx, transit, "gacc-mt2101")[0] == "CA981"


def test_without_a_border_crossing_leg_the_first_flight_is_declared(engine, ctx):
    doc = waybill("ZZZ", "FRA").model_copy(update={"routing": legs(("CA1", "ZZZ", "YYY"), ("CA2", "YYY", "FRA"))})
    assert declared_flight(engine, ctx, doc, "gacc-mt2101")[0] == "CA1"


def test_the_shipped_export_sample_becomes_an_mt2101_of_its_international_flight(engine, ctx):
    from tests.conftest import example
    doc = engine.read(example("cargo_xml", "xfwb-pek-fra.xml")).document
    assert declared_flight(engine, ctx, doc, "gacc-mt2101") == ("CA935", "PVG", "FRA", "2026-11-27")


def test_hub_routes_explain_names_the_direction_and_sends_pek_fra_as_mt2101():
    from click.testing import CliRunner

    from hub.cli import main
    runner = CliRunner()
    out = runner.invoke(main, ["routes", "explain", str(ROOT / "examples/cargo_xml/xfwb-pek-fra.xml"),
                               "--as", "AIRLINE-CA", "--routes", str(ROOT / "routes.yaml")])
    assert out.exit_code == 0, out.output
    assert "-> CUSTOMS-CN as gacc-mt2101 (route air-exports-to-customs): renders and validates" in out.output
    assert "direction export is not in ['import', 'transit'] (PEK (CN) -> FRA (DE), home CN)" in out.output
    food = runner.invoke(main, ["routes", "explain", str(ROOT / "examples/cargo_xml/xfwb-food-fra-pek.xml"),
                                "--as", "AIRLINE-CA", "--routes", str(ROOT / "routes.yaml")])
    assert "-> CUSTOMS-CN as gacc-mt1101 (route air-cargo-to-customs)" in food.output
    check = runner.invoke(main, ["routes", "check", str(ROOT / "routes.yaml")])
    assert check.exit_code == 0 and " 0 errors" in check.output
