"""The ASGI layer around the whole app: metrics for every response and the request timeout."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import anyio
import msgspec
from opentelemetry import propagate, trace

from adapters import log_context
from adapters.inbound.http.problems import MEDIA_TYPE, TYPE_PREFIX, bounded, instance_for
from adapters.inbound.http.services import Telemetry

log = logging.getLogger(__name__)

_TRACER = trace.get_tracer("wildside.http")  # a proxy: follows the provider set at start-up
UNMATCHED_PATH = "<unmatched>"  # keeps label cardinality bounded: no raw URLs in metrics
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

Scope = dict[str, Any]
Receive = Any
Send = Any
ASGIApp = Any


class Edge:
    """Wraps the Litestar app; it sees 404s and 405s that route middleware never sees.

    Litestar sets ``scope["path_template"]`` in place when it routes a
    request, so the label is the route template (``/api/v1/routes/{request_id}``).
    Every HTTP request is also a server span, continuing the caller's trace
    when it sends a W3C ``traceparent`` (a no-op until tracing is configured).
    """

    def __init__(self, app: ASGIApp, telemetry: Telemetry, timeout_s: float) -> None:
        self.app = app
        self._telemetry = telemetry
        self._timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time and count HTTP requests; give up on slow ones with a 504 problem."""
        if scope["type"] == "websocket":
            # A socket's lines (handshake refusals, subscription errors) name it
            # too; it has no response headers to echo the id in.
            request_id = _request_id(_headers(scope).get("x-request-id"))
            user_token = log_context.user.set(None)
            try:
                with log_context.bound(request=request_id):
                    await self.app(scope, receive, send)
            finally:
                log_context.user.reset(user_token)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        state = {"status": 500, "started": False}

        method = scope.get("method", "GET")
        headers = _headers(scope)
        request_id = _request_id(headers.get("x-request-id"))
        # Bound first: OpenTelemetry warns about a malformed traceparent while extracting.
        with log_context.bound(request=request_id):
            parent = propagate.extract(headers)
        user_token = log_context.user.set(None)  # the auth step names the user, this request only

        async def edge_send(message: dict[str, Any]) -> None:
            """Note the status for metrics and tag every response with its request id."""
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        with (
            log_context.bound(request=request_id),
            _TRACER.start_as_current_span(
                f"HTTP {method}", context=parent, kind=trace.SpanKind.SERVER
            ) as span,
        ):
            try:
                with anyio.fail_after(self._timeout_s):
                    await self.app(scope, receive, edge_send)
            except TimeoutError:
                log.warning("request timed out: %s %s", method, bounded(str(scope.get("path"))))
                if not state["started"]:
                    await _send_timeout(edge_send, request_id, self._timeout_s)
            finally:
                path = scope.get("path_template") or UNMATCHED_PATH
                status = int(state["status"])
                span.update_name(f"{method} {path}")
                span.set_attributes(
                    {
                        "http.request.method": method,
                        "http.route": path,
                        "http.response.status_code": status,
                    }
                )
                if status >= 500:
                    span.set_status(trace.StatusCode.ERROR)
                self._telemetry.request_finished(path, method, status, time.perf_counter() - began)
                log_context.user.reset(user_token)


def _request_id(offered: str | None) -> str:
    """The caller's ``X-Request-ID`` if it is sane, else a new one (echoed in the response)."""
    if offered and _REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


async def _send_timeout(send: Send, request_id: str, timeout_s: float) -> None:
    body = msgspec.json.encode(
        {
            "type": TYPE_PREFIX + "request-timeout",
            "title": "Timed out",
            "status": 504,
            "code": "request-timeout",
            "detail": f"the server did not answer within {timeout_s:g} s",
            "instance": instance_for(request_id),  # never the caller's raw path
        }
    )
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 504, "headers": headers})
    await send({"type": "http.response.body", "body": body})
