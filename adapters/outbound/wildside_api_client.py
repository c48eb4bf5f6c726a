"""A small client of Wildside's own API: submit a route, follow it over the WebSocket, fetch it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from wildside.domain.errors import UnavailableError


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """Status, headers (lower-case names) and the decoded JSON body (``None`` if empty)."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class WildsideApiClient:
    """Speaks the public API as documented; ``wildside dev``, tests and benchmarks use it."""

    base_url: str
    token: str
    timeout_s: float = 30.0
    extra_headers: dict[str, str] = field(default_factory=dict)

    def submit(self, body: dict[str, Any], idempotency_key: str | None = None) -> ApiResponse:
        """``POST /api/v1/routes``."""
        headers = {"Content-Type": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return self.request("POST", "/api/v1/routes", json.dumps(body).encode(), headers)

    def route(self, request_id: str) -> ApiResponse:
        """``GET /api/v1/routes/{request_id}``."""
        return self.request("GET", f"/api/v1/routes/{request_id}")

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """Any request with the bearer token; HTTP errors are returned, not raised."""
        all_headers = {
            "Authorization": f"Bearer {self.token}",
            **self.extra_headers,
            **(headers or {}),
        }
        request = urllib.request.Request(self.base_url + path, data, all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return _response(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            return _response(exc.code, dict(exc.headers), exc.read())
        except (urllib.error.URLError, OSError) as exc:
            raise UnavailableError(
                f"the API at {self.base_url} is unreachable: {exc}", service="api"
            ) from exc

    def follow(self, request_id: str, *, candidates: bool = False) -> Iterator[dict[str, Any]]:
        """Subscribe over ``/ws`` and yield every message until a final status or an error.

        ``route_candidate`` messages (better tours while the job runs) are
        skipped unless ``candidates`` is set.
        """
        url = "ws" + self.base_url.removeprefix("http") + "/ws"
        try:
            with connect(
                url,
                subprotocols=["wildside.v1", f"bearer.{self.token}"],  # type: ignore[list-item]
                open_timeout=self.timeout_s,
            ) as socket:
                socket.send(
                    json.dumps(
                        {
                            "type": "subscribe",
                            "channel": "route_generation_status",
                            "request_id": request_id,
                        }
                    )
                )
                while True:
                    message = json.loads(socket.recv(timeout=self.timeout_s))
                    if message.get("type") == "route_candidate" and not candidates:
                        continue
                    yield message
                    if message.get("type") == "error" or message.get("status") in (
                        "succeeded",
                        "failed",
                    ):
                        return
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise UnavailableError(f"the WebSocket at {url} failed: {exc}", service="api") from exc


def _response(status: int, headers: dict[str, str], raw: bytes) -> ApiResponse:
    lowered = {k.lower(): v for k, v in headers.items()}
    body = json.loads(raw) if raw else None
    return ApiResponse(status, lowered, body)
