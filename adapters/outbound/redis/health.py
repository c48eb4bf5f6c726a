"""``HealthProbe`` for Redis: one PING on a dedicated client with a short timeout."""

from __future__ import annotations

import redis

from adapters.outbound.redis.connection import SERVICE, first_line, redis_client
from wildside.domain.errors import UnavailableError
from wildside.ports.health_probe import HealthProbe

PROBE_TIMEOUT_SECONDS = 1.0


class RedisHealthProbe(HealthProbe):
    """Readiness of Redis, answered within about ``timeout_s`` seconds.

    The probe owns its client so that its timeout stays short and a readiness
    check never waits behind (or retries like) application traffic. Creating
    it does not connect; :meth:`close` releases the connection.

    Parameters
    ----------
    url
        ``redis://host:port/db``.
    timeout_s
        Connect and read timeout of the PING.

    Examples
    --------
    >>> probe = RedisHealthProbe("redis://127.0.0.1:6379/0")
    >>> probe.name
    'redis'
    """

    name = SERVICE

    def __init__(self, url: str, *, timeout_s: float = PROBE_TIMEOUT_SECONDS) -> None:
        self._client = redis_client(url, timeout_s=timeout_s, retries=0)

    def check(self) -> None:
        """Return if Redis answers PING.

        Raises
        ------
        UnavailableError
            No answer in time, a refused connection, or an error reply.
        """
        try:
            self._client.ping()
        except redis.RedisError as exc:
            raise UnavailableError(
                f"Redis did not answer PING: {first_line(exc)}", service=SERVICE
            ) from exc

    def close(self) -> None:
        """Release the probe's connection."""
        self._client.close()
