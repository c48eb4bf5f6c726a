"""``/api/v1/me/preferences`` and route requests that leave them out, over the real app."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.service_stack import HELSINKI, Stack

PROBLEM = "application/problem+json"
PATH = "/api/v1/me/preferences"
DEFAULTS = {"themes": [], "duration_minutes": None, "pace": 1.3, "updated_at": None}


def _stored_payload(stack: Stack, request_id: str) -> dict[str, Any]:
    with psycopg.connect(stack.settings.require_database_url()) as conn:
        row = conn.execute(
            "SELECT payload FROM route_requests WHERE request_id = %s", (request_id,)
        ).fetchone()
    assert row is not None
    return dict(row[0])


def test_a_user_who_never_saved_reads_the_system_defaults(stack: Stack) -> None:
    answer = stack.client.get(PATH, headers=stack.auth(stack.user("ada")))
    assert answer.status_code == 200
    assert answer.json() == DEFAULTS


def test_put_replaces_them_and_each_user_sees_only_their_own(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    body = {"themes": ["nature", "art"], "duration_minutes": 45, "pace": 1.1}
    saved = stack.client.put(PATH, json=body, headers=stack.auth(ada))
    assert saved.status_code == 200, saved.text
    assert saved.json()["themes"] == ["art", "nature"]
    assert (saved.json()["duration_minutes"], saved.json()["pace"]) == (45, 1.1)
    assert saved.json()["updated_at"].endswith("Z")
    assert stack.client.get(PATH, headers=stack.auth(ada)).json() == saved.json()
    # Bob's are still the defaults
    assert stack.client.get(PATH, headers=stack.auth(bob)).json() == DEFAULTS
    # A second PUT replaces everything: left out means the system default
    again = stack.client.put(PATH, json={"pace": 2.0}, headers=stack.auth(ada)).json()
    assert (again["themes"], again["duration_minutes"], again["pace"]) == ([], None, 2.0)


@pytest.mark.parametrize(
    "body",
    [
        {"themes": ["gold"]},
        {"duration_minutes": 0},
        {"duration_minutes": 481},
        {"pace": 0.1},
        {"pace": "1.3"},
        {"theme": ["art"]},
    ],
)
def test_out_of_range_preferences_are_refused(stack: Stack, body: dict[str, Any]) -> None:
    answer = stack.client.put(PATH, json=body, headers=stack.auth(stack.user("ada")))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_without_credentials_it_is_401(stack: Stack, method: str) -> None:
    answer = stack.client.request(method, PATH, json={})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM


def test_a_request_that_omits_them_is_stored_with_the_saved_ones(stack: Stack) -> None:
    token = stack.user("ada")
    stack.client.put(
        PATH,
        json={"themes": ["food"], "duration_minutes": 45, "pace": 1.1},
        headers=stack.auth(token),
    )
    # When Ada asks for a tour giving only where she is
    answer = stack.client.post(
        "/api/v1/routes", json={"start": HELSINKI}, headers=stack.auth(token)
    )
    # Then it is accepted, and the stored request is the effective one
    assert answer.status_code == 202, answer.text
    payload = _stored_payload(stack, answer.json()["request_id"])
    assert (payload["duration_minutes"], payload["preferences"], payload["pace"]) == (
        45,
        ["food"],
        1.1,
    )


def test_the_same_effective_request_replays_under_one_key(stack: Stack) -> None:
    token = stack.user("ada")
    stack.client.put(PATH, json={"duration_minutes": 30}, headers=stack.auth(token))
    headers = {**stack.auth(token), "Idempotency-Key": "walk-1"}
    omitted = stack.client.post("/api/v1/routes", json={"start": HELSINKI}, headers=headers)
    spelled = stack.client.post(
        "/api/v1/routes",
        json={"start": HELSINKI, "duration_minutes": 30, "preferences": [], "pace": 1.3},
        headers=headers,
    )
    assert (omitted.status_code, spelled.status_code) == (202, 202)
    assert spelled.json() == omitted.json()


def test_without_a_duration_anywhere_the_request_is_a_422_naming_it(stack: Stack) -> None:
    answer = stack.client.post(
        "/api/v1/routes", json={"start": HELSINKI}, headers=stack.auth(stack.user("ada"))
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["field"] == "duration_minutes"
