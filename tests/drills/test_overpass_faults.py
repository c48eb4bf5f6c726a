"""Drill: Overpass misbehaves in every documented way while three worker processes enrich areas.

Extends ``tests/e2e/test_enrichment_processes.py`` (same fake Overpass
process, same way of enqueueing jobs) from "success, then the quota" to a
sequence of faults: a 429 storm that opens the breaker, recovery through the
half-open probe, 5xx, slow answers under contention, oversized and malformed
bodies, and finally the daily quota. Across all of it the fake never sees
more than the two permits in flight, never more calls than the daily quota,
the shared quota counters never pass their limits, every job is logged with
an outcome, and all three workers stay up.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.dramatiq.broker import build_broker
from adapters.outbound.dramatiq.enrichment_job_queue import DramatiqEnrichmentJobQueue
from adapters.outbound.local_servers.redis_server import RedisServer
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, drill_service
from tests.drills.traffic import Deadline
from tests.e2e.test_enrichment_processes import fake_overpass  # noqa: F401 - a fixture
from tests.support import defaults
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob

pytestmark = [pytest.mark.drill, pytest.mark.timeout(400)]

WORKERS = 3
PERMITS = 2
DAILY_CALLS = 40
DAILY_BYTES = 4_000_000
RESERVE_BYTES = 200_000  # an oversized answer (1 MiB) is cut here
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN_S = 3.0
PHASE_LIMIT_S = 60.0


@pytest.fixture
def workers(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
    fake_overpass: str,  # noqa: F811 - the imported fixture
) -> Iterator[DrillService]:
    run_dir = drill_dir("overpass")
    with drill_service(postgresql_proc, redis_server.url, helsinki_pbf, run_dir, ledger) as live:
        live.env.update(
            {
                "WILDSIDE_OVERPASS_ENDPOINTS": fake_overpass + "/api/interpreter",
                "WILDSIDE_OVERPASS_DAILY_REQUESTS": str(DAILY_CALLS),
                "WILDSIDE_OVERPASS_DAILY_BYTES": str(DAILY_BYTES),
                "WILDSIDE_OVERPASS_RESERVE_BYTES": str(RESERVE_BYTES),
                "WILDSIDE_OVERPASS_PERMITS": str(PERMITS),
                "WILDSIDE_OVERPASS_BREAKER_THRESHOLD": str(BREAKER_THRESHOLD),
                "WILDSIDE_OVERPASS_BREAKER_COOLDOWN_S": str(BREAKER_COOLDOWN_S),
                "WILDSIDE_OVERPASS_MAX_ATTEMPTS": "2",
                "WILDSIDE_OVERPASS_BACKOFF_BASE_S": "0.2",
                "WILDSIDE_OVERPASS_BACKOFF_MAX_S": "1",
                "WILDSIDE_WORKER_THREADS": "3",
            }
        )
        for _ in range(WORKERS):
            live.start_worker()
        yield live


class Drive:
    """Switches the fake's behaviour, enqueues jobs, waits for their outcomes."""

    def __init__(self, service: DrillService, fake: str) -> None:
        self.service = service
        self.fake = fake
        self.enqueued = 0
        self.broker = build_broker(defaults.broker_settings(service.redis_url))
        self.queue = DramatiqEnrichmentJobQueue(self.broker)

    def mode(self, mode: str, delay_s: float = 0.3) -> None:
        body = json.dumps({"mode": mode, "delay_s": delay_s}).encode()
        request = urllib.request.Request(self.fake + "/_mode", body, method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.fake + "/_stats", timeout=5) as response:
            return dict(json.load(response))

    def run(self, jobs: int) -> list[str]:
        """Enqueue ``jobs`` jobs for new areas; return their outcomes once all are logged."""
        for _ in range(jobs):
            south = 59.0 + 0.02 * self.enqueued  # a distinct area each time
            self.enqueued += 1
            self.queue.enqueue(EnrichmentJob(BoundingBox(south, 24.90, south + 0.01, 24.95)))
        deadline = Deadline(PHASE_LIMIT_S)
        while len(outcomes := self.outcomes()) < self.enqueued:
            assert not deadline.expired(), f"{self.enqueued - len(outcomes)} jobs never finished"
            time.sleep(0.2)
        return outcomes[self.enqueued - jobs :]

    def outcomes(self) -> list[str]:
        with psycopg.connect(self.service.database_url) as conn:
            rows = conn.execute(
                "SELECT outcome FROM enrichment_jobs WHERE outcome IS NOT NULL ORDER BY finished_at"
            ).fetchall()
        return [row[0] for row in rows]

    def quota_used(self) -> dict[str, int]:
        client = redis.Redis.from_url(self.service.redis_url, decode_responses=True)
        day = dt.datetime.now(dt.UTC).date().isoformat()
        raw: dict[str, str] = client.hgetall(f"enrich:quota:{day}")  # type: ignore[assignment]
        client.close()
        return {k: int(v) for k, v in raw.items()}


def test_overpass_faults_never_break_the_quota_or_the_semaphore_and_the_breaker_recovers(
    workers: DrillService,
    fake_overpass: str,  # noqa: F811 - the imported fixture
    figures: dict[str, object],
) -> None:
    drive = Drive(workers, fake_overpass)
    phases: dict[str, dict[str, int]] = {}

    def phase(name: str, mode: str, jobs: int, delay_s: float = 0.3) -> Counter[str]:
        drive.mode(mode, delay_s)
        calls_before = drive.stats()["calls"]
        began = time.monotonic()
        outcome = Counter(drive.run(jobs))
        phases[name] = {
            **outcome,
            "calls": drive.stats()["calls"] - calls_before,
            "ms": int((time.monotonic() - began) * 1000),
        }
        return outcome

    try:
        # Given a 429 storm: the breaker opens, and later jobs make no call at all
        storm = phase("429 storm", "rate_limited", 8)
        assert storm["circuit_open"] >= 1, storm
        assert storm["succeeded"] == 0, storm
        assert phases["429 storm"]["calls"] < 8 * 2, "the open breaker did not stop calls"
        # When Overpass is healthy again: after the cool-down one probe closes the breaker
        time.sleep(BREAKER_COOLDOWN_S + 0.5)
        healed = time.monotonic()
        probe = phase("recovery probe", "success", 1)
        after = phase("after recovery", "success", 4)
        figures["breaker_recovery_s"] = round(time.monotonic() - healed, 1)
        assert probe == Counter({"succeeded": 1}), probe
        assert after == Counter({"succeeded": 4}), after
        # And 5xx errors are retried, then counted against the breaker
        errors = phase("5xx", "server_error", 4)
        assert errors["succeeded"] == 0, errors
        assert errors["failed"] == 0, errors
        time.sleep(BREAKER_COOLDOWN_S + 0.5)
        assert phase("recovery after 5xx", "success", 1) == Counter({"succeeded": 1})
        # And slow answers under contention still hold two calls at most
        slow = phase("slow (2 s each)", "success", 9, delay_s=2.0)
        assert slow == Counter({"succeeded": 9}), slow
        # And oversized and malformed bodies fail the job without a retry
        oversized = phase("oversized", "oversized", 3)
        assert oversized == Counter({"failed": 3}), oversized
        malformed = phase("malformed", "malformed", 3)
        assert malformed == Counter({"failed": 3}), malformed
        assert phases["oversized"]["calls"] == 3
        assert phases["malformed"]["calls"] == 3
        # And when the daily quota runs out, jobs are refused without a call
        left = DAILY_CALLS - drive.stats()["calls"]
        assert left > 0, "the fault phases used the whole quota"
        quota = phase("quota", "success", left + 4, delay_s=0.1)
        assert quota["quota_denied"] >= 4, quota
    finally:
        stats = drive.stats()
        used = drive.quota_used()
        drive.broker.close()
        figures.update(phases=phases, fake=stats, quota_used=used, jobs=drive.enqueued)
    # Then, over the whole drill: two calls in flight at most, the quota never passed, all alive
    assert stats["max_in_flight"] <= PERMITS, stats
    assert stats["max_in_flight"] == PERMITS, "the slow phase should have filled both permits"
    assert stats["calls"] <= DAILY_CALLS, stats
    assert used.get("requests", 0) <= DAILY_CALLS, used
    assert used.get("bytes", 0) <= DAILY_BYTES, used
    assert workers.alive(), "a worker process died"
