"""``Metrics`` (and the HTTP/WebSocket telemetry the API needs) on a private Prometheus registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adapters.outbound.prometheus import names
from wildside.ports.metrics import Metrics

# Seconds: from a cached tour (~ms) to the job time limit.
_JOB_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_POI_BUCKETS = (0, 5, 10, 20, 40, 60, 80, 120, 200)

DepthReader = Callable[[], Mapping[str, tuple[int, int]]]  # queue -> (ready, dead)


class PrometheusMetrics(Metrics):
    """One registry per process; ``render`` is what ``/metrics`` serves."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        # ``*_created`` series only double the exposition; nothing here reads them.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._http = Counter(
            names.HTTP_REQUESTS, "HTTP requests", ["path", "method", "status"], registry=r
        )
        self._http_seconds = Histogram(
            names.HTTP_DURATION,
            "HTTP latency",
            ["path", "method"],
            buckets=_HTTP_BUCKETS,
            registry=r,
        )
        self._ws = Gauge(names.WS_CONNECTIONS, "Open WebSocket connections", registry=r)
        self._ws_messages = Counter(
            names.WS_MESSAGES, "WebSocket messages", ["direction"], registry=r
        )
        self._jobs = Counter(names.JOBS, "Jobs by outcome", ["queue", "outcome"], registry=r)
        self._job_seconds = Histogram(
            names.JOB_DURATION, "Job run time", ["queue"], buckets=_JOB_BUCKETS, registry=r
        )
        self._engine = Histogram(
            names.ENGINE_DURATION, "Engine time per tour", buckets=_JOB_BUCKETS, registry=r
        )
        self._pois = Histogram(
            names.ENGINE_POIS, "Candidate POIs per tour", buckets=_POI_BUCKETS, registry=r
        )
        self._hits = Counter(names.CACHE_HITS, "Route cache hits", registry=r)
        self._misses = Counter(names.CACHE_MISSES, "Route cache misses", registry=r)
        # Zero-valued series exist from the start, so rates and alerts see them.
        self._hits.inc(0)
        self._misses.inc(0)
        for direction in ("sent", "received"):
            self._ws_messages.labels(direction)

    # -- the core's Metrics port ------------------------------------------------
    def route_cache_lookup(self, *, is_hit: bool) -> None:
        """Count a hit or a miss."""
        (self._hits if is_hit else self._misses).inc()

    def route_computed(self, seconds: float, pois_considered: int) -> None:
        """Observe the engine's time and candidate count."""
        self._engine.observe(seconds)
        self._pois.observe(pois_considered)

    def job_finished(self, queue: str, outcome: str, seconds: float) -> None:
        """Count the outcome and observe the duration."""
        self._jobs.labels(queue, outcome).inc()
        self._job_seconds.labels(queue).observe(seconds)

    # -- HTTP and WebSocket telemetry (API processes) ---------------------------
    def request_finished(self, path: str, method: str, status: int, seconds: float) -> None:
        """Count one HTTP response and observe its latency."""
        self._http.labels(path, method, str(status)).inc()
        self._http_seconds.labels(path, method).observe(seconds)

    def websocket_opened(self) -> None:
        """One more open connection."""
        self._ws.inc()

    def websocket_closed(self) -> None:
        """One fewer open connection."""
        self._ws.dec()

    def websocket_message(self, direction: str) -> None:
        """Count a message ``sent`` or ``received``."""
        self._ws_messages.labels(direction).inc()

    # -- exposition ---------------------------------------------------------------
    def watch_queues(self, reader: DepthReader) -> None:
        """Report queue depth and dead letters, read from the broker at every scrape."""
        self.registry.register(_QueueDepth(reader))

    def render(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)


class _QueueDepth(Collector):
    def __init__(self, reader: DepthReader) -> None:
        self._reader = reader

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ready = GaugeMetricFamily(names.QUEUE_DEPTH, "Ready messages", labels=["queue"])
        dead = GaugeMetricFamily(names.QUEUE_DEAD, "Dead-letter messages", labels=["queue"])
        try:
            depths = self._reader()
        except Exception:  # a scrape must not fail because the broker is down
            depths = {}
        for queue, (count, dead_count) in sorted(depths.items()):
            ready.add_metric([queue], count)
            dead.add_metric([queue], dead_count)
        yield ready
        yield dead

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())
