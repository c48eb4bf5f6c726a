"""Three real worker processes share one Overpass quota, one semaphore and one breaker."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.dramatiq.broker import build_broker
from adapters.outbound.dramatiq.enrichment_job_queue import DramatiqEnrichmentJobQueue
from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.redis.circuit_store import RedisCircuitStore
from tests.conftest import REPO_ROOT, free_port
from tests.e2e.conftest import prepared_service
from tests.e2e.live_service import LiveService
from tests.support import defaults
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.enrichment.circuit_breaker import BreakerState, BreakerStatus

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
    broker = build_broker(defaults.broker_settings(workers.redis_url))
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


# -- The breaker: pybreaker in each process, one shared state ---------------------------

BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN_S = 6.0
PROBE_DELAY_S = 3.0  # the probe is held this long, so others can be turned away meanwhile


@pytest.fixture
def breaker_workers(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    tmp_path: Path,
    fake_overpass: str,
) -> Iterator[LiveService]:
    """Three one-thread workers with a 3-failure breaker and one attempt per job."""
    with prepared_service(postgresql_proc, redis_server, helsinki_pbf, tmp_path) as service:
        service.env.update(
            {
                "WILDSIDE_OVERPASS_ENDPOINTS": fake_overpass + "/api/interpreter",
                "WILDSIDE_OVERPASS_BREAKER_THRESHOLD": str(BREAKER_THRESHOLD),
                "WILDSIDE_OVERPASS_BREAKER_COOLDOWN_S": str(BREAKER_COOLDOWN_S),
                "WILDSIDE_OVERPASS_MAX_ATTEMPTS": "1",
                "WILDSIDE_OVERPASS_PERMITS": "3",
                "WILDSIDE_WORKER_THREADS": "1",
                # A worker paused for a second (to send a job to another) must not
                # be taken for dead and have its job sent again meanwhile.
                "WILDSIDE_QUEUE_HEARTBEAT_TIMEOUT_MS": "60000",
            }
        )
        try:
            for _ in range(WORKERS):
                service.start_worker()
            yield service
        finally:
            for worker in service.workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGCONT)
            service.stop()


class Pinned:
    """Sends each job to the one worker that is not paused (SIGSTOP), and reads the results."""

    def __init__(self, service: LiveService, fake: str) -> None:
        self.service = service
        self.fake = fake
        self.broker = build_broker(defaults.broker_settings(service.redis_url))
        self.queue = DramatiqEnrichmentJobQueue(self.broker)
        self.redis = redis.Redis.from_url(service.redis_url)
        self.breakers = RedisCircuitStore(self.redis)
        self.enqueued = 0

    def close(self) -> None:
        self.broker.close()
        self.redis.close()

    @contextlib.contextmanager
    def only(self, index: int) -> Iterator[None]:
        """Pause every worker but ``index`` (an idle worker holds no job, so none is lost)."""
        paused = [w for i, w in enumerate(self.service.workers) if i != index]
        for worker in paused:
            os.kill(worker.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for worker in paused:
                os.kill(worker.pid, signal.SIGCONT)

    def enqueue(self) -> float:
        """Enqueue a job for a new area; its south edge names it."""
        south = round(58.0 + 0.02 * self.enqueued, 2)
        self.enqueued += 1
        self.queue.enqueue(EnrichmentJob(BoundingBox(south, 24.90, south + 0.01, 24.95)))
        return south

    def outcome(self, south: float) -> str:
        """The outcome of the job for the area whose south edge is ``south``, once logged."""
        deadline = time.monotonic() + 60
        while True:
            with psycopg.connect(self.service.database_url) as conn:
                row = conn.execute(
                    "SELECT outcome FROM enrichment_jobs"
                    " WHERE outcome IS NOT NULL AND abs(ST_YMin(bbox) - %s) < 1e-6",
                    (south,),
                ).fetchone()
            if row is not None:
                return str(row[0])
            assert time.monotonic() < deadline, self.service.logs()
            time.sleep(0.1)

    def run_on(self, index: int) -> str:
        with self.only(index):
            return self.outcome(self.enqueue())

    def breaker(self) -> BreakerState:
        return self.breakers.read(self.fake + "/api/interpreter")

    def mode(self, mode: str, delay_s: float) -> None:
        body = json.dumps({"mode": mode, "delay_s": delay_s}).encode()
        request = urllib.request.Request(self.fake + "/_mode", body, method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def calls(self) -> int:
        with urllib.request.urlopen(self.fake + "/_stats", timeout=5) as response:
            return int(json.load(response)["calls"])

    def metrics(self, index: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Worker ``index``'s own Prometheus samples, by name and labels."""
        url = self.service.workers[index].metrics_url  # type: ignore[attr-defined]
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


def test_the_breaker_opens_half_opens_and_closes_across_three_workers(
    breaker_workers: LiveService, fake_overpass: str
) -> None:
    pinned = Pinned(breaker_workers, fake_overpass)
    endpoint = fake_overpass + "/api/interpreter"

    def requests(index: int, status: str) -> float:
        labels = (("endpoint", endpoint), ("status", status))
        return pinned.metrics(index).get(("wildside_overpass_requests_total", labels), 0.0)

    def gauge(index: int) -> float | None:
        key = ("wildside_overpass_breaker_state", (("endpoint", endpoint),))
        return pinned.metrics(index).get(key)

    def jobs(index: int, outcome: str) -> float:
        key = ("wildside_enrichment_jobs_total", (("outcome", outcome),))
        return pinned.metrics(index).get(key, 0.0)

    # Given a server that fails every call
    pinned.mode("server_error", 0.0)
    # When each of the three workers sees one failure
    for index in range(WORKERS):
        assert pinned.run_on(index) == "retry_exhausted"
        if index < WORKERS - 1:
            assert pinned.breaker() == BreakerState(BreakerStatus.CLOSED, index + 1)
    # Then the third failure, counted across processes, opened the circuit
    opened = pinned.breaker()
    assert (opened.status, opened.failures) == (BreakerStatus.OPEN, BREAKER_THRESHOLD)
    assert opened.opened_at is not None
    assert [requests(i, "503") for i in range(WORKERS)] == [1.0, 1.0, 1.0]
    assert [gauge(i) for i in range(WORKERS)] == [0.0, 0.0, 2.0]

    # When the first worker, which saw a single failure itself, gets a job
    assert pinned.run_on(0) == "circuit_open"
    assert time.time() < opened.opened_at + BREAKER_COOLDOWN_S, "too slow: cooled down already"
    # Then it refused it from the shared state: no call went out
    assert pinned.calls() == BREAKER_THRESHOLD
    assert gauge(0) == 2.0

    # Given the server has recovered (slowly) and the cool-down is over
    pinned.mode("success", PROBE_DELAY_S)
    time.sleep(max(0.0, opened.opened_at + BREAKER_COOLDOWN_S + 0.2 - time.time()))
    # When the second worker takes a job, its call is the probe: the circuit is half-open
    with pinned.only(1):
        probe = pinned.enqueue()
        deadline = time.monotonic() + 30
        while pinned.calls() < BREAKER_THRESHOLD + 1:
            assert time.monotonic() < deadline, breaker_workers.logs()
            time.sleep(0.05)
        assert pinned.breaker().status is BreakerStatus.HALF_OPEN
        assert gauge(1) == 1.0
    # And the third worker, given a job while the probe is out, is turned away
    with pinned.only(2):
        assert pinned.outcome(pinned.enqueue()) == "circuit_open"
        assert pinned.calls() == BREAKER_THRESHOLD + 1  # one probe, no more
        assert gauge(2) == 1.0
    # When the probe answers, Then the circuit is closed for every worker
    assert pinned.outcome(probe) == "succeeded"
    assert pinned.breaker() == BreakerState()
    assert gauge(1) == 0.0
    assert pinned.run_on(0) == "succeeded"
    assert gauge(0) == 0.0
    assert pinned.calls() == BREAKER_THRESHOLD + 2
    assert [jobs(i, "succeeded") for i in range(WORKERS)] == [1.0, 1.0, 0.0]
    assert [jobs(i, "circuit_open") for i in range(WORKERS)] == [1.0, 0.0, 1.0]
    pinned.close()
