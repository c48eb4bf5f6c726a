"""One behaviour suite for every ``CallLimiter``: the in-memory fake and Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from adapters.outbound.redis.call_limiter import RedisCallLimiter
from adapters.outbound.redis.connection import redis_client
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.enrichment_state import InMemoryCallLimiter
from wildside.domain.errors import UnavailableError
from wildside.ports.call_limiter import CallLimiter, Permit

NAME = "overpass"
LONG_S = 60.0  # a lease that outlives the test
LEASE_S = 0.3  # a lease that lapses within it
MARGIN_S = 0.1


@dataclass
class Limiter:
    """A limiter under test, and how to let time pass for it."""

    limiter: CallLimiter
    advance: Callable[[float], None]
    waits: bool  # whether ``acquire`` really waits out ``wait_s`` (Redis) or answers at once


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Limiter]:
    if request.param == "fake":
        clock = FakeClock()
        yield Limiter(InMemoryCallLimiter(clock), clock.advance, waits=False)
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield Limiter(RedisCallLimiter(client, poll_s=0.01), time.sleep, waits=True)
    client.close()


def _take(limiter: CallLimiter, count: int, lease_s: float = LONG_S) -> list[Permit | None]:
    return [limiter.acquire(NAME, 2, lease_s, 0) for _ in range(count)]


def test_permits_are_given_up_to_the_limit(subject: Limiter) -> None:
    # When three callers ask for one of two permits
    first, second, third = _take(subject.limiter, 3)
    # Then two get distinct permits and the third gets none
    assert first is not None
    assert second is not None
    assert first.name == second.name == NAME
    assert first.token != second.token
    assert third is None


def test_a_release_frees_a_slot(subject: Limiter) -> None:
    first, _, _ = _take(subject.limiter, 3)
    assert first is not None
    subject.limiter.release(first)
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0) is not None
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0) is None


def test_a_holder_that_never_releases_loses_its_slot_after_the_lease(subject: Limiter) -> None:
    # Given both slots held by workers that will never release (killed)
    assert None not in _take(subject.limiter, 2, LEASE_S)
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0) is None
    # When their lease has passed
    subject.advance(LEASE_S + MARGIN_S)
    # Then both slots can be taken again
    assert None not in _take(subject.limiter, 2)


def test_releasing_a_lapsed_permit_is_harmless(subject: Limiter) -> None:
    # Given a permit that lapsed and whose slot went to another holder
    lapsed = subject.limiter.acquire(NAME, 1, LEASE_S, 0)
    assert lapsed is not None
    subject.advance(LEASE_S + MARGIN_S)
    holder = subject.limiter.acquire(NAME, 1, LONG_S, 0)
    assert holder is not None
    # When the late worker releases its lapsed permit
    subject.limiter.release(lapsed)
    # Then nothing fails and the new holder keeps its slot
    assert subject.limiter.acquire(NAME, 1, LONG_S, 0) is None


def test_releasing_twice_frees_one_slot(subject: Limiter) -> None:
    first, _, _ = _take(subject.limiter, 3)
    assert first is not None
    subject.limiter.release(first)
    subject.limiter.release(first)
    assert _take(subject.limiter, 2)[1] is None


def test_names_are_independent(subject: Limiter) -> None:
    # Given both slots of one name taken
    assert None not in _take(subject.limiter, 2)
    # When another name is asked for, Then it has two slots of its own
    assert subject.limiter.acquire("other", 2, LONG_S, 0) is not None
    assert subject.limiter.acquire("other", 2, LONG_S, 0) is not None
    assert subject.limiter.acquire("other", 2, LONG_S, 0) is None
    # And the first name stays full
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0) is None


def test_no_wait_answers_at_once(subject: Limiter) -> None:
    _take(subject.limiter, 2)
    started = time.monotonic()
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0) is None
    assert time.monotonic() - started < 0.1


def test_a_wait_with_no_release_ends_empty_handed(subject: Limiter) -> None:
    # The fake answers at once (it never blocks); Redis polls for the whole wait.
    _take(subject.limiter, 2)
    started = time.monotonic()
    assert subject.limiter.acquire(NAME, 2, LONG_S, 0.2) is None
    waited = time.monotonic() - started
    assert waited < 1.0
    if subject.waits:
        assert waited >= 0.2  # it waited the whole 0.2 s before giving up


@pytest.mark.parametrize(("permits", "lease_s", "wait_s"), [(0, 1.0, 0), (1, 0, 0), (1, 1.0, -1)])
def test_bad_arguments_are_refused(
    subject: Limiter, permits: int, lease_s: float, wait_s: float
) -> None:
    with pytest.raises(ValueError, match=r"permit|lease|wait|semaphore"):
        subject.limiter.acquire(NAME, permits, lease_s, wait_s)


# Redis only: what the fake cannot show.


def test_never_more_holders_than_permits_across_processes(redis_url: str) -> None:
    # Given twelve threads on two clients (two worker processes), two permits
    clients = [redis_client(redis_url), redis_client(redis_url)]
    limiters = [RedisCallLimiter(client, poll_s=0.005) for client in clients]
    lock = threading.Lock()
    holders = {"now": 0, "most": 0, "calls": 0}
    start = threading.Barrier(12)

    def call(limiter: RedisCallLimiter) -> None:
        start.wait()
        for _ in range(5):
            permit = limiter.acquire(NAME, 2, LONG_S, 10.0)
            assert permit is not None
            with lock:
                holders["now"] += 1
                holders["most"] = max(holders["most"], holders["now"])
            time.sleep(0.005)  # the "HTTP call"
            with lock:
                holders["now"] -= 1
                holders["calls"] += 1
            limiter.release(permit)

    # When each makes five calls
    threads = [threading.Thread(target=call, args=(limiters[i % 2],)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then all calls ran, never more than two at once, and no slot is left taken
    assert holders["calls"] == 60
    assert holders["most"] == 2
    assert clients[0].zcard(f"enrich:sem:{NAME}") == 0
    for client in clients:
        client.close()


def test_a_waiter_gets_the_slot_a_release_frees(redis_url: str) -> None:
    client = redis_client(redis_url)
    limiter = RedisCallLimiter(client, poll_s=0.01)
    held = limiter.acquire(NAME, 1, LONG_S, 0)
    assert held is not None
    # Given a holder that releases after 0.2 s
    timer = threading.Timer(0.2, limiter.release, args=(held,))
    timer.start()
    # When another caller waits up to 2 s
    started = time.monotonic()
    permit = limiter.acquire(NAME, 1, LONG_S, 2.0)
    # Then it gets the slot soon after the release
    assert permit is not None
    assert 0.15 < time.monotonic() - started < 1.0
    timer.join()
    client.close()


def test_a_killed_worker_frees_its_slot_for_a_waiter(redis_url: str) -> None:
    # Given a worker that took the only slot and died (its client is gone)
    dead = redis_client(redis_url)
    assert RedisCallLimiter(dead).acquire(NAME, 1, LEASE_S, 0) is not None
    dead.close()
    # When another worker waits for the slot
    client = redis_client(redis_url)
    started = time.monotonic()
    permit = RedisCallLimiter(client, poll_s=0.01).acquire(NAME, 1, LONG_S, 2.0)
    # Then it gets it once the lease ran out
    assert permit is not None
    assert LEASE_S - 0.05 < time.monotonic() - started < LEASE_S + 0.5
    client.close()


def test_tokens_are_scored_by_server_time_and_the_key_expires(redis_url: str) -> None:
    client = redis_client(redis_url)
    permit = RedisCallLimiter(client).acquire(NAME, 2, 30.0, 0)
    assert permit is not None
    seconds, micros = client.time()
    score = client.zscore(f"enrich:sem:{NAME}", permit.token)
    assert score is not None
    assert 29.9 < score - (seconds + micros / 1e6) <= 30.0
    assert 29_000 < client.pttl(f"enrich:sem:{NAME}") <= 30_000
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    limiter = RedisCallLimiter(client)
    with pytest.raises(UnavailableError) as caught:
        limiter.acquire(NAME, 2, LONG_S, 0)
    assert caught.value.service == "redis"
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    with pytest.raises(UnavailableError):
        limiter.release(Permit(NAME, "token"))
