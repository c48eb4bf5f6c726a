"""Route cache port: computed route documents by canonical request key, with a TTL."""

from __future__ import annotations

from typing import Any, Protocol

from wildside.domain.errors import WildsideError


class RouteCacheError(WildsideError):
    """The cache could not be read or written."""

    code = "route-cache-error"
    is_retryable = True


class RouteCache(Protocol):
    """A key-value cache; misses are normal, errors are not."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The document stored under ``key``, or ``None``."""
        ...

    def put(self, key: str, document: dict[str, Any], ttl_s: int) -> None:
        """Store ``document`` under ``key`` for ``ttl_s`` seconds."""
        ...
