"""One behaviour suite for every ``CircuitStore``: the in-memory fake and Redis."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis

from adapters.outbound.redis.circuit_store import MAX_ATTEMPTS, RedisCircuitStore, breaker_key
from adapters.outbound.redis.connection import redis_client
from tests.conftest import free_port
from tests.fakes.enrichment_state import InMemoryCircuitStore
from tests.support import defaults
from wildside.domain.enrichment.circuit_breaker import (
    Admission,
    BreakerState,
    BreakerStatus,
    admit,
    record_failure,
    record_success,
)
from wildside.domain.errors import UnavailableError
from wildside.ports.circuit_store import CircuitStore

MAIN = "https://overpass-api.de/api/interpreter"
FALLBACK = "https://overpass.private.coffee/api/interpreter"
POLICY = defaults.breaker_policy(failure_threshold=2, cooldown_s=60.0)
NOW = 1_767_225_600.123456  # epoch seconds with a fraction, to check they survive exactly


def _failure(state: BreakerState) -> tuple[BreakerState, None]:
    return record_failure(state, NOW, POLICY), None


def _count_failure(state: BreakerState) -> tuple[BreakerState, int]:
    """A transition that only counts (the breaker never opens), returning the new count."""
    new = replace(state, failures=state.failures + 1)
    return new, new.failures


@pytest.fixture(params=["fake", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[CircuitStore]:
    if request.param == "fake":
        yield InMemoryCircuitStore()
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield RedisCircuitStore(client)
    client.close()


def test_an_unknown_endpoint_is_closed(store: CircuitStore) -> None:
    assert store.read(MAIN) == BreakerState()


def test_an_update_stores_the_new_state_and_returns_the_value(store: CircuitStore) -> None:
    # When one failure is recorded
    assert store.update(MAIN, _failure) is None
    # Then the count is stored and the circuit is still closed
    assert store.read(MAIN) == BreakerState(BreakerStatus.CLOSED, 1)


def test_an_open_breaker_comes_back_exactly(store: CircuitStore) -> None:
    # Given failures up to the threshold
    store.update(MAIN, _failure)
    store.update(MAIN, _failure)
    # Then the breaker is open since exactly NOW
    assert store.read(MAIN) == BreakerState(BreakerStatus.OPEN, 2, NOW, None)


def test_a_half_open_probe_keeps_both_times(store: CircuitStore) -> None:
    # Given an open breaker whose cooldown has passed
    store.update(MAIN, _failure)
    store.update(MAIN, _failure)
    later = NOW + POLICY.cooldown_s + 0.000001

    def probe(state: BreakerState) -> tuple[BreakerState, Admission]:
        admission, new = admit(state, later, POLICY)
        return new, admission

    # When a call is admitted, Then it is the probe and its start is recorded
    assert store.update(MAIN, probe) is Admission.PROBE
    assert store.read(MAIN) == BreakerState(BreakerStatus.HALF_OPEN, 2, NOW, later)
    # And a second caller is refused while the probe is out
    assert store.update(MAIN, probe) is Admission.REJECT


def test_success_closes_and_forgets(store: CircuitStore) -> None:
    store.update(MAIN, _failure)
    store.update(MAIN, _failure)
    store.update(MAIN, lambda state: (record_success(state, NOW), "closed"))
    assert store.read(MAIN) == BreakerState()


def test_the_change_sees_the_stored_state(store: CircuitStore) -> None:
    seen: list[BreakerState] = []

    def observe(state: BreakerState) -> tuple[BreakerState, None]:
        seen.append(state)
        return state, None

    store.update(MAIN, _failure)
    store.update(MAIN, observe)
    assert seen == [BreakerState(BreakerStatus.CLOSED, 1)]


def test_endpoints_are_independent(store: CircuitStore) -> None:
    store.update(MAIN, _failure)
    store.update(MAIN, _failure)
    assert store.read(FALLBACK) == BreakerState()
    assert store.read(MAIN).status is BreakerStatus.OPEN


def test_a_failing_change_stores_nothing(store: CircuitStore) -> None:
    store.update(MAIN, _failure)

    def broken(state: BreakerState) -> tuple[BreakerState, None]:
        raise RuntimeError("a bug in the transition")

    with pytest.raises(RuntimeError, match="bug"):
        store.update(MAIN, broken)
    assert store.read(MAIN) == BreakerState(BreakerStatus.CLOSED, 1)


# Redis only: what the fake cannot show.


def test_concurrent_updates_lose_nothing(redis_url: str) -> None:
    # Given two threads, each on its own client (two worker processes)
    clients = [redis_client(redis_url), redis_client(redis_url)]
    stores = [RedisCircuitStore(client) for client in clients]
    start = threading.Barrier(2)
    returned: list[int] = []

    def count(store: RedisCircuitStore) -> None:
        start.wait()
        for _ in range(200):
            returned.append(store.update(MAIN, _count_failure))

    # When each counts 200 failures at the same time
    threads = [threading.Thread(target=count, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then all 400 are there, and each update saw a distinct count
    assert stores[0].read(MAIN).failures == 400
    assert sorted(returned) == list(range(1, 401))
    for client in clients:
        client.close()


def test_a_change_runs_again_on_the_fresh_state(redis_url: str) -> None:
    # Given a transition during whose first run another process writes the breaker
    client, other = redis_client(redis_url), redis_client(redis_url)
    store, rival = RedisCircuitStore(client), RedisCircuitStore(other)
    seen: list[int] = []

    def interrupted(state: BreakerState) -> tuple[BreakerState, int]:
        seen.append(state.failures)
        if len(seen) == 1:
            rival.update(MAIN, _count_failure)
        return _count_failure(state)

    # When it is applied, Then it ran twice and built on the rival's write
    assert store.update(MAIN, interrupted) == 2
    assert seen == [0, 1]
    assert store.read(MAIN).failures == 2
    client.close()
    other.close()


def test_endless_interference_gives_up_as_unavailable(redis_url: str) -> None:
    client, other = redis_client(redis_url), redis_client(redis_url)
    rival = RedisCircuitStore(other)
    runs: list[int] = []

    def always_interrupted(state: BreakerState) -> tuple[BreakerState, None]:
        runs.append(1)
        rival.update(MAIN, _count_failure)
        return _count_failure(state)[0], None

    with pytest.raises(UnavailableError, match="changed under") as caught:
        RedisCircuitStore(client).update(MAIN, always_interrupted)
    assert caught.value.service == "redis"
    assert len(runs) == MAX_ATTEMPTS
    client.close()
    other.close()


def test_one_hash_per_endpoint_without_expiry(redis_url: str) -> None:
    client = redis_client(redis_url)
    store = RedisCircuitStore(client)
    store.update(MAIN, _failure)
    store.update(MAIN, _failure)
    key = breaker_key(MAIN)
    assert re.fullmatch("enrich:breaker:[0-9a-f]{40}", key)
    assert client.hgetall(key) == {
        b"status": b"open",
        b"failures": b"2",
        b"opened_at": repr(NOW).encode(),
        b"probe_started_at": b"",
    }
    assert client.ttl(key) == -1
    client.close()


def test_an_unchanged_state_is_not_written(redis_url: str) -> None:
    client = redis_client(redis_url)
    assert RedisCircuitStore(client).update(MAIN, lambda state: (state, "allow")) == "allow"
    assert client.exists(breaker_key(MAIN)) == 0
    client.close()


@pytest.mark.parametrize(
    "fields", [{"status": "melted"}, {"status": "open", "failures": "many"}], ids=str
)
def test_an_unreadable_state_is_unavailable(redis_url: str, fields: dict[str, str]) -> None:
    client = redis_client(redis_url)
    client.hset(breaker_key(MAIN), mapping=fields)
    store = RedisCircuitStore(client)
    with pytest.raises(UnavailableError, match="unreadable"):
        store.read(MAIN)
    with pytest.raises(UnavailableError, match="unreadable"):
        store.update(MAIN, _failure)
    client.close()


def test_a_key_of_another_type_is_unavailable(redis_url: str) -> None:
    client = redis_client(redis_url)
    client.set(breaker_key(MAIN), "a string, not a hash")
    with pytest.raises(UnavailableError) as caught:
        RedisCircuitStore(client).update(MAIN, _failure)
    assert isinstance(caught.value.__cause__, redis.ResponseError)
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    store = RedisCircuitStore(redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5))
    with pytest.raises(UnavailableError) as caught:
        store.update(MAIN, _failure)
    assert caught.value.service == "redis"
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    with pytest.raises(UnavailableError):
        store.read(MAIN)
