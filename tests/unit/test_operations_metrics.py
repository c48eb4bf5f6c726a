"""Job, queue and database series on the Prometheus registry, and what feeds them."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
import pytest

from adapters.composition.observability import FailureCodes
from adapters.outbound.postgres.connection import observe_queries, translate_errors
from adapters.outbound.prometheus import names
from adapters.outbound.prometheus.enrichment_metrics import PrometheusEnrichmentMetrics
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from tests.fakes.planner import FakePlanner
from tests.support.job_worker import ScriptedUseCases, run_counted
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.enrichment.outcome import EnrichmentOutcome
from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.enrichment_log import EnrichmentResult

ROUTE = {"queue": "route_generation", "job_type": "generate_route"}
ENRICHMENT = {"queue": "enrichment", "job_type": "enrich_area"}


def _value(metrics: PrometheusMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_every_delivery_is_timed_by_queue_and_job_type() -> None:
    # Given a worker's metrics
    metrics = PrometheusMetrics()
    # When a route job and an enrichment job end
    for queue, job_type, seconds in (
        ("route_generation", "generate_route", 0.4),
        ("enrichment", "enrich_area", 2.0),
    ):
        metrics.job_started(queue, job_type)
        metrics.job_ended(queue, job_type, "succeeded", seconds)
    # Then each has its own duration series and success count
    assert _value(metrics, names.JOB_DURATION + "_count", **ROUTE) == 1
    assert _value(metrics, names.JOB_DURATION + "_sum", **ENRICHMENT) == 2.0
    assert _value(metrics, names.JOBS_SUCCEEDED, **ENRICHMENT) == 1


def test_the_route_use_case_outcomes_keep_their_counter() -> None:
    # Given the route use case's own report (it also passes a duration)
    metrics = PrometheusMetrics()
    metrics.job_finished("route_generation", "cache_hit", 0.01)
    # Then wildside_jobs_total counts it; the duration is the worker's to observe
    labels = {"queue": "route_generation", "outcome": "cache_hit"}
    assert _value(metrics, names.JOBS, **labels) == 1
    assert _value(metrics, names.JOB_DURATION + "_count", **ROUTE) is None


def test_enrichment_outcomes_share_the_jobs_series_and_keep_their_own() -> None:
    # Given a worker's metrics with the enrichment series on the same registry
    metrics = PrometheusMetrics()
    enrichment = PrometheusEnrichmentMetrics(metrics)
    # Then every enrichment outcome exists at zero in wildside_jobs_total
    for every in EnrichmentOutcome:
        assert _value(metrics, names.JOBS, queue="enrichment", outcome=every.value) == 0
    # When one enrichment job fails and another is denied by the quota
    enrichment.job_finished("failed")
    enrichment.job_finished("quota_denied")
    # Then both series count them: the shared one under queue="enrichment"
    for outcome in ("failed", "quota_denied"):
        assert _value(metrics, names.JOBS, queue="enrichment", outcome=outcome) == 1
        assert _value(metrics, names.ENRICHMENT_JOBS, outcome=outcome) == 1
    assert _value(metrics, names.JOBS, queue="enrichment", outcome="succeeded") == 0


@dataclass
class CountingUseCases(ScriptedUseCases):
    """Scripted use cases whose enrichment reports its outcome, as ``EnrichArea`` does."""

    enrichment_metrics: PrometheusEnrichmentMetrics | None = None

    def enrich(self, job: EnrichmentJob) -> EnrichmentResult:
        result = super().enrich(job)
        assert self.enrichment_metrics is not None
        self.enrichment_metrics.job_finished(result.outcome)
        return result


@pytest.mark.parametrize(
    ("outcome", "ending"), [("succeeded", names.JOBS_SUCCEEDED), ("timeout", names.JOBS_FAILED)]
)
def test_an_enrichment_job_run_by_the_worker_is_counted_and_timed(
    outcome: str, ending: str
) -> None:
    # Given the worker's registry behind both the job monitor and the enrichment use case
    metrics = PrometheusMetrics()
    use_cases = CountingUseCases(
        enrichment_outcome=outcome, enrichment_metrics=PrometheusEnrichmentMetrics(metrics)
    )
    # When the real actor and monitor run one enrichment job on a stub broker
    job = EnrichmentJob(BoundingBox(60.16, 24.93, 60.17, 24.95))
    run_counted(use_cases, ENRICHMENT_QUEUE, job.to_document(), metrics)
    # Then the use case's outcome is in wildside_jobs_total beside the route queue's
    assert _value(metrics, names.JOBS, queue="enrichment", outcome=outcome) == 1
    # And the monitor counted the delivery as the seed's success or failure, and timed it
    other = names.JOBS_FAILED if ending == names.JOBS_SUCCEEDED else names.JOBS_SUCCEEDED
    assert _value(metrics, ending, **ENRICHMENT) == 1
    assert (_value(metrics, other, **ENRICHMENT) or 0) == 0
    assert _value(metrics, names.JOB_DURATION + "_count", **ENRICHMENT) == 1
    assert _value(metrics, names.JOBS_IN_FLIGHT, **ENRICHMENT) == 0


def test_expected_job_types_start_at_zero() -> None:
    metrics = PrometheusMetrics()
    metrics.expect_jobs([("route_generation", "generate_route")])
    for name in (names.JOBS_IN_FLIGHT, names.JOBS_SUCCEEDED, names.JOBS_FAILED):
        assert _value(metrics, name, **ROUTE) == 0


def test_queue_sizes_are_read_at_scrape_and_a_broken_broker_costs_nothing() -> None:
    # Given queues whose sizes change between scrapes
    metrics = PrometheusMetrics()
    sizes = {"route_generation": (2, 1, 5), "enrichment": (0, 0, 1)}
    is_down = threading.Event()

    def reader() -> dict[str, tuple[int, int, int]]:
        if is_down.is_set():
            raise ConnectionError("redis is down")
        return sizes

    metrics.watch_queues(reader)
    # Then ready, dead-letter and total messages are reported per queue
    assert _value(metrics, names.QUEUE_DEPTH, queue="route_generation") == 2
    assert _value(metrics, names.QUEUE_DEAD, queue="route_generation") == 1
    assert _value(metrics, names.QUEUE_LENGTH, queue="route_generation") == 5
    assert _value(metrics, names.QUEUE_LENGTH, queue="enrichment") == 1
    # And when the broker cannot be read, the scrape still renders
    is_down.set()
    assert names.QUEUE_LENGTH.encode() in metrics.render()
    assert _value(metrics, names.QUEUE_LENGTH, queue="enrichment") is None


def test_the_pool_gauges_follow_the_pool_until_it_closes() -> None:
    # Given a pool with 4 of 6 connections open, 1 of them idle, and 2 callers waiting
    metrics = PrometheusMetrics()
    stats = {"pool_max": 6, "pool_size": 4, "pool_available": 1, "requests_waiting": 2}
    forget = metrics.watch_database(lambda: stats, slow_query_s=0.5)
    # Then
    assert _value(metrics, names.DB_POOL_MAX) == 6
    assert _value(metrics, names.DB_POOL_SIZE) == 4
    assert _value(metrics, names.DB_POOL_IN_USE) == 3
    assert _value(metrics, names.DB_POOL_WAITING) == 2
    # And once the pool is gone, so are they
    forget()
    assert _value(metrics, names.DB_POOL_SIZE) is None


def test_queries_are_timed_by_family_and_slow_ones_counted() -> None:
    # Given metrics watching a database with a 0.5 s slow-query threshold
    metrics = PrometheusMetrics()
    metrics.watch_database(dict, slow_query_s=0.5)
    # When operations of two families end
    metrics.query_finished("read_pois", 0.01)
    metrics.query_finished("read_pois", 0.75)
    metrics.query_finished("update_route_status", 0.002)
    # Then each family has its histogram, and only the slow one is counted
    assert _value(metrics, names.DB_QUERY_DURATION + "_count", family="read_pois") == 2
    assert _value(metrics, names.DB_SLOW_QUERIES, family="read_pois") == 1
    assert _value(metrics, names.DB_SLOW_QUERIES, family="update_route_status") is None


def test_every_translated_operation_reaches_the_observers_even_when_it_fails() -> None:
    # Given an observer of this process's database operations
    seen: list[tuple[str, float]] = []
    forget = observe_queries(lambda family, seconds: seen.append((family, seconds)))
    try:
        # When one operation succeeds and another fails in the driver
        with translate_errors("could not read the route request", WildsideError):
            pass
        with (
            pytest.raises(WildsideError),
            translate_errors("could not store the token", WildsideError),
        ):
            raise psycopg.errors.UniqueViolation("duplicate key")
    finally:
        forget()
    # Then both are reported under their fixed family names
    assert [family for family, _ in seen] == ["read_route_request", "store_token"]
    assert all(seconds >= 0 for _, seconds in seen)
    # And nothing is reported once the observer is gone
    with translate_errors("could not read POIs", WildsideError):
        pass
    assert len(seen) == 2


def test_the_planner_wrapper_remembers_the_refusal_code_per_thread() -> None:
    # Given a planner that refuses every request
    codes = FailureCodes(FakePlanner(error=InvalidInputError("no street nearby")))
    spec = RouteSpec.build(start=GeoPoint(60.17, 24.94), duration_minutes=30)
    # When it refuses on this thread
    with pytest.raises(InvalidInputError):
        codes(spec)
    # Then another thread sees nothing, this one the code once
    other: list[str | None] = []
    thread = threading.Thread(target=lambda: other.append(codes.take()))
    thread.start()
    thread.join()
    assert other == [None]
    assert codes.take() == "invalid-input"
    assert codes.take() is None
