"""How stores and caches write a ``RouteResult`` and read it back (msgspec), by shape version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from wildside.domain.route_result import (
    ROUTE_RESULT_VERSION,
    RouteResult,
    UnreadableRouteResultError,
)

# Version 1 is also what untyped documents stored before the typed value looked
# like: the same fields, no ``version`` key. A later shape adds its upgrade here.
_READABLE_VERSIONS = frozenset({1})


def route_result_to_builtins(result: RouteResult) -> dict[str, Any]:
    """JSON-ready data (a PostgreSQL ``jsonb`` value)."""
    data = msgspec.to_builtins(result)
    assert isinstance(data, dict)
    return data


def encode_route_result(result: RouteResult) -> bytes:
    """Compact JSON (a Redis value)."""
    return msgspec.json.encode(result)


def decode_route_result(raw: object) -> RouteResult:
    """Read a stored result of any readable shape: JSON bytes or text, or decoded JSON.

    Raises
    ------
    UnreadableRouteResultError
        The value is not JSON, names a shape this version does not know, or
        does not match its shape.
    """
    try:
        data = msgspec.json.decode(raw) if isinstance(raw, bytes | str) else raw
    except msgspec.DecodeError as exc:
        raise UnreadableRouteResultError("the stored route is not JSON", version=None) from exc
    if not isinstance(data, Mapping):
        raise UnreadableRouteResultError("the stored route is not an object", version=None)
    version = data.get("version", 1)
    if version not in _READABLE_VERSIONS:
        raise UnreadableRouteResultError(
            f"the stored route has shape version {version!r}; this version reads "
            f"{sorted(_READABLE_VERSIONS)}",
            version=version,
        )
    try:
        result = msgspec.convert({**data, "version": ROUTE_RESULT_VERSION}, RouteResult)
    except msgspec.ValidationError as exc:
        raise UnreadableRouteResultError(
            f"the stored route does not match shape {version}: {exc}", version=version
        ) from exc
    return result
