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
