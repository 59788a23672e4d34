"""Links between e-port hubs, offline: routes.yaml's hub receivers, the shovels planned for them, and the
reader of a far hub's status events as receipts (the broker side is tests/integration/test_links.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from adapters.hub_link import HubStatus
from hub.adapters import Probe
from hub.composition import build_engine
from hub.errors import ConfigError, ParseError
from hub.links import Shovel, plan, shovel_prefix, shovels
from hub.models import Receipt, ReceiptStatus
from hub.routing import load_routes
from hub.transport.base import Topology
from hub.worker.receipts import receipt_keys

HUB_URL = "amqp://hub:hubsecret@broker-a:5672/%2F"
FAR_URL = "amqp://EPORT-A:farsecret@broker-b:5671/eport"


def _routes(tmp_path: Path, receiver: dict) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(yaml.safe_dump({
        "senders": {"AIRLINE-CA": {"name": "an airline", "may_send": ["waybill"]}},
        "receivers": {"EPORT-B": {"name": "e-port B", **receiver}},
        "routes": [{"name": "to-b", "deliver": [{"receiver": "EPORT-B", "format": "json"}]}]}), encoding="utf-8")
    return path


HUB_RECEIVER = {"kind": "hub", "link": {"url_env": "EPORT_B_URL", "prefix": "eportb"}, "accepts": ["json"],
                "receipt_formats": ["hub-status"], "account": {"password_env": "EPORT_B_PASSWORD"}}


@pytest.fixture
def linked_env(monkeypatch):
    monkeypatch.setenv("EPORT_B_URL", FAR_URL)
    monkeypatch.setenv("EPORT_B_PASSWORD", "receiversecret")


def test_a_hub_receiver_gives_an_out_and_a_back_shovel_logging_in_as_the_parties_themselves(tmp_path, linked_env):
    out, back = shovels(load_routes(_routes(tmp_path, HUB_RECEIVER)), Topology("eporta"), HUB_URL)
    assert out.name == "hub-link:eporta:EPORT-B:out" and back.name == "hub-link:eporta:EPORT-B:back"
    assert out.value["src-uri"] == "amqp://EPORT-B:receiversecret@broker-a:5672/%2F"     # B's account here
    assert out.value["src-queue"] == "eporta.out.EPORT-B"
    assert out.value["dest-uri"] == FAR_URL and out.value["dest-exchange"] == "eportb.in"
    assert out.value["dest-publish-properties"]["user_id"] == "EPORT-A"                 # the far URL's user
    assert back.value["src-uri"] == FAR_URL and back.value["src-queue"] == "eportb.status.EPORT-A"
    assert back.value["dest-exchange"] == "eporta.acks"
    assert back.value["dest-publish-properties"]["user_id"] == "EPORT-B"
    assert {s.value["ack-mode"] for s in (out, back)} == {"on-confirm"}


def test_describe_never_shows_a_password(tmp_path, linked_env):
    for shovel in shovels(load_routes(_routes(tmp_path, HUB_RECEIVER)), Topology("eporta"), HUB_URL):
        line = shovel.describe()
        assert "secret" not in line and "EPORT-A@broker-b" in line and "EPORT-B@broker-a" in line


def test_the_far_url_may_come_from_a_file_next_to_routes_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("EPORT_B_PASSWORD", "receiversecret")
    (tmp_path / "eport-b.url").write_text(FAR_URL + "\n", encoding="utf-8")
    receiver = {**HUB_RECEIVER, "link": {"url_file": "eport-b.url", "prefix": "eportb"}}
    out, _ = shovels(load_routes(_routes(tmp_path, receiver)), Topology("eporta"), HUB_URL)
    assert out.value["dest-uri"] == FAR_URL


def test_agency_receivers_get_no_shovel(tmp_path):
    routes = load_routes(_routes(tmp_path, {"accepts": ["json"]}))
    assert shovels(routes, Topology("eporta"), HUB_URL) == []


@pytest.mark.parametrize(("receiver", "message"), [
    ({"kind": "hub", "accepts": ["json"]}, "needs a link"),
    ({"link": {"url_env": "X", "prefix": "b"}, "accepts": ["json"]}, "needs a link"),
    ({**HUB_RECEIVER, "link": {"prefix": "b"}}, "url_env or url_file"),
    ({**HUB_RECEIVER, "link": {"url_env": "X", "url_file": "f", "prefix": "b"}}, "url_env or url_file"),
])
def test_routes_refuse_a_half_declared_link(tmp_path, receiver, message):
    with pytest.raises(ConfigError, match=message):
        load_routes(_routes(tmp_path, receiver))


def test_a_hub_receiver_without_an_account_or_its_url_is_a_configuration_error(tmp_path, monkeypatch):
    no_account = {k: v for k, v in HUB_RECEIVER.items() if k != "account"}
    with pytest.raises(ConfigError, match="needs an account block"):
        shovels(load_routes(_routes(tmp_path, no_account)), Topology("eporta"), HUB_URL)
    monkeypatch.setenv("EPORT_B_PASSWORD", "receiversecret")
    monkeypatch.delenv("EPORT_B_URL", raising=False)
    with pytest.raises(ConfigError, match="^EPORT-B: environment variable EPORT_B_URL"):
        shovels(load_routes(_routes(tmp_path, HUB_RECEIVER)), Topology("eporta"), HUB_URL)


def test_plan_creates_updates_and_deletes_only_this_hubs_link_shovels():
    mine = shovel_prefix("eporta")
    wanted = [Shovel(mine + "B:out", {"v": 1}), Shovel(mine + "B:back", {"v": 2}), Shovel(mine + "C:out", {"v": 3})]
    existing = {mine + "B:out": {"v": 1}, mine + "B:back": {"v": 0}, mine + "GONE:out": {"v": 9}}
    changes = plan(wanted, existing)
    assert [(c.action, c.shovel.name) for c in changes] == [
        ("update", mine + "B:back"), ("create", mine + "C:out"), ("delete", mine + "GONE:out")]
    assert plan(wanted, {s.name: s.value for s in wanted}) == []


ENGINE = build_engine()
OUT_ID = "HUB-0123456789ABCDEF01234567.EPORT-B"        # our delivery's id, as the far hub quotes it
FAR_ID = "HUB-FEDCBA9876543210FEDCBA98"                # the far hub's own message id


def _read(event: dict) -> Receipt:
    body = json.dumps({"event": event.pop("event"), "hub_message_id": event.pop("hub_message_id", FAR_ID),
                       "at": "2026-12-06T18:00:00.000+00:00", **event}).encode()
    reading = ENGINE.inspect(body)
    assert reading.adapter.name == "hub-status" and not reading.problems
    assert isinstance(reading.document, Receipt)
    return reading.document


def test_the_far_hubs_acceptance_answers_our_delivery_and_gives_its_id_as_reference():
    receipt = _read({"event": "message.accepted", "sender_message_id": OUT_ID, "business_key": "999-12345675",
                     "deliveries": [{"receiver": "CUSTOMS-CN", "format": "gacc-mt2101"}]})
    assert receipt.status is ReceiptStatus.ACKNOWLEDGED and receipt.agency_reference == FAR_ID
    assert receipt_keys(receipt) == (OUT_ID,)                   # our own delivery id: that delivery, no other


def test_an_agency_answer_at_the_far_hub_is_correlated_by_its_message_id_then_the_business_key():
    receipt = _read({"event": "delivery.rejected", "receiver": "CUSTOMS-CN", "agency_status": "03",
                     "agency_reference": "MRN-7", "business_key": "999-12345675",
                     "errors": [{"code": "C12", "message": "no such flight", "path": "/flight"}]})
    assert receipt.status is ReceiptStatus.REJECTED and receipt.agency_status == "CUSTOMS-CN: 03"
    assert receipt_keys(receipt) == (FAR_ID, "999-12345675", "MRN-7")
    assert [(e.code, e.text, e.pointer) for e in receipt.errors] == [("C12", "no such flight", "/flight")]


@pytest.mark.parametrize(("event", "status"), [
    ("delivery.accepted", ReceiptStatus.ACCEPTED), ("delivery.acknowledged", ReceiptStatus.ACKNOWLEDGED),
    ("delivery.refused", ReceiptStatus.REJECTED), ("delivery.overdue", ReceiptStatus.OTHER),
    ("delivery.failed", ReceiptStatus.OTHER),
])
def test_each_far_delivery_event_maps_to_a_status(event, status):
    receipt = _read({"event": event, "receiver": "CUSTOMS-CN"})
    assert receipt.status is status and receipt.agency_status == f"CUSTOMS-CN: {event.split('.')[1]}"


def test_a_far_rejection_and_a_far_duplicate_answer_our_delivery():
    rejected = _read({"event": "message.rejected", "sender_message_id": OUT_ID,
                      "errors": [{"code": "KIND_NOT_ALLOWED", "message": "waybill", "line": None, "path": None}]})
    assert rejected.status is ReceiptStatus.REJECTED and rejected.answers_message_id == OUT_ID
    assert [e.code for e in rejected.errors] == ["KIND_NOT_ALLOWED"]
    duplicate = _read({"event": "message.duplicate", "sender_message_id": OUT_ID, "duplicate_of": "HUB-ORIGINAL"})
    assert duplicate.status is ReceiptStatus.OTHER and duplicate.agency_reference == "HUB-ORIGINAL"


def test_canonical_json_and_other_json_are_not_status_events():
    canonical = b'{"schema":"eport-hub.canonical/1","message_id":"X","document":{"kind":"receipt"}}'
    assert not HubStatus().detect(Probe(canonical))
    with pytest.raises(ParseError, match="event"):
        HubStatus().parse(Probe(b'{"event": 1, "hub_message_id": "x"}'))
