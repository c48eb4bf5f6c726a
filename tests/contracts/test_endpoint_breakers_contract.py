"""pybreaker runs the Overpass breakers: the same behaviour over the in-memory store and Redis.

Every test moves a ``FakeClock`` by hand; pybreaker's own ``datetime.now`` never
decides anything (the storage puts the opening on its time line).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from adapters.outbound.pybreaker.endpoint_breakers import PybreakerEndpointBreakers
from adapters.outbound.redis.circuit_store import RedisCircuitStore
from adapters.outbound.redis.connection import redis_client
from tests.fakes.clock import FakeClock
from tests.fakes.enrichment_state import InMemoryCircuitStore
from wildside.domain.enrichment.circuit_breaker import BreakerPolicy, BreakerState, BreakerStatus
from wildside.ports.circuit_store import CircuitStore
from wildside.ports.endpoint_breakers import CircuitOpenError

URL = "http://overpass.test/api/interpreter"
POLICY = BreakerPolicy(failure_threshold=3, cooldown_s=60.0, probe_timeout_s=30.0)


class DownError(Exception):
    """The endpoint failed (a 503, a timeout)."""


class AnsweredError(Exception):
    """The endpoint answered, but not with what we wanted (a 400): not its failure."""


def is_failure(error: BaseException) -> bool:
    return not isinstance(error, AnsweredError)


@dataclass
class Rig:
    """Two workers' breakers over one shared store, on one fake clock."""

    store: CircuitStore
    other_store: CircuitStore
    clock: FakeClock

    def breakers(self, *, other: bool = False) -> PybreakerEndpointBreakers:
        return PybreakerEndpointBreakers(self.other_store if other else self.store, self.clock)

    def fail(self, times: int = 1) -> None:
        for _ in range(times):
            with pytest.raises(DownError), self.breakers().guard(URL, POLICY, is_failure):
                raise DownError

    def succeed(self, *, other: bool = False) -> BreakerState:
        with self.breakers(other=other).guard(URL, POLICY, is_failure) as call:
            pass
        return call.state

    def status(self) -> BreakerStatus:
        return self.store.read(URL).status


@pytest.fixture(params=["memory", "redis"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    clock = FakeClock()
    if request.param == "memory":
        shared = InMemoryCircuitStore()
        yield Rig(shared, shared, clock)
        return
    url = request.getfixturevalue("redis_url")
    clients = [redis_client(url), redis_client(url)]  # two processes, two connections
    yield Rig(RedisCircuitStore(clients[0]), RedisCircuitStore(clients[1]), clock)
    for client in clients:
        client.close()


def test_failures_below_the_threshold_keep_it_closed_and_a_success_forgets_them(rig: Rig) -> None:
    rig.fail(2)
    assert rig.store.read(URL) == BreakerState(BreakerStatus.CLOSED, 2)
    assert rig.succeed() == BreakerState()
    assert rig.store.read(URL) == BreakerState()


def test_the_threshold_th_failure_opens_it_and_the_error_is_the_endpoints(rig: Rig) -> None:
    # Given two failures
    rig.fail(2)
    opened_at = rig.clock.now().timestamp()
    # When the third fails, Then the caller still sees its own error (not pybreaker's)
    rig.fail(1)
    # And the circuit is open since then, shared with the other worker
    assert rig.other_store.read(URL) == BreakerState(BreakerStatus.OPEN, 3, opened_at)


def test_an_open_circuit_refuses_before_the_call_runs(rig: Rig) -> None:
    rig.fail(3)
    rig.clock.advance(59.9)
    ran: list[int] = []
    with (
        pytest.raises(CircuitOpenError) as refused,
        rig.breakers(other=True).guard(URL, POLICY, is_failure),
    ):
        ran.append(1)
    assert ran == []
    assert refused.value.endpoint == URL
    assert refused.value.is_retryable


def test_after_the_cooldown_one_probe_and_only_one(rig: Rig) -> None:
    # Given an open circuit whose cool-down just ended
    rig.fail(3)
    rig.clock.advance(60.0)
    probe = rig.breakers().guard(URL, POLICY, is_failure)
    # When one worker's call enters, Then it is the probe: the circuit is half-open
    call = probe.__enter__()
    assert call.state.status is BreakerStatus.HALF_OPEN
    assert rig.status() is BreakerStatus.HALF_OPEN
    # And the other worker is refused while the probe is out
    rig.clock.advance(5.0)
    with pytest.raises(CircuitOpenError), rig.breakers(other=True).guard(URL, POLICY, is_failure):
        pytest.fail("a second probe ran")
    # When the probe succeeds, Then the circuit closes for everyone
    probe.__exit__(None, None, None)
    assert call.state == BreakerState()
    assert rig.succeed(other=True) == BreakerState()


def test_a_failed_probe_reopens_it_for_another_cooldown(rig: Rig) -> None:
    rig.fail(3)
    rig.clock.advance(61.0)
    reopened_at = rig.clock.now().timestamp()
    rig.fail(1)  # the probe
    assert rig.store.read(URL) == BreakerState(BreakerStatus.OPEN, 4, reopened_at)
    rig.clock.advance(59.0)
    with pytest.raises(CircuitOpenError), rig.breakers().guard(URL, POLICY, is_failure):
        pass
    rig.clock.advance(1.0)
    assert rig.succeed() == BreakerState()


def test_a_probe_that_never_reports_frees_the_slot(rig: Rig) -> None:
    rig.fail(3)
    rig.clock.advance(60.0)
    lost = rig.breakers().guard(URL, POLICY, is_failure)
    lost.__enter__()  # a worker killed mid-probe never leaves
    rig.clock.advance(30.0)  # the probe timeout
    assert rig.succeed(other=True) == BreakerState()


def test_an_answer_that_is_not_a_failure_counts_as_success(rig: Rig) -> None:
    rig.fail(2)
    with pytest.raises(AnsweredError), rig.breakers().guard(URL, POLICY, is_failure):
        raise AnsweredError
    assert rig.store.read(URL) == BreakerState()


def test_late_failures_do_not_extend_an_open_circuit(rig: Rig) -> None:
    # Given a call admitted while the circuit was closed
    rig.fail(2)
    late = rig.breakers(other=True).guard(URL, POLICY, is_failure)
    late.__enter__()
    # When the circuit opens meanwhile, and the late call fails 30 s later
    rig.fail(1)
    opened_at = rig.clock.now().timestamp()
    rig.clock.advance(30.0)
    error = DownError()
    assert not late.__exit__(DownError, error, None)  # False: the error goes on to the caller
    # Then the opening time is unchanged: the probe is still due 60 s after it
    assert rig.store.read(URL) == BreakerState(BreakerStatus.OPEN, 4, opened_at)
    rig.clock.advance(30.0)
    assert rig.succeed() == BreakerState()


def test_threads_of_one_worker_never_share_a_probe(rig: Rig) -> None:
    # Given an open circuit past its cool-down and one breakers object, as in a worker
    rig.fail(3)
    rig.clock.advance(60.0)
    breakers = rig.breakers()
    inside = threading.Barrier(2, timeout=10)
    entered: list[str] = []
    refused: list[str] = []

    def call(name: str) -> None:
        try:
            with breakers.guard(URL, POLICY, is_failure):
                entered.append(name)
                inside.wait()  # hold the probe until the other thread has tried
        except CircuitOpenError:
            refused.append(name)
            inside.wait()

    # When two threads call at once
    threads = [threading.Thread(target=call, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one probed and one was refused, and the probe closed the circuit
    assert (len(entered), len(refused)) == (1, 1)
    assert rig.status() is BreakerStatus.CLOSED


class RivalFirst(CircuitStore):
    """Delegates to ``store``; just before its first update, another worker runs ``rival``."""

    def __init__(self, store: CircuitStore, rival: Callable[[], None]) -> None:
        self._store = store
        self._rival: Callable[[], None] | None = rival

    def update(self, endpoint, change):  # type: ignore[no-untyped-def]
        rival, self._rival = self._rival, None
        if rival is not None:
            rival()
        return self._store.update(endpoint, change)

    def read(self, endpoint: str) -> BreakerState:
        return self._store.read(endpoint)


def test_a_circuit_closed_by_another_worker_before_the_claim_counts_on(rig: Rig) -> None:
    # Given an open circuit past its cool-down, as this worker reads it
    rig.fail(3)
    rig.clock.advance(60.0)

    def probe_then_two_failures() -> None:  # another worker, between our read and our claim
        assert rig.succeed(other=True) == BreakerState()
        for _ in range(2):
            with pytest.raises(DownError), rig.breakers(other=True).guard(URL, POLICY, is_failure):
                raise DownError

    breakers = PybreakerEndpointBreakers(RivalFirst(rig.store, probe_then_two_failures), rig.clock)
    seen: list[BreakerState] = []

    def failing_call() -> None:
        with breakers.guard(URL, POLICY, is_failure) as call:
            seen.append(call.state)
            raise DownError

    # When our call fails, Then it was let through by the closed circuit it found
    with pytest.raises(DownError):
        failing_call()
    assert seen == [BreakerState(BreakerStatus.CLOSED, 2)]
    # Then its failure is the third in a row (nothing reset the count): the circuit opens
    assert rig.store.read(URL) == BreakerState(BreakerStatus.OPEN, 3, rig.clock.now().timestamp())
