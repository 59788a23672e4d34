"""/metrics for Prometheus: a collector that reads the store (and the broker's queue depths) on each
scrape, at the cost of a few GROUP BY queries and one short broker connection, at most once per
``min_interval`` seconds (a scrape within it is answered from the last reading)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from ..store.base import Store
from ..transport.base import Topology
from . import figures
from .broker import BrokerView


def _histogram(name: str, doc: str, labels: list[str], rows: list[tuple[Any, ...]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=labels)
    for row in rows:
        values, (*counts, total, summed) = list(row[:len(labels)]), row[len(labels):]
        if not total:
            continue
        bounds = [str(b) for b in figures.LATENCY_BUCKETS] + ["+Inf"]
        family.add_metric(values, list(zip(bounds, [float(c or 0) for c in counts] + [float(total)], strict=True)),
                          float(summed or 0.0))
    return family


class HubCollector(Collector):
    """The hub's figures as Prometheus metrics, read on scrape."""

    def __init__(self, store_factory: Callable[[], Store], broker: BrokerView, topology: Topology,
                 min_interval: float = 5.0) -> None:
        self.store_factory, self.broker, self.topology = store_factory, broker, topology
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last: tuple[float, list[Metric]] | None = None

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            if self._last is None or time.monotonic() - self._last[0] >= self.min_interval:
                self._last = (time.monotonic(), self._read())
            yield from self._last[1]

    def _read(self) -> list[Metric]:
        return self._store_metrics() + self._broker_metrics()

    def _store_metrics(self) -> list[Metric]:
        up = GaugeMetricFamily("hub_store_up", "1 when the store answered this scrape")
        try:
            store = self.store_factory()
            try:
                rows = figures.metric_rows(store)
            finally:
                store.close()
        except Exception:   # noqa: BLE001 - a scrape reports the store down, never fails
            up.add_metric([], 0.0)
            return [up]
        up.add_metric([], 1.0)
        messages = GaugeMetricFamily("hub_messages", "Stored messages by kind, sender and outcome",
                                     labels=["kind", "sender", "status"])
        for kind, sender, status, count in rows["messages"]:
            messages.add_metric([kind, sender, status], float(count))
        deliveries = GaugeMetricFamily("hub_deliveries", "Deliveries by receiver and state",
                                       labels=["receiver", "state"])
        for receiver, state, count in rows["deliveries"]:
            deliveries.add_metric([receiver, state], float(count))
        receipts = GaugeMetricFamily("hub_receipts", "Stored receipts by outcome", labels=["outcome"])
        for outcome, count in rows["receipts"]:
            receipts.add_metric([outcome], float(count))
        (orphaned, dropped), = rows["orphans"]
        orphans = GaugeMetricFamily("hub_orphan_receipts", "Stored receipts that matched no delivery")
        orphans.add_metric([], float(orphaned or 0))
        pruned = CounterMetricFamily("hub_orphan_receipts_dropped", "Unmatched receipts retention dropped")
        pruned.add_metric([], float(dropped))
        return [up, messages, deliveries, receipts, orphans, pruned,
                _histogram("hub_receipt_latency_seconds", "From SENT to the first receipt, per receiver",
                           ["receiver"], rows["latency"]),
                _histogram("hub_pipeline_latency_seconds", "From a message's reception to its delivery's SENT",
                           [], rows["pipeline"])]

    def _broker_metrics(self) -> list[Metric]:
        up = GaugeMetricFamily("hub_broker_up", "1 when the broker answered this scrape")
        try:
            depths = self.broker.depths()
        except Exception:   # noqa: BLE001 - a scrape reports the broker down, never fails
            up.add_metric([], 0.0)
            return [up]
        up.add_metric([], 1.0)
        queued = GaugeMetricFamily("hub_queue_messages", "Messages ready in each hub queue", labels=["queue"])
        for queue, depth in sorted(depths.items()):
            queued.add_metric([queue], float(depth))
        dead = GaugeMetricFamily("hub_dead_letters", "Messages in the dead-letter queue")
        dead.add_metric([], float(depths.get(self.topology.dead, 0)))
        return [up, queued, dead]
