"""Three real worker processes share one Overpass quota and one two-permit semaphore."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.dramatiq.broker import BrokerSettings, build_broker
from adapters.outbound.dramatiq.enrichment_job_queue import DramatiqEnrichmentJobQueue
from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import REPO_ROOT, free_port
from tests.e2e.conftest import prepared_service
from tests.e2e.live_service import LiveService
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob

pytestmark = pytest.mark.slow

WORKERS = 3
JOBS = 12
DAILY_CALLS = 5


@pytest.fixture
def fake_overpass() -> Iterator[str]:
    """The fake Overpass API as its own process, holding every call 0.3 s."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fake_overpass",
            "--port",
            str(port),
            "--delay",
            "0.3",
        ],
        cwd=REPO_ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/_stats", timeout=1):
                break
        except OSError:
            assert time.monotonic() < deadline, "the fake Overpass did not start"
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def workers(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    tmp_path: Path,
    fake_overpass: str,
) -> Iterator[LiveService]:
    with prepared_service(postgresql_proc, redis_server, helsinki_pbf, tmp_path) as service:
        service.env.update(
            {
                "WILDSIDE_OVERPASS_ENDPOINTS": fake_overpass + "/api/interpreter",
                "WILDSIDE_OVERPASS_DAILY_REQUESTS": str(DAILY_CALLS),
                "WILDSIDE_OVERPASS_PERMITS": "2",
                "WILDSIDE_WORKER_THREADS": "3",
            }
        )
        try:
            for _ in range(WORKERS):
                service.start_worker()
            yield service
        finally:
            service.stop()


def _finished(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT outcome FROM enrichment_jobs WHERE outcome IS NOT NULL"
        ).fetchall()
    return [row[0] for row in rows]


def test_three_workers_never_exceed_two_calls_in_flight_or_the_quota(
    workers: LiveService, fake_overpass: str
) -> None:
    # Given 3 workers (3 threads each) and 12 enrichment jobs for different areas
    broker = build_broker(BrokerSettings(redis_url=workers.redis_url))
    queue = DramatiqEnrichmentJobQueue(broker)
    for k in range(JOBS):
        south = 60.10 + 0.02 * k
        queue.enqueue(EnrichmentJob(BoundingBox(south, 24.90, south + 0.01, 24.95)))
    broker.close()
    # When they have all run
    deadline = time.monotonic() + 120
    while len(_finished(workers.database_url)) < JOBS:
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)
    with urllib.request.urlopen(fake_overpass + "/_stats", timeout=5) as response:
        stats = json.load(response)
    outcomes = _finished(workers.database_url)
    # Then the server saw exactly the quota, never more than 2 at once, and every job is logged
    assert stats["calls"] == DAILY_CALLS
    assert stats["max_in_flight"] == 2
    assert sorted(outcomes) == sorted(
        ["succeeded"] * DAILY_CALLS + ["quota_denied"] * (JOBS - DAILY_CALLS)
    )
