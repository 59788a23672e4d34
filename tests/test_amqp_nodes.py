"""HUB_AMQP_URL as a cluster's list of nodes, offline: how it splits, what each connection is given,
and that one URL works as before (the live failover is tests/integration/test_cluster.py)."""

from __future__ import annotations

from pathlib import Path

import pika
import pytest

from hub.settings import Settings, amqp_urls
from hub.transport import rabbitmq
from hub.transport.rabbitmq import BatchConsumer, ConsumerConfig, host_of, node_parameters, parameters, user_of

CLUSTER = "amqp://hub:pw@rmq1:5672/%2F, amqp://hub:pw@rmq2:5672/%2F,amqps://hub:pw@rmq3:5671/%2F"


def test_a_list_splits_before_each_scheme_and_a_comma_inside_a_url_does_not():
    assert amqp_urls(CLUSTER) == ["amqp://hub:pw@rmq1:5672/%2F", "amqp://hub:pw@rmq2:5672/%2F",
                                  "amqps://hub:pw@rmq3:5671/%2F"]
    assert amqp_urls("amqp://hub:p,w@rmq1/%2F") == ["amqp://hub:p,w@rmq1/%2F"]
    assert Settings(amqp_url=CLUSTER).amqp_nodes[1] == "amqp://hub:pw@rmq2:5672/%2F"


def test_one_url_is_left_exactly_as_it_was():
    url = "amqp://guest:guest@127.0.0.1:5672/%2F?heartbeat=10"
    assert Settings(amqp_url=url).amqp_url == url
    assert [p.port for p in node_parameters(url, "x")] == [5672]
    assert host_of(url) == "127.0.0.1"


def test_every_node_gets_the_tls_files(tmp_path: Path):
    url = Settings(amqp_url="amqps://hub@rmq1/%2F,amqps://hub@rmq2/%2F", amqp_ca_file=tmp_path / "ca.pem").amqp_url
    assert [node.count("ca_file=") for node in amqp_urls(url)] == [1, 1]


def test_every_node_is_tried_in_order_and_named_like_the_first():
    nodes = node_parameters(CLUSTER, "hub-router-0")
    assert [(p.host, p.port) for p in nodes] == [("rmq1", 5672), ("rmq2", 5672), ("rmq3", 5671)]
    assert nodes[2].ssl_options is not None and nodes[0].ssl_options is None
    assert all(p.client_properties == {"connection_name": "hub-router-0"} for p in nodes)
    assert parameters(CLUSTER, "x").host == "rmq1"
    assert user_of(CLUSTER) == "hub"
    assert host_of(CLUSTER) == "rmq1:5672,rmq2:5672,rmq3:5671"


def test_a_worker_that_loses_its_node_reconnects_to_the_next(monkeypatch: pytest.MonkeyPatch):
    """Each attempt of a worker goes to one node, with one connection attempt; a failed one moves it on."""
    tried: list[tuple[str, int]] = []

    class Refused:
        def __init__(self, params: pika.URLParameters, on_open_error_callback, **_: object) -> None:
            tried.append((params.host, params.connection_attempts))
            self.ioloop = self
            self._fail = lambda: on_open_error_callback(self, "refused")

        def start(self) -> None:
            self._fail()

        def stop(self) -> None:
            pass
    monkeypatch.setattr(rabbitmq.pika, "SelectConnection", Refused)
    consumer = BatchConsumer(ConsumerConfig(CLUSTER, "q", "hub-router-0", "hub", reconnect_for_s=2),
                             handle=lambda batch: [], fail=lambda inbound, exc: [], on_confirmed=lambda works: None)
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        consumer.run()
    hosts = [host for host, _ in tried]
    assert hosts[:4] == ["rmq1", "rmq2", "rmq3", "rmq1"]
    assert {attempts for _, attempts in tried} == {1}
