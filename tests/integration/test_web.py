"""The status API against the real broker: /readyz is ready when RabbitMQ and the store answer, 503
naming the broker when HUB_AMQP_URL points at nothing; /metrics reads the real queue depths."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from hub.store import open_store
from hub.web import create_app
from hub.worker.serve import declare


def test_readyz_and_metrics_against_the_real_broker(settings, tmp_path):
    with open_store(settings.store_url) as store:
        store.migrate()
    declare(settings)
    ready = TestClient(create_app(settings.model_copy(update={"tokens_file": tmp_path / "t.json"}))).get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "broker": "ok"}
    metrics = TestClient(create_app(settings.model_copy(update={"tokens_file": tmp_path / "t.json"}))).get("/metrics")
    samples = {(s.name, s.labels.get("queue")): s.value
               for family in text_string_to_metric_families(metrics.text) for s in family.samples}
    assert samples[("hub_broker_up", None)] == 1
    assert samples[("hub_queue_messages", f"{settings.topology_prefix}.in")] == 0
    assert samples[("hub_dead_letters", None)] == 0
    nowhere = settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F",
                                          "tokens_file": tmp_path / "t.json"})
    down = TestClient(create_app(nowhere)).get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["store"] == "ok" and "HUB_AMQP_URL" in down.json()["checks"]["broker"]


def test_serve_with_http_runs_the_api_beside_the_workers_and_stops_on_sigterm(settings, tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HUB_AMQP_URL": settings.amqp_url, "HUB_STORE_URL": settings.store_url,
           "HUB_TOPOLOGY_PREFIX": settings.topology_prefix, "HUB_ROUTES": str(settings.routes),
           "HUB_TOKENS_FILE": str(tmp_path / "t.json"), "HUB_QUEUE_EXPIRES_MS": "120000"}
    hub = subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "serve", "--workers", "1",
                            "--http", f"127.0.0.1:{port}"], env=env, cwd=tmp_path)
    try:
        deadline, ready = time.monotonic() + 60, None
        while time.monotonic() < deadline and ready is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    ready = response.status
            except OSError:
                time.sleep(0.3)
        assert ready == 200
    finally:
        hub.send_signal(signal.SIGTERM)
        assert hub.wait(timeout=60) == 0
