"""``EnrichmentQuota`` on Redis: one hash of daily counters per UTC day, changed by Lua scripts.

The reservation script repeats
:func:`wildside.domain.enrichment.quota.reservation_bytes` on purpose, as
``rate_limiter.py`` does for the GCRA. Read-decide-write must be atomic
across every worker process: a script runs alone on the server in one round
trip, where WATCH/MULTI would retry under exactly the contention a quota
exists for. The contract suite (``tests/contracts``) runs the same tests on
the in-memory quota, which calls the domain function, and compares the script
with that function over many random usages so the two cannot drift.
All amounts are whole numbers far below 2**53, so Lua's doubles hold them exactly.
"""

from __future__ import annotations

import logging
import math

import redis

from adapters.outbound.redis.connection import translate_errors
from wildside.domain.enrichment.quota import QuotaPolicy, QuotaUsage
from wildside.domain.errors import UnavailableError
from wildside.ports.enrichment_quota import EnrichmentQuota, QuotaReservation

KEY_PREFIX = "enrich:quota:"

log = logging.getLogger(__name__)

# ARGV: daily requests, daily bytes, bytes per reservation, expiry in ms.
# A denied call returns 0 and writes nothing. The expiry is set by the day's
# first reservation only (PTTL -1: a hash without one), so later calls with
# another ttl cannot stretch the day.
_RESERVE = """
local used = redis.call('HMGET', KEYS[1], 'requests', 'bytes')
local requests = tonumber(used[1] or '0')
local bytes = tonumber(used[2] or '0')
local left_requests = math.max(0, tonumber(ARGV[1]) - requests)
local left_bytes = math.max(0, tonumber(ARGV[2]) - bytes)
if left_requests < 1 then
  return 0
end
local granted = math.min(tonumber(ARGV[3]), left_bytes)
if granted <= 0 then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'requests', 1)
redis.call('HINCRBY', KEYS[1], 'bytes', granted)
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return granted
"""

# ARGV: requests and bytes to give back. A day whose counters have expired is
# left alone: HINCRBY would recreate it, negative and without an expiry.
# Counters never go below zero (a give-back cannot exceed what was taken
# unless the hash was tampered with, and then zero is the safe floor).
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local used = redis.call('HMGET', KEYS[1], 'requests', 'bytes')
local requests = math.min(tonumber(ARGV[1]), tonumber(used[1] or '0'))
local bytes = math.min(tonumber(ARGV[2]), tonumber(used[2] or '0'))
-- Only non-zero amounts: -0 in Lua is the double -0.0, which HINCRBY refuses.
if requests > 0 then
  redis.call('HINCRBY', KEYS[1], 'requests', -requests)
end
if bytes > 0 then
  redis.call('HINCRBY', KEYS[1], 'bytes', -bytes)
end
return 1
"""


class RedisEnrichmentQuota(EnrichmentQuota):
    """Counters in the hash ``enrich:quota:<day>`` (fields ``requests`` and ``bytes``).

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); it is not
        closed here. The scripts are loaded on first use (``EVALSHA`` falls
        back to ``EVAL`` after a server restart).

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> quota = RedisEnrichmentQuota(redis_client("redis://127.0.0.1:6379/0"))
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._reserve = client.register_script(_RESERVE)
        self._give_back = client.register_script(_GIVE_BACK)

    def reserve(self, day: str, policy: QuotaPolicy, ttl_s: float) -> QuotaReservation | None:
        """Take one request and ``reservation_bytes(usage, policy)`` bytes, atomically.

        Returns
        -------
        QuotaReservation or None
            ``None`` (nothing taken) once the day's requests or bytes are used up.

        Raises
        ------
        ValueError
            ``ttl_s`` is not positive.
        UnavailableError
            Redis cannot be reached or refused the script.
        """
        if ttl_s <= 0:
            raise ValueError(f"a quota day must expire after a positive time, got {ttl_s}")
        ttl_ms = max(1, math.ceil(ttl_s * 1000))
        args = [policy.daily_requests, policy.daily_bytes, policy.reserve_bytes, ttl_ms]
        with translate_errors(f"could not reserve Overpass quota for {day}", UnavailableError):
            granted = int(self._reserve(keys=[KEY_PREFIX + day], args=args))
        return QuotaReservation(day, granted) if granted > 0 else None

    def settle(self, reservation: QuotaReservation, used_bytes: int) -> None:
        """Give back ``reservation.bytes - used_bytes``; the request stays counted.

        A call cannot use more than it reserved (the source stops reading at
        the reservation); if ``used_bytes`` says otherwise it is logged and
        clamped, and nothing is given back.

        Raises
        ------
        ValueError
            ``used_bytes`` is negative.
        UnavailableError
            Redis cannot be reached or refused the script.
        """
        if used_bytes < 0:
            raise ValueError(f"used bytes cannot be negative, got {used_bytes}")
        if used_bytes > reservation.bytes:
            log.warning(
                "an Overpass call used %d bytes but reserved only %d; counted as %d",
                used_bytes,
                reservation.bytes,
                reservation.bytes,
            )
        unused = max(0, reservation.bytes - used_bytes)
        if unused:
            self._return(reservation.day, 0, unused, "settle")

    def cancel(self, reservation: QuotaReservation) -> None:
        """Give back the request and every reserved byte (no call was made).

        Raises
        ------
        UnavailableError
            Redis cannot be reached or refused the script.
        """
        self._return(reservation.day, 1, reservation.bytes, "cancel")

    def usage(self, day: str) -> QuotaUsage:
        """The day's requests and bytes so far, reservations in flight included.

        Raises
        ------
        UnavailableError
            Redis cannot be reached or the key holds something else.
        """
        with translate_errors(f"could not read Overpass quota for {day}", UnavailableError):
            requests, used_bytes = self._client.hmget(KEY_PREFIX + day, ["requests", "bytes"])
        return QuotaUsage(int(requests or 0), int(used_bytes or 0))

    def _return(self, day: str, requests: int, unused_bytes: int, action: str) -> None:
        # The client's one retry on a lost connection could, if the reply (not
        # the request) was lost, give back twice: rare, and bounded by the floor
        # at zero. A reserve retried that way errs the other way (counts twice).
        with translate_errors(f"could not {action} Overpass quota for {day}", UnavailableError):
            self._give_back(keys=[KEY_PREFIX + day], args=[requests, unused_bytes])
