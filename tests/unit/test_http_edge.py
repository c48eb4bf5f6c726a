"""The ASGI edge: a 504 problem when the app is too slow, and one metric per response."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from adapters.inbound.http.edge import UNMATCHED_PATH, Edge


class Recorder:
    content_type = "text/plain"

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, int]] = []

    def request_finished(self, path: str, method: str, status: int, seconds: float) -> None:
        self.requests.append((path, method, status))

    def websocket_opened(self) -> None: ...
    def websocket_closed(self) -> None: ...
    def websocket_message(self, direction: str) -> None: ...
    def render(self) -> bytes:
        return b""


def _call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _scope(path: str = "/x") -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path}


def test_a_slow_request_gets_a_504_problem_and_is_counted() -> None:
    async def slow(scope: Any, receive: Any, send: Any) -> None:
        scope["path_template"] = "/slow/{id}"
        await asyncio.sleep(5)

    telemetry = Recorder()
    sent = _call(Edge(slow, telemetry, timeout_s=0.05), _scope("/slow/1"))
    assert sent[0]["status"] == 504
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]
    body = json.loads(sent[1]["body"])
    assert (body["status"], body["code"]) == (504, "request-timeout")
    assert telemetry.requests == [("/slow/{id}", "GET", 504)]


def test_responses_are_counted_by_template_or_as_unmatched() -> None:
    async def fine(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/known":
            scope["path_template"] = "/known"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    telemetry = Recorder()
    edge = Edge(fine, telemetry, timeout_s=5)
    _call(edge, _scope("/known"))
    _call(edge, _scope("/random/abc123"))
    assert telemetry.requests == [("/known", "GET", 200), (UNMATCHED_PATH, "GET", 200)]


def test_a_crash_before_responding_is_counted_as_500() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    telemetry = Recorder()
    with pytest.raises(RuntimeError, match="boom"):
        _call(Edge(broken, telemetry, timeout_s=5), _scope())
    assert telemetry.requests == [(UNMATCHED_PATH, "GET", 500)]
