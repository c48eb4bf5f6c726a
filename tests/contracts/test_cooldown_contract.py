"""One behaviour suite for every ``Cooldown``: the in-memory fake and Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.cooldown import RedisCooldown
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.enrichment_state import InMemoryCooldown
from wildside.domain.errors import UnavailableError
from wildside.ports.cooldown import Cooldown

KEY = "enrich:" + "ab" * 16  # shaped like EnrichmentJob.dedup_key
WINDOW_S = 0.3
HOUR = 3600.0


@dataclass
class Window:
    """A cooldown under test, and how to let time pass for it."""

    cooldown: Cooldown
    advance: Callable[[float], None]


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Window]:
    if request.param == "fake":
        clock = FakeClock()
        yield Window(InMemoryCooldown(clock), clock.advance)
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield Window(RedisCooldown(client), time.sleep)
    client.close()


def test_only_the_first_claim_in_a_window_wins(subject: Window) -> None:
    assert subject.cooldown.claim(KEY, HOUR)
    assert not subject.cooldown.claim(KEY, HOUR)
    assert not subject.cooldown.claim(KEY, HOUR)


def test_the_key_can_be_claimed_again_after_the_window(subject: Window) -> None:
    # Given a claim whose window has passed
    assert subject.cooldown.claim(KEY, WINDOW_S)
    subject.advance(WINDOW_S + 0.1)
    # When the same area is asked for again, Then it is claimed afresh
    assert subject.cooldown.claim(KEY, WINDOW_S)
    assert not subject.cooldown.claim(KEY, WINDOW_S)


def test_a_refused_claim_does_not_extend_the_window(subject: Window) -> None:
    # Given a claim, and a refused one halfway through its window
    assert subject.cooldown.claim(KEY, WINDOW_S)
    subject.advance(WINDOW_S * 0.5)
    assert not subject.cooldown.claim(KEY, WINDOW_S)
    # When the first window ends, Then the key is free (the refusal changed nothing)
    subject.advance(WINDOW_S * 0.5 + 0.1)
    assert subject.cooldown.claim(KEY, WINDOW_S)


def test_keys_are_independent(subject: Window) -> None:
    # Given one key claimed
    assert subject.cooldown.claim(KEY, HOUR)
    # When other keys are claimed, Then each wins its own window
    assert subject.cooldown.claim(KEY + "0", HOUR)
    assert subject.cooldown.claim("other", HOUR)
    # And every key claimed stays taken, the first one included
    assert not subject.cooldown.claim(KEY, HOUR)
    assert not subject.cooldown.claim(KEY + "0", HOUR)
    assert not subject.cooldown.claim("other", HOUR)


@pytest.mark.parametrize("ttl_s", [0, -1.0])
def test_a_window_must_be_positive(subject: Window, ttl_s: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        subject.cooldown.claim(KEY, ttl_s)
    assert subject.cooldown.claim(KEY, HOUR)


# Redis only: what the fake cannot show.


def test_the_key_is_prefixed_as_given_and_expires(redis_url: str) -> None:
    client = redis_client(redis_url)
    RedisCooldown(client).claim(KEY, HOUR)
    assert client.get(f"enrich:cooldown:{KEY}") == b"1"
    assert HOUR * 1000 - 1000 < client.pttl(f"enrich:cooldown:{KEY}") <= HOUR * 1000
    client.close()


def test_concurrent_claims_from_two_processes_have_one_winner(redis_url: str) -> None:
    # Given sixteen threads on two clients claiming the same area at once
    clients = [redis_client(redis_url), redis_client(redis_url)]
    cooldowns = [RedisCooldown(client) for client in clients]
    wins: list[bool] = []
    start = threading.Barrier(16)

    def claim(cooldown: RedisCooldown) -> None:
        start.wait()
        wins.append(cooldown.claim(KEY, HOUR))

    threads = [threading.Thread(target=claim, args=(cooldowns[i % 2],)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one enqueues the job
    assert sorted(wins) == [False] * 15 + [True]
    for client in clients:
        client.close()


def test_a_key_of_another_type_is_still_claimed_once(redis_url: str) -> None:
    # SET NX only asks whether the key exists, whatever it holds.
    client = redis_client(redis_url)
    client.rpush(f"enrich:cooldown:{KEY}", "a list")
    assert not RedisCooldown(client).claim(KEY, HOUR)
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    with pytest.raises(UnavailableError) as caught:
        RedisCooldown(client).claim(KEY, HOUR)
    assert caught.value.service == "redis"
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
