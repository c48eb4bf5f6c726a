"""One behaviour suite for every ``RateLimiter``: the in-memory fake and Redis."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.rate_limiter import RedisRateLimiter
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.rate_limiter import InMemoryRateLimiter
from wildside.domain.errors import UnavailableError
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy, decide
from wildside.ports.rate_limiter import RateLimiter, RateLimiterError

PER_MINUTE = RateLimitPolicy(limit=5, period_s=60.0)  # slow enough that test time never counts
FAST = RateLimitPolicy(limit=2, period_s=0.6)  # one request comes back every 0.3 s
MARGIN_S = 0.05  # waits are a little longer than needed, so real time cannot fall short


@dataclass
class Limiter:
    """A limiter under test, and how to let time pass for it."""

    limiter: RateLimiter
    advance: Callable[[float], None]


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Limiter]:
    if request.param == "fake":
        clock = FakeClock()
        yield Limiter(InMemoryRateLimiter(clock), clock.advance)
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield Limiter(RedisRateLimiter(client), time.sleep)
    client.close()


def _hits(limiter: RateLimiter, policy: RateLimitPolicy, count: int) -> list[RateLimitDecision]:
    return [limiter.hit("alice", policy) for _ in range(count)]


def test_a_full_burst_is_allowed_and_counts_down(subject: Limiter) -> None:
    decisions = _hits(subject.limiter, PER_MINUTE, 5)
    assert [d.is_allowed for d in decisions] == [True] * 5
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0]
    assert {d.limit for d in decisions} == {5}
    assert {d.retry_after_s for d in decisions} == {0}
    assert decisions[0].reset_s == 12  # one interval (60 s / 5) to be whole again
    assert decisions[-1].reset_s == 60


def test_the_request_after_the_burst_is_denied(subject: Limiter) -> None:
    _hits(subject.limiter, PER_MINUTE, 5)
    denied = subject.limiter.hit("alice", PER_MINUTE)
    assert not denied.is_allowed
    assert denied.remaining == 0
    assert denied.retry_after_s == 12  # one interval, rounded up to whole seconds
    assert denied.reset_s == 60
    assert denied.limit == 5


def test_denied_requests_are_not_counted(subject: Limiter) -> None:
    # Given a used-up quota
    _hits(subject.limiter, FAST, 2)
    # When the caller keeps knocking
    assert [d.is_allowed for d in _hits(subject.limiter, FAST, 3)] == [False] * 3
    # Then one interval later one request passes, as if they had not
    subject.advance(FAST.interval_s + MARGIN_S)
    assert subject.limiter.hit("alice", FAST).is_allowed


def test_one_interval_gives_back_exactly_one_request(subject: Limiter) -> None:
    _hits(subject.limiter, FAST, 2)
    subject.advance(FAST.interval_s + MARGIN_S)
    allowed = subject.limiter.hit("alice", FAST)
    denied = subject.limiter.hit("alice", FAST)
    assert (allowed.is_allowed, allowed.remaining) == (True, 0)
    assert (denied.is_allowed, denied.remaining) == (False, 0)
    assert denied.retry_after_s >= 1


def test_a_whole_period_gives_back_the_whole_burst(subject: Limiter) -> None:
    _hits(subject.limiter, FAST, 2)
    subject.advance(FAST.period_s + MARGIN_S)
    assert [d.remaining for d in _hits(subject.limiter, FAST, 2)] == [1, 0]


def test_subjects_are_independent(subject: Limiter) -> None:
    _hits(subject.limiter, PER_MINUTE, 5)
    bob = subject.limiter.hit("bob", PER_MINUTE)
    assert (bob.is_allowed, bob.remaining) == (True, 4)
    assert not subject.limiter.hit("alice", PER_MINUTE).is_allowed


# Redis only: what the fake cannot show.


def test_the_script_repeats_the_domain_decision_exactly(redis_url: str) -> None:
    # Given the server script run at chosen times, beside the pure domain function
    client = redis_client(redis_url)
    limiter = RedisRateLimiter(client)
    rng = random.Random(20261123)
    policies = [RateLimitPolicy(rng.randint(1, 7), rng.choice([0.6, 1.0, 7.3, 60.0])) for _ in "ab"]
    states: dict[tuple[str, int], float | None] = {}
    now = 1_764_000_000.0  # epoch seconds, as TIME gives
    outcomes = []
    for step in range(400):
        key = (rng.choice("xyz"), rng.randrange(len(policies)))
        policy = policies[key[1]]
        # Steps land on, just past and between fractions of the interval, where rounding bites.
        step_s = rng.choice([0.0, 1e-7, 0.5, 1.0, 1.5, rng.random()]) * policy.interval_s / 3
        now += step_s
        subject_name = f"{key[0]}:{key[1]}"
        # When both decide
        expected, tat = decide(policy, states.get(key), now)
        actual = limiter._hit_at(subject_name, policy, now)
        # Then decisions and stored state agree to the last bit
        assert actual == expected, (step, policy, now)
        outcomes.append(expected.is_allowed)
        if expected.is_allowed:
            states[key] = tat
        stored = client.get(f"ratelimit:{subject_name}")
        assert stored is not None
        assert float(stored) == states[key]
    assert 50 < sum(outcomes) < 350  # both branches were exercised, many times
    client.close()


def test_idle_subjects_expire(redis_url: str) -> None:
    client = redis_client(redis_url)
    RedisRateLimiter(client).hit("alice", PER_MINUTE)
    assert 11_000 < client.pttl("ratelimit:alice") <= 12_000  # gone once the quota is whole
    client.close()


def test_two_processes_share_one_quota(redis_url: str) -> None:
    first, second = redis_client(redis_url), redis_client(redis_url)
    a, b = RedisRateLimiter(first), RedisRateLimiter(second)
    decisions = [limiter.hit("alice", PER_MINUTE) for limiter in (a, b, a, b, a, b)]
    assert [d.is_allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    first.close()
    second.close()


def test_concurrent_hits_never_exceed_the_limit(redis_url: str) -> None:
    client = redis_client(redis_url)
    limiter = RedisRateLimiter(client)
    policy = RateLimitPolicy(limit=10, period_s=60.0)
    allowed: list[bool] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for _ in range(10):
            allowed.append(limiter.hit("alice", policy).is_allowed)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 80
    assert sum(allowed) == 10
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    with pytest.raises(UnavailableError) as caught:
        RedisRateLimiter(client).hit("alice", PER_MINUTE)
    assert caught.value.service == "redis"
    assert isinstance(caught.value.__cause__, redis.ConnectionError)


def test_a_refused_script_is_a_rate_limiter_error(redis_url: str) -> None:
    client = redis_client(redis_url)
    client.rpush("ratelimit:alice", "not a timestamp")
    with pytest.raises(RateLimiterError) as caught:
        RedisRateLimiter(client).hit("alice", PER_MINUTE)
    assert isinstance(caught.value.__cause__, redis.ResponseError)
    client.close()
