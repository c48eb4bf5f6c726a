"""One behaviour suite for every ``EnrichmentQuota``: the in-memory fake and Redis."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.enrichment_quota import RedisEnrichmentQuota
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.enrichment_state import InMemoryEnrichmentQuota
from wildside.domain.enrichment.quota import QuotaPolicy, QuotaUsage, reservation_bytes
from wildside.domain.errors import UnavailableError
from wildside.ports.enrichment_quota import EnrichmentQuota, QuotaReservation

DAY = "2026-01-01"
POLICY = QuotaPolicy(daily_requests=3, daily_bytes=100, reserve_bytes=40)
HOUR = 3600.0
SHORT_S = 0.3  # a day that ends within the test


@dataclass
class Quota:
    """A quota under test, and how to let time pass for it."""

    quota: EnrichmentQuota
    advance: Callable[[float], None]


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Quota]:
    if request.param == "fake":
        clock = FakeClock()
        yield Quota(InMemoryEnrichmentQuota(clock), clock.advance)
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield Quota(RedisEnrichmentQuota(client), time.sleep)
    client.close()


def test_a_fresh_day_has_used_nothing(subject: Quota) -> None:
    assert subject.quota.usage(DAY) == QuotaUsage(0, 0)


def test_a_reservation_takes_one_request_and_the_reserved_bytes(subject: Quota) -> None:
    # When a call reserves its share
    reservation = subject.quota.reserve(DAY, POLICY, HOUR)
    # Then the day counts one request and the whole reservation
    assert reservation == QuotaReservation(DAY, 40)
    assert subject.quota.usage(DAY) == QuotaUsage(1, 40)


def test_the_last_reservation_gets_only_the_bytes_left(subject: Quota) -> None:
    reservations = [subject.quota.reserve(DAY, POLICY, HOUR) for _ in range(3)]
    assert [r.bytes if r else None for r in reservations] == [40, 40, 20]
    assert subject.quota.usage(DAY) == QuotaUsage(3, 100)


@pytest.mark.parametrize(
    ("policy", "calls", "usage"),
    [
        (QuotaPolicy(daily_requests=2, daily_bytes=1000, reserve_bytes=10), 2, QuotaUsage(2, 20)),
        (QuotaPolicy(daily_requests=10, daily_bytes=50, reserve_bytes=50), 1, QuotaUsage(1, 50)),
    ],
    ids=["requests", "bytes"],
)
def test_a_used_up_quota_denies_and_changes_nothing(
    subject: Quota, policy: QuotaPolicy, calls: int, usage: QuotaUsage
) -> None:
    # Given a day whose requests (or bytes) are all taken
    for _ in range(calls):
        assert subject.quota.reserve(DAY, policy, HOUR) is not None
    # When another call asks, Then it is denied and nothing is counted
    assert subject.quota.reserve(DAY, policy, HOUR) is None
    assert subject.quota.usage(DAY) == usage


@pytest.mark.parametrize("used", [0, 15, 40])
def test_settling_gives_back_the_unused_bytes_only(subject: Quota, used: int) -> None:
    # Given a call that reserved 40 bytes
    reservation = subject.quota.reserve(DAY, POLICY, HOUR)
    assert reservation is not None
    # When it settles having read some of them
    subject.quota.settle(reservation, used)
    # Then the request stays counted and only what it read stays taken
    assert subject.quota.usage(DAY) == QuotaUsage(1, used)


def test_using_more_than_reserved_is_clamped_and_logged(
    subject: Quota, caplog: pytest.LogCaptureFixture
) -> None:
    reservation = subject.quota.reserve(DAY, POLICY, HOUR)
    assert reservation is not None
    with caplog.at_level(logging.WARNING):
        subject.quota.settle(reservation, 99)
    assert subject.quota.usage(DAY) == QuotaUsage(1, 40)
    assert "99" in caplog.text


def test_negative_use_is_refused(subject: Quota) -> None:
    reservation = subject.quota.reserve(DAY, POLICY, HOUR)
    assert reservation is not None
    with pytest.raises(ValueError, match="negative"):
        subject.quota.settle(reservation, -1)


def test_cancelling_gives_back_the_request_and_every_byte(subject: Quota) -> None:
    first = subject.quota.reserve(DAY, POLICY, HOUR)
    second = subject.quota.reserve(DAY, POLICY, HOUR)
    assert first is not None
    assert second is not None
    subject.quota.cancel(second)
    assert subject.quota.usage(DAY) == QuotaUsage(1, 40)


def test_given_back_bytes_can_be_reserved_again(subject: Quota) -> None:
    # Given a day whose bytes were used up, then partly settled
    policy = QuotaPolicy(daily_requests=10, daily_bytes=50, reserve_bytes=50)
    reservation = subject.quota.reserve(DAY, policy, HOUR)
    assert reservation is not None
    subject.quota.settle(reservation, 30)
    # When the next call reserves, Then it gets what was given back
    assert subject.quota.reserve(DAY, policy, HOUR) == QuotaReservation(DAY, 20)


def test_days_are_independent(subject: Quota) -> None:
    subject.quota.reserve(DAY, POLICY, HOUR)
    assert subject.quota.usage("2026-01-02") == QuotaUsage(0, 0)
    assert subject.quota.reserve("2026-01-02", POLICY, HOUR) == QuotaReservation("2026-01-02", 40)


def test_counters_expire_after_the_first_use_and_are_not_extended(subject: Quota) -> None:
    # Given a day that expires SHORT_S after its first reservation
    subject.quota.reserve(DAY, POLICY, SHORT_S)
    subject.advance(SHORT_S * 0.5)
    # When a later reservation asks for a much longer expiry
    subject.quota.reserve(DAY, POLICY, HOUR)
    assert subject.quota.usage(DAY) == QuotaUsage(2, 80)
    # Then the day still ends when the first one said
    subject.advance(SHORT_S * 0.5 + 0.1)
    assert subject.quota.usage(DAY) == QuotaUsage(0, 0)


def test_giving_back_to_an_expired_day_does_not_revive_it(subject: Quota) -> None:
    reservation = subject.quota.reserve(DAY, POLICY, SHORT_S)
    assert reservation is not None
    subject.advance(SHORT_S + 0.1)
    subject.quota.settle(reservation, 0)
    subject.quota.cancel(reservation)
    assert subject.quota.usage(DAY) == QuotaUsage(0, 0)
    # And the next reservation starts a fresh day with its own expiry
    assert subject.quota.reserve(DAY, POLICY, SHORT_S) == QuotaReservation(DAY, 40)


def test_an_expiry_must_be_positive(subject: Quota) -> None:
    with pytest.raises(ValueError, match="positive"):
        subject.quota.reserve(DAY, POLICY, 0)
    assert subject.quota.usage(DAY) == QuotaUsage(0, 0)


# Redis only: what the fake cannot show.


def _together(target: Callable[..., None], arguments: list[tuple[object, ...]]) -> None:
    """Run ``target`` once per argument tuple, each in its own thread, and wait for all."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_the_script_reserves_exactly_what_the_domain_says(redis_url: str) -> None:
    # Given random usages, at and around the limits, written straight into Redis
    client = redis_client(redis_url)
    quota = RedisEnrichmentQuota(client)
    rng = random.Random(20260101)
    granted = denied = 0
    for step in range(500):
        policy = QuotaPolicy(rng.randint(1, 20), rng.randint(1, 10_000), rng.randint(1, 4_000))
        requests = rng.choice([0, policy.daily_requests - 1, policy.daily_requests])
        requests = rng.choice([requests, rng.randint(0, policy.daily_requests + 3)])
        used = rng.choice([0, policy.daily_bytes, policy.daily_bytes - policy.reserve_bytes])
        used = max(0, rng.choice([used, used + rng.randint(-3, 3), rng.randint(0, 12_000)]))
        usage = QuotaUsage(requests, used)
        day = f"day-{step}"
        client.hset(f"enrich:quota:{day}", mapping={"requests": requests, "bytes": used})
        # When both decide
        expected = reservation_bytes(usage, policy)
        reservation = quota.reserve(day, policy, HOUR)
        # Then they agree, and the counters moved by exactly that (or not at all)
        assert (reservation.bytes if reservation else 0) == expected, (step, policy, usage)
        after = QuotaUsage(requests + 1, used + expected) if expected else usage
        assert quota.usage(day) == after, (step, policy, usage)
        granted += expected > 0
        denied += expected == 0
    # Both branches, many times
    assert granted > 100
    assert denied > 100
    client.close()


@pytest.mark.parametrize(
    "policy",
    [
        QuotaPolicy(daily_requests=25, daily_bytes=10**9, reserve_bytes=1000),  # requests bind
        QuotaPolicy(daily_requests=10**4, daily_bytes=1000, reserve_bytes=64),  # bytes bind
    ],
    ids=["requests", "bytes"],
)
def test_concurrent_reservations_never_exceed_the_quota(
    redis_url: str, policy: QuotaPolicy
) -> None:
    # Given sixteen threads on two clients (two "processes") asking at once
    clients = [redis_client(redis_url), redis_client(redis_url)]
    quotas = [RedisEnrichmentQuota(client) for client in clients]
    reservations: list[QuotaReservation] = []
    start = threading.Barrier(16)

    def hammer(quota: RedisEnrichmentQuota) -> None:
        start.wait()
        for _ in range(10):
            reservation = quota.reserve(DAY, policy, HOUR)
            if reservation is not None:
                reservations.append(reservation)

    _together(hammer, [(quotas[i % 2],) for i in range(16)])
    # Then what was granted is what is counted, and neither quota was exceeded
    usage = quotas[0].usage(DAY)
    assert usage == QuotaUsage(len(reservations), sum(r.bytes for r in reservations))
    assert usage.requests <= policy.daily_requests
    assert usage.bytes <= policy.daily_bytes
    # And the binding quota was filled exactly (every byte, or every request)
    assert usage.requests == policy.daily_requests or usage.bytes == policy.daily_bytes
    for client in clients:
        client.close()


def test_concurrent_settles_leave_exactly_the_bytes_used(redis_url: str) -> None:
    client = redis_client(redis_url)
    quota = RedisEnrichmentQuota(client)
    policy = QuotaPolicy(daily_requests=10**4, daily_bytes=10**9, reserve_bytes=100)
    used: list[int] = []

    def call(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(25):
            reservation = quota.reserve(DAY, policy, HOUR)
            assert reservation is not None
            used.append(rng.randint(0, 100))
            quota.settle(reservation, used[-1])

    _together(call, [(seed,) for seed in range(8)])
    assert quota.usage(DAY) == QuotaUsage(200, sum(used))
    client.close()


def test_one_hash_per_day_expiring_with_the_day(redis_url: str) -> None:
    client = redis_client(redis_url)
    RedisEnrichmentQuota(client).reserve(DAY, POLICY, HOUR)
    assert client.hgetall(f"enrich:quota:{DAY}") == {b"requests": b"1", b"bytes": b"40"}
    assert HOUR * 1000 - 1000 < client.pttl(f"enrich:quota:{DAY}") <= HOUR * 1000
    client.close()


def test_a_key_of_another_type_is_unavailable(redis_url: str) -> None:
    client = redis_client(redis_url)
    client.rpush(f"enrich:quota:{DAY}", "not a hash")
    with pytest.raises(UnavailableError) as caught:
        RedisEnrichmentQuota(client).reserve(DAY, POLICY, HOUR)
    assert isinstance(caught.value.__cause__, redis.ResponseError)
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    quota, reservation = RedisEnrichmentQuota(client), QuotaReservation(DAY, 40)
    for call in (
        lambda: quota.reserve(DAY, POLICY, HOUR),
        lambda: quota.settle(reservation, 1),
        lambda: quota.cancel(reservation),
        lambda: quota.usage(DAY),
    ):
        with pytest.raises(UnavailableError) as caught:
            call()
        assert caught.value.service == "redis"
        assert isinstance(caught.value.__cause__, redis.ConnectionError)
