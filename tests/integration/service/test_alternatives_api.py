"""``alternatives: k`` over HTTP: bounded, carried to the planner, echoed in the history."""

from __future__ import annotations

import pytest

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack


def test_alternatives_reach_the_planner_and_the_history(stack: Stack) -> None:
    token = stack.user("ada")
    planner = FakePlanner()
    stack.start_worker(planner)
    # When three distinct tours are asked for
    route = stack.plan(token, {**ROUTE_BODY, "alternatives": 3})["route"]
    # Then the planner was asked for three, the route keeps its shape and lists the others
    assert [spec.alternatives for spec in planner.calls] == [3]
    assert [stop["id"] for stop in route["stops"]] == ["node/1", "way/2"]
    others = route["alternatives"]
    # (best first: the fake's one-stop tours score 0.8 and 0.6)
    assert [(o["seed"], [s["id"] for s in o["stops"]], o["score"]) for o in others] == [
        (route["seed"] + 2, ["node/1"], 0.8),
        (route["seed"] + 1, ["way/2"], 0.6),
    ]
    assert {"seed", "score", "distance_m", "used_s", "stops", "path"} == set(others[0])
    history = stack.client.get("/api/v1/routes", headers=stack.auth(token)).json()
    assert [r["request"]["alternatives"] for r in history["requests"]] == [3]


@pytest.mark.parametrize("k", [0, 6, "3", 2.5])
def test_alternatives_outside_one_to_five_are_a_validation_problem(stack: Stack, k: object) -> None:
    body = {**ROUTE_BODY, "alternatives": k}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(stack.user("ada")))
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
