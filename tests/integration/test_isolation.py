"""Nothing lost on the real broker: one bad message fails alone, agency receipts survive faults,
oversize inputs are refused before they are stored, receipts only in their receiver's formats.

Each test publishes its batch before the hub starts, so the poison message and the innocent
ones are consumed in one batch (prefetch 300, batch size 100).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.composition import build_engine
from hub.models import ReceiptStatus
from hub.pipeline import Engine
from hub.store.base import DeliveryState, MessageStatus
from hub.transport.base import Publication, Topology
from hub.worker.ingest import hub_message_id
from tests.conftest import example
from tests.integration.conftest import Hub, publish_as, wait_for
from tests.integration.test_faults import RECEIVERS, publish, ready, received, waybills
from tests.integration.test_flow import receipt, send
from tests.test_hostile_inputs import canonical_json


def raise_on(monkeypatch, poison: bytes, error: type[Exception] = RuntimeError) -> None:
    """The engine (every adapter behind it) raises an unexpected exception on ``poison`` only."""
    inspect = Engine.inspect

    def inspecting(self, data, *args, **kwargs):
        if data == poison:
            raise error("an adapter bug met this message")
        return inspect(self, data, *args, **kwargs)
    monkeypatch.setattr(Engine, "inspect", inspecting)


def dead_letters(settings, queues) -> list[tuple]:
    """Everything in the dead-letter queue (taken off it)."""
    return queues.drain(queues.topology.dead, quiet=1.0, timeout=20)


def test_a_message_that_raises_fails_alone_and_the_rest_of_its_batch_is_delivered(settings, queues, monkeypatch):
    bodies = waybills(100)
    poison = bodies[37]
    raise_on(monkeypatch, poison)
    poison_id = hub_message_id("AIRLINE-CA", "F-37", poison)
    hub = Hub(settings)                     # declares the topology
    publish(settings, bodies)               # one batch of 100, waiting before the hub starts
    with hub:
        def dead_lettered():
            message = hub.store.message(poison_id)
            return message and message.errors and message.errors[0].get("dead_lettered")
        wait_for(dead_lettered, timeout=30)
        for receiver in RECEIVERS:
            copies = received(queues, receiver)
            assert len(copies) == 99 and poison_id not in copies, receiver
        failed = hub.store.message(poison_id)
        assert failed.status is MessageStatus.FAILED
        assert failed.errors[0]["code"] == "INTERNAL_ERROR" and "RuntimeError" in failed.errors[0]["message"]
        figures = hub.store.stats()["by_status"]
        assert figures == {"ACCEPTED": 99, "FAILED": 1}
        dead = dead_letters(settings, queues)
        assert [body for _, body in dead] == [poison]
        assert dead[0][0].headers["x-hub-lane"] == "in" and dead[0][0].headers["x-hub-sender"] == "AIRLINE-CA"
        events = [json.loads(body) for props, body in queues.drain(queues.topology.sender_queue("AIRLINE-CA"))
                  if props.content_type == "application/json"]
    told = [e for e in events if e["hub_message_id"] == poison_id]
    assert [e["event"] for e in told] == ["message.failed"] * (len(settings.retry_delays_ms) + 1)
    assert [e["retrying"] for e in told] == [True] * len(settings.retry_delays_ms) + [False]
    assert sum(e["event"] == "message.accepted" for e in events) == 99


def answered(settings, hub, count: int) -> list[tuple[str, str]]:
    """Send ``count`` waybills through the hub; returns (hub id, CUSTOMS-CN out id) once all are SENT."""
    bodies = waybills(count, start=500)
    publish(settings, bodies)
    ids = [hub_message_id("AIRLINE-CA", f"F-{n}", body) for n, body in enumerate(bodies)]

    def all_sent():
        return all(d.state is DeliveryState.SENT for i in ids for d in hub.store.deliveries(i)) and \
            all(hub.store.deliveries(i) for i in ids)
    wait_for(all_sent, timeout=30)
    return [(i, f"{i}.CUSTOMS-CN") for i in ids]


def mt9999(out_id: str, n: int) -> bytes:
    return receipt("gacc-mt9999", answers_message_id=out_id, answers_type="MT1101",
                   business_key=f"KEY-{n}", status=ReceiptStatus.ACCEPTED, agency_status="01")


def states(store, ids: list[tuple[str, str]], receiver: str = "CUSTOMS-CN") -> list[DeliveryState]:
    return [d.state for hub_id, _ in ids for d in store.deliveries(hub_id) if d.receiver == receiver]


def test_a_receipt_that_raises_fails_alone_and_another_agencys_receipts_apply(settings, queues, monkeypatch):
    with Hub(settings) as hub:
        ids = answered(settings, hub, 30)
    poison = receipt("json", business_key="NOT-ANSWERING-ANYTHING", status=ReceiptStatus.ACCEPTED)
    raise_on(monkeypatch, poison)
    topo = Topology(settings.topology_prefix)
    pubs = [("CUSTOMS-CN", Publication(topo.receipts, "", mt9999(out_id, n), f"R-{n}"))
            for n, (_, out_id) in enumerate(ids)]
    pubs.insert(15, ("INSPECTION-CIQ", Publication(topo.receipts, "", poison, "R-poison")))
    publish_as(settings, pubs)          # one batch, before the worker; each agency as itself
    with Hub(settings) as hub:
        wait_for(lambda: states(hub.store, ids) == [DeliveryState.ACCEPTED] * 30, timeout=30)
        wait_for(lambda: ready(settings, topo.dead) == 1, timeout=30)
        (props, body), = dead_letters(settings, queues)
        assert body == poison and props.headers["x-hub-lane"] == "acks"
        assert props.headers["x-hub-sender"] == "INSPECTION-CIQ"
        stored = wait_for(lambda: [o for o in hub.store.orphans() if o["receiver"] == "INSPECTION-CIQ"])
        assert stored[0]["errors"][0]["code"] == "INTERNAL_ERROR"


def test_receipts_outlast_a_store_locked_for_14_seconds(settings, queues):
    with Hub(settings) as hub:
        (hub_id, out_id), = answered(settings, hub, 1)
        locked = threading.Event()
        while_locked: list[str] = []

        def hold_the_lock() -> None:
            db = sqlite3.connect(settings.store_url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            try:
                locked.set()
                time.sleep(14)
                # read under the lock: once it is released, the receipt worker may commit at once
                while_locked.extend(row[0] for row in db.execute(
                    "SELECT state FROM deliveries WHERE message_id = ? AND receiver = 'CUSTOMS-CN'", (hub_id,)))
            finally:
                db.execute("ROLLBACK")
                db.close()
        holder = threading.Thread(target=hold_the_lock, daemon=True)
        holder.start()
        assert locked.wait(10)
        send(settings, mt9999(out_id, 1), "CUSTOMS-CN", receipt=True)
        holder.join(20)
        assert not holder.is_alive()
        assert while_locked == [DeliveryState.SENT.value]        # it waited for the lock
        wait_for(lambda: states(hub.store, [(hub_id, out_id)]) == [DeliveryState.ACCEPTED], timeout=30)
        events = [e.type for e in hub.store.events(hub_id)]
        assert events.count("receipt.correlated") == 1
        assert hub.store.stats()["by_status"] == {"ACCEPTED": 1}     # never read as a sender's message
    assert ready(settings, queues.topology.dead) == 0


def test_a_receipt_dead_lettered_by_a_store_that_stays_down_is_replayed_to_the_receipt_worker(settings, queues):
    settings.retry_delays_ms = [200]        # each try waits out the store's 10 s busy timeout: two tries
    env = {"HUB_AMQP_URL": settings.amqp_url, "HUB_STORE_URL": settings.store_url,
           "HUB_TOPOLOGY_PREFIX": settings.topology_prefix, "HUB_ROUTES": str(settings.routes)}
    with Hub(settings) as hub:
        (hub_id, out_id), = answered(settings, hub, 1)
    send(settings, mt9999(out_id, 1), "CUSTOMS-CN", receipt=True)
    with Hub(settings) as hub:
        db = sqlite3.connect(settings.store_url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")                 # down for longer than every retry
        try:
            wait_for(lambda: ready(settings, queues.topology.dead) == 1, timeout=90)
        finally:
            db.execute("ROLLBACK")
            db.close()
        listed = CliRunner().invoke(main, ["dead-letters", "list"], env=env)
        assert listed.exit_code == 0, listed.output
        assert " receipt " in listed.stdout and "CUSTOMS-CN" in listed.stdout and "locked" in listed.stdout
        assert "attempts 2" in listed.stdout
        replayed = CliRunner().invoke(main, ["dead-letters", "replay"], env=env)
        assert replayed.exit_code == 0 and "a receipt from CUSTOMS-CN" in replayed.output, replayed.output
        wait_for(lambda: states(hub.store, [(hub_id, out_id)]) == [DeliveryState.ACCEPTED], timeout=30)
        assert hub.store.stats()["by_status"] == {"ACCEPTED": 1}
    assert ready(settings, queues.topology.dead) == 0


def test_a_receipt_in_a_format_its_receiver_does_not_list_is_refused_and_kept(settings, queues):
    with Hub(settings) as hub:
        (hub_id, out_id), = answered(settings, hub, 1)
        send(settings, receipt("json", answers_message_id=out_id, business_key="999-10005001",
                               status=ReceiptStatus.REJECTED), "CUSTOMS-CN", receipt=True)
        refused = wait_for(lambda: [o for o in hub.store.orphans() if o["receiver"] == "CUSTOMS-CN"])
        assert refused[0]["format"] == "json"
        assert refused[0]["errors"][0]["code"] == "RECEIPT_FORMAT_NOT_ACCEPTED"
        assert states(hub.store, [(hub_id, out_id)]) == [DeliveryState.SENT]
        assert "receipt.correlated" not in [e.type for e in hub.store.events(hub_id)]


@pytest.fixture
def small_limit(settings):
    settings.max_message_bytes = 200_000
    return settings


def test_an_oversize_message_and_receipt_are_refused_and_kept_only_by_their_head(small_limit, queues):
    settings = small_limit
    big = waybills(1, start=900)[0].replace(b"</", b"<!--" + b"x" * 300_000 + b"--></", 1)
    with Hub(settings) as hub:
        send(settings, big, "AIRLINE-CA", message_id="BIG-1")
        send(settings, b"<big>" + b"y" * 300_000 + b"</big>", "CUSTOMS-CN", receipt=True)
        hub_id = hub_message_id("AIRLINE-CA", "BIG-1", big)
        message = wait_for(lambda: hub.store.message(hub_id))
        assert message.status is MessageStatus.REJECTED and message.errors[0]["code"] == "INPUT_TOO_LARGE"
        assert message.size == len(big) and len(hub.store.raw(hub_id)) == 4096
        kept = wait_for(lambda: hub.store.orphans())
        assert kept[0]["size"] == 300_011 and kept[0]["errors"][0]["code"] == "INPUT_TOO_LARGE"
        events = [json.loads(b) for p, b in queues.take(queues.topology.sender_queue("AIRLINE-CA"), 1)]
        assert events[0]["event"] == "message.rejected" and events[0]["errors"][0]["code"] == "INPUT_TOO_LARGE"
    db = sqlite3.connect(settings.store_url.removeprefix("sqlite:///"))
    assert db.execute("SELECT length(raw) FROM receipts").fetchall() == [(4096,)]
    db.close()


def hostile(engine) -> dict[str, tuple[str, bytes, str]]:
    """Inputs that raised in the hub before they were refused (name -> sender, bytes, expected code)."""
    xfwb = canonical_json(engine, "cargo_xml/xfwb-pek-fra.xml").decode()
    cuscar = example("edifact", "cuscar-052e-uslax-cnsha.edi")
    fwb = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    return {
        "EDIFACT, one non-UTF-8 byte": ("SHIPPING-COSCO", cuscar.replace(b"BGM+785+CSC2026", b"BGM+785+CSC\xff2026", 1),
                                        "EDI_CHARSET_VIOLATION"),
        "deeply nested JSON": ("AIRLINE-CA", xfwb.replace('"pieces":', '"pieces":' + "[" * 100_000 + "]" * 100_000
                                                          + ',"x":', 1).encode(), "JSON_TOO_DEEP"),
        "control character in JSON": ("AIRLINE-CA", xfwb.replace('"goods_description":"',
                                                                 '"goods_description":"\\u0000', 1).encode(),
                                      "TEXT_CONTROL_CHARACTER"),
        "5,000-digit integer": ("AIRLINE-CA", re.sub(r'"pieces":\d+', '"pieces":' + "9" * 5000, xfwb, count=1).encode(),
                                "NUMBER_OUT_OF_RANGE"),
        "weight 1E+99999999": ("AIRLINE-CA", re.sub(r'"gross_weight":\{"value":"[^"]+"',
                                                    '"gross_weight":{"value":1E+99999999', xfwb, count=1).encode(),
                               "NUMBER_OUT_OF_RANGE"),
        "NUL in Cargo-IMP": ("AIRLINE-CA", fwb.replace(b"/ZHOUSHAN OCEAN", b"/ZHOUSHAN\x00OCEAN", 1),
                             "TEXT_CONTROL_CHARACTER"),
    }


def test_inputs_that_used_to_raise_are_refused_with_codes_beside_valid_ones_in_one_batch(settings, queues):
    cases = hostile(build_engine(settings))
    valid = waybills(40, start=700)
    topo = Topology(settings.topology_prefix)
    pubs = [("AIRLINE-CA", Publication(topo.inbound, "", body, f"V-{n}")) for n, body in enumerate(valid)]
    for n, (sender, body, _) in enumerate(cases.values()):
        pubs.insert(5 * n + 3, (sender, Publication(topo.inbound, "", body, f"H-{n}")))
    hub = Hub(settings)
    publish_as(settings, pubs)
    with hub:
        ids = {name: hub_message_id(sender, f"H-{n}", body)
               for n, (name, (sender, body, _)) in enumerate(cases.items())}
        wait_for(lambda: all(hub.store.message(i) for i in ids.values()), timeout=30)
        outcomes = {name: (hub.store.message(i).status, hub.store.message(i).errors[0]["code"])
                    for name, i in ids.items()}
        assert outcomes == {name: (MessageStatus.REJECTED, code) for name, (_, _, code) in cases.items()}
        for receiver in RECEIVERS:
            assert len(received(queues, receiver)) == 40, receiver
        assert hub.store.stats()["by_status"] == {"ACCEPTED": 40, "REJECTED": len(cases)}
    assert ready(settings, queues.topology.dead) == 0
