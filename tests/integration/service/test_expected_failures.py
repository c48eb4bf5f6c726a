"""Failures no retry can fix end after one attempt, as a clear problem (issue 18, item 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis

from adapters.composition import build_ingest, build_plan_tour
from adapters.outbound.dramatiq.broker import dead_letter_key
from tests.fakes.planner import FakePlanner
from tests.service_stack import HELSINKI, Stack, wait_for
from wildside.app.generate_route import TourPlanner
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour
from wildside.ports.progress import SilentProgress

KAUPPATORI = {"lat": 60.1675, "lng": 24.9525}  # about 700 m from HELSINKI by street


@dataclass
class CountingPlanner:
    """The real engine, counting how many times the worker asked it for a tour."""

    inner: TourPlanner
    calls: list[RouteSpec] = field(default_factory=list)

    def data_version(self) -> str:
        return self.inner.data_version()

    def __call__(
        self,
        request: RouteSpec,
        progress: Any = None,
        data_version: str | None = None,
        on_candidate: Any = None,
    ) -> Tour:
        self.calls.append(request)
        return self.inner(request, progress, data_version, on_candidate)


def _failed(stack: Stack, token: str, request_id: str) -> Any:
    def read() -> Any:
        response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return response if response.status_code == 422 else None

    return wait_for(read, timeout=60)


def _attempts(stack: Stack, request_id: str) -> int:
    with psycopg.connect(stack.settings.require_database_url()) as conn:
        row = conn.execute(
            "SELECT attempts FROM route_requests WHERE request_id = %s", (request_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def _dead_letters(stack: Stack) -> int:
    client = redis.Redis.from_url(stack.settings.require_redis_url())
    try:
        return int(client.zcard(dead_letter_key("route_generation")))
    finally:
        client.close()


def test_an_end_out_of_reach_fails_once_with_a_clear_problem(
    stack: Stack, helsinki_pbf: Path
) -> None:
    # Given central Helsinki and a worker on the real engine (one retry allowed)
    build_ingest(stack.settings, SilentProgress())(helsinki_pbf)
    planner = CountingPlanner(build_plan_tour(stack.settings))
    stack.start_worker(planner)
    token = stack.user("ada")

    # When a walker asks to end 700 m away within 5 minutes (390 m at 1.3 m/s)
    body = {"start": HELSINKI, "end": KAUPPATORI, "duration_minutes": 5}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))
    assert response.status_code == 202
    request_id = response.json()["request_id"]
    failed = _failed(stack, token, request_id)

    # Then GET answers a problem that names the end and the budget, not a retry count
    assert failed.headers["content-type"].startswith("application/problem+json")
    problem = failed.json()
    assert problem["type"].endswith("route-generation-failed")
    assert problem["detail"].startswith("the end cannot be reached from the start within")
    assert "5-minute budget" in problem["detail"]
    assert "attempt" not in problem["detail"]
    assert "node" not in problem["detail"]
    # And the job ran exactly once: never retried, nothing in the dead letters
    assert len(planner.calls) == 1
    assert _attempts(stack, request_id) == 1
    assert _dead_letters(stack) == 0


def test_a_bug_in_the_engine_is_not_retried(stack: Stack) -> None:
    # Given a worker whose engine fails with an error no retry can fix (a bug)
    planner = FakePlanner(error=KeyError("stop 7"))
    stack.start_worker(planner)  # one retry allowed for outages
    token = stack.user("ada")

    # When a request is submitted
    body = {"start": HELSINKI, "duration_minutes": 60}
    request_id = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token)).json()[
        "request_id"
    ]
    problem = _failed(stack, token, request_id).json()

    # Then the request fails after its one attempt, without internal detail,
    # and Dramatiq did not send it again
    assert "stop 7" not in problem["detail"]
    assert "after 1 attempt" in problem["detail"]
    assert len(planner.calls) == 1
    assert _attempts(stack, request_id) == 1


def test_a_start_with_no_walking_network_fails_once_with_a_clear_problem(
    stack: Stack, helsinki_pbf: Path
) -> None:
    # Given only Helsinki's streets and a worker on the real, tiled engine
    build_ingest(stack.settings, SilentProgress())(helsinki_pbf)
    planner = CountingPlanner(build_plan_tour(stack.settings))
    stack.start_worker(planner)
    token = stack.user("ada")

    # When a walker starts in Paris
    body = {"start": {"lat": 48.8566, "lng": 2.3522}, "duration_minutes": 90}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))
    assert response.status_code == 202
    request_id = response.json()["request_id"]
    problem = _failed(stack, token, request_id).json()

    # Then GET answers a 422 problem saying no walking network is stored there, after one attempt
    assert problem["status"] == 422
    assert problem["detail"].startswith("no walking network is stored within 3.9 km of the start")
    assert len(planner.calls) == 1
    assert _attempts(stack, request_id) == 1
    assert _dead_letters(stack) == 0
