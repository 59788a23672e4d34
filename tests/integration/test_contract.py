"""The partner contract (docs/integration.md) on the real broker: the example clients in
examples/clients work against a running hub, each connected as its own party account (`hub parties
apply`: least privilege, user_id checked by RabbitMQ), and every status event a real run publishes
is valid against docs/status-event.schema.json, whose event types are closed: a field the hub
starts sending fails here until the schema (and the document) know it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import jsonschema
import pytest

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.models import Receipt, ReceiptError, ReceiptStatus
from hub.parties import accounts
from hub.settings import Settings
from hub.store.base import DeliveryState
from hub.worker.serve import declare, undeclare
from tests.conftest import example
from tests.integration.conftest import ROOT, Hub
from tests.integration.test_admin import routes_file
from tests.integration.test_flow import send

ENGINE = build_engine()
SCHEMA = json.loads((ROOT / "docs" / "status-event.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CLIENTS = ROOT / "examples" / "clients"


@dataclass
class Accounts:
    """This run's sender and receiver, as broker accounts of their own; ``settings`` route between them."""

    settings: Settings
    sender: str
    receiver: str
    passwords: dict[str, str]

    def env(self, party: str, wait_seconds: int = 30) -> dict[str, str]:
        """What a partner sets to run an example client as ``party``."""
        url = urlsplit(self.settings.amqp_url)
        secret = quote(self.passwords[party], safe="")
        login = f"amqp://{quote(party, safe='')}:{secret}@{url.hostname}:{url.port or 5672}{url.path or '/%2F'}"
        return {**os.environ, "EPORT_AMQP_URL": login,
                "EPORT_PREFIX": self.settings.topology_prefix, "EPORT_WAIT_SECONDS": str(wait_seconds)}


@pytest.fixture
def party_accounts(settings: Settings, tmp_path: Path) -> Iterator[Accounts]:
    """An airline and an archive named for this run (broker users are broker-wide), created with
    `hub parties apply` and revoked afterwards by applying a routes.yaml that names nobody."""
    run = uuid.uuid4().hex[:8]
    sender, receiver = f"CA-{run}", f"ARC-{run}"
    path = tmp_path / "routes.yaml"
    path.write_text(f"""\
version: 1
senders:
  {sender}: {{name: test airline, may_send: [waybill, status]}}
receivers:
  {receiver}: {{name: test archive, accepts: [json], receipt_formats: [json], receipt_deadline: 1h}}
routes:
  - name: everything-to-the-archive
    match: {{senders: ["{sender}"]}}
    deliver: [{{receiver: {receiver}, format: json}}]
""")
    ours = settings.model_copy(update={"routes": path})
    done = accounts(ours).apply()
    yield Accounts(ours, sender, receiver, {c.user: c.password for c in done if c.password})
    undeclare(ours, if_empty=False)
    path.write_text("version: 1\nsenders: {}\nreceivers: {}\nroutes: []\n")
    accounts(ours).apply()


def problems_of(event: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(event)]


def test_the_example_sender_and_agency_carry_a_message_and_its_receipt_end_to_end(party_accounts):
    parties = party_accounts
    with Hub(parties.settings) as hub:
        agency = subprocess.Popen([sys.executable, str(CLIENTS / "agency.py"), "1"], text=True,
                                  env=parties.env(parties.receiver), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            sender = subprocess.run([sys.executable, str(CLIENTS / "sender.py"),
                                     str(ROOT / "examples" / "cargo_imp" / "fsu-dep-999-87654346.txt"), "CA-FSU-1"],
                                    env=parties.env(parties.sender), capture_output=True, text=True, timeout=60)
            answered, errors = agency.communicate(timeout=30)
        finally:
            agency.kill()
        assert sender.returncode == 0, sender.stdout + sender.stderr
        assert agency.returncode == 0, errors
        events = [json.loads(line) for line in sender.stdout.splitlines()]
        assert [e["event"] for e in events] == ["message.accepted", "delivery.accepted"]
        accepted, answer = events
        assert accepted["sender_message_id"] == "CA-FSU-1" and accepted["business_key"] == "999-87654346"
        assert accepted["deliveries"] == [{"receiver": parties.receiver, "format": "json"}]
        assert answer["receiver"] == parties.receiver and answer["hub_message_id"] == accepted["hub_message_id"]
        hub_id = accepted["hub_message_id"]
        assert answered.split()[:2] == [f"{hub_id}.{parties.receiver}", "json"]
        assert [problems_of(e) for e in events] == [[], []]
        archive, = hub.store.deliveries(hub_id)
        assert archive.state is DeliveryState.ACCEPTED
        assert hub.store.message(hub_id).sender == parties.sender     # the broker-checked login, not a header


def test_a_sender_client_is_told_of_its_rejection_and_exits_1(party_accounts):
    parties = party_accounts
    with Hub(parties.settings):
        sender = subprocess.run([sys.executable, str(CLIENTS / "sender.py"),
                                 str(ROOT / "examples" / "bad" / "xfwb-wrong-check-digit.xml"), "CA-BAD-1"],
                                env=parties.env(parties.sender), capture_output=True, text=True, timeout=60)
    assert sender.returncode == 1, sender.stdout + sender.stderr
    event, = (json.loads(line) for line in sender.stdout.splitlines())
    assert event["event"] == "message.rejected" and event["errors"][0]["code"] == "RULE_AWB_CHECK_DIGIT"


class Feed:
    """Every status event on one sender's queue, gathered as they come."""

    def __init__(self, queues, sender: str) -> None:
        self.queues, self.queue = queues, queues.topology.sender_queue(sender)
        self.events: list[dict] = []
        self.native: list[str] = []        # content types of the native negative receipts beside the events

    def until(self, names: set[str], timeout: float = 30.0) -> set[str]:
        deadline = time.monotonic() + timeout
        while not names <= self.seen and time.monotonic() < deadline:
            for props, body in self.queues.drain(self.queue, quiet=0.2, timeout=2):
                if props.content_type == "application/json":
                    self.events.append(json.loads(body))
                else:
                    self.native.append(props.content_type)
        return self.seen

    @property
    def seen(self) -> set[str]:
        return {e["event"] for e in self.events}


def agency_receipt(fmt: str, **fields) -> bytes:
    return ENGINE.render(Receipt(**fields), fmt, RenderContext(message_id="AGENCY-1")).data


def test_every_status_event_of_a_real_run_matches_the_published_schema(settings, queues, tmp_path):
    def hurry(data):
        data["receivers"]["INSPECTION-CIQ"]["receipt_deadline"] = "1s"
        next(r for r in data["routes"] if r["name"] == "ecommerce-inventory")["hold"]["timeout"] = "1s"
    quick = settings.model_copy(update={"routes": routes_file(tmp_path, hurry)})
    topology = queues.topology
    master_of_sha_house = example("cargo_xml", "xfwb-pek-fra.xml").replace(b"999-12345675", b"999-22334454")
    with Hub(quick):
        send(quick, example("cargo_xml", "xfwb-pek-fra.xml"), "AIRLINE-CA", "CA-1")             # accepted
        send(quick, example("cargo_xml", "xfwb-pek-fra.xml"), "AIRLINE-CA", "CA-2")             # duplicate (key)
        send(quick, example("bad", "xfwb-wrong-check-digit.xml"), "AIRLINE-CA", "CA-3")         # rejected
        send(quick, example("cargo_xml", "xfzb-sha-fra.xml"), "AIRLINE-CA", "CA-4")             # held: no master
        send(quick, example("cargo_xml", "xfwb-food-fra-pek.xml"), "AIRLINE-CA", "CA-5")        # CIQ overdue
        send(quick, example("ceb", "ceb621-inventory.xml"), "EC-PLATFORM", "EC-1")              # held, refused
        customs = {(p.headers.get("x-hub-business-key"), p.headers["x-hub-format"]): p
                   for p, _ in queues.take(topology.receiver_queue("CUSTOMS-CN"), 2)}
        send(quick, master_of_sha_house, "AIRLINE-CA", "CA-6")                                   # releases CA-4
        send(quick, agency_receipt("gacc-mt9999", answers_message_id=customs["999-12345675", "gacc-mt2101"].message_id,
                                   answers_type="MT2101", business_key="999-12345675", status=ReceiptStatus.REJECTED,
                                   agency_status="03", errors=[ReceiptError(code="13", text="consignee incomplete",
                                                                            pointer="999-12345675")]),
             "CUSTOMS-CN", receipt=True)
        send(quick, agency_receipt("gacc-mt9999", answers_message_id=customs["999-44556676", "gacc-mt1101"].message_id,
                                   answers_type="MT1101", business_key="999-44556676",
                                   status=ReceiptStatus.ACKNOWLEDGED, agency_status="02"), "CUSTOMS-CN", receipt=True)
        for props, _ in queues.take(topology.receiver_queue("ARCHIVE"), 3):
            send(quick, agency_receipt("json", answers_message_id=props.message_id, status=ReceiptStatus.ACCEPTED,
                                       business_key=props.headers["x-hub-business-key"]), "ARCHIVE", receipt=True)
        airline, platform = Feed(queues, "AIRLINE-CA"), Feed(queues, "EC-PLATFORM")
        wanted = {"message.accepted", "message.duplicate", "message.rejected", "delivery.held", "delivery.released",
                  "delivery.rejected", "delivery.acknowledged", "delivery.accepted", "delivery.overdue"}
        assert airline.until(wanted) >= wanted
        assert platform.until({"delivery.held", "delivery.refused"}) >= {"delivery.held", "delivery.refused"}
    assert "application/xml" in airline.native                       # the XFNM beside message.rejected
    events = airline.events + platform.events
    invalid = {e["event"]: problems for e in events if (problems := problems_of(e))}
    assert invalid == {}
    rejected = next(e for e in events if e["event"] == "delivery.rejected")
    assert rejected["errors"][0]["code"] == "13" and rejected["agency_status"] == "03"
    held = next(e for e in airline.events if e["event"] == "delivery.held")
    assert held["check"] == "master-known" and held["errors"][0]["code"] == "MASTER_UNKNOWN"
    refused = next(e for e in platform.events if e["event"] == "delivery.refused")
    assert refused["check"] == "three-documents" and refused["errors"][0]["code"] == "THREE_DOC_MISSING"


@pytest.mark.parametrize("change", [
    pytest.param(lambda e: e.update(new_field="x"), id="a field the schema does not know"),
    pytest.param(lambda e: e.pop("at"), id="a required field missing"),
    pytest.param(lambda e: e.update(event="message.vanished"), id="an event type the schema does not know"),
    pytest.param(lambda e: e["deliveries"][0].update(priority=1), id="a new field of a delivery"),
])
def test_the_schema_refuses_what_it_does_not_describe(change):
    event = {"event": "message.accepted", "hub_message_id": "HUB-0123456789ABCDEF01234567",
             "at": "2026-12-06T18:00:00.000+00:00", "sender_message_id": "CA-1", "business_key": "999-12345675",
             "deliveries": [{"receiver": "ARCHIVE", "format": "json"}]}
    assert problems_of(event) == []
    change(event)
    assert problems_of(event) != []


def test_the_sender_example_waits_for_a_real_hub_until_its_deadline(party_accounts):
    """No hub consuming: the message is confirmed by the broker and waits in the queue; the client
    says it is still waiting (exit 2) at its deadline, it does not pretend it was answered."""
    declare(party_accounts.settings)
    sender = subprocess.run([sys.executable, str(CLIENTS / "sender.py"),
                             str(ROOT / "examples" / "cargo_xml" / "xfwb-pek-fra.xml"), "CA-WAIT-1"],
                            env=party_accounts.env(party_accounts.sender, wait_seconds=2),
                            capture_output=True, text=True, timeout=60)
    assert sender.returncode == 2 and sender.stdout == "", sender.stdout + sender.stderr


def test_a_message_accepted_with_warnings_matches_the_schema(settings, queues):
    """HUB_EDIFACT_LENIENT reads an interchange whose UNT count is wrong; the sender is told in
    message.accepted's warnings, each a problem as in errors."""
    lenient = settings.model_copy(update={"edifact_lenient": True})
    with Hub(lenient):
        send(lenient, example("bad", "cuscar-wrong-unt.edi"), "SHIPPING-COSCO", "COSCO-1")
        feed = Feed(queues, "SHIPPING-COSCO")
        feed.until({"message.accepted"})
    accepted, = feed.events
    assert accepted["event"] == "message.accepted"
    assert "EDI_UNT_COUNT" in {w["code"] for w in accepted["warnings"]}
    assert problems_of(accepted) == []
