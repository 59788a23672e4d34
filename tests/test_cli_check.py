"""`hub check`: a partner's directory of sample messages, read offline as the router would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.pipeline import Engine

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
ROUTES = ROOT / "routes.yaml"

WAYBILL = EX / "cargo_xml/xfwb-food-fra-pek.xml"              # waybill 999-44556676, HS 04/18/22
DECLARATION = EX / "wco/dec_import_cn_gb.xml"
AMENDMENT = EX / "wco/dec_amendment_air_import.xml"            # GACC DecMessage cannot carry an amendment
MANIFEST = EX / "cargo_xml/xffm-ca932-fra-pek.xml"
RECEIPT = EX / "cargo_xml/xfnm-accepted-999-12345675.xml"
CHECK_DIGIT = EX / "bad/xfwb-wrong-check-digit.xml"            # RULE_AWB_CHECK_DIGIT on line 19
TRUNCATED = EX / "bad/xfwb-truncated.xml"                      # XML_MALFORMED


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def partner_dir(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A partner's folder: the given files under the given relative names, plus what must be skipped."""
    root = tmp_path / "partner"
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, root / name)
    (root / "SOURCE.txt").write_text("where these came from\n")
    (root / "README.md").write_text("# samples\n")
    (root / ".hidden.xml").write_bytes(TRUNCATED.read_bytes())
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    return root


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return partner_dir(tmp_path, {"waybills/xfwb-food-fra-pek.xml": WAYBILL,
                                  "declarations/dec_import_cn_gb.xml": DECLARATION,
                                  "bad/xfwb-wrong-check-digit.xml": CHECK_DIGIT,
                                  "bad/xfwb-truncated.xml": TRUNCATED})


def rows(result) -> dict[str, dict]:
    return {r["file"]: r for r in json.loads(result.stdout)}


def pairs(report: dict) -> set[tuple[str, str]]:
    return {(r["receiver"], r["format"]) for r in report["receivers"]}


def test_a_directory_is_read_recursively_in_sorted_order_skipping_notes_and_hidden_files(mixed):
    result = run("check", mixed, "--routes", ROUTES)
    assert result.exit_code == 1, result.output
    order = [name for line in result.stdout.splitlines() for name in line.split()[:1]
             if name.endswith(".xml")]
    assert order == ["bad/xfwb-truncated.xml", "bad/xfwb-wrong-check-digit.xml",
                     "declarations/dec_import_cn_gb.xml", "waybills/xfwb-food-fra-pek.xml"]
    assert "SOURCE.txt" not in result.output and "README" not in result.output and ".hidden" not in result.output
    assert "4 files, 2 accepted, 2 refused, 0 errors" in result.output


def test_the_table_gives_verdicts_first_problems_as_file_line_message_code_and_receivers(mixed):
    out = run("check", mixed, "--routes", ROUTES).stdout
    line = next(x for x in out.splitlines() if x.startswith("waybills/xfwb-food-fra-pek.xml"))
    assert "xfwb" in line and "waybill" in line and "999-44556676" in line and "accepted" in line
    assert "CUSTOMS-CN gacc-mt1101" in line and "INSPECTION-CIQ gacc-mt1101" in line and "ARCHIVE json" in line
    bad = next(x for x in out.splitlines() if x.startswith("bad/xfwb-wrong-check-digit.xml"))
    assert "refused" in bad
    assert "bad/xfwb-wrong-check-digit.xml:19: /number: AWB 999-12345676 fails its check digit" in out
    assert "[RULE_AWB_CHECK_DIGIT]" in out and "[XML_MALFORMED]" in out


def test_every_file_accepted_exits_0_and_plain_files_are_taken_too(tmp_path):
    folder = partner_dir(tmp_path, {"a/xfwb-food-fra-pek.xml": WAYBILL})
    result = run("check", folder, DECLARATION, "--routes", ROUTES)
    assert result.exit_code == 0, result.output
    assert "2 files, 2 accepted, 0 refused, 0 errors" in result.output
    assert str(DECLARATION) in result.stdout


def test_json_gives_every_field_and_every_problem(mixed):
    result = run("check", mixed, "--json", "--routes", ROUTES)
    assert result.exit_code == 1
    reports = rows(result)
    assert list(reports) == sorted(reports)
    waybill = reports["waybills/xfwb-food-fra-pek.xml"]
    assert {"file", "format", "kind", "business_key", "verdict", "problem", "problems", "receivers",
            "error"} <= set(waybill)
    assert (waybill["format"], waybill["kind"], waybill["business_key"], waybill["verdict"]) == (
        "xfwb", "waybill", "999-44556676", "accepted")
    assert waybill["problem"] is None and waybill["problems"] == [] and waybill["error"] is None
    assert pairs(waybill) == {("CUSTOMS-CN", "gacc-mt1101"), ("INSPECTION-CIQ", "gacc-mt1101"), ("ARCHIVE", "json")}
    assert all(r["error"] is None and r["bytes"] > 0 for r in waybill["receivers"])
    declaration = reports["declarations/dec_import_cn_gb.xml"]
    assert pairs(declaration) == {("CUSTOMS-CN", "gacc-dec"), ("CUSTOMS-GB", "wco-dec"), ("ARCHIVE", "json")}
    bad = reports["bad/xfwb-wrong-check-digit.xml"]
    assert bad["verdict"] == "refused" and bad["receivers"] == []
    assert bad["problem"] == {"code": "RULE_AWB_CHECK_DIGIT", "line": 19, "path": "/number",
                              "message": "AWB 999-12345676 fails its check digit (expected 5)"}
    assert bad["problems"][0] == bad["problem"]
    assert reports["bad/xfwb-truncated.xml"]["problem"]["code"] == "XML_MALFORMED"


def test_as_a_sender_not_allowed_to_send_the_kind_is_refused_and_an_allowed_one_routes(tmp_path):
    folder = partner_dir(tmp_path, {"manifest.xml": MANIFEST, "waybill.xml": WAYBILL})
    result = run("check", folder, "--as", "FORWARDER-SINOTRANS", "--json", "--routes", ROUTES)
    assert result.exit_code == 1
    reports = rows(result)
    manifest = reports["manifest.xml"]
    assert manifest["verdict"] == "refused" and manifest["receivers"] == []
    assert manifest["problem"]["code"] == "SENDER_NOT_ALLOWED"
    assert "may not send a manifest" in manifest["problem"]["message"]
    # a forwarder's waybill reaches the archive only: the customs routes are for airlines
    assert reports["waybill.xml"]["verdict"] == "accepted"
    assert pairs(reports["waybill.xml"]) == {("ARCHIVE", "json")}

    airline = rows(run("check", folder, "--as", "AIRLINE-CA", "--json", "--routes", ROUTES))
    assert airline["manifest.xml"]["verdict"] == "accepted"
    assert ("CUSTOMS-CN", "gacc-mt1101") in pairs(airline["manifest.xml"])


def test_an_output_that_cannot_be_rendered_refuses_the_message_and_names_the_receiver(tmp_path):
    folder = partner_dir(tmp_path, {"amendment.xml": AMENDMENT})
    result = run("check", folder, "--json", "--routes", ROUTES)
    assert result.exit_code == 1
    report = rows(result)["amendment.xml"]
    assert report["verdict"] == "refused"
    assert report["problem"]["code"] == "CONVERT_UNSUPPORTED"
    assert report["problem"]["message"].startswith("CUSTOMS-CN (gacc-dec): ")
    by_receiver = {r["receiver"]: r for r in report["receivers"]}
    assert by_receiver["CUSTOMS-CN"]["error"]["code"] == "CONVERT_UNSUPPORTED"
    assert by_receiver["CUSTOMS-GB"]["error"] is None and by_receiver["CUSTOMS-GB"]["bytes"] > 0
    table = run("check", folder, "--routes", ROUTES).stdout
    assert "CUSTOMS-CN gacc-dec" in table and "[CONVERT_UNSUPPORTED]" in table


def test_a_receipt_is_checked_as_the_receipt_worker_takes_it_from_the_receivers_answering_in_its_format(tmp_path):
    folder = partner_dir(tmp_path, {"xfnm.xml": RECEIPT, "mt9999.xml": EX / "gacc/mt9999-accepted.xml"})
    reports = rows(run("check", folder, "--json", "--routes", ROUTES))
    assert reports["xfnm.xml"]["verdict"] == "refused" and reports["xfnm.xml"]["kind"] == "receipt"
    assert reports["xfnm.xml"]["problem"]["code"] == "RECEIPT_FORMAT_NOT_ACCEPTED"   # no receiver answers in XFNM
    assert reports["mt9999.xml"]["verdict"] == "accepted" and reports["mt9999.xml"]["answered_by"] == ["CUSTOMS-CN"]
    as_border = rows(run("check", folder, "--json", "--routes", ROUTES, "--as", "BORDER-CONTROL"))
    assert as_border["mt9999.xml"]["problem"]["code"] == "RECEIPT_FORMAT_NOT_ACCEPTED"
    table = run("check", folder, "--routes", ROUTES).output
    assert "receipt from CUSTOMS-CN" in table


def test_an_engine_that_raises_on_one_file_is_an_error_and_the_others_are_still_checked(mixed, monkeypatch):
    inspect = Engine.inspect

    def flaky(self, data, *args, **kwargs):
        if b"44556676" in data:   # the waybill only
            raise RuntimeError("boom")
        return inspect(self, data, *args, **kwargs)

    monkeypatch.setattr(Engine, "inspect", flaky)
    result = run("check", mixed, "--json", "--routes", ROUTES)
    assert result.exit_code == 3
    reports = rows(result)
    waybill = reports["waybills/xfwb-food-fra-pek.xml"]
    assert waybill["verdict"] == "error" and waybill["error"] == "RuntimeError"
    assert "RuntimeError" in waybill["problem"]["message"] and "boom" in waybill["problem"]["message"]
    assert reports["declarations/dec_import_cn_gb.xml"]["verdict"] == "accepted"
    assert reports["bad/xfwb-wrong-check-digit.xml"]["verdict"] == "refused"
    table = run("check", mixed, "--routes", ROUTES)
    assert table.exit_code == 3
    assert "4 files, 1 accepted, 2 refused, 1 errors" in table.output
    assert "RuntimeError" in table.stdout


def test_long_names_and_messages_are_cut_in_the_table_but_whole_in_json(tmp_path):
    long_name = "a-partner-sample-with-a-very-long-descriptive-file-name-" + "x" * 80 + ".xml"
    folder = partner_dir(tmp_path, {long_name: CHECK_DIGIT})
    table = run("check", folder, "--routes", ROUTES).stdout
    assert long_name not in table
    assert all(len(line) <= 200 for line in table.splitlines())
    assert rows(run("check", folder, "--json", "--routes", ROUTES))[long_name]["verdict"] == "refused"


def test_an_empty_directory_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("check", tmp_path / "empty", "--routes", ROUTES)
    assert result.exit_code == 2


def test_check_has_help_with_examples():
    result = run("check", "--help")
    assert result.exit_code == 0 and "Example" in result.output and "--as" in result.output


def test_a_message_of_several_documents_routes_each_part_and_is_refused_when_any_part_is(tmp_path, monkeypatch):
    folder = partner_dir(tmp_path, {"two-houses.xml": WAYBILL})
    inspect = Engine.inspect

    def two_parts(self, data, *args, **kwargs):
        inbound = inspect(self, data, *args, **kwargs)
        inbound.documents = [inbound.document, inbound.document.model_copy(update={"hs_codes": ["850440"]})]
        return inbound

    monkeypatch.setattr(Engine, "inspect", two_parts)
    report = rows(run("check", folder, "--json", "--as", "AIRLINE-CA", "--routes", ROUTES))["two-houses.xml"]
    assert report["verdict"] == "accepted" and report["documents"] == 2
    by_part = {(r["part"], r["receiver"]) for r in report["receivers"]}
    assert (1, "INSPECTION-CIQ") in by_part and (2, "INSPECTION-CIQ") not in by_part   # food only in part 1
    assert {(1, "CUSTOMS-CN"), (2, "CUSTOMS-CN"), (1, "ARCHIVE"), (2, "ARCHIVE")} <= by_part
    table = run("check", folder, "--as", "AIRLINE-CA", "--routes", ROUTES).stdout
    assert "999-44556676 (+1)" in table and "#1 CUSTOMS-CN gacc-mt1101" in table   # the cell is cut at 80
    refused = rows(run("check", folder, "--json", "--as", "EC-PAYMENT", "--routes", ROUTES))["two-houses.xml"]
    assert refused["verdict"] == "refused" and refused["problem"]["code"] == "SENDER_NOT_ALLOWED"


def test_a_delivery_held_by_a_check_that_renders_at_release_is_held_not_rendered(tmp_path, monkeypatch):
    """A check whose output needs the document it waits for (a house waybill's master) makes the
    router hold the delivery unrendered; offline nothing has arrived, so it is shown held."""
    from hub.checks import CHECKS
    from hub.errors import Problem
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        "senders: {AIRLINE-CA: {name: A, may_send: [waybill]}}\n"
        "receivers: {CUSTOMS-CN: {name: C, accepts: [gacc-mt1101]}}\n"
        "routes:\n"
        "  - {name: houses, match: {kinds: [waybill]}, hold: {check: three-documents},\n"
        "     deliver: [{receiver: CUSTOMS-CN, format: gacc-mt1101}]}\n")
    folder = partner_dir(tmp_path, {"house.xml": EX / "cargo_xml/xfzb-sha-fra.xml"})   # no flight of its own
    check = type(CHECKS["three-documents"])
    monkeypatch.setattr(check, "renders_at_release", True, raising=False)
    monkeypatch.setattr(check, "waits", lambda self, facts: [("waybill", "999-12345675")])
    monkeypatch.setattr(check, "evaluate", lambda self, facts, found: [] if found else [Problem("MASTER_UNKNOWN", "-")])
    result = run("check", folder, "--as", "AIRLINE-CA", "--json", "--routes", routes)
    assert result.exit_code == 0, result.output
    (delivery,) = rows(result)["house.xml"]["receivers"]
    assert delivery["deferred"] and delivery["hold"] == "three-documents" and delivery["bytes"] is None
    assert "CUSTOMS-CN gacc-mt1101 (held; rendered at release)" in run("check", folder, "--as", "AIRLINE-CA",
                                                                       "--routes", routes).stdout
