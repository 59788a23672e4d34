"""What the API asks of the broker: is it up, how deep are the hub's queues, the dead letters (list
and replay). One short connection per call; tests hand ``create_app`` a stand-in."""

from __future__ import annotations

from typing import Protocol

import pika

from ..routing import load_routes
from ..settings import Settings
from ..transport.base import Envelope, Headers, Publication, Topology, topology_plan
from ..transport.rabbitmq import connect, move, peek, ping, user_of


class BrokerView(Protocol):
    """The broker as the API sees it."""

    def ping(self) -> None:
        """Return when the broker answers; raise otherwise."""
        ...

    def depths(self) -> dict[str, int]:
        """Messages ready in each of the hub's queues (those that exist)."""
        ...

    def dead_letters(self, limit: int) -> list[Envelope]:
        """Up to ``limit`` dead letters, left in their queue."""
        ...

    def replay_dead_letters(self, limit: int, who: str) -> int:
        """Send up to ``limit`` dead letters through the hub again; how many moved."""
        ...


class RabbitBroker:
    """``BrokerView`` on HUB_AMQP_URL (passive declares: no management API needed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.topology = settings, Topology(settings.topology_prefix)

    def ping(self) -> None:
        ping(self.settings.amqp_url)

    def depths(self) -> dict[str, int]:
        _, queues = topology_plan(self.topology, load_routes(self.settings.routes), self.settings.retry_delays_ms)
        connection = connect(self.settings.amqp_url, "hub-web-metrics")
        out: dict[str, int] = {}
        try:
            channel = connection.channel()
            for q in queues:
                try:
                    out[q.name] = channel.queue_declare(q.name, passive=True).method.message_count
                except pika.exceptions.ChannelClosedByBroker:      # not declared (yet): no depth
                    channel = connection.channel()
        finally:
            connection.close()
        return out

    def dead_letters(self, limit: int) -> list[Envelope]:
        return peek(self.settings.amqp_url, self.topology.dead, limit, name="hub-web-dead-letters")

    def replay_dead_letters(self, limit: int, who: str) -> int:
        topo = self.topology

        def again(envelope: Envelope) -> Publication:
            sender, lane = envelope.headers.get(Headers.SENDER, ""), envelope.headers.get(Headers.LANE, "in")
            return Publication(exchange=topo.lanes.get(lane, topo.inbound), routing_key="", body=envelope.body,
                               message_id=envelope.message_id or "", content_type=envelope.content_type or "",
                               headers={Headers.SENDER: sender, Headers.REPLAY: who})

        return move(self.settings.amqp_url, topo.dead, limit, again, user_id=user_of(self.settings.amqp_url),
                    name="hub-web-dead-letters")
