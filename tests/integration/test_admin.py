"""The administrator's tools on a live hub: find, show, replay, resend, overdue, stats."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from hub.cli import main
from hub.store.base import DeliveryState, MessageFilter, MessageStatus
from tests.conftest import example
from tests.integration.conftest import ROOT, Hub, wait_for
from tests.integration.test_flow import send, status_events


def hub_cli(settings, *args: str):
    env = {"HUB_AMQP_URL": settings.amqp_url, "HUB_STORE_URL": settings.store_url,
           "HUB_TOPOLOGY_PREFIX": settings.topology_prefix, "HUB_ROUTES": str(settings.routes),
           "HUB_QUEUE_EXPIRES_MS": str(settings.queue_expires_ms)}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def routes_file(tmp_path, change) -> str:
    data = yaml.safe_load((ROOT / "routes.yaml").read_text())
    change(data)
    path = tmp_path / "routes.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_rejected_declaration_is_replayed_through_the_pipeline_after_a_routes_fix(settings, queues, tmp_path):
    def forbid(data):
        data["senders"]["FORWARDER-SINOTRANS"]["may_send"] = ["waybill"]
    strict = settings.model_copy(update={"routes": routes_file(tmp_path, forbid)})
    with Hub(strict) as hub:
        send(strict, example("gacc", "dec-import-air.xml"), "FORWARDER-SINOTRANS", "FWD-1")
        rejected = wait_for(lambda: hub.store.find(MessageFilter(status=MessageStatus.REJECTED)))
        assert rejected[0].errors[0]["code"] == "SENDER_NOT_ALLOWED"
    with Hub(settings) as hub:                       # routes fixed, hub restarted
        dry = hub_cli(settings, "replay", "--status", "REJECTED", "--dry-run")
        assert dry.exit_code == 0 and "would " in dry.output
        assert hub.store.message(rejected[0].id).status is MessageStatus.REJECTED
        done = hub_cli(settings, "replay", "--status", "REJECTED")
        assert done.exit_code == 0, done.output
        wait_for(lambda: hub.store.message(rejected[0].id).status is MessageStatus.ACCEPTED)
        assert len(queues.take(queues.topology.receiver_queue("CUSTOMS-CN"), 1)) == 1
        replays = [e for e in hub.store.events(rejected[0].id) if e.type == "message.replayed"]
        assert replays and replays[0].source.startswith("admin:")


def test_a_delivery_is_resent_to_one_receiver_with_the_same_message_id(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("cargo_xml", "xfwb-pek-fra.xml"), "AIRLINE-CA")
        (first, _), = queues.take(queues.topology.receiver_queue("ARCHIVE"), 1)
        hub_id = first.headers["x-hub-message-id"]
        wait_for(lambda: all(d.state is DeliveryState.SENT for d in hub.store.deliveries(hub_id)))
        result = hub_cli(settings, "replay", hub_id, "--mode", "resend", "--to", "ARCHIVE")
        assert result.exit_code == 0, result.output
        (again, _), = queues.take(queues.topology.receiver_queue("ARCHIVE"), 1)
        assert again.message_id == first.message_id
        assert len(queues.drain(queues.topology.receiver_queue("CUSTOMS-CN"), quiet=0.3)) == 1  # not resent
        resets = [e for e in hub.store.events(hub_id) if e.type == "delivery.reset"]
        assert len(resets) == 1 and resets[0].source.startswith("admin:")


def test_messages_list_and_show_tell_the_story_of_a_message(settings, queues):
    with Hub(settings) as hub:
        send(settings, example("cargo_xml", "xfwb-food-fra-pek.xml"), "AIRLINE-CA")
        send(settings, example("bad", "xfwb-wrong-check-digit.xml"), "AIRLINE-CA")
        wait_for(lambda: len(hub.store.find(MessageFilter())) == 2)
        listed = json.loads(hub_cli(settings, "messages", "list", "--json").output)
        assert sorted(r["status"] for r in listed) == ["ACCEPTED", "REJECTED"]
        bad = json.loads(hub_cli(settings, "messages", "list", "--status", "REJECTED", "--json").output)
        assert [r["errors"] for r in bad] == [["RULE_AWB_CHECK_DIGIT"]]
        good = next(r for r in listed if r["status"] == "ACCEPTED")
        wait_for(lambda: all(d.state is DeliveryState.SENT for d in hub.store.deliveries(good["id"])))
        shown = hub_cli(settings, "messages", "show", good["id"]).output
        assert "INSPECTION-CIQ" in shown and "delivery.sent" in shown and "message.accepted" in shown
        missing = hub_cli(settings, "messages", "show", "HUB-NOPE")
        assert missing.exit_code == 1 and "NOT_FOUND" in missing.output


def test_a_receiver_that_never_answers_goes_overdue_and_the_sender_is_told(settings, queues, tmp_path):
    def hurry(data):
        for receiver in data["receivers"].values():
            receiver["receipt_deadline"] = "1s"
    quick = settings.model_copy(update={"routes": routes_file(tmp_path, hurry)})
    with Hub(quick):
        send(quick, example("cargo_xml", "xfwb-pek-fra.xml"), "AIRLINE-CA")
        events = wait_for(lambda: [e for e in status_events(queues, "AIRLINE-CA", 1)
                                   if e["event"] == "delivery.overdue"] or None, timeout=20)
        assert events[0]["receiver"] in {"CUSTOMS-CN", "ARCHIVE"}
        overdue = json.loads(hub_cli(quick, "messages", "list", "--state", "OVERDUE", "--json").output)
        assert len(overdue) == 1
        stats = json.loads(hub_cli(quick, "stats", "--json").output)
        wait_for(lambda: sum(json.loads(hub_cli(quick, "stats", "--json").output)["overdue"].values()) == 2)
        assert stats["by_kind"] == {"waybill": 1}

