"""Saving tours and ``/api/v1/saved-routes`` over the real app, PostgreSQL and a worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from tests.service_stack import ROUTE_BODY, Stack, wait_for

PROBLEM = "application/problem+json"


def _succeeded(stack: Stack, token: str, body: dict[str, Any] = ROUTE_BODY) -> str:
    """Submit a tour and wait until the worker has computed it."""
    auth = stack.auth(token)
    request_id = stack.client.post("/api/v1/routes", json=body, headers=auth).json()["request_id"]
    wait_for(
        lambda: stack.client.get(f"/api/v1/routes/{request_id}", headers=auth).status_code == 200
    )
    return str(request_id)


def _save(stack: Stack, token: str, request_id: str, **kwargs: Any) -> Any:
    return stack.client.post(
        f"/api/v1/routes/{request_id}/save", headers=stack.auth(token), **kwargs
    )


def test_a_saved_route_is_listed_read_and_deleted(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker()
    request_id = _succeeded(stack, token)
    route = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token)).json()
    # When Ada saves it with a title
    saved = _save(stack, token, request_id, json={"title": " Sunday\u0000 walk "})
    # Then it is created, with where to find it
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert saved.headers["location"] == f"/api/v1/saved-routes/{body['id']}"
    assert (body["request_id"], body["title"], body["stops"]) == (request_id, "Sunday walk", 2)
    assert body["request"]["duration_minutes"] == 60
    assert body["request"]["preferences"] == ["history", "nature"]
    assert body["created_at"].endswith("Z")
    # And it is in her list and reads back with the whole route, version kept
    listing = stack.client.get("/api/v1/saved-routes", headers=stack.auth(token)).json()
    assert [item["id"] for item in listing["items"]] == [body["id"]]
    assert listing["next_cursor"] is None
    full = stack.client.get(saved.headers["location"], headers=stack.auth(token))
    assert full.status_code == 200
    assert full.json()["route"] == route["route"]
    assert full.json()["route"]["version"] == 1
    # When she deletes it, twice
    for _ in range(2):
        gone = stack.client.delete(saved.headers["location"], headers=stack.auth(token))
        assert gone.status_code == 204
    # Then it is gone
    assert stack.client.get(saved.headers["location"], headers=stack.auth(token)).status_code == 404


def test_saving_twice_answers_the_first_copy_and_an_empty_body_is_fine(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker()
    request_id = _succeeded(stack, token)
    first = _save(stack, token, request_id)  # no body at all
    again = _save(stack, token, request_id, json={"title": "another title"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["title"] is None


def test_a_request_still_queued_cannot_be_saved(stack: Stack) -> None:
    token = stack.user("ada")
    request_id = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token)
    ).json()["request_id"]
    answer = _save(stack, token, request_id)
    assert answer.status_code == 409
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "route-not-succeeded"


def test_another_users_request_and_saved_route_are_404(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    stack.start_worker()
    request_id = _succeeded(stack, ada)
    location = _save(stack, ada, request_id).headers["location"]
    # Bob can neither save Ada's request nor read or delete her saved route
    assert _save(stack, bob, request_id).status_code == 404
    for method in ("GET", "DELETE"):
        answer = stack.client.request(method, location, headers=stack.auth(bob))
        assert answer.status_code == 404, method
        assert answer.json()["code"] == "not-found"
    listing = stack.client.get("/api/v1/saved-routes", headers=stack.auth(bob)).json()
    assert listing == {"items": [], "next_cursor": None}
    # And Ada still has it
    assert stack.client.get(location, headers=stack.auth(ada)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/routes/7c6c931e-c029-4939-a05d-507ed8b296f4/save"),
        ("GET", "/api/v1/saved-routes"),
        ("GET", "/api/v1/saved-routes/52078836-6888-4061-83b2-31ee3f31665d"),
        ("DELETE", "/api/v1/saved-routes/c32bb7a5-839c-426b-9d62-bd634fcb440e"),
    ],
)
def test_without_credentials_every_operation_is_401(stack: Stack, method: str, path: str) -> None:
    answer = stack.client.request(method, path)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM


def test_pages_follow_the_cursor_and_a_bad_cursor_is_400(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker()
    ids = []
    for minutes in (30, 40, 50):
        request_id = _succeeded(stack, token, {**ROUTE_BODY, "duration_minutes": minutes})
        ids.append(_save(stack, token, request_id).json()["id"])
    auth = stack.auth(token)
    first = stack.client.get("/api/v1/saved-routes", params={"limit": 2}, headers=auth).json()
    second = stack.client.get(
        "/api/v1/saved-routes", params={"limit": 2, "cursor": first["next_cursor"]}, headers=auth
    ).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    for cursor in ("not-a-cursor", "W10", "WyJ4IiwgInkiXQ"):  # garbage, [], ["x", "y"]
        bad = stack.client.get("/api/v1/saved-routes", params={"cursor": cursor}, headers=auth)
        assert bad.status_code == 400, cursor
        assert bad.headers["content-type"] == PROBLEM


def test_a_body_that_is_not_json_or_a_title_too_long_is_refused(stack: Stack) -> None:
    token = stack.user("ada")
    path = f"/api/v1/routes/{uuid.uuid4()}/save"
    auth = stack.auth(token)
    as_text = stack.client.post(
        path, content=b"title", headers={**auth, "Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    too_long = stack.client.post(path, json={"title": "x" * 121}, headers=auth)
    assert too_long.status_code == 422
    unknown = stack.client.post(path, json={"name": "x"}, headers=auth)
    assert unknown.status_code == 422


def test_the_saved_copy_outlives_the_request(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker()
    request_id = _succeeded(stack, token)
    location = _save(stack, token, request_id).headers["location"]
    # When a day has passed and the maintenance deletes what expired
    requests = PostgresRouteRequestStore(per_call(stack.settings.require_database_url()))
    assert requests.delete_expired(datetime.now(UTC) + timedelta(hours=25)) == 1
    # Then the request is gone and the saved route is not
    gone = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
    assert gone.status_code == 404
    kept = stack.client.get(location, headers=stack.auth(token))
    assert kept.status_code == 200
    assert kept.json()["request_id"] == request_id


def test_a_saved_route_echoes_the_start_time_and_the_tours_asked_for(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker()
    body = {**ROUTE_BODY, "start_time": "2026-12-08T10:00:00+02:00", "alternatives": 2}
    request_id = _succeeded(stack, token, body)
    saved = _save(stack, token, request_id).json()
    listed = stack.client.get("/api/v1/saved-routes", headers=stack.auth(token)).json()
    for echo in (saved["request"], listed["items"][0]["request"]):
        assert (echo["alternatives"], echo["start_time"]) == (2, "2026-12-08T08:00:00Z")
    # A request without them echoes the defaults
    plain = _save(stack, token, _succeeded(stack, token)).json()["request"]
    assert (plain["alternatives"], plain["start_time"]) == (1, None)
