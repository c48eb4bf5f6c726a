"""``RateLimiter`` on Redis: the domain's GCRA in one Lua script, on the Redis server's clock.

The script repeats :func:`wildside.domain.rate_limit.decide` line for line, on
purpose. Read-decide-write must be atomic across every API process: a Lua
script runs alone on the server, in one round trip, where a WATCH/MULTI loop
in Python would need several and retry under contention. The price is a second
copy of the arithmetic, and the contract suite (``tests/contracts``) keeps the
two equal: the same tests run against the in-memory limiter, which calls
``decide``, and the script is compared with ``decide`` over a random sequence
for identical decisions and stored state.
Lua numbers are IEEE doubles like Python floats, so the same operations in the
same order round the same way.
"""

from __future__ import annotations

import redis

from adapters.outbound.redis.connection import translate_errors
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy
from wildside.ports.rate_limiter import RateLimiter, RateLimiterError

KEY_PREFIX = "ratelimit:"

# Time is the server's (TIME), so all processes share one clock whatever their
# own clocks say. The state is the theoretical arrival time (TAT), written with
# 17 significant digits so it reads back as exactly the same double. The key
# expires when the TAT passes: from then on a stored TAT and a missing one give
# the same decision (max(tat, now) = now), so idle subjects simply vanish.
# ARGV[3], when given, replaces the server clock; only the contract suite uses it.
_GCRA = """
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local now
if ARGV[3] then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function ceil(seconds)
  return math.max(0, math.ceil(seconds - 1e-9))
end
local interval = period / limit
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then
  tat = math.max(tonumber(stored), now)
end
local new_tat = tat + interval
local allowed_from = new_tat - period
if now < allowed_from then
  return {0, 0, ceil(tat - now), math.max(1, ceil(allowed_from - now))}
end
local remaining = (period - (new_tat - now)) / interval + 1e-9
if remaining >= 0 then
  remaining = math.floor(remaining)
else
  remaining = math.ceil(remaining)
end
remaining = math.max(0, math.min(limit - 1, remaining))
local ttl_ms = math.max(1, math.ceil((new_tat - now) * 1000))
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', ttl_ms)
return {1, remaining, ceil(new_tat - now), 0}
"""


class RedisRateLimiter(RateLimiter):
    """GCRA quotas under ``ratelimit:<subject>``, shared by every process using this Redis.

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); it is not
        closed here. Registering the script does not touch the network: it is
        loaded on first use and again after a server restart (``EVALSHA``
        falls back to ``EVAL``).

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> limiter = RedisRateLimiter(redis_client("redis://127.0.0.1:6379/0"))
    """

    def __init__(self, client: redis.Redis) -> None:
        self._script = client.register_script(_GCRA)

    def hit(self, subject: str, policy: RateLimitPolicy) -> RateLimitDecision:
        """Count one request by ``subject``; a denied request changes nothing.

        Raises
        ------
        UnavailableError
            Redis cannot be reached.
        RateLimiterError
            Redis refused the script (e.g. the key holds another type).
        """
        return self._run(subject, policy, ())

    def _hit_at(self, subject: str, policy: RateLimitPolicy, now: float) -> RateLimitDecision:
        """:meth:`hit` at a given time instead of the server's: for the contract suite only."""
        return self._run(subject, policy, (repr(float(now)),))

    def _run(
        self, subject: str, policy: RateLimitPolicy, clock: tuple[str, ...]
    ) -> RateLimitDecision:
        # repr() of a float is the shortest text that parses back to the same double.
        # The client's one retry on a lost connection could, if the reply (not the
        # request) was lost, count a request twice: rare, and errs on the safe side.
        args = [str(policy.limit), repr(float(policy.period_s)), *clock]
        # The subject names a user (or a login name): it stays out of the message,
        # which is logged and may reach a client.
        with translate_errors("could not count a request for the rate limit", RateLimiterError):
            is_allowed, remaining, reset_s, retry_after_s = self._script(
                keys=[KEY_PREFIX + subject], args=args
            )
        return RateLimitDecision(
            is_allowed=bool(is_allowed),
            limit=policy.limit,
            remaining=int(remaining),
            reset_s=int(reset_s),
            retry_after_s=int(retry_after_s),
        )
