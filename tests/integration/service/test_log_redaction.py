"""No secret in any log line of real flows, and request ids on the lines of a request.

The in-process stack runs the real Litestar app, PostgreSQL, Redis and a
Dramatiq worker; the process's logging is set up as ``wildside serve`` sets
it (``configure_logging`` in JSON mode, before the app is built), and every
line written while a login, a route submission with an Idempotency-Key, a
refused ``/ws?token=…``, a failing worker job and a 500 run is checked.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect

from adapters.composition.service import accounts, open_resources
from adapters.inbound.http import ws
from adapters.log_format import configure_logging
from tests.fakes.planner import FakePlanner
from tests.service_stack import Stack, wait_for
from wildside.app.get_route import GetRoute
from wildside.domain.errors import UnavailableError
from wildside.ports.product_analytics import anonymous_id

# Six decimals: a house. The logs may say 60.17, never these.
EXACT_LAT, EXACT_LNG = "60.171234", "24.944321"
PASSWORD = "correct horse battery"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The process's logging in JSON mode into a buffer, at DEBUG (the most that could leak)."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("DEBUG", json_lines=True, stream=buffer)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    text = buffer.getvalue()
    entries = []
    for line in text.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line is not JSON: {line!r}")
    return entries


def test_real_flows_log_no_secret_and_name_their_request(
    json_log: io.StringIO, make_stack: Callable[..., Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the service, built after logging was configured (as `wildside serve` does),
    # a user with a password and a token, and a worker whose engine keeps failing
    stack = make_stack()
    with open_resources(stack.settings, pool_size=1) as resources:
        issued = accounts(resources).create_user("ada", PASSWORD)
    token, user_id = issued.secret, issued.user.id
    stack.start_worker(
        FakePlanner(error=UnavailableError("PostgreSQL went away", service="postgresql"))
    )
    idempotency_key = f"trip-{uuid.uuid4().hex}"

    # When ada logs in, submits a route with an Idempotency-Key, the worker fails it,
    login = stack.client.post(
        "/api/v1/login",
        json={"username": "ada", "password": PASSWORD},
        headers={"X-Request-ID": "req-login"},
    )
    assert login.status_code == 200
    cookie = login.cookies["session"]
    body = {
        "start": {"lat": float(EXACT_LAT), "lng": float(EXACT_LNG)},
        "duration_minutes": 60,
        "preferences": ["history"],
    }
    submitted = stack.client.post(
        "/api/v1/routes",
        json=body,
        headers={**stack.auth(token), "Idempotency-Key": idempotency_key, "X-Request-ID": "req-1"},
    )
    assert submitted.status_code == 202
    request_id = submitted.json()["request_id"]

    def failed() -> bool:
        response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return response.status_code == 422

    wait_for(failed, timeout=30)

    # ... she tries the WebSocket with her token in the URL,
    with (
        pytest.raises(WebSocketDisconnect),
        stack.client.websocket_connect(f"/ws?token={token}"),
    ):
        pass

    # ... and a request meets a bug (the traceback is logged by the exception handler)
    def broken(self: GetRoute, user: Any, request_id: str) -> Any:
        raise RuntimeError("the route store returned nonsense")

    monkeypatch.setattr(GetRoute, "__call__", broken)
    crashed = stack.client.get(
        f"/api/v1/routes/{request_id}",
        headers={**stack.auth(token), "X-Request-ID": "req-500"},  # the cookie rides along too
    )
    assert crashed.status_code == 500

    # Then every line is JSON, and none holds a secret, the raw user id or the exact position
    for worker in stack.workers:
        worker.stop()
    stack.workers.clear()
    entries = _lines(json_log)
    assert len(entries) > 10
    text = json_log.getvalue()
    secrets = {
        "token": token,
        "token body": token.removeprefix("wst_"),
        "cookie": cookie,
        "password": PASSWORD,
        "raw user id": user_id,
        "Idempotency-Key": idempotency_key,
        "latitude": EXACT_LAT,
        "longitude": EXACT_LNG,
    }
    leaked = {name: _line_with(text, value) for name, value in secrets.items() if value in text}
    assert not leaked, leaked

    # ... the worker's lines about the failing job were written (and name the job, not the user)
    worker_lines = [e for e in entries if e["logger"].startswith("dramatiq")]
    failures = [
        e for e in worker_lines if e["level"] == "error" and "generate_route[" in e["message"]
    ]
    assert failures
    assert all(e.get("job_id") for e in failures)
    assert any(e["level"] == "warning" for e in worker_lines)
    # Dramatiq's own middleware logs after the actor returned; those lines name the job too
    retries = [e for e in worker_lines if e["logger"] == "dramatiq.middleware.retries.Retries"]
    assert retries, "the failing job was never retried"
    assert all(e.get("job_id") for e in retries), retries
    job_lines = [e for e in entries if e.get("job_id") and e.get("request_id") == request_id]
    assert job_lines, "no line of the route job carries its request and job ids"
    assert {e.get("user_hash") for e in job_lines} == {anonymous_id(user_id)}

    # ... and the traceback of the 500 is one line carrying the request id and the pseudonym
    (crash,) = [e for e in entries if "the route store returned nonsense" in e.get("error", "")]
    assert crash["request_id"] == "req-500"
    assert crash["user_hash"] == anonymous_id(user_id)
    assert crash["level"] == "error"
    assert "Traceback" in crash["error"]


def _line_with(text: str, value: str) -> str:
    return next(line for line in text.splitlines() if value in line)[:300]


def test_an_unexpected_websocket_error_is_logged_once_with_its_traceback(
    json_log: io.StringIO, make_stack: Callable[..., Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = make_stack()
    token = stack.user("ada")

    async def broken(socket: Any) -> Any:
        raise RuntimeError("the account store returned nonsense")

    monkeypatch.setattr(ws, "websocket_user", broken)
    with (
        pytest.raises(WebSocketDisconnect),
        stack.client.websocket_connect(
            "/ws",
            subprotocols=["wildside.v1", f"bearer.{token}"],
            headers={"x-request-id": "ws-req-1"},
        ),
    ):
        pass
    crashes = [e for e in _lines(json_log) if "returned nonsense" in e.get("error", "")]
    assert len(crashes) == 1
    assert crashes[0]["message"] == "unhandled error on WebSocket /ws"
    assert crashes[0]["level"] == "error"
    # And the line names the socket's request, as HTTP lines do
    assert crashes[0]["request_id"] == "ws-req-1"


def test_a_malformed_traceparent_warning_names_its_request(
    json_log: io.StringIO, make_stack: Callable[..., Stack]
) -> None:
    # Given the service, when a request carries a traceparent OpenTelemetry refuses
    stack = make_stack()
    headers = {"traceparent": "00-" + "a" * 3000, "X-Request-ID": "req-traceparent"}
    assert stack.client.get("/health/live", headers=headers).status_code == 200
    # Then OpenTelemetry's warning about it carries the request's id
    warnings = [e for e in _lines(json_log) if e["logger"].startswith("opentelemetry")]
    assert warnings, "OpenTelemetry said nothing about a 3 000-character traceparent"
    assert {e.get("request_id") for e in warnings} == {"req-traceparent"}
