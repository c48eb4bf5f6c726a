"""``OPTIONS`` answers name every method of their path, not only the first handler's.

Litestar builds a path's automatic ``OPTIONS`` handler when the path's first
handler is registered; a controller registers its handlers one by one, so
for a path with two methods (``GET`` and ``PUT``) the ``Allow`` header lists
``GET, OPTIONS`` only. schemathesis checks it (ST205), and clients may rely on
it. This ``before_send`` hook rewrites the header from the path's route.
"""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute


async def correct_allow(message: Any, scope: Any) -> None:
    """Set ``Allow`` of an ``OPTIONS`` answer to every method its route serves."""
    if (
        message.get("type") != "http.response.start"
        or scope.get("type") != "http"
        or scope.get("method") != "OPTIONS"
    ):
        return
    handler, app = scope.get("route_handler"), scope.get("app")
    routes = getattr(app, "routes", [])
    for route in routes:
        if isinstance(route, HTTPRoute) and handler in route.route_handlers:
            allow = ", ".join(sorted(route.methods)).encode()
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
            message["headers"] = [*headers, (b"allow", allow)]
            return
