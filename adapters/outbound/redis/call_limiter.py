"""``CallLimiter`` on Redis: a leased semaphore in a sorted set, on the Redis server's clock."""

from __future__ import annotations

import time
import uuid

import redis

from adapters.outbound.redis.connection import translate_errors
from wildside.domain.errors import UnavailableError
from wildside.ports.call_limiter import CallLimiter, Permit

KEY_PREFIX = "enrich:sem:"
POLL_SECONDS = 0.05

# KEYS[1]: the semaphore; ARGV: permits, lease in seconds, the new token.
# Members are tokens scored by when their lease ends, in the server's time
# (TIME), so every process judges expiry on one clock whatever its own says.
# Lapsed leases are swept first: a holder that died frees its slot by itself.
# The key expires with its longest lease, so an idle semaphore leaves nothing.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.17g', now))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], string.format('%.17g', now + lease), ARGV[3])
local lease_ms = math.ceil(lease * 1000)
if redis.call('PTTL', KEYS[1]) < lease_ms then
  redis.call('PEXPIRE', KEYS[1], lease_ms)
end
return 1
"""


class RedisCallLimiter(CallLimiter):
    """At most ``permits`` tokens in ``enrich:sem:<name>`` whose lease has not ended.

    Taking a slot is one script (sweep lapsed leases, count, add); waiting is
    polling, every ``poll_s``, in this process: Redis has no blocking
    primitive for "a sorted set shrank", and a poll costs one short script.
    Slots are not handed out in arrival order; a waiter may be overtaken.

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); not closed here.
    poll_s
        Pause between tries while waiting for a slot.

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> limiter = RedisCallLimiter(redis_client("redis://127.0.0.1:6379/0"), poll_s=0.02)
    """

    def __init__(self, client: redis.Redis, *, poll_s: float = POLL_SECONDS) -> None:
        if poll_s <= 0:
            raise ValueError(f"the poll interval must be positive, got {poll_s}")
        self._client = client
        self._acquire = client.register_script(_ACQUIRE)
        self._poll_s = poll_s

    def acquire(self, name: str, permits: int, lease_s: float, wait_s: float) -> Permit | None:
        """Take a slot, trying again every ``poll_s`` for up to ``wait_s`` seconds.

        Returns
        -------
        Permit or None
            ``None`` if no slot came free in time (``wait_s=0``: one try only).

        Raises
        ------
        ValueError
            ``permits`` below one, a lease that is not positive or a negative wait.
        UnavailableError
            Redis cannot be reached or refused the script.
        """
        _check(permits, lease_s, wait_s)
        lease = repr(float(lease_s))  # repr: the shortest text of the same double
        deadline = time.monotonic() + wait_s
        while True:
            token = uuid.uuid4().hex
            with translate_errors(f"could not take a {name!r} permit", UnavailableError):
                is_taken = self._acquire(keys=[KEY_PREFIX + name], args=[permits, lease, token])
            if is_taken:
                return Permit(name, token)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self._poll_s, left))

    def release(self, permit: Permit) -> None:
        """Give the slot back; a lease that already lapsed is simply gone.

        Raises
        ------
        UnavailableError
            Redis cannot be reached or refused the command.
        """
        with translate_errors(f"could not release a {permit.name!r} permit", UnavailableError):
            self._client.zrem(KEY_PREFIX + permit.name, permit.token)


def _check(permits: int, lease_s: float, wait_s: float) -> None:
    if permits < 1:
        raise ValueError(f"a semaphore needs at least one permit, got {permits}")
    if lease_s <= 0:
        raise ValueError(f"a lease must be positive, got {lease_s}")
    if wait_s < 0:
        raise ValueError(f"a wait cannot be negative, got {wait_s}")
