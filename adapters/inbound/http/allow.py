"""``OPTIONS`` answers naming every method of the path, whatever order its handlers came in."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.routes import HTTPRoute


async def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    """An app-level before-request hook: answer ``OPTIONS`` with the path's methods.

    Litestar 2.25 builds a path's automatic ``OPTIONS`` handler when the first
    handler of the path is registered and keeps that one when more are added,
    so with two handlers on one path (``GET`` and ``POST /api/v1/routes``) its
    ``Allow`` names only some of them. The route itself knows them all.
    Other methods pass through (``None``).
    """
    if request.method != "OPTIONS":
        return None
    template = request.scope.get("path_template")
    for route in request.app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == template:
            allow = ", ".join(sorted(route.methods))
            return Response(
                None, status_code=204, headers={"Allow": allow}, media_type=MediaType.TEXT
            )
    return None
