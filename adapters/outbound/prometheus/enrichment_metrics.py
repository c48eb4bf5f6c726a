"""``EnrichmentMetrics`` on the process's Prometheus registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from adapters.outbound.prometheus import names
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from wildside.domain.enrichment.outcome import EnrichmentOutcome
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.enrichment_metrics import EnrichmentMetrics

_WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0)


class PrometheusEnrichmentMetrics(EnrichmentMetrics):
    """Registers the enrichment series on the worker's registry.

    Each outcome is counted twice: in ``wildside_enrichment_jobs_total``
    (kept for the dashboards and alerts that read it) and in
    ``wildside_jobs_total{queue="enrichment"}``, so one series holds the
    outcomes of both queues.
    """

    def __init__(self, metrics: PrometheusMetrics) -> None:
        registry = metrics.registry
        self._all_jobs = metrics
        self._jobs = Counter(
            names.ENRICHMENT_JOBS, "Enrichment jobs", ["outcome"], registry=registry
        )
        self._requests = Counter(
            names.OVERPASS_REQUESTS, "Overpass calls", ["endpoint", "status"], registry=registry
        )
        self._bytes = Counter(names.OVERPASS_BYTES, "Bytes read from Overpass", registry=registry)
        self._breaker = Gauge(
            names.OVERPASS_BREAKER,
            "Breaker: 0 closed, 1 half-open, 2 open",
            ["endpoint"],
            registry=registry,
        )
        self._wait = Histogram(
            names.OVERPASS_SEMAPHORE_WAIT,
            "Wait for an Overpass permit",
            buckets=_WAIT_BUCKETS,
            registry=registry,
        )
        self._remaining = Gauge(
            names.OVERPASS_QUOTA_REMAINING,
            "Today's Overpass quota left",
            ["kind"],
            registry=registry,
        )
        for outcome in EnrichmentOutcome:  # every outcome exists from the start
            self._jobs.labels(outcome.value)
        metrics.expect_outcomes(ENRICHMENT_QUEUE, [o.value for o in EnrichmentOutcome])

    def job_finished(self, outcome: str) -> None:
        """Count one job, in both series."""
        self._jobs.labels(outcome).inc()
        self._all_jobs.count_outcome(ENRICHMENT_QUEUE, outcome)

    def overpass_request(self, endpoint: str, status: str) -> None:
        """Count one call."""
        self._requests.labels(endpoint, status).inc()

    def bytes_fetched(self, count: int) -> None:
        """Add bytes."""
        self._bytes.inc(count)

    def breaker_state(self, endpoint: str, gauge: int) -> None:
        """Set the endpoint's breaker gauge."""
        self._breaker.labels(endpoint).set(gauge)

    def semaphore_wait(self, seconds: float) -> None:
        """Observe a permit wait."""
        self._wait.observe(seconds)

    def quota_remaining(self, requests: int, bytes_left: int) -> None:
        """Set what is left today."""
        self._remaining.labels("requests").set(requests)
        self._remaining.labels("bytes").set(bytes_left)
