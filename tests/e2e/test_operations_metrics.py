"""Job, queue and database metrics and failure lines, from a real API and worker after real jobs."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.composition.service import accounts, open_resources
from adapters.outbound.dramatiq.broker import build_broker
from adapters.outbound.dramatiq.enrichment_job_queue import DramatiqEnrichmentJobQueue
from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.prometheus import names
from adapters.settings import load_settings
from tests.e2e.conftest import prepared_service
from tests.e2e.live_service import LiveService, running
from tests.support import defaults
from tests.support.fake_overpass import FakeOverpass
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob

pytestmark = pytest.mark.slow

USERNAME = "metrics-walker"
HELSINKI = {"lat": 60.1712, "lng": 24.9441}
NOWHERE = {"lat": 61.4978, "lng": 23.761}  # Tampere: outside the loaded extract
ROUTE = {"queue": "route_generation", "job_type": "generate_route"}
ENRICHMENT = {"queue": "enrichment", "job_type": "enrich_area"}
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def overpass() -> Iterator[FakeOverpass]:
    with FakeOverpass() as fake:
        yield fake


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    tmp_path_factory: pytest.TempPathFactory,
    overpass: FakeOverpass,
) -> Iterator[LiveService]:
    run_dir = tmp_path_factory.mktemp("metrics")
    with prepared_service(postgresql_proc, redis_server, helsinki_pbf, run_dir) as live:
        live.env.update(
            {
                "WILDSIDE_OVERPASS_ENDPOINTS": overpass.url,
                "WILDSIDE_OVERPASS_MAX_ATTEMPTS": "1",
                # Only the enrichment jobs the test sends (no sparse-area triggers).
                "WILDSIDE_ENRICHMENT_ENABLED": "false",
                "WILDSIDE_DB_SLOW_QUERY_MS": "1",  # every real query shows up as slow
                "WILDSIDE_LOG_FORMAT": "json",
            }
        )
        yield from running(live)


def _scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _settled(url: str, *, jobs: int) -> Samples:
    """The worker's samples once ``jobs`` deliveries have ended and none is in flight.

    A job's status and journal are written before its actor returns; the
    worker counts it (and acknowledges the message) just after.
    """
    deadline = time.monotonic() + 30
    while True:
        samples = _scrape(url)
        ended = sum(
            value
            for (name, _), value in samples.items()
            if name in {names.JOBS_SUCCEEDED, names.JOBS_FAILED}
        )
        busy = sum(value for (name, _), value in samples.items() if name == names.JOBS_IN_FLIGHT)
        waiting = sum(value for (name, _), value in samples.items() if name == names.QUEUE_LENGTH)
        if ended >= jobs and busy == 0 and waiting == 0:
            return samples
        assert time.monotonic() < deadline, (ended, busy, waiting)
        time.sleep(0.2)


def _get(samples: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    assert key in samples, f"{name}{labels} not exported"
    return samples[key]


def _families(samples: Samples, name: str) -> set[str]:
    return {dict(labels)["family"] for sample, labels in samples if sample == name}


def _enrich(live: LiveService, overpass: FakeOverpass, mode: str, south: float) -> str:
    overpass.set_default(mode)
    broker = build_broker(defaults.broker_settings(live.redis_url))
    DramatiqEnrichmentJobQueue(broker).enqueue(
        EnrichmentJob(BoundingBox(south, 24.90, south + 0.01, 24.95))
    )
    broker.close()
    deadline = time.monotonic() + 60
    while True:
        with psycopg.connect(live.database_url) as conn:
            row = conn.execute(
                "SELECT outcome FROM enrichment_jobs"
                " WHERE outcome IS NOT NULL AND abs(ST_YMin(bbox) - %s) < 1e-6",
                (south,),
            ).fetchone()
        if row is not None:
            return str(row[0])
        assert time.monotonic() < deadline, live.logs()
        time.sleep(0.2)


def _worker_lines(live: LiveService) -> list[dict[str, Any]]:
    lines = []
    for path in sorted(live.run_dir.glob("worker-*.log")):
        for text in path.read_text().splitlines():
            if text.startswith("{"):
                lines.append(json.loads(text))
    return lines


def test_jobs_of_both_queues_and_the_database_are_measured_and_failures_logged(
    service: LiveService, overpass: FakeOverpass
) -> None:
    # Given a user, a route that succeeds and one the engine refuses (no data there)
    settings = load_settings(
        {"WILDSIDE_DATABASE_URL": service.database_url, "WILDSIDE_REDIS_URL": service.redis_url}
    )
    with open_resources(settings, pool_size=1) as resources:
        issued = accounts(resources).create_user(USERNAME)
    client = service.client(issued.secret)
    endings = []
    for start in (HELSINKI, NOWHERE):
        accepted = client.submit({"start": start, "duration_minutes": 30})
        assert accepted.status == 202, accepted.body
        endings.append(list(client.follow(accepted.body["request_id"]))[-1]["status"])
    assert endings == ["succeeded", "failed"]
    # And an enrichment job that succeeds, then one Overpass refuses
    assert _enrich(service, overpass, "success", 59.50) == "succeeded"
    assert _enrich(service, overpass, "bad_request", 59.52) == "failed"

    # When both processes are scraped, once the worker has counted all four jobs
    worker = _settled(service.workers[0].metrics_url, jobs=4)  # type: ignore[attr-defined]
    api = _scrape(service.base_url + "/metrics")

    # Then the worker counts success and failure per job type on both queues: the
    # refused route once; every other route delivery (a redelivery the use case
    # skips included) as the use case's own outcome counter has it
    route_ok = _get(worker, names.JOBS_SUCCEEDED, **ROUTE)
    assert _get(worker, names.JOBS_FAILED, **ROUTE) == 1
    use_case = {  # an outcome never seen has no series
        outcome: worker.get(
            (names.JOBS, (("outcome", outcome), ("queue", "route_generation"))), 0.0
        )
        for outcome in ("succeeded", "cache_hit", "skipped", "failed")
    }
    assert use_case["succeeded"] == 1
    assert route_ok == use_case["succeeded"] + use_case["cache_hit"] + use_case["skipped"]
    assert use_case["failed"] == 1
    assert _get(worker, names.JOBS_SUCCEEDED, **ENRICHMENT) == 1
    assert _get(worker, names.JOBS_FAILED, **ENRICHMENT) == 1
    # And the enrichment use case's outcomes share wildside_jobs_total with the route's
    # (the never-seen ones at zero), and keep their own counter
    for outcome, count in (("succeeded", 1), ("failed", 1), ("quota_denied", 0)):
        assert _get(worker, names.JOBS, queue="enrichment", outcome=outcome) == count
        assert _get(worker, names.ENRICHMENT_JOBS, outcome=outcome) == count
    assert _get(worker, names.JOBS_RETRIED, **ROUTE) == 0
    assert _get(worker, names.JOB_DURATION + "_count", **ROUTE) == route_ok + 1
    assert _get(worker, names.JOB_DURATION + "_count", **ENRICHMENT) == 2
    # And nothing is in flight or waiting any more
    for labels in (ROUTE, ENRICHMENT):
        assert _get(worker, names.JOBS_IN_FLIGHT, **labels) == 0
        assert _get(worker, names.QUEUE_LENGTH, queue=labels["queue"]) == 0
        assert _get(worker, names.QUEUE_DEPTH, queue=labels["queue"]) == 0
    # And both processes report their pool and their queries by family
    for samples, pool_max in ((worker, settings.worker_threads + 2), (api, settings.db_pool_size)):
        assert _get(samples, names.DB_POOL_MAX) == pool_max
        assert 1 <= _get(samples, names.DB_POOL_SIZE) <= pool_max
        assert _get(samples, names.DB_POOL_IN_USE) >= 0
        assert _get(samples, names.DB_POOL_WAITING) == 0
    assert "store_route_request" in _families(api, names.DB_QUERY_DURATION + "_count")
    assert "start_route_attempt" in _families(worker, names.DB_QUERY_DURATION + "_count")
    assert _families(worker, names.DB_SLOW_QUERIES)  # a 1 ms threshold: some were slow

    # And the worker logged each failed job once, by code, without personal data
    lines = _worker_lines(service)
    failures = [line for line in lines if "failure" in line]
    assert sorted((f["queue"], f["failure"], f["error_code"]) for f in failures) == [
        ("enrichment", "failed", "overpass-failed"),
        ("route_generation", "failed", "no-walking-network"),
    ]
    assert all(f["attempt"] == 1 and f["job_id"] for f in failures)
    with psycopg.connect(service.database_url) as conn:
        row = conn.execute("SELECT id::text FROM users WHERE username = %s", (USERNAME,))
        (user_id,) = row.fetchone() or ("?",)
    text = "".join(path.read_text() for path in service.run_dir.glob("worker-*.log"))
    for personal in (user_id, USERNAME, "61.4978", "23.761", issued.secret):
        assert personal not in text
