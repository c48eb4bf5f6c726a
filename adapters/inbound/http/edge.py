"""The ASGI layer around the whole app: metrics for every response and the request timeout."""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
import msgspec

from adapters.inbound.http.problems import MEDIA_TYPE, TYPE_PREFIX
from adapters.inbound.http.services import Telemetry

log = logging.getLogger(__name__)

UNMATCHED_PATH = "<unmatched>"  # keeps label cardinality bounded: no raw URLs in metrics

Scope = dict[str, Any]
Receive = Any
Send = Any
ASGIApp = Any


class Edge:
    """Wraps the Litestar app; it sees 404s and 405s that route middleware never sees.

    Litestar sets ``scope["path_template"]`` in place when it routes a
    request, so the label is the route template (``/api/v1/routes/{request_id:str}``).
    """

    def __init__(self, app: ASGIApp, telemetry: Telemetry, timeout_s: float) -> None:
        self.app = app
        self._telemetry = telemetry
        self._timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time and count HTTP requests; give up on slow ones with a 504 problem."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        state = {"status": 500, "started": False}

        async def tracking_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
            await send(message)

        try:
            with anyio.fail_after(self._timeout_s):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            log.warning("request timed out: %s %s", scope.get("method"), scope.get("path"))
            if not state["started"]:
                state["status"] = 504
                await _send_timeout(send, scope, self._timeout_s)
        finally:
            path = scope.get("path_template") or UNMATCHED_PATH
            self._telemetry.request_finished(
                path, scope.get("method", "GET"), int(state["status"]), time.perf_counter() - began
            )


async def _send_timeout(send: Send, scope: Scope, timeout_s: float) -> None:
    body = msgspec.json.encode(
        {
            "type": TYPE_PREFIX + "request-timeout",
            "title": "Timed out",
            "status": 504,
            "code": "request-timeout",
            "detail": f"the server did not answer within {timeout_s:g} s",
            "instance": scope.get("path"),
        }
    )
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 504, "headers": headers})
    await send({"type": "http.response.body", "body": body})
