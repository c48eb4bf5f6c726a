"""Live guidance over ``/ws`` and the re-plan, on the real app, PostgreSQL, Redis and a worker.

The worker's engine is ``FakePlanner``: a triangle from (60.17, 24.94) east to
the Old Church (60.17, 24.95), north to the Park (60.18, 24.95) and back.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.composition.service import accounts, open_resources
from tests.fakes.planner import FakePlanner
from tests.integration.service.test_log_redaction import json_log
from tests.integration.service.test_websocket_security import (
    _expect_unauthenticated_then_close as expect_unauthenticated_then_close,
)
from tests.service_stack import ROUTE_BODY, Stack, wait_for
from tests.support.walks import location
from tests.ws_messages import CLIENT, ERROR, GUIDANCE, LOCATION

__all__ = ["json_log"]  # the fixture, for the redaction test below

SUBPROTOCOL = "wildside.v1"


def _route(stack: Stack, token: str, body: dict[str, Any] | None = None) -> str:
    """A succeeded route request of the token's user."""
    response = stack.client.post(
        "/api/v1/routes", json=body or ROUTE_BODY, headers=stack.auth(token)
    )
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]

    def done() -> bool:
        got = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return got.status_code == 200

    wait_for(done, timeout=20)
    return str(request_id)


def _socket(stack: Stack, token: str) -> Any:
    return stack.client.websocket_connect("/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"])


def _ask(socket: Any, message: dict[str, Any]) -> dict[str, Any]:
    socket.send_json(message)
    answer: dict[str, Any] = socket.receive_json(timeout=10)
    return answer


def test_a_walk_gets_next_stop_arrival_with_its_tip_and_the_way_back(stack: Stack) -> None:
    # Given ada's computed route
    token = stack.user("ada")
    stack.start_worker(FakePlanner())
    route = _route(stack, token)
    with _socket(stack, token) as socket:
        # When she sends a fix at the start
        first = location(route, 60.17, 24.94)
        LOCATION.validate(first)
        CLIENT.validate(first)
        start = _ask(socket, first)
        # Then the next stop is the Old Church, about 553 m east along the path
        GUIDANCE.validate(start)
        assert (start["type"], start["kind"], start["route"]) == ("guidance", "next_stop", route)
        assert (start["next"]["id"], start["next"]["name"]) == ("node/1", "Old Church")
        assert start["next"]["distance_m"] == pytest.approx(553, abs=5)
        assert start["schedule"] == {
            "status": "on_time",
            "minutes": 0,
            "elapsed_s": 0.0,
            "planned_s": 0.0,
        }
        # When she reaches it, 5 minutes on (as planned)
        arrived = _ask(socket, location(route, 60.17003, 24.95, minutes=5))
        # Then she has arrived, with the stop's reason as the tip, and the Park is next
        GUIDANCE.validate(arrived)
        assert arrived["kind"] == "arrived"
        assert arrived["arrived"] == {
            "index": 0,
            "id": "node/1",
            "name": "Old Church",
            "tip": "why",
        }
        assert arrived["visited"] == ["node/1"]
        assert arrived["next"]["id"] == "way/2"
        # When she strays 300 m east of the street to the Park
        lost = _ask(socket, location(route, 60.175, 24.9554, minutes=20))
        # Then she is off the route; the way back leads west to the street
        GUIDANCE.validate(lost)
        assert lost["kind"] == "off_route"
        back = lost["way_back"]
        assert back["distance_m"] == pytest.approx(300, abs=10)
        assert back["bearing_deg"] == pytest.approx(270, abs=2)
        assert (back["lat"], back["lng"]) == pytest.approx((60.175, 24.95), abs=1e-4)
        assert not {"lat", "lng"} & set(lost)  # her position is never echoed


def test_another_users_route_gets_an_error_not_guidance(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    stack.start_worker(FakePlanner())
    route = _route(stack, ada)
    with _socket(stack, bob) as socket:
        refused = _ask(socket, location(route, 60.17, 24.94))
        ERROR.validate(refused)
        assert (refused["code"], refused["route"]) == ("not-found", route)
        # And an unknown id looks the same
        unknown = _ask(socket, location("00000000-0000-4000-8000-000000000000", 60.17, 24.94))
        assert unknown["code"] == "not-found"
        assert unknown["detail"] == refused["detail"]
        # And the socket still guides bob on his own route
        own = _route(stack, bob)
        assert _ask(socket, location(own, 60.17, 24.94))["type"] == "guidance"


def test_a_route_still_computing_cannot_be_followed(stack: Stack) -> None:
    token = stack.user("ada")
    gate = threading.Event()
    stack.start_worker(FakePlanner(gate=gate))
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    request_id = response.json()["request_id"]
    try:
        with _socket(stack, token) as socket:
            assert _ask(socket, location(request_id, 60.17, 24.94))["code"] == "not-found"
    finally:
        gate.set()


@pytest.mark.parametrize(
    "changes",
    [
        {"lat": 91.0},
        {"lng": -180.5},
        {"lat": "60.17"},
        {"accuracy_m": -1.0},
        {"accuracy_m": 5001.0},
        {"timestamp": "2026-06-01T09:00:00"},  # no time zone
        {"timestamp": "yesterday"},
        {"timestamp": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
        {"route": "x" * 65},
        {"route": "../etc/passwd"},
        {"speed": 3.0},
    ],
)
def test_bad_locations_get_an_error_and_the_socket_stays_open(
    stack: Stack, changes: dict[str, Any]
) -> None:
    token = stack.user("ada")
    with _socket(stack, token) as socket:
        some_id = "00000000-0000-4000-8000-000000000000"
        error = _ask(socket, location(some_id, 60.17, 24.94, changes=changes))
        ERROR.validate(error)
        assert error["code"] == "invalid-message", error
        # the socket still answers
        socket.send_text("{")
        assert socket.receive_json(timeout=10)["code"] == "invalid-message"


def test_non_finite_numbers_and_missing_fields_are_invalid(stack: Stack) -> None:
    token = stack.user("ada")
    with _socket(stack, token) as socket:
        fix = location("00000000-0000-4000-8000-000000000000", 60.17, 24.94)
        for raw in [
            json.dumps(fix).replace("60.17", "NaN"),
            json.dumps(fix).replace("60.17", "1e999"),
            json.dumps({k: v for k, v in fix.items() if k != "accuracy_m"}),
        ]:
            socket.send_text(raw)
            assert socket.receive_json(timeout=10)["code"] == "invalid-message"


def test_location_messages_beyond_the_connections_quota_are_refused(
    make_stack: Callable[..., Stack],
) -> None:
    # Given a quota of 3 fixes a minute per connection
    stack = make_stack(ws_location_limit_per_minute=3)
    token = stack.user("ada")
    stack.start_worker(FakePlanner())
    route = _route(stack, token)
    with _socket(stack, token) as socket:
        answers = [_ask(socket, location(route, 60.17, 24.94)) for _ in range(4)]
    # Then three are answered and the fourth is refused, saying when to send again
    assert [a["type"] for a in answers] == ["guidance"] * 3 + ["error"]
    ERROR.validate(answers[3])
    assert answers[3]["code"] == "rate-limited"
    assert answers[3]["retry_after"] >= 1


def test_a_guided_walk_logs_no_position(
    json_log: io.StringIO, make_stack: Callable[..., Stack]
) -> None:
    stack = make_stack()
    token = stack.user("ada")
    stack.start_worker(FakePlanner())
    route = _route(stack, token)
    with _socket(stack, token) as socket:
        for lat, lng in [(60.1712345, 24.9412345), (60.1754321, 24.9554321)]:
            assert _ask(socket, location(route, lat, lng))["type"] == "guidance"
        # a bug inside guidance would log a traceback: it must not carry the fix either
        bad = location(route, 60.1712345, 24.9412345, changes={"accuracy_m": -1})
        assert _ask(socket, bad)["code"] == "invalid-message"
    text = json_log.getvalue()
    for value in ("60.1712345", "24.9412345", "60.1754321", "24.9554321"):
        assert value not in text


# --- re-plan --------------------------------------------------------------------------------


def _replan(stack: Stack, token: str, **changes: Any) -> Any:
    body = {"start": {"lat": 60.175, "lng": 24.95}, "duration_minutes": 40, **changes}
    return stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))


def test_a_replan_skips_the_visited_stops(stack: Stack) -> None:
    # Given ada walking her route, having visited the Old Church
    token = stack.user("ada")
    planner = FakePlanner()
    stack.start_worker(planner)
    route = _route(stack, token)
    # When she asks for a new tour from where she stands, without what she has seen
    response = _replan(stack, token, from_route=route, visited=["node/1"])
    assert response.status_code == 202, response.text
    wait_for(lambda: len(planner.calls) == 2)
    # Then the engine is asked for a tour that never visits it
    replanned = planner.calls[-1]
    assert replanned.exclude == ("node/1",)
    assert (replanned.start.lat, replanned.duration_minutes) == (60.175, 40.0)


def test_a_replan_from_someone_elses_or_an_unfinished_route_is_refused(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    gate = threading.Event()
    stack.start_worker(FakePlanner(gate=gate))
    pending = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(ada))
    pending_id = pending.json()["request_id"]
    try:
        theirs = _replan(stack, bob, from_route=pending_id, visited=["node/1"])
        assert (theirs.status_code, theirs.json()["code"]) == (404, "not-found")
        unready = _replan(stack, ada, from_route=pending_id)
        assert (unready.status_code, unready.json()["code"]) == (409, "route-not-ready")
    finally:
        gate.set()
    for changes in (
        {"from_route": "not-a-uuid"},
        {"visited": ["node/1'; DROP TABLE pois"]},
        {"visited": [f"node/{i}" for i in range(65)]},
    ):
        refused = _replan(stack, ada, **changes)
        assert (refused.status_code, refused.json()["code"]) == (422, "validation-error"), changes


def test_a_walking_socket_ends_when_its_token_is_revoked(
    make_stack: Callable[..., Stack],
) -> None:
    # Given a socket that walks (sends fixes, follows no request) with a short recheck
    stack = make_stack(ws_auth_recheck_s=0.3)
    with open_resources(stack.settings, pool_size=1) as resources:
        issued = accounts(resources).create_user("ada")
    stack.start_worker(FakePlanner())
    route = _route(stack, issued.secret)
    with _socket(stack, issued.secret) as socket:
        assert _ask(socket, location(route, 60.17, 24.94))["type"] == "guidance"
        # When the token is revoked
        with open_resources(stack.settings, pool_size=1) as resources:
            accounts(resources).revoke_token(issued.token_id)
        # Then the socket is told so and closed with 4401, as a following socket is
        expect_unauthenticated_then_close(socket, timeout=10)


def _save(stack: Stack, token: str, request_id: str) -> str:
    saved = stack.client.post(f"/api/v1/routes/{request_id}/save", headers=stack.auth(token))
    assert saved.status_code == 201, saved.text
    return str(saved.json()["id"])


def test_a_saved_route_is_followed_and_replanned_from_by_its_own_id(stack: Stack) -> None:
    # Given ada's saved copy of a computed route, and bob
    ada, bob = stack.user("ada"), stack.user("bob")
    planner = FakePlanner()
    stack.start_worker(planner)
    saved_id = _save(stack, ada, _route(stack, ada))
    # When she walks it by the saved copy's id
    with _socket(stack, ada) as socket:
        start = _ask(socket, location(saved_id, 60.17, 24.94))
    # Then she is guided along it
    GUIDANCE.validate(start)
    assert (start["kind"], start["route"], start["next"]["id"]) == ("next_stop", saved_id, "node/1")
    # And she can re-plan from it, skipping what she has seen
    response = _replan(stack, ada, from_route=saved_id, visited=["node/1"])
    assert response.status_code == 202, response.text
    wait_for(lambda: len(planner.calls) == 2)
    assert planner.calls[-1].exclude == ("node/1",)
    # But for bob her saved route is no route at all, over the socket and for a re-plan
    with _socket(stack, bob) as socket:
        assert _ask(socket, location(saved_id, 60.17, 24.94))["code"] == "not-found"
    theirs = _replan(stack, bob, from_route=saved_id)
    assert (theirs.status_code, theirs.json()["code"]) == (404, "not-found")
