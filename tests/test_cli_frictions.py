"""CLI frictions an operator met (issue 14, point 4): `hub send` checks and names what it sends,
`hub messages show` tells the whole story, replay resends only what was asked, unknown ids are
named, the default store does not move with the working directory, `routes explain` without
--as, progress bars that never reach a pipe, and late answers still counted by `hub stats`."""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog
import yaml
from click.testing import CliRunner

from hub.cli import admin, main, runtime
from hub.lifecycle import hub_message_id
from hub.settings import Settings
from hub.store.base import DeliveryState, MessageStatus, NewDelivery, NewMessage, NewReceipt
from hub.store.sqlite import SqliteStore
from hub.worker import serve as serving

ROOT = Path(__file__).resolve().parent.parent
WAYBILL = ROOT / "examples" / "cargo_xml" / "xfwb-pek-fra.xml"
ORDER = ROOT / "examples" / "ceb" / "ceb311-order.xml"
NOW = datetime.now(UTC).replace(microsecond=0)
SENDERS = yaml.safe_load((ROOT / "routes.yaml").read_text(encoding="utf-8"))["senders"]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def published(monkeypatch) -> list:
    """What `hub send` hands the broker (nothing leaves the test)."""
    sent: list = []
    monkeypatch.setattr(runtime, "publish_once", lambda url, pubs, **kw: sent.extend(pubs))
    monkeypatch.setattr(runtime, "hub_user", lambda settings: "hub")
    return sent


def test_send_refuses_a_sender_routes_yaml_does_not_know_before_publishing_anything(published):
    result = invoke("send", WAYBILL, "--as", "AIRLINE-NOBODY")
    assert result.exit_code == 2 and "'AIRLINE-NOBODY' is not a sender" in result.output
    assert published == []


def test_send_reports_each_file_and_one_refused_file_does_not_stop_the_others(published):
    """AIRLINE-CA may send waybills, not e-commerce orders: the order is refused, the waybill goes."""
    result = invoke("send", ORDER, WAYBILL, "--as", "AIRLINE-CA", "--message-id", "M-1")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{ORDER}: refused, not sent:") and "may not send a order" in lines[0]
    assert [p.body for p in published] == [WAYBILL.read_bytes()]
    expected = hub_message_id("AIRLINE-CA", "M-1", WAYBILL.read_bytes())
    assert lines[1] == f"{WAYBILL}: published as {expected} (waybill 999-12345675)"


def test_send_as_an_agency_needs_a_routes_yaml_receiver(published):
    receipt = ROOT / "examples" / "cargo_xml" / "xfnm-accepted-999-12345675.xml"
    assert invoke("send", receipt, "--as", "AIRLINE-CA", "--receipt").exit_code == 2
    result = invoke("send", receipt, "--as", "CUSTOMS-CN", "--receipt")
    assert result.exit_code == 0, result.output
    assert len(published) == 1 and published[0].headers["x-hub-sender"] == "CUSTOMS-CN"


@pytest.mark.parametrize("kind", sorted({k for s in SENDERS.values() for k in s["may_send"]}))
def test_messages_list_takes_every_kind_routes_yaml_names(tmp_path, kind):
    """Holds already (--kind offers every Kind, routes.yaml's kinds are Kinds); pinned."""
    result = invoke("messages", "list", "--kind", kind, "--json", env={"HUB_STORE_URL": f"sqlite:///{tmp_path}/s.db"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def delivery(receiver: str, deadline_at: datetime | None = None, key: str = "BK-1") -> NewDelivery:
    return NewDelivery(receiver=receiver, format="json", route="r", payload=b"{}", deadline_at=deadline_at,
                       correlation_keys=(f"{key}.{receiver}",))


def message(id_: str, *deliveries: NewDelivery, duplicate_of: str | None = None) -> NewMessage:
    return NewMessage(id=id_, sender="AIRLINE-CA", sender_message_id=id_, received_at=NOW, raw=b"<x/>",
                      sha256="0" * 64, status=MessageStatus.DUPLICATE if duplicate_of else MessageStatus.ACCEPTED,
                      kind="waybill", business_key="BK-1", duplicate_of=duplicate_of, deliveries=deliveries)


def answer(key: str, receiver: str, state: DeliveryState, **kw) -> NewReceipt:
    return NewReceipt(receiver=receiver, format="gacc-mt9999", received_at=NOW, raw=b"<r/>", keys=(key,),
                      state=state, **kw)


@pytest.fixture
def url(tmp_path) -> str:
    """HUB-1 to CUSTOMS-CN (rejected with the agency's reason, answered after its deadline) and to
    ARCHIVE (accepted in time); HUB-2 a duplicate of HUB-1."""
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.migrate()
        store.record([message("HUB-1", delivery("CUSTOMS-CN", NOW - timedelta(hours=1)),
                              delivery("ARCHIVE", NOW + timedelta(hours=1))),
                      message("HUB-2", duplicate_of="HUB-1")], source="test")
        store.mark_sent([d.id for d in store.deliveries("HUB-1")], source="test")
        store.apply_receipts([
            answer("BK-1.CUSTOMS-CN", "CUSTOMS-CN", DeliveryState.REJECTED, agency_status="03",
                   errors=({"code": "E042", "message": "consignee code unknown to customs"},)),
            answer("BK-1.ARCHIVE", "ARCHIVE", DeliveryState.ACCEPTED)])
    return f"sqlite:///{path}"


def test_messages_show_gives_the_agencys_reason_and_receivers_in_the_timeline(url):
    """Before: "REJECTED 03" and no reason; timeline lines said "delivery 1", not whose."""
    result = invoke("messages", "show", "HUB-1", env={"HUB_STORE_URL": url})
    assert result.exit_code == 0, result.output
    assert "    reason: E042: consignee code unknown to customs" in result.stdout
    timeline = result.stdout.split("timeline:")[1].splitlines()
    assert any("receipt.correlated" in line and "CUSTOMS-CN (delivery" in line for line in timeline)
    assert any("receipt.correlated" in line and "ARCHIVE (delivery" in line for line in timeline)


def test_messages_show_says_what_a_duplicate_duplicates(url):
    result = invoke("messages", "show", "HUB-2", env={"HUB_STORE_URL": url})
    assert "a duplicate of HUB-1" in result.stdout


def test_messages_show_json(url):
    result = invoke("messages", "show", "HUB-1", "--json", env={"HUB_STORE_URL": url})
    view = json.loads(result.stdout)
    by_receiver = {d["receiver"]: d for d in view["deliveries"]}
    assert by_receiver["CUSTOMS-CN"]["state"] == "REJECTED" and by_receiver["CUSTOMS-CN"]["agency_status"] == "03"
    assert by_receiver["CUSTOMS-CN"]["reasons"] == ["E042: consignee code unknown to customs"]
    assert by_receiver["ARCHIVE"]["reasons"] == []
    assert {e["receiver"] for e in view["timeline"] if e["type"] == "receipt.correlated"} == {"CUSTOMS-CN", "ARCHIVE"}
    assert json.loads(invoke("messages", "show", "HUB-2", "--json", env={"HUB_STORE_URL": url}).stdout)[
        "duplicate_of"] == "HUB-1"


def test_resend_by_state_resends_only_to_the_receivers_in_that_state(url):
    """Before: every delivery of a message with one REJECTED delivery went again, ARCHIVE's too."""
    result = invoke("replay", "--mode", "resend", "--state", "REJECTED", "--dry-run", env={"HUB_STORE_URL": url})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["would HUB-1: resend to CUSTOMS-CN as json (now REJECTED)"]


@pytest.mark.parametrize("command", [["messages", "show"], ["replay", "--dry-run"]])
def test_an_unknown_id_says_unknown_id(url, command):
    result = invoke(*command, "HUB-NOSUCH", env={"HUB_STORE_URL": url})
    assert result.exit_code == 1
    assert "unknown id HUB-NOSUCH" in result.stderr


def test_stats_counts_deliveries_answered_after_their_deadline(url):
    """CUSTOMS-CN answered an hour past its deadline: no longer OVERDUE, still late."""
    figures = json.loads(invoke("stats", "--json", env={"HUB_STORE_URL": url}).stdout)
    assert figures["answered_late"] == {"CUSTOMS-CN": 1}
    table = invoke("stats", env={"HUB_STORE_URL": url}).stdout.splitlines()
    header = table[1].split()
    late = header.index("LATE") - 2          # "MEDIAN s" and "P95 s" are two words each
    rows = {line.split()[0]: line.split() for line in table[2:4]}
    assert rows["CUSTOMS-CN"][late] == "1" and rows["ARCHIVE"][late] == "0"


def test_the_default_store_is_in_the_users_data_directory_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("HUB_STORE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    here = Settings().store_url
    monkeypatch.chdir(ROOT)
    assert Settings().store_url == here == f"sqlite:///{tmp_path / 'data' / 'eport-hub' / 'store.sqlite3'}"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().store_url == f"sqlite:///{tmp_path / 'home' / '.local' / 'share' / 'eport-hub' / 'store.sqlite3'}"


def test_routes_explain_without_as_explains_for_every_sender_allowed_that_kind():
    result = invoke("routes", "explain", WAYBILL)
    assert result.exit_code == 0, result.output
    shown = [line.strip()[3:-1] for line in result.stdout.splitlines() if line.startswith("  as ")]
    assert shown == [name for name, s in SENDERS.items() if "waybill" in s["may_send"]]
    assert len(shown) > 1


def test_progress_goes_to_a_terminal_only(monkeypatch, capsys):
    result = invoke("check", ROOT / "examples" / "cargo_xml")
    assert "checking" not in result.stderr and "\r" not in result.output
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with admin.progress(3, "checking") as bar:
        bar.update(3)
    with admin.progress(None, "purging") as bar:
        bar.update(7)
    err = capsys.readouterr().err
    assert "checking" in err and "purging: 7" in err


def test_serve_logs_one_line_once_its_workers_are_started(monkeypatch, tmp_path, capsys):
    """Holds already (hub.worker.serve logs hub.serving after the workers started); pinned, offline."""

    class Worker:
        exitcode = None

        def is_alive(self) -> bool:
            return True

        def terminate(self) -> None: ...

        def join(self, timeout: float) -> None: ...

    signalled: list[int] = []

    def upkeep(store) -> None:
        if not signalled:
            signalled.append(1)
            os.kill(os.getpid(), signal.SIGTERM)

    events: list[str] = []

    class Recorder:      # structlog's logger may be cached on another stream by an earlier test: record the calls
        def __getattr__(self, level: str):
            return lambda event, **fields: events.append(event)

    monkeypatch.setattr(serving, "log", Recorder())
    monkeypatch.setattr(serving, "declare", lambda settings: [])
    monkeypatch.setattr(serving, "republish_pending", lambda *a: None)
    monkeypatch.setattr(serving, "_start", lambda *a: Worker())
    monkeypatch.setattr(serving, "_upkeep", upkeep)
    result = invoke("serve", "--workers", "2", env={"HUB_STORE_URL": f"sqlite:///{tmp_path}/s.db",
                                                  "HUB_LOG_LEVEL": "INFO"})
    assert result.exit_code == 0, result.output
    assert events.count("hub.serving") == 1


@pytest.fixture(autouse=True)
def _logging_as_before():
    """`hub serve` configures logging for the process; later tests get it back as it was."""
    before = structlog.get_config()
    yield
    structlog.configure(**before)
