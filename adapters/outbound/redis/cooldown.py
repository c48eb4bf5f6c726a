"""``Cooldown`` on Redis: ``SET NX PX`` under ``enrich:cooldown:``, so one claim wins per window."""

from __future__ import annotations

import math

import redis

from adapters.outbound.redis.connection import translate_errors
from wildside.domain.errors import UnavailableError
from wildside.ports.cooldown import Cooldown

KEY_PREFIX = "enrich:cooldown:"


class RedisCooldown(Cooldown):
    """Each claimed key is a string ``enrich:cooldown:<key>`` that expires with its window.

    The caller's key is kept as given after the prefix (it may carry a prefix
    of its own, such as ``enrich:<hash>`` from ``EnrichmentJob.dedup_key``).

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); not closed here.

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> cooldown = RedisCooldown(redis_client("redis://127.0.0.1:6379/0"))
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def claim(self, key: str, ttl_s: float) -> bool:
        """True for the first claim of ``key`` in its window; a refused claim does not extend it.

        Raises
        ------
        ValueError
            ``ttl_s`` is not positive.
        UnavailableError
            Redis cannot be reached or refused the command.
        """
        if ttl_s <= 0:
            raise ValueError(f"a cooldown must last a positive time, got {ttl_s}")
        ttl_ms = max(1, math.ceil(ttl_s * 1000))
        # The client's one retry on a lost connection could, if only the reply
        # was lost, see its own key and answer False: a job is skipped for one
        # window, never enqueued twice.
        with translate_errors(f"could not claim cooldown {key}", UnavailableError):
            return bool(self._client.set(KEY_PREFIX + key, b"1", nx=True, px=ttl_ms))
