"""Redis clients with bounded timeouts, and the one place Redis errors become Wildside errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.retry import Retry

from wildside.domain.errors import UnavailableError, WildsideError

SERVICE = "redis"
TIMEOUT_SECONDS = 2.0
# One quick retry lets a pooled connection that went stale (a Redis restart)
# be replaced transparently; more would only delay the 503 during an outage.
RETRIES = 1
_BACKOFF = ExponentialWithJitterBackoff(base=0.05, cap=0.5)


def redis_client(
    url: str, *, timeout_s: float = TIMEOUT_SECONDS, retries: int = RETRIES
) -> redis.Redis:
    """A synchronous, thread-safe client; nothing connects until the first command.

    Parameters
    ----------
    url
        ``redis://host:port/db`` (credentials, if any, never appear in errors).
    timeout_s
        Connect and per-command socket timeout.
    retries
        Transparent retries on a lost connection (0 disables them).

    Examples
    --------
    >>> client = redis_client("redis://127.0.0.1:6379/0", timeout_s=1.0)
    >>> client.get_connection_kwargs()["socket_timeout"]
    1.0
    """
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(_BACKOFF if retries else NoBackoff(), retries),
    )


def async_redis_client(url: str, *, timeout_s: float = TIMEOUT_SECONDS) -> redis.asyncio.Redis:
    """An asyncio client that never reconnects by itself: its owner does, knowingly.

    No retries (with no retryable errors, redis-py's silent reconnect-and-
    resubscribe never runs) and no health checks (they would read from the
    connection inside ``SUBSCRIBE`` while a pub/sub reader task reads too).
    """
    return redis.asyncio.Redis.from_url(
        url,
        socket_connect_timeout=timeout_s,
        health_check_interval=0,
        retry=AsyncRetry(NoBackoff(), 0, supported_errors=()),
    )


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` means Redis could not be reached (as opposed to a refused command)."""
    return isinstance(exc, redis.ConnectionError | redis.TimeoutError | OSError)


def to_wildside(action: str, exc: redis.RedisError, error: type[WildsideError]) -> WildsideError:
    """The Wildside error for a Redis error: unreachable is ``UnavailableError``, else ``error``.

    ``error`` may itself be ``UnavailableError`` (for ports without an error family).
    """
    message = f"{action}: {first_line(exc)}"
    if is_connection_error(exc) or issubclass(error, UnavailableError):
        return UnavailableError(message, service=SERVICE)
    return error(message)


@contextlib.contextmanager
def translate_errors(action: str, error: type[WildsideError]) -> Iterator[None]:
    """Re-raise redis-py errors as Wildside errors, keeping the cause.

    Works around ``await`` too: the block may be the body of a coroutine.
    """
    try:
        yield
    except redis.RedisError as exc:
        raise to_wildside(action, exc, error) from exc


def first_line(exc: BaseException) -> str:
    """The first line of an error's text (redis-py messages name host and port, not passwords)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
