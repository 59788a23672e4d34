"""`hub topology declare`: every queue routes.yaml needs, durable quorum queues, idempotent."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from hub.cli import main
from hub.routing import load_routes
from hub.transport.base import Publication
from hub.transport.rabbitmq import publish_once
from hub.worker.serve import declare


def quorum_queues(prefix: str) -> dict[str, str]:
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name", "type", "durable"], capture_output=True,
                         text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.startswith(prefix + ".")]
    return {name: f"{kind}/{durable}" for name, kind, durable in rows}


def test_declare_creates_every_queue_as_a_durable_quorum_queue_and_can_run_again(settings):
    first = declare(settings)
    again = declare(settings)                         # idempotent: same arguments, no error
    assert first == again
    routes = load_routes(settings.routes)
    prefix = settings.topology_prefix
    expected = {f"{prefix}.in", f"{prefix}.acks", f"{prefix}.dead"}
    expected |= {f"{prefix}.out.{r}" for r in routes.receivers} | {f"{prefix}.status.{s}" for s in routes.senders}
    expected |= {f"{prefix}.retry.{i}" for i in range(len(settings.retry_delays_ms))}
    expected |= {f"{prefix}.retry.acks.{i}" for i in range(len(settings.retry_delays_ms))}   # receipts' own
    assert set(first) == expected
    assert quorum_queues(prefix) == {name: "quorum/true" for name in expected}


def test_delete_removes_the_prefix_but_refuses_a_queue_with_messages_unless_forced(settings):
    names = declare(settings)
    publish_once(settings.amqp_url, [Publication(exchange=f"{settings.topology_prefix}.in", routing_key="",
                                                 body=b"<x/>", message_id="m1")])
    env = {"HUB_AMQP_URL": settings.amqp_url, "HUB_TOPOLOGY_PREFIX": settings.topology_prefix,
           "HUB_ROUTES": str(settings.routes)}
    runner = CliRunner()
    unconfirmed = runner.invoke(main, ["topology", "delete"], env=env)
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    refused = runner.invoke(main, ["topology", "delete", "--yes"], env=env)
    assert refused.exit_code != 0 and "TOPOLOGY_NOT_EMPTY" in refused.output, refused.output
    assert f"{settings.topology_prefix}.in" in quorum_queues(settings.topology_prefix)   # the message is kept
    forced = runner.invoke(main, ["topology", "delete", "--yes", "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert quorum_queues(settings.topology_prefix) == {}
    assert set(forced.output.split()) <= set(names)
