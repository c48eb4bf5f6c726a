"""``RouteCache`` on Redis: compact JSON documents under caller-built keys, expiring with ``EX``."""

from __future__ import annotations

import json
from typing import Any

import redis

from adapters.outbound.redis.connection import translate_errors
from wildside.ports.route_cache import RouteCache, RouteCacheError


class RedisRouteCache(RouteCache):
    """Each document is one string key (``route:v1:<sha256>``, built by the caller).

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); not closed here.

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> cache = RedisRouteCache(redis_client("redis://127.0.0.1:6379/0"))
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def get(self, key: str) -> dict[str, Any] | None:
        """The document stored under ``key``, or ``None`` when absent or expired.

        Raises
        ------
        UnavailableError
            Redis cannot be reached.
        RouteCacheError
            Redis refused the read, or the entry is not a JSON object (a
            caller that treats errors as misses will overwrite it).
        """
        with translate_errors(f"could not read cache entry {key}", RouteCacheError):
            raw = self._client.get(key)
        if raw is None:
            return None
        try:
            document = json.loads(raw)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise RouteCacheError(f"cache entry {key} is not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise RouteCacheError(f"cache entry {key} is not a JSON object")
        return document

    def put(self, key: str, document: dict[str, Any], ttl_s: int) -> None:
        """Store ``document`` under ``key`` for ``ttl_s`` seconds, replacing any entry.

        Raises
        ------
        ValueError
            ``ttl_s`` is below one second (Redis has no shorter ``EX``).
        TypeError
            ``document`` holds something JSON cannot represent.
        UnavailableError, RouteCacheError
            As for :meth:`get`.
        """
        if ttl_s < 1:
            raise ValueError(f"a cache TTL must be at least 1 s, got {ttl_s}")
        # Compact and UTF-8: tours are large and mostly ASCII anyway.
        payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        with translate_errors(f"could not write cache entry {key}", RouteCacheError):
            self._client.set(key, payload.encode(), ex=ttl_s)
