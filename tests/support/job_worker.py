"""Run the real actors and job monitor on Dramatiq's worker over a stub broker, use cases scripted.

The broker has production's middleware order (``build_broker``'s list), so
retries, dead letters, time limits and the monitor behave as in a worker.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from adapters.inbound.worker.actors import RetryPolicy, declare_actors
from adapters.inbound.worker.monitor import JobTelemetry
from adapters.log_format import configure_logging
from adapters.outbound.dramatiq.broker import JobLogContext
from tests.fakes.job_telemetry import RecordingJobTelemetry
from tests.support import defaults
from wildside.app.generate_route import JobOutcome
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.ports.enrichment_job_queue import ENRICHMENT_JOB, ENRICHMENT_QUEUE
from wildside.ports.enrichment_log import EnrichmentResult
from wildside.ports.route_job_queue import ROUTE_JOB, ROUTE_QUEUE, GenerateRouteJob

USER_ID = "u-3f9c2a71-private"  # personal: in every route message body, never in a line
USERNAME = "ada.lovelace"  # rides in the message as its Idempotency-Key
START = GeoPoint(60.171234, 24.944157)
PERSONAL = (USER_ID, USERNAME, "60.171234", "24.944157", "60.17123", "24.94415")
FAILURE_FIELDS = {"job_id", "queue", "job_type", "failure", "error_code", "attempt"}
FAST_POLICY = defaults.route_job_retry_policy(
    max_retries=1, min_backoff_ms=10, max_backoff_ms=20, hard_time_limit_ms=300
)


@dataclass
class ScriptedUseCases:
    """The actors' handlers, each doing what the test says."""

    route: Callable[[GenerateRouteJob], JobOutcome] = lambda job: JobOutcome.SUCCEEDED
    enrichment_outcome: str = "succeeded"
    code: str | None = None  # what the planner wrapper would have noted
    abandoned: list[str] = field(default_factory=list)

    def generate_route(self, job: GenerateRouteJob) -> JobOutcome:
        return self.route(job)

    def route_failure_code(self) -> str | None:
        code, self.code = self.code, None
        return code

    def abandon_route(self, job: GenerateRouteJob, error: str) -> None:
        self.abandoned.append(error)

    def enrich(self, job: EnrichmentJob) -> EnrichmentResult:
        # The error message names the server's answer only; the monitor never logs it.
        return EnrichmentResult(outcome=self.enrichment_outcome, attempts=3, error="HTTP 504")


def route_document() -> dict[str, Any]:
    """A route job's message body, holding a user id, a key and exact coordinates."""
    spec = RouteSpec.build(start=START, duration_minutes=60)
    return GenerateRouteJob("req-1", USER_ID, spec, idempotency_key=USERNAME).to_document()


def run_one(
    use_cases: ScriptedUseCases,
    queue: str,
    document: dict[str, Any],
    policy: RetryPolicy = FAST_POLICY,
) -> tuple[str, RecordingJobTelemetry]:
    """Send one message to ``queue``'s actor and work until every queue is empty."""
    telemetry = RecordingJobTelemetry()
    return run_counted(use_cases, queue, document, telemetry, policy), telemetry


def run_counted(
    use_cases: ScriptedUseCases,
    queue: str,
    document: dict[str, Any],
    telemetry: JobTelemetry,
    policy: RetryPolicy = FAST_POLICY,
) -> str:
    """``run_one`` with the monitor counting on ``telemetry`` (a real registry, say)."""
    broker = StubBroker(
        middleware=[
            JobLogContext(),
            AgeLimit(),
            TimeLimit(interval=50),
            ShutdownNotifications(),
            Callbacks(),
            Pipelines(),
            Retries(),
            CurrentMessage(),
        ],
        fail_fast_default=False,
    )
    broker.emit_after("process_boot")
    declared = declare_actors(
        broker,
        use_cases,
        policy,
        enrichment_time_limit_ms=defaults.enrichment_time_limit_ms(),
        telemetry=telemetry,
    )
    actors = {actor.actor_name: actor for actor in declared}
    worker = dramatiq.Worker(broker, worker_timeout=20, worker_threads=1)
    worker.start()
    try:
        actor = actors[ROUTE_JOB if queue == ROUTE_QUEUE else ENRICHMENT_JOB]
        message = actor.send(document)
        for _ in range(2):  # the exhausted-retries actor runs after a dead letter
            broker.join(ROUTE_QUEUE, timeout=10_000)
            broker.join(ENRICHMENT_QUEUE, timeout=10_000)
            worker.join()
    finally:
        worker.stop()
        broker.close()
    return message.message_id


@contextmanager
def json_log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every JSON line the process writes, parsed; personal data fails the read at once."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("INFO", json_lines=True, stream=stream)

    def lines() -> list[dict[str, Any]]:
        text = stream.getvalue()
        for secret in PERSONAL:
            assert secret not in text, secret
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    try:
        yield lines
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def failure_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The monitor's failure lines among ``lines``."""
    return [line for line in lines if "failure" in line]
