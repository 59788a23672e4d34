"""routes.yaml: loading errors with file and line, matching, explain, narrowing, checks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hub.composition import build_registry
from hub.errors import ConfigError, DocumentError
from hub.models import Conveyance, Location, Manifest, ManifestConsignment, Measure, Party, TransportMode
from hub.routing import Router, RoutesFile, check_routes, load_routes
from hub.routing.router import facts_of
from tests.conftest import example

ROOT = Path(__file__).resolve().parent.parent


def consignment(awb: str, hs: str, pieces: int, kg: str) -> ManifestConsignment:
    return ManifestConsignment(transport_document=awb, pieces=pieces, gross_weight=Measure(value=Decimal(kg)),
                               hs_codes=[hs])


@pytest.fixture
def manifest() -> Manifest:
    return Manifest(
        conveyance=Conveyance(mode=TransportMode.AIR, carrier=Party(id="CA"), journey_id="CA1041",
                              departure_date=date(2026, 11, 27)),
        loading_location=Location(code="FRA"), unloading_location=Location(code="PEK"),
        consignments=[consignment("999-12345675", "020130", 10, "250.5"),
                      consignment("999-12345686", "847130", 4, "80")],
        total_pieces=14, total_gross_weight=Measure(value=Decimal("330.5")))


@pytest.fixture
def router() -> Router:
    return Router(load_routes(ROOT / "routes.yaml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    return path


def test_default_routes_send_an_airline_manifest_to_customs_quarantine_and_archive(router, manifest):
    planned = {(p.receiver, p.format) for p in router.plan(manifest, "AIRLINE-CA")}
    assert planned == {("CUSTOMS-CN", "gacc-mt1101"), ("INSPECTION-CIQ", "gacc-mt1101"), ("ARCHIVE", "json")}


def test_quarantine_gets_only_the_food_consignments_with_their_totals(router, manifest):
    ciq = next(p for p in router.plan(manifest, "AIRLINE-CA") if p.receiver == "INSPECTION-CIQ")
    assert [c.transport_document for c in ciq.document.consignments] == ["999-12345675"]
    assert ciq.document.total_pieces == 10
    assert ciq.document.total_gross_weight.value == Decimal("250.5")
    customs = next(p for p in router.plan(manifest, "AIRLINE-CA") if p.receiver == "CUSTOMS-CN")
    assert len(customs.document.consignments) == 2


def test_a_manifest_without_food_does_not_go_to_quarantine(router, manifest):
    manifest.consignments = manifest.consignments[1:]
    receivers = {p.receiver for p in router.plan(manifest, "AIRLINE-CA")}
    assert "INSPECTION-CIQ" not in receivers and "CUSTOMS-CN" in receivers


def test_explain_says_why_a_route_did_not_match(router, manifest):
    verdicts = {v.route.name: v for v in router.explain(manifest, "AIRLINE-CA")}
    decl = verdicts["declarations"]
    assert not decl.matched
    assert any("kind manifest is not in" in r for r in decl.reasons)
    assert verdicts["air-cargo-to-quarantine"].matched
    assert any("HS chapter 02" in r for r in verdicts["air-cargo-to-quarantine"].reasons)


def test_senders_are_authorised_by_routes(router):
    assert router.authorise("AIRLINE-CA", manifest_kind()) is None
    assert "not known" in router.authorise("SOMEONE", manifest_kind())
    assert "may not send" in router.authorise("FORWARDER-SINOTRANS", manifest_kind())


def manifest_kind():
    from hub.models import Kind
    return Kind.MANIFEST


def test_deadlines_accept_short_durations(router):
    assert router.routes.receivers["CUSTOMS-CN"].receipt_deadline == timedelta(hours=2)
    assert router.routes.receivers["ARCHIVE"].receipt_deadline == timedelta(days=1)


def test_unknown_receiver_error_names_file_and_line(tmp_path):
    path = write(tmp_path, """\
senders:
  A: {name: a, may_send: [manifest]}
receivers:
  R: {name: r, accepts: [json]}
routes:
  - name: x
    deliver:
      - {receiver: NOPE, format: json}
""")
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert "unknown receiver 'NOPE'" in err.value.message and str(path) in err.value.message


def test_a_bad_field_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, """\
senders:
  A: {name: a, may_send: [manifest]}
receivers:
  R:
    name: r
    accepts: [json]
    receipt_deadline: soon
routes: []
""")
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert f"{path}:7: receivers.R.receipt_deadline" in err.value.message


def test_broken_yaml_is_a_config_error_with_a_line(tmp_path):
    path = write(tmp_path, "senders: [\n  oops: {\n")
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert str(path) in err.value.message


def test_bad_hs_chapter_range_is_refused(tmp_path):
    path = write(tmp_path, """\
senders: {A: {name: a, may_send: [manifest]}}
receivers: {R: {name: r, accepts: [json]}}
routes:
  - name: x
    match: {hs_chapters: ["24-01"]}
    deliver: [{receiver: R, format: json}]
""")
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert ":5: routes.0.match.hs_chapters" in err.value.message


def test_check_finds_unreachable_routes_and_unknown_formats(tmp_path):
    path = write(tmp_path, """\
senders:
  AIR: {name: a, may_send: [manifest]}
receivers:
  R: {name: r, accepts: [json, no-such-format]}
  IDLE: {name: i, accepts: [json]}
routes:
  - name: nobody-sends-declarations
    match: {kinds: [declaration]}
    deliver: [{receiver: R, format: json}]
  - name: ghost-sender
    match: {senders: ["SHIP-*"]}
    deliver: [{receiver: R, format: json}]
  - name: bad-format
    deliver: [{receiver: R, format: no-such-format}]
""")
    findings = check_routes(load_routes(path), build_registry())
    text = "\n".join(f"{f.level}: {f.message}" for f in findings)
    assert "error: route 'nobody-sends-declarations' is unreachable" in text
    assert "error: route 'ghost-sender' is unreachable" in text
    assert "error: route 'bad-format': format 'no-such-format' is not registered" in text
    assert "error: receiver 'R' accepts unknown format 'no-such-format'" in text
    assert "warning: receiver 'IDLE' gets nothing" in text


def test_the_shipped_routes_pass_the_check():
    findings = check_routes(load_routes(ROOT / "routes.yaml"), build_registry())
    assert [f for f in findings if f.level == "error"] == []


def test_the_fast_match_agrees_with_explain_for_every_example_sender_and_route(router, engine):
    compared = 0
    for path in sorted((ROOT / "examples").rglob("*")):
        if not path.is_file() or "bad" in path.parts:
            continue
        try:
            doc = engine.read(path.read_bytes()).document
        except (DocumentError, ValueError):
            continue
        for sender in (*router.routes.senders, "SOMEONE-ELSE", None):
            for verdict in router.explain(doc, sender):
                assert Router._matches(verdict.route, facts_of(doc), sender) is verdict.matched, (path, sender)
                compared += 1
    assert compared > 50


def test_the_shipped_routes_send_an_export_waybill_as_mt2101_and_an_import_one_as_mt1101(router, engine):
    export = engine.read(example("cargo_xml", "xfwb-pek-fra.xml")).document          # PEK -> FRA
    assert {(p.receiver, p.format) for p in router.plan(export, "AIRLINE-CA")} == \
        {("CUSTOMS-CN", "gacc-mt2101"), ("ARCHIVE", "json")}
    food = engine.read(example("cargo_xml", "xfwb-food-fra-pek.xml")).document       # FRA -> PEK
    assert {(p.receiver, p.format) for p in router.plan(food, "AIRLINE-CA")} == \
        {("CUSTOMS-CN", "gacc-mt1101"), ("INSPECTION-CIQ", "gacc-mt1101"), ("ARCHIVE", "json")}
    outbound_food = food.model_copy(update={"origin": food.destination, "destination": food.origin})
    assert {(p.receiver, p.format) for p in router.plan(outbound_food, "AIRLINE-CA")} == \
        {("CUSTOMS-CN", "gacc-mt2101"), ("INSPECTION-CIQ", "gacc-mt2101"), ("ARCHIVE", "json")}


def test_the_shipped_routes_send_a_sea_export_manifest_as_mt2101(router, manifest):
    sea = manifest.model_copy(update={
        "conveyance": manifest.conveyance.model_copy(update={"mode": TransportMode.SEA}),
        "loading_location": Location(code="CNSHA"), "unloading_location": Location(code="SGSIN")})
    assert {(p.receiver, p.format) for p in router.plan(sea, "SHIPPING-COSCO")} == \
        {("CUSTOMS-CN", "gacc-mt2101"), ("INSPECTION-CIQ", "gacc-mt2101"), ("ARCHIVE", "json")}
    sea.loading_location, sea.unloading_location = Location(code="SGSIN"), Location(code="CNSHA")
    assert ("CUSTOMS-CN", "gacc-mt1101") in {(p.receiver, p.format) for p in router.plan(sea, "SHIPPING-COSCO")}


def test_the_shipped_routes_send_transit_cargo_as_arriving_and_keep_domestic_and_unknown_from_customs(
        router, manifest):
    def receivers(loading: str, unloading: str) -> set[tuple[str, str]]:
        doc = manifest.model_copy(update={"loading_location": Location(code=loading),
                                          "unloading_location": Location(code=unloading)})
        return {(p.receiver, p.format) for p in router.plan(doc, "AIRLINE-CA")}
    assert ("CUSTOMS-CN", "gacc-mt1101") in receivers("FRA", "JFK")
    assert receivers("PEK", "PVG") == {("ARCHIVE", "json")}
    assert receivers("ZZZ", "PEK") == {("ARCHIVE", "json")}
    unknown = {v.route.name: v for v in router.explain(
        manifest.model_copy(update={"loading_location": Location(code="ZZZ")}), "AIRLINE-CA")}
    assert "direction unknown: no country is known for loading location 'ZZZ'" in \
        "; ".join(unknown["air-cargo-to-customs"].reasons)


def test_the_shipped_routes_send_an_airlines_arrival_and_tally_reports_to_customs_and_the_archive(engine):
    router = Router(load_routes(ROOT / "routes.yaml"))
    for name, fmt in (("mt3101-air-arrival.xml", "gacc-mt3101"), ("mt4101-air-tally.xml", "gacc-mt4101")):
        doc = engine.read(example("gacc", name)).document
        assert sorted((p.receiver, p.format) for p in router.plan(doc, "AIRLINE-CA")) == [
            ("ARCHIVE", "json"), ("CUSTOMS-CN", fmt)]
    sea = engine.read(example("gacc", "mt3101-sea-arrival.xml")).document
    assert [(p.receiver, p.format) for p in router.plan(sea, "AIRLINE-CA")] == [("ARCHIVE", "json")]


@pytest.mark.parametrize("kinds, warned", [(["tally"], True), (["order", "payment"], True),
                                           (["tally", "arrival"], False), (["manifest"], False)])
def test_check_warns_of_a_direction_route_for_kinds_that_never_have_a_direction(kinds, warned):
    table = RoutesFile.model_validate({
        "senders": {"S": {"name": "s", "may_send": ["tally", "arrival", "manifest", "order", "payment"]}},
        "receivers": {"R": {"name": "r", "accepts": ["json"]}},
        "routes": [{"name": "r1", "match": {"kinds": kinds, "direction": ["import"]},
                    "deliver": [{"receiver": "R", "format": "json"}]}]})
    warnings = [f.message for f in check_routes(table, build_registry()) if f.level == "warning"]
    assert any("matches on direction" in w for w in warnings) is warned, warnings
