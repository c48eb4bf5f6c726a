"""``start_time`` over HTTP: validated (RFC 3339 with an offset), carried, echoed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack, wait_for


def test_a_start_time_reaches_the_planner_the_route_and_the_history(stack: Stack) -> None:
    token = stack.user("ada")
    planner = FakePlanner()
    stack.start_worker(planner)
    # When a tour is asked for 10:00 in Helsinki on a Tuesday in December
    body = {**ROUTE_BODY, "start_time": "2026-12-08T10:00:00+02:00"}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))
    assert response.status_code == 202
    request_id = response.json()["request_id"]

    def finished() -> dict[str, Any] | None:
        got = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return got.json() if got.status_code == 200 else None

    route = wait_for(finished)["route"]
    # Then the planner got that instant, and the route says when it starts
    assert [spec.start_time for spec in planner.calls] == [datetime(2026, 12, 8, 8, 0, tzinfo=UTC)]
    assert route["start_time"] == "2026-12-08T08:00:00Z"
    # And each stop says what is known of its hours (the fake knows none), nothing skipped
    assert [stop["opening"] for stop in route["stops"]] == [{"state": "unknown", "hours": None}] * 2
    assert route["skipped"] == []
    # And the history echoes the request's start (as the same instant, in UTC)
    history = stack.client.get("/api/v1/routes", headers=stack.auth(token)).json()
    assert [r["request"]["start_time"] for r in history["requests"]] == ["2026-12-08T08:00:00Z"]


def test_a_request_without_start_time_starts_when_planned(stack: Stack) -> None:
    token = stack.user("ada")
    planner = FakePlanner()
    stack.start_worker(planner)
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert response.status_code == 202
    history = stack.client.get("/api/v1/routes", headers=stack.auth(token)).json()
    assert [r["request"]["start_time"] for r in history["requests"]] == [None]


@pytest.mark.parametrize(
    "start_time",
    [
        "2026-12-08T10:00:00",  # no offset: whose ten o'clock?
        "2026-12-08T10:00+02:00",  # RFC 3339 needs the seconds
        "2026-12-08T10:00:00+25:00",  # no such offset
        "2026-12-08",
        "next tuesday",
        "1850-06-01T10:00:00Z",  # outside the years a walk may start
        1765180800,
    ],
)
def test_a_bad_start_time_is_a_validation_problem(stack: Stack, start_time: object) -> None:
    body = {**ROUTE_BODY, "start_time": start_time}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(stack.user("ada")))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "start_time" in response.text
