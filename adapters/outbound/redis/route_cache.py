"""``RouteCache`` on Redis: routes as compact JSON under caller-built keys, expiring with ``EX``."""

from __future__ import annotations

import redis

from adapters.outbound.redis.connection import translate_errors
from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from wildside.domain.route_result import RouteResult, UnreadableRouteResultError
from wildside.ports.route_cache import RouteCache, RouteCacheError


class RedisRouteCache(RouteCache):
    """Each route is one string key (``route:v2:<sha256>``, built by the caller).

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

    def get(self, key: str) -> RouteResult | None:
        """The route stored under ``key``, or ``None`` when absent or expired.

        Raises
        ------
        UnavailableError
            Redis cannot be reached.
        RouteCacheError
            Redis refused the read, or the entry is not a route of a readable
            shape (a caller that treats errors as misses will overwrite it).
        """
        with translate_errors(f"could not read cache entry {key}", RouteCacheError):
            raw = self._client.get(key)
        if raw is None:
            return None
        try:
            return decode_route_result(raw)
        except UnreadableRouteResultError as exc:
            raise RouteCacheError(f"cache entry {key} is unreadable: {exc.message}") from exc

    def put(self, key: str, result: RouteResult, ttl_s: int) -> None:
        """Store ``result`` under ``key`` for ``ttl_s`` seconds, replacing any entry.

        Raises
        ------
        ValueError
            ``ttl_s`` is below one second (Redis has no shorter ``EX``).
        UnavailableError, RouteCacheError
            As for :meth:`get`.
        """
        if ttl_s < 1:
            raise ValueError(f"a cache TTL must be at least 1 s, got {ttl_s}")
        payload = encode_route_result(result)  # compact UTF-8 JSON
        with translate_errors(f"could not write cache entry {key}", RouteCacheError):
            self._client.set(key, payload, ex=ttl_s)
