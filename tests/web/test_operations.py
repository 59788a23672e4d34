"""Health, readiness, /metrics, the request limit, admin replays (dry run, audited), and `hub tokens`."""

from __future__ import annotations

import json
import sqlite3
import stat

from click.testing import CliRunner
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from hub.cli import main
from hub.settings import Settings
from hub.transport.base import Envelope
from hub.web import create_app
from hub.web.tokens import TokenBook
from tests.web.conftest import FakeBroker


def test_healthz_answers_and_readyz_needs_the_store_and_the_broker(world):
    assert world.client.get("/healthz").json() == {"status": "ok"}
    assert world.client.get("/readyz").status_code == 200
    world.broker.up = False
    down = world.client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["store"] == "ok"
    assert "HUB_AMQP_URL" in down.json()["checks"]["broker"]


def test_readyz_is_503_naming_the_store_when_its_url_is_bad(tmp_path):
    settings = Settings(store_url="sqlite:////nonexistent-dir/store.sqlite3", tokens_file=tmp_path / "t.json")
    got = TestClient(create_app(settings, broker=FakeBroker())).get("/readyz")
    assert got.status_code == 503
    assert got.json()["checks"]["broker"] == "ok" and "HUB_STORE_URL" in got.json()["checks"]["store"]
    assert "nonexistent-dir" not in got.text


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_expose_messages_deliveries_latency_queues_and_orphans(world):
    got = _samples(world.client.get("/metrics").text)
    assert got[("hub_messages", (("kind", "waybill"), ("sender", "AIRLINE-CA"), ("status", "ACCEPTED")))] == 1
    assert got[("hub_deliveries", (("receiver", "ARCHIVE"), ("state", "OVERDUE")))] == 1
    bucket = "hub_receipt_latency_seconds_bucket"
    assert got[(bucket, (("le", "15.0"), ("receiver", "CUSTOMS-CN")))] == 0
    assert got[(bucket, (("le", "60.0"), ("receiver", "CUSTOMS-CN")))] == 1
    assert got[("hub_receipt_latency_seconds_count", (("receiver", "ARCHIVE"),))] == 1
    assert got[("hub_pipeline_latency_seconds_count", ())] == 6
    assert got[("hub_queue_messages", (("queue", "t.in"),))] == 3 and got[("hub_dead_letters", ())] == 2
    assert got[("hub_orphan_receipts", ())] == 1 and got[("hub_broker_up", ())] == 1


def test_metrics_report_a_broker_down_instead_of_failing(world):
    world.broker.up = False
    got = _samples(world.client.get("/metrics").text)
    assert got[("hub_broker_up", ())] == 0 and got[("hub_store_up", ())] == 1


def test_a_flood_from_one_token_is_429_and_other_tokens_go_on(world, tmp_path):
    settings = world.settings.model_copy(update={"api_rate": 0.01, "api_burst": 3})
    client = TestClient(create_app(settings, broker=FakeBroker(), tokens=world.book))
    codes = [client.get("/api/v1/messages", headers=world.as_("AIRLINE-CA")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get("/api/v1/messages", headers=world.as_("AIRLINE-CA")).headers["Retry-After"]
    assert client.get("/api/v1/messages", headers=world.as_("AIRLINE-MU")).status_code == 200


def _events(world, kind: str) -> list[tuple[str | None, str, str]]:
    with sqlite3.connect(world.store_path) as db:
        return db.execute("SELECT message_id, source, detail FROM events WHERE type = ? ORDER BY id",
                          (kind,)).fetchall()


def test_a_replay_is_admin_only_a_dry_run_by_default_and_audited(world):
    asked = {"ids": [world.ids["ca"]], "mode": "resend"}
    assert world.client.post("/api/v1/replay", json=asked, headers=world.as_("AIRLINE-CA")).status_code == 403
    got = world.client.post("/api/v1/replay", json=asked, headers=world.as_("admin")).json()
    assert got["dry_run"] and got["replayed"] == 0
    assert sorted(s.split(": ")[1].split(" as ")[0] for s in got["steps"]) == ["resend to ARCHIVE",
                                                                               "resend to CUSTOMS-CN"]
    (message_id, source, detail), = _events(world, "replay.previewed")
    assert (message_id, source, json.loads(detail)["steps"]) == (world.ids["ca"], "api:ops-alice", 2)
    states = world.client.get(f"/api/v1/messages/{world.ids['ca']}", headers=world.as_("admin")).json()
    assert {d["state"] for d in states["deliveries"]} == {"REJECTED", "ACCEPTED"}     # nothing resent
    unknown = world.client.post("/api/v1/replay", json={"ids": ["HUB-NOSUCH"]}, headers=world.as_("admin"))
    assert unknown.status_code == 404


def test_a_confirmed_replay_publishes_and_names_the_admin(world):
    published: list = []
    client = TestClient(create_app(world.settings, broker=world.broker, tokens=world.book, publish=published.extend))
    got = client.post("/api/v1/replay", json={"ids": [world.ids["ca"]], "mode": "resend", "to": "CUSTOMS-CN",
                                              "confirm": True}, headers=world.as_("admin")).json()
    assert (got["dry_run"], got["replayed"], len(published)) == (False, 1, 1)
    with sqlite3.connect(world.store_path) as db:
        assert db.execute("SELECT type, state FROM events WHERE source = 'api:ops-alice' ORDER BY id").fetchall() \
            == [("delivery.reset", "PENDING"), ("delivery.sent", "SENT")]


def test_dead_letter_replay_is_admin_only_and_a_dry_run_moves_nothing(world):
    world.broker.dead = [Envelope(tag=1, body=b"<x/>", headers={"x-hub-sender": "AIRLINE-CA"})]
    asked = {"limit": 10}
    assert world.client.post("/api/v1/dead-letters/replay", json=asked,
                             headers=world.as_("CUSTOMS-CN")).status_code == 403
    got = world.client.post("/api/v1/dead-letters/replay", json=asked, headers=world.as_("admin")).json()
    assert got == {"dry_run": True, "count": 1} and world.broker.moved == 0
    assert [(m, s) for m, s, _ in _events(world, "dead_letters.previewed")] == [(None, "api:ops-alice")]
    listed = world.client.get("/api/v1/dead-letters", headers=world.as_("admin")).json()["items"]
    assert [(d["sender"], d["size"]) for d in listed] == [("AIRLINE-CA", 4)]


def test_tokens_are_made_listed_and_revoked_by_the_cli_and_kept_hashed_in_a_private_file(tmp_path, monkeypatch):
    path = tmp_path / "tokens.json"
    monkeypatch.setenv("HUB_TOKENS_FILE", str(path))
    runner = CliRunner()
    made = runner.invoke(main, ["tokens", "create", "AIRLINE-CA"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("hubt_") and secret not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    principal = TokenBook(path).verify(secret)
    assert principal is not None and (principal.party, principal.admin) == ("AIRLINE-CA", False)
    listed = runner.invoke(main, ["tokens", "list"]).stdout
    assert principal.token_id in listed and secret not in listed
    assert runner.invoke(main, ["tokens", "create", "NOBODY"]).exit_code == 2
    assert runner.invoke(main, ["tokens", "revoke", principal.token_id]).exit_code == 0
    again = runner.invoke(main, ["tokens", "revoke", principal.token_id])
    assert again.exit_code == 2 and "unknown id" in again.output
    assert TokenBook(path).verify(secret) is None
