"""``/api/v1/routes`` over real PostgreSQL, Redis and a Dramatiq worker, through the real app."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack, wait_for

PROBLEM = "application/problem+json"


def _body(**changes: object) -> dict:
    body = copy.deepcopy(ROUTE_BODY)
    body.update(changes)
    return body


def test_a_request_is_accepted_with_location_and_quota_headers(stack: Stack) -> None:
    token = stack.user("ada")
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert response.status_code == 202
    request_id = response.json()["request_id"]
    assert response.headers["location"] == f"/api/v1/routes/{request_id}"
    assert response.headers["ratelimit-limit"] == "60"
    assert response.headers["ratelimit-remaining"] == "59"
    # While nothing works on it, it reads as queued, with a hint when to ask again.
    pending = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
    assert pending.status_code == 202
    assert pending.headers["retry-after"] == "1"
    assert pending.json() == {"request_id": request_id, "status": "queued", "progress": 0}


def test_a_worker_turns_it_into_the_seed_response(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker(FakePlanner())
    request_id = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token)
    ).json()["request_id"]

    def finished() -> dict | None:
        response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return response.json() if response.status_code == 200 else None

    result = wait_for(finished)
    assert result["request_id"] == request_id
    assert result["status"] == "succeeded"
    assert result["route"]["points"] == [
        {"lat": 60.17, "lng": 24.95, "name": "Old Church"},
        {"lat": 60.18, "lng": 24.95, "name": "Park"},
    ]
    assert result["route"]["distance_m"] == 2340
    assert result["route"]["path"]["type"] == "LineString"
    assert result["route"]["attribution"].startswith("© OpenStreetMap contributors")


def test_another_users_request_is_a_404(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    request_id = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(ada)
    ).json()["request_id"]
    response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(bob))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_idempotent_replay_and_conflict(stack: Stack) -> None:
    headers = {**stack.auth(stack.user("ada")), "Idempotency-Key": "trip-1"}
    first = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers)
    again = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    conflict = stack.client.post("/api/v1/routes", json=_body(duration_minutes=30), headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency-key-conflict"
    assert conflict.json()["type"] == "/problems/idempotency-key-conflict"


def test_concurrent_submissions_with_one_key_make_one_request(stack: Stack) -> None:
    headers = {**stack.auth(stack.user("ada")), "Idempotency-Key": "same-key"}

    def submit(_: int) -> str:
        response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers)
        assert response.status_code == 202
        return response.json()["request_id"]

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(submit, range(8)))
    assert len(ids) == 1


def test_the_rate_limit_holds_with_retry_after(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(rate_limit_per_minute=3)
    headers = stack.auth(stack.user("ada"))
    codes = [
        stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers) for _ in range(4)
    ]
    assert [r.status_code for r in codes] == [202, 202, 202, 429]
    refused = codes[-1]
    assert refused.headers["content-type"] == PROBLEM
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.json()["code"] == "rate-limited"
    # Another user has a quota of their own.
    other = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(stack.user("bob"))
    )
    assert other.status_code == 202


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_body(start={"lat": 91, "lng": 0}), 422, "validation-error"),
        (_body(start={"lat": 0, "lng": -180.5}), 422, "validation-error"),
        (_body(duration_minutes=0), 422, "validation-error"),
        (_body(duration_minutes=481), 422, "validation-error"),
        (_body(preferences=["history", "dragons"]), 422, "validation-error"),
        (_body(seed=-1), 422, "validation-error"),
        (_body(pace=9.0), 422, "validation-error"),
        (_body(unexpected=True), 422, "validation-error"),
        ({"duration_minutes": 60}, 422, "validation-error"),
        (_body(start={"lat": "sixty", "lng": 24.9}), 422, "validation-error"),
    ],
)
def test_invalid_bodies_are_refused_with_a_problem(
    stack: Stack, body: dict, status: int, code: str
) -> None:
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(stack.user("ada")))
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == code
    assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"start": ', "application/json", 400),
        (b"NaN", "application/json", 400),
        (b"start=1", "application/x-www-form-urlencoded", 415),
        (b"{}", "text/plain", 415),
        (b'{"pad": "' + b"x" * 20_000 + b'"}', "application/json", 413),
    ],
)
def test_malformed_wrong_type_and_oversized_bodies(
    stack: Stack, content: bytes, content_type: str, status: int
) -> None:
    headers = {**stack.auth(stack.user("ada")), "Content-Type": content_type}
    response = stack.client.post("/api/v1/routes", content=content, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wst_" + "A" * 43}, {"Authorization": "Basic YTpi"}],
)
def test_unauthenticated_calls_get_401(stack: Stack, headers: dict) -> None:
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == PROBLEM


def test_framework_errors_are_problems(stack: Stack) -> None:
    missing = stack.client.get("/nowhere")
    wrong_method = stack.client.delete("/api/v1/routes")
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    assert {missing.headers["content-type"], wrong_method.headers["content-type"]} == {PROBLEM}
    assert "POST" in wrong_method.headers["allow"]


def test_a_bad_idempotency_key_is_a_422(stack: Stack) -> None:
    headers = {**stack.auth(stack.user("ada")), "Idempotency-Key": "x" * 300}
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["key"] == "Idempotency-Key"
