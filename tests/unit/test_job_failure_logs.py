"""Each failed, timed-out, retried and dead-lettered job writes one JSON line, nothing personal.

The actors and the monitor run on Dramatiq's own worker over a stub broker
with the production middleware order; only the use cases are scripted
(``tests/support/job_worker.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from adapters.inbound.worker.actors import EXHAUSTED_JOB
from tests.support.job_worker import (
    FAILURE_FIELDS,
    USER_ID,
    ScriptedUseCases,
    failure_lines,
    json_log_lines,
    route_document,
    run_one,
)
from wildside.app.generate_route import JobOutcome
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.errors import UnavailableError
from wildside.domain.route_status import TIMEOUT_ERROR
from wildside.ports.enrichment_job_queue import ENRICHMENT_JOB, ENRICHMENT_QUEUE
from wildside.ports.route_job_queue import ROUTE_JOB, ROUTE_QUEUE, GenerateRouteJob


@pytest.fixture
def logged() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    with json_log_lines() as lines:
        yield lines


def _check(line: dict[str, Any], job_id: str, queue: str, job_type: str) -> None:
    assert set(line) >= FAILURE_FIELDS, line
    assert (line["job_id"], line["queue"], line["job_type"]) == (job_id, queue, job_type)
    assert line["message"] == f"job {line['failure']}: {line['error_code']}"


def test_a_route_the_engine_refuses_logs_one_failed_line(logged: Any) -> None:
    # Given a route job the use case ends failed (the engine found no walking network)
    use_cases = ScriptedUseCases()

    def refuse(job: GenerateRouteJob) -> JobOutcome:
        use_cases.code = "no-walking-network"
        return JobOutcome.FAILED

    use_cases.route = refuse
    # When a worker runs it
    job_id, telemetry = run_one(use_cases, ROUTE_QUEUE, route_document())
    # Then one warning line names the job, its queue, the error code and the first attempt
    (line,) = failure_lines(logged())
    _check(line, job_id, ROUTE_QUEUE, ROUTE_JOB)
    assert (line["failure"], line["error_code"], line["attempt"]) == (
        "failed",
        "no-walking-network",
        1,
    )
    assert line["level"] == "warning"
    # And it counts as one failed job, none left in flight
    assert telemetry.endings == [(ROUTE_QUEUE, ROUTE_JOB, "failed")]
    assert set(telemetry.in_flight.values()) == {0}


@pytest.mark.parametrize("hard_limit", [False, True])
def test_a_route_past_its_time_limit_logs_one_timed_out_line(
    logged: Any, *, hard_limit: bool
) -> None:
    # Given a route job stopped by the use case's own limit, or interrupted by the hard one
    def slow(job: GenerateRouteJob) -> JobOutcome:
        if not hard_limit:
            return JobOutcome.TIMEOUT
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # pure Python: the interrupt lands here
            time.sleep(0.01)
        return JobOutcome.SUCCEEDED

    use_cases = ScriptedUseCases(route=slow)
    # When a worker runs it
    job_id, telemetry = run_one(use_cases, ROUTE_QUEUE, route_document())
    # Then one timed-out line, code "timeout"; the hard limit also ends the request
    (line,) = failure_lines(logged())
    _check(line, job_id, ROUTE_QUEUE, ROUTE_JOB)
    assert (line["failure"], line["error_code"], line["attempt"]) == ("timed-out", "timeout", 1)
    assert use_cases.abandoned == ([TIMEOUT_ERROR] if hard_limit else [])
    assert telemetry.endings == [(ROUTE_QUEUE, ROUTE_JOB, "failed")]


def test_an_outage_logs_retried_then_dead_lettered_once_each(logged: Any) -> None:
    # Given a route job whose store is down on every attempt (one retry allowed)
    def outage(job: GenerateRouteJob) -> JobOutcome:
        raise UnavailableError("PostgreSQL is unreachable", service="postgresql")

    use_cases = ScriptedUseCases(route=outage)
    # When a worker runs it and gives up
    job_id, telemetry = run_one(use_cases, ROUTE_QUEUE, route_document())
    # Then one retried line (attempt 1), then one dead-lettered line (attempt 2)
    retried, dead = failure_lines(logged())
    for line in (retried, dead):
        _check(line, job_id, ROUTE_QUEUE, ROUTE_JOB)
        assert line["error_code"] == "service-unavailable"
    assert (retried["failure"], retried["attempt"], retried["level"]) == ("retried", 1, "warning")
    assert (dead["failure"], dead["attempt"], dead["level"]) == ("dead-lettered", 2, "error")
    # And the request is ended by the exhausted-retries job, which itself succeeds quietly
    assert len(use_cases.abandoned) == 1
    assert telemetry.endings == [
        (ROUTE_QUEUE, ROUTE_JOB, "retried"),
        (ROUTE_QUEUE, ROUTE_JOB, "failed"),
        (ROUTE_QUEUE, EXHAUSTED_JOB, "succeeded"),
    ]


@pytest.mark.parametrize(
    ("outcome", "failure", "code"),
    [
        ("failed", "failed", "overpass-failed"),
        ("retry_exhausted", "failed", "overpass-retry-exhausted"),
        ("quota_denied", "failed", "overpass-quota-denied"),
        ("timeout", "timed-out", "overpass-timeout"),
    ],
)
def test_an_overpass_failure_logs_one_line(
    logged: Any, outcome: str, failure: str, code: str
) -> None:
    # Given an enrichment job whose Overpass calls end ``outcome``
    use_cases = ScriptedUseCases(enrichment_outcome=outcome)
    box = BoundingBox(60.171234, 24.944157, 60.181234, 24.954157)
    # When a worker runs it
    job_id, telemetry = run_one(use_cases, ENRICHMENT_QUEUE, EnrichmentJob(box).to_document())
    # Then one line with the enrichment queue, the Overpass code and no coordinates
    (line,) = failure_lines(logged())
    _check(line, job_id, ENRICHMENT_QUEUE, ENRICHMENT_JOB)
    assert (line["failure"], line["error_code"], line["attempt"]) == (failure, code, 1)
    assert telemetry.endings == [(ENRICHMENT_QUEUE, ENRICHMENT_JOB, "failed")]


def test_jobs_that_succeed_log_no_failure_line(logged: Any) -> None:
    # Given a route job and an enrichment job that both do their work
    _, route_telemetry = run_one(ScriptedUseCases(), ROUTE_QUEUE, route_document())
    box = BoundingBox(60.1, 24.9, 60.2, 25.0)
    _, enrichment = run_one(ScriptedUseCases(), ENRICHMENT_QUEUE, EnrichmentJob(box).to_document())
    # Then nothing is logged as a failure, and both count as succeeded
    assert failure_lines(logged()) == []
    assert route_telemetry.endings == [(ROUTE_QUEUE, ROUTE_JOB, "succeeded")]
    assert enrichment.endings == [(ENRICHMENT_QUEUE, ENRICHMENT_JOB, "succeeded")]


def test_a_malformed_message_is_one_failed_line_without_its_body(logged: Any) -> None:
    # Given a route message whose body is not a job (but holds a user id)
    job_id, telemetry = run_one(ScriptedUseCases(), ROUTE_QUEUE, {"user_id": USER_ID})
    # Then it is dropped with one failed line, code invalid-input
    (line,) = failure_lines(logged())
    _check(line, job_id, ROUTE_QUEUE, ROUTE_JOB)
    assert (line["failure"], line["error_code"]) == ("failed", "invalid-input")
    assert telemetry.endings == [(ROUTE_QUEUE, ROUTE_JOB, "failed")]
