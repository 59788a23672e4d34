"""The CLI as a user meets it: exit codes, one line per problem, conversions, routes, tour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import admin, main
from hub.routing import Router, load_routes
from hub.store import open_store
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for family in ("cargo_xml", "wco", "gacc") for p in (ROOT / "examples" / family).glob("*.xml"))
BAD = sorted((ROOT / "examples" / "bad").glob("*.xml"))


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_formats_lists_every_family_with_capabilities():
    rows = {r["name"]: r for r in json.loads(run("formats", "--json").output)}
    assert {"xfwb", "xfzb", "xffm", "xfnm", "wco-dec", "wco-res", "gacc-mt1101", "gacc-mt2101",
            "gacc-mt9999", "gacc-dec", "gacc-dec-response", "gacc-dec-result", "json"} <= set(rows)
    assert rows["xfnm"]["receipt"] and rows["xfnm"]["read"] == ["receipt"]
    assert rows["gacc-mt1101"]["write"] == ["manifest", "waybill"]
    assert rows["xfwb"]["schema"] == "cargo_xml/xfwb.xsd"


def test_every_shipped_example_is_valid():
    result = run("validate", *EXAMPLES)
    assert result.exit_code == 0, result.output
    assert f"{len(EXAMPLES)} valid, 0 invalid" in result.output


def test_every_bad_example_gets_one_coded_line_per_problem():
    result = run("validate", *BAD)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(ROOT))]
    assert len(lines) == len(BAD)
    assert {line.rsplit("[", 1)[1].rstrip("]") for line in lines} == {
        "RULE_AWB_CHECK_DIGIT", "SCHEMA_INVALID", "RULE_TOTAL_MISMATCH", "XML_DTD_FORBIDDEN", "XML_MALFORMED"}


def test_validate_json_report_gives_code_line_and_path():
    result = run("validate", "--json", ROOT / "examples/bad/xfwb-wrong-check-digit.xml", EXAMPLES[0])
    assert result.exit_code == 1
    bad, good = json.loads(result.output)
    assert good["valid"] and not good["problems"]
    assert bad["problems"] == [{"code": "RULE_AWB_CHECK_DIGIT", "line": 19, "path": "/number",
                                "message": "AWB 999-12345676 fails its check digit (expected 5)"}]


def test_detect_names_the_format():
    result = run("detect", ROOT / "examples/gacc/mt9999-accepted.xml")
    assert result.exit_code == 0 and "gacc-mt9999 (gacc; receipt)" in result.output


def test_convert_writes_a_valid_output_of_the_target_format(tmp_path):
    out = tmp_path / "mt1101.xml"
    result = run("convert", ROOT / "examples/cargo_xml/xfwb-pek-fra.xml", "--to", "gacc-mt1101", "-o", out,
                 "--receiver", "CUSTOMS-CN")
    assert result.exit_code == 0, result.output
    check = run("validate", "--json", out)
    report = json.loads(check.output)[0]
    assert report["valid"] and report["format"] == "gacc-mt1101" and report["kind"] == "manifest"


def test_convert_refuses_an_unknown_target_as_a_usage_error():
    result = run("convert", EXAMPLES[0], "--to", "telex")
    assert result.exit_code == 2 and "not a format" in result.output


def test_convert_refuses_an_invalid_input_with_its_problems():
    result = run("convert", ROOT / "examples/bad/xfwb-wrong-check-digit.xml", "--to", "json")
    assert result.exit_code == 1 and "[RULE_AWB_CHECK_DIGIT]" in result.output


def test_routes_check_passes_on_the_shipped_routes():
    result = run("routes", "check", ROOT / "routes.yaml")
    assert result.exit_code == 0, result.output
    assert " 0 errors" in result.output


def test_routes_explain_names_receivers_formats_and_reasons():
    result = run("routes", "explain", ROOT / "examples/cargo_xml/xfwb-food-fra-pek.xml", "--as", "AIRLINE-CA",
                 "--routes", ROOT / "routes.yaml")
    assert result.exit_code == 0, result.output
    assert "-> INSPECTION-CIQ as gacc-mt1101 (route air-cargo-to-quarantine): renders and validates" in result.output
    assert "route declarations: no (kind waybill is not in ['declaration']" in result.output


def test_routes_explain_rejects_an_unauthorised_sender():
    result = run("routes", "explain", ROOT / "examples/cargo_xml/xffm-ca932-fra-pek.xml",
                 "--as", "FORWARDER-SINOTRANS", "--routes", ROOT / "routes.yaml")
    assert result.exit_code == 1 and "may not send a manifest" in result.output


def test_tour_delivers_good_traffic_and_rejects_the_bad(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_ROUTES", str(ROOT / "routes.yaml"))
    result = run("tour", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "<-- expected" not in result.output
    assert {p.name for p in tmp_path.iterdir()} == {"CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE", "CUSTOMS-GB",
                                                    "CUSTOMS-CN-EC", "BORDER-CONTROL"}
    written = list(tmp_path.rglob("*.xml"))
    check = run("validate", *written)
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("command", [[], ["validate"], ["convert"], ["detect"], ["formats"], ["routes", "check"],
                                     ["routes", "explain"], ["tour"], ["demo"], ["serve"],
                                     ["send"], ["messages", "list"], ["replay"], ["dead-letters", "list"],
                                     ["stats"], ["topology", "declare"]])
def test_every_command_has_help_with_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and ("Example" in result.output or "formats" in command)


def test_a_rate_limited_resend_puts_deliveries_back_to_pending_a_few_seconds_worth_at_a_time(tmp_path, monkeypatch,
                                                                                          engine):
    """`hub serve` republishes what stays PENDING for a minute; a slow replay that reset everything
    first would be overtaken by it. At --rate 2, five seconds' worth is 10 deliveries."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    template = (ROOT / "examples" / "cargo_xml" / "xfwb-pek-fra.xml").read_bytes()
    with open_store(url) as store:
        store.migrate()
        core = IngestCore(engine, Router(load_routes(ROOT / "routes.yaml")), store, Topology("t"), "EPORTHUB")
        works = core.handle([Inbound(tag=n, sender="AIRLINE-CA", message_id=f"M{n}", body=template.replace(
            b"999-12345675", f"999-{1_000_000 + n}{(1_000_000 + n) % 7}".encode())) for n in range(23)])
        store.mark_sent([i for w in works for i in w.delivery_ids], source="test")

    seen = []

    def publish_once(url_, pubs, name, user_id, per_second, progress):
        with open_store(url) as store:
            pending = store.pending()
        seen.append((len(pubs), len(pending), per_second))
        progress(len(pubs))
    monkeypatch.setattr(admin, "publish_once", publish_once)
    result = CliRunner().invoke(main, ["replay", "--status", "ACCEPTED", "--mode", "resend", "--to", "ARCHIVE",
                                       "--rate", "2"], env={"HUB_STORE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen == [(10, 10, 2.0), (10, 10, 2.0), (3, 3, 2.0)]
    with open_store(url) as store:
        assert store.pending() == []
