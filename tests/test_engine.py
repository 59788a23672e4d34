"""The engine with the canonical JSON adapter: detection, model errors, rule lines, rendering."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from hub.adapters import Probe, Registry
from hub.errors import ConfigError, ConversionError, InvalidDocument, UnknownFormat
from tests.test_rules import manifest, waybill


def as_json(engine, doc, ctx) -> bytes:
    return engine.render(doc, "json", ctx).data


def test_canonical_json_round_trips_every_kind(engine, ctx):
    from tests.test_rules import declaration
    for doc in (waybill(), manifest(), declaration()):
        again = engine.read(as_json(engine, doc, ctx)).document
        assert again == doc


def test_json_output_carries_the_hub_message_id_and_schema(engine, ctx):
    body = json.loads(as_json(engine, waybill(), ctx))
    assert body["schema"] == "eport-hub.canonical/1" and body["message_id"] == "HUB-TEST-0001"
    assert body["document"]["kind"] == "waybill"


def test_model_errors_point_at_the_field(engine, ctx):
    body = json.loads(as_json(engine, waybill(), ctx))
    body["document"]["pieces"] = "many"
    inbound = engine.inspect(json.dumps(body).encode())
    assert not inbound.valid
    assert [(p.code, p.path) for p in inbound.problems] == [("MODEL_INVALID", "/pieces")]


def test_rule_errors_come_back_from_read_with_every_problem(engine, ctx):
    doc = manifest(total_pieces=99)
    doc.consignments[0].transport_document = "999-12345670"
    with pytest.raises(InvalidDocument) as err:
        engine.read(as_json(engine, doc, ctx))
    assert {p.code for p in err.value.problems} == {"RULE_TOTAL_MISMATCH", "RULE_AWB_CHECK_DIGIT"}


def test_malformed_json_is_a_parse_problem_with_a_line(engine):
    inbound = engine.inspect(b'{"schema": "eport-hub.canonical/1",\n "document": {,}}')
    assert inbound.problems[0].code == "JSON_MALFORMED" and inbound.problems[0].line == 2


def test_detection_refuses_unknown_input(engine):
    with pytest.raises(UnknownFormat):
        engine.detect(b'{"hello": "world"}')


def test_rendering_a_kind_the_format_cannot_carry_is_refused(engine, ctx):
    with pytest.raises(ConversionError):
        engine.render(waybill(), "no-such-format", ctx)


def test_registry_detects_in_registration_order():
    from adapters.json_canonical import CanonicalJson
    registry = Registry([CanonicalJson()])
    assert registry.detect(Probe(data=b'{"schema":"eport-hub.canonical/1"}')).name == "json"
    with pytest.raises(ConfigError):
        registry.register(CanonicalJson())


def test_decimals_survive_json_exactly(engine, ctx):
    doc = waybill(gross_weight={"value": Decimal("1042.125"), "unit": "KGM"})
    assert engine.read(as_json(engine, doc, ctx)).document.gross_weight.value == Decimal("1042.125")


def test_edifact_leniency_is_a_setting(engine):
    from hub.composition import build_engine
    from hub.settings import Settings
    from tests.conftest import example
    bad = example("bad", "cuscar-wrong-unt.edi")
    assert [p.code for p in engine.inspect(bad).problems] == ["EDI_UNT_COUNT"]
    lenient = build_engine(Settings(edifact_lenient=True))
    relaxed = lenient.inspect(bad)
    assert relaxed.valid
    assert [(p.code, p.path) for p in relaxed.warnings] == [("EDI_UNT_COUNT", engine.inspect(bad).problems[0].path)]
