"""``Metrics`` (and the HTTP/WebSocket telemetry the API needs) on a private Prometheus registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from adapters.outbound.prometheus import names
from adapters.outbound.prometheus.collectors import DepthReader, PoolGauges, PoolStats, QueueSizes
from wildside.ports.metrics import Metrics

# Seconds: from a cached tour (~ms) to the job time limit.
_JOB_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_POI_BUCKETS = (0, 5, 10, 20, 40, 60, 80, 120, 200)
# Seconds: an indexed lookup (~ms) to a walking-graph tile read or an ingest step.
_QUERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


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
        by_type = ["queue", "job_type"]
        self._job_seconds = Histogram(
            names.JOB_DURATION, "Job run time", by_type, buckets=_JOB_BUCKETS, registry=r
        )
        self._job_endings = {
            "succeeded": Counter(names.JOBS_SUCCEEDED, "Jobs done", by_type, registry=r),
            "failed": Counter(names.JOBS_FAILED, "Jobs ended failed", by_type, registry=r),
            "retried": Counter(names.JOBS_RETRIED, "Deliveries retried", by_type, registry=r),
        }
        self._in_flight = Gauge(names.JOBS_IN_FLIGHT, "Jobs running", by_type, registry=r)
        self._query_seconds = Histogram(
            names.DB_QUERY_DURATION,
            "Database operation time (pool checkout included)",
            ["family"],
            buckets=_QUERY_BUCKETS,
            registry=r,
        )
        self._slow_queries = Counter(
            names.DB_SLOW_QUERIES, "Database operations over the threshold", ["family"], registry=r
        )
        self._slow_query_s: float | None = None  # set by ``watch_database``
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
        """Count the outcome (the time is the worker's: ``job_ended`` observes every delivery)."""
        self.count_outcome(queue, outcome)

    # -- wildside_jobs_total for the other use cases (enrichment) ------------------
    def count_outcome(self, queue: str, outcome: str) -> None:
        """One job of ``queue`` ended ``outcome``: one series covers every queue's use case."""
        self._jobs.labels(queue, outcome).inc()

    def expect_outcomes(self, queue: str, outcomes: Iterable[str]) -> None:
        """Zero-valued outcome series from the start, so ratios over ``queue`` see them."""
        for outcome in outcomes:
            self._jobs.labels(queue, outcome)

    # -- the worker's JobTelemetry (every delivery of every queue) ----------------
    def job_started(self, queue: str, job_type: str) -> None:
        """One more job in flight."""
        self._in_flight.labels(queue, job_type).inc()

    def job_ended(self, queue: str, job_type: str, ending: str, seconds: float) -> None:
        """One fewer in flight; count ``succeeded``, ``failed`` or ``retried``; observe the time."""
        self._in_flight.labels(queue, job_type).dec()
        self._job_endings[ending].labels(queue, job_type).inc()
        self._job_seconds.labels(queue, job_type).observe(seconds)

    def expect_jobs(self, queues_and_types: list[tuple[str, str]]) -> None:
        """Zero-valued job series from the start, so rates and alerts see every job type."""
        for queue, job_type in queues_and_types:
            self._in_flight.labels(queue, job_type)
            for counter in self._job_endings.values():
                counter.labels(queue, job_type)

    # -- PostgreSQL ---------------------------------------------------------------
    def query_finished(self, family: str, seconds: float) -> None:
        """Observe one database operation; count it as slow past the threshold."""
        self._query_seconds.labels(family).observe(seconds)
        if self._slow_query_s is not None and seconds >= self._slow_query_s:
            self._slow_queries.labels(family).inc()

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
        """Report queue depth, length and dead letters, read from the broker at every scrape."""
        self.registry.register(QueueSizes(reader))

    def watch_database(self, stats: PoolStats, *, slow_query_s: float) -> Callable[[], None]:
        """Report the pool's gauges at every scrape; returns the undo (the pool is closing)."""
        collector = PoolGauges(stats)
        self.registry.register(collector)
        self._slow_query_s = slow_query_s
        return lambda: self.registry.unregister(collector)

    def render(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)
