"""Gauges read at scrape time: queue sizes from the broker, the database pool's own counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adapters.outbound.prometheus import names

# queue -> (ready, dead, length): ``queue_depth.depth_reader`` reads them.
DepthReader = Callable[[], Mapping[str, tuple[int, int, int]]]
# psycopg_pool's ``ConnectionPool.get_stats``.
PoolStats = Callable[[], Mapping[str, int]]


class QueueSizes(Collector):
    """Ready, dead-letter and total messages per queue, one broker round trip per scrape."""

    def __init__(self, reader: DepthReader) -> None:
        self._reader = reader

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The three gauges; none when the broker cannot be read."""
        ready = GaugeMetricFamily(names.QUEUE_DEPTH, "Ready messages", labels=["queue"])
        dead = GaugeMetricFamily(names.QUEUE_DEAD, "Dead-letter messages", labels=["queue"])
        length = GaugeMetricFamily(
            names.QUEUE_LENGTH,
            "Messages not yet done: ready, delayed (retries) and reserved by workers",
            labels=["queue"],
        )
        try:
            sizes = self._reader()
        except Exception:  # a scrape must not fail because the broker is down
            sizes = {}
        for queue, (ready_count, dead_count, total) in sorted(sizes.items()):
            ready.add_metric([queue], ready_count)
            dead.add_metric([queue], dead_count)
            length.add_metric([queue], total)
        yield ready
        yield dead
        yield length

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Nothing up front: the queues are known at scrape time."""
        return iter(())


class PoolGauges(Collector):
    """The database pool's size, cap, connections lent out and callers waiting."""

    def __init__(self, stats: PoolStats) -> None:
        self._stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Four gauges from one ``get_stats`` call (a lock and a dict: no I/O)."""
        stats = self._stats()
        size = stats.get("pool_size", 0)
        yield GaugeMetricFamily(names.DB_POOL_SIZE, "Open pool connections", value=size)
        yield GaugeMetricFamily(
            names.DB_POOL_MAX, "The pool's connection cap", value=stats.get("pool_max", 0)
        )
        yield GaugeMetricFamily(
            names.DB_POOL_IN_USE,
            "Pool connections lent out",
            value=max(0, size - stats.get("pool_available", 0)),
        )
        yield GaugeMetricFamily(
            names.DB_POOL_WAITING,
            "Callers waiting for a pool connection",
            value=stats.get("requests_waiting", 0),
        )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Nothing up front (registered while a pool is open)."""
        return iter(())
