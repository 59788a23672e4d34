"""The private broker helper: its own node and limits, restarts that keep durable quorum queues,
and the shared broker left alone."""

from __future__ import annotations

import time

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from tests.integration.private_broker import PrivateBroker, needs_rabbitmq_server

pytestmark = needs_rabbitmq_server

MIB = 1024 * 1024


def confirmed_publish(url: str, queue: str, body: bytes) -> str:
    """Publish with confirms to ``queue``: 'confirmed', 'nacked' or 'closed: <code> <text>'."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        try:
            channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
        except pika.exceptions.NackError:
            return "nacked"
        except ChannelClosedByBroker as exc:
            return f"closed: {exc.reply_code} {exc.reply_text}"
        return "confirmed"
    finally:
        if connection.is_open:
            connection.close()


def test_a_private_node_with_a_message_size_limit_keeps_a_quorum_queue_across_a_restart():
    started = time.monotonic()
    with PrivateBroker(config={"max_message_size": MIB}) as broker:
        assert broker.port != 5672 and broker.nodename.startswith("hubtest-")
        assert f"Node name: {broker.nodename}" in broker.ctl("status")
        connection = pika.BlockingConnection(pika.URLParameters(broker.url))
        connection.channel().queue_declare("kept", durable=True, arguments={"x-queue-type": "quorum"})
        connection.close()

        refused = confirmed_publish(broker.url, "kept", b"x" * (2 * MIB))
        assert refused == "nacked" or refused.startswith("closed: 406"), refused
        assert confirmed_publish(broker.url, "kept", b"small and durable") == "confirmed"
        assert broker.queue_depth("kept") == 1

        took = broker.restart()
        connection = pika.BlockingConnection(pika.URLParameters(broker.url))
        channel = connection.channel()
        method, _, body = channel.basic_get("kept", auto_ack=True)
        connection.close()
        assert method is not None and body == b"small and durable"
        directory = broker.dir
        print(f"private broker: 2 MiB publish {refused!r}; restart {took:.1f} s; steps "
              + ", ".join(f"{step} {s:.1f} s" for step, s in broker.timings))
    assert broker.proc is None and not directory.exists()          # stopped, its files gone
    print(f"whole test {time.monotonic() - started:.1f} s")


def test_a_failing_test_still_stops_the_node_and_removes_its_files():
    with pytest.raises(ZeroDivisionError):
        with PrivateBroker() as broker:
            proc, directory = broker.proc, broker.dir
            raise ZeroDivisionError("the test fails inside the block")
    assert proc.poll() is not None and not directory.exists()
