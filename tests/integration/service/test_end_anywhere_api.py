"""``end: "anywhere"`` over HTTP: accepted, carried to the planner, echoed in the history."""

from __future__ import annotations

import pytest

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack


def test_a_tour_that_may_end_anywhere_reaches_the_planner_and_the_history(stack: Stack) -> None:
    token = stack.user("ada")
    planner = FakePlanner()
    stack.start_worker(planner)
    # When a tour that may end anywhere is asked for
    stack.plan(token, {**ROUTE_BODY, "end": "anywhere"})
    # Then the planner was asked for an open end, with no end point
    assert [(spec.end, spec.end_anywhere) for spec in planner.calls] == [(None, True)]
    # And the history shows the request as it was sent
    history = stack.client.get("/api/v1/routes", headers=stack.auth(token)).json()
    assert [r["request"]["end"] for r in history["requests"]] == ["anywhere"]


@pytest.mark.parametrize("end", ["somewhere", "", "ANYWHERE", 7])
def test_any_other_end_string_is_a_validation_problem(stack: Stack, end: object) -> None:
    body = {**ROUTE_BODY, "end": end}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(stack.user("ada")))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
