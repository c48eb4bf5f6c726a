"""Steps for features/job_failure_logs.feature: real actors and monitor, scripted use cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.support.job_worker import (
    ScriptedUseCases,
    failure_lines,
    json_log_lines,
    route_document,
    run_one,
)
from wildside.app.generate_route import JobOutcome
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.errors import UnavailableError
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.route_job_queue import ROUTE_QUEUE, GenerateRouteJob

scenarios("job_failure_logs.feature")


@dataclass
class Story:
    """The job of one scenario and what the worker logged."""

    read_lines: Callable[[], list[dict[str, Any]]]
    use_cases: ScriptedUseCases = field(default_factory=ScriptedUseCases)
    queue: str = ROUTE_QUEUE
    document: dict[str, Any] = field(default_factory=route_document)
    job_id: str = ""


@pytest.fixture
def story() -> Iterator[Story]:
    with json_log_lines() as lines:
        yield Story(lines)


@given(parsers.parse('a route job the engine refuses with "{code}"'))
def refused(story: Story, code: str) -> None:
    def refuse(job: GenerateRouteJob) -> JobOutcome:
        story.use_cases.code = code
        return JobOutcome.FAILED

    story.use_cases.route = refuse


@given("a route job whose database is down on every attempt")
def database_down(story: Story) -> None:
    def outage(job: GenerateRouteJob) -> JobOutcome:
        raise UnavailableError("PostgreSQL is unreachable", service="postgresql")

    story.use_cases.route = outage


@given("an enrichment job whose Overpass calls all time out")
def overpass_times_out(story: Story) -> None:
    story.use_cases.enrichment_outcome = "timeout"
    story.queue = ENRICHMENT_QUEUE
    story.document = EnrichmentJob(BoundingBox(60.171234, 24.944157, 60.18, 24.95)).to_document()


@when("a worker runs it")
def work(story: Story) -> None:
    story.job_id, _ = run_one(story.use_cases, story.queue, story.document)


@then(parsers.parse('the worker logs one "{failure}" line with code "{code}" on attempt {n:d}'))
def one_line(story: Story, failure: str, code: str, n: int) -> None:
    matching = [line for line in failure_lines(story.read_lines()) if line["failure"] == failure]
    assert len(matching) == 1, matching
    (line,) = matching
    assert (line["job_id"], line["queue"]) == (story.job_id, story.queue)
    assert (line["error_code"], line["attempt"]) == (code, n)


@then("no line names the user, their key or the exact start")
def nothing_personal(story: Story) -> None:
    assert story.read_lines()  # reading checks every line for the user id, key and coordinates
