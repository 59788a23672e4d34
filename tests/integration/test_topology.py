"""`hub topology declare`: every queue routes.yaml needs, durable quorum queues, idempotent."""

from __future__ import annotations

import subprocess

from hub.routing import load_routes
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
    assert set(first) == expected
    assert quorum_queues(prefix) == {name: "quorum/true" for name in expected}
