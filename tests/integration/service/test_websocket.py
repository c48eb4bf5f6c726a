"""``/ws``: authentication, subscriptions, and status messages in the seed's schema and order."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack
from tests.ws_messages import ERROR, STATUS, check_status_stream

SUBPROTOCOL = "wildside.v1"


def _submit(stack: Stack, token: str) -> str:
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert response.status_code == 202
    return response.json()["request_id"]


def _subscribe(request_id: str) -> dict[str, str]:
    return {"type": "subscribe", "channel": "route_generation_status", "request_id": request_id}


def _collect_until_final(socket: Any) -> list[dict[str, Any]]:
    messages = [socket.receive_json(timeout=10)]
    while messages[-1].get("status") not in ("succeeded", "failed"):
        messages.append(socket.receive_json(timeout=10))
    return messages


def test_a_subscriber_sees_queued_running_with_progress_then_succeeded(stack: Stack) -> None:
    token = stack.user("ada")
    gate = threading.Event()
    stack.start_worker(FakePlanner(gate=gate, progress_steps=(0, 20, 40, 60, 80, 100)))
    request_id = _submit(stack, token)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"]
    ) as socket:
        assert socket.accepted_subprotocol == SUBPROTOCOL
        socket.send_json(_subscribe(request_id))
        first = socket.receive_json(timeout=10)
        gate.set()  # let the worker run only once the client has the snapshot
        messages = [first, *_collect_until_final(socket)]
    check_status_stream(messages)
    statuses = [m["status"] for m in messages]
    assert statuses[0] in ("queued", "running")
    assert statuses[-1] == "succeeded"
    assert len([s for s in statuses if s == "running"]) >= 3  # progress arrives as it happens
    assert messages[-1]["progress"] == 100


def test_subscribing_after_completion_yields_the_final_message(stack: Stack) -> None:
    token = stack.user("ada")
    stack.start_worker(FakePlanner())
    request_id = _submit(stack, token)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"]
    ) as socket:
        socket.send_json(_subscribe(request_id))
        _collect_until_final(socket)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"]
    ) as socket:
        socket.send_json(_subscribe(request_id))
        final = socket.receive_json(timeout=10)
    STATUS.validate(final)
    assert (final["status"], final["progress"]) == ("succeeded", 100)


def test_another_users_request_is_refused(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    request_id = _submit(stack, ada)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{bob}"]
    ) as socket:
        socket.send_json(_subscribe(request_id))
        refusal = socket.receive_json(timeout=10)
        ERROR.validate(refusal)
        assert (refusal["code"], refusal["request_id"]) == ("not-found", request_id)
        # The connection stays usable for bob's own requests.
        own = _submit(stack, bob)
        socket.send_json(_subscribe(own))
        assert socket.receive_json(timeout=10)["request_id"] == own


def test_bad_messages_get_an_error_and_the_socket_stays_open(stack: Stack) -> None:
    token = stack.user("ada")
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"]
    ) as socket:
        for raw in [
            "not json",
            '{"type": "subscribe"}',
            '{"type": "shout", "channel": "x", "request_id": "y"}',
        ]:
            socket.send_text(raw)
            error = socket.receive_json(timeout=10)
            ERROR.validate(error)
            assert error["code"] == "invalid-message"
        socket.send_json(_subscribe("not-a-uuid"))
        assert socket.receive_json(timeout=10)["code"] == "not-found"


def test_a_failed_job_ends_with_failed_and_its_error(stack: Stack) -> None:
    from wildside.domain.errors import InvalidInputError

    token = stack.user("ada")
    stack.start_worker(FakePlanner(error=InvalidInputError("no streets within 400 m of the start")))
    request_id = _submit(stack, token)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{token}"]
    ) as socket:
        socket.send_json(_subscribe(request_id))
        messages = _collect_until_final(socket)
    check_status_stream(messages)
    assert messages[-1]["status"] == "failed"
    assert messages[-1]["error"] == "no streets within 400 m of the start"
    response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
    assert response.status_code == 422
    assert response.json()["code"] == "route-generation-failed"


@pytest.mark.parametrize(
    ("subprotocols", "query"),
    [
        ([SUBPROTOCOL, "bearer.wst_" + "A" * 43], ""),  # unknown token
        ([SUBPROTOCOL], ""),  # nothing at all
        (None, "?token={token}"),  # a token in the URL is refused even if valid
        (["bearer.{token}"], ""),  # the token without the protocol it belongs to
    ],
)
def test_the_handshake_is_refused_without_valid_credentials(
    stack: Stack, subprotocols: list[str] | None, query: str
) -> None:
    token = stack.user("ada")
    protocols = [p.format(token=token) for p in subprotocols] if subprotocols else None
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        stack.client.websocket_connect("/ws" + query.format(token=token), subprotocols=protocols),
    ):
        pass
    assert refused.value.code == 4401


def test_the_session_cookie_authenticates_the_socket(stack: Stack) -> None:
    stack.user("ada", password="correct horse")
    login = stack.client.post(
        "/api/v1/login", json={"username": "ada", "password": "correct horse"}
    )
    assert login.status_code == 200
    # The test client upgrades over ws://, where httpx keeps Secure cookies back: pass it on.
    with stack.client.websocket_connect("/ws", cookies=dict(login.cookies)) as socket:
        socket.send_json(_subscribe("00000000-0000-4000-8000-000000000000"))
        assert socket.receive_json(timeout=10)["code"] == "not-found"
