"""``EndpointBreakers`` by pybreaker, each breaker's state shared through ``CircuitStore``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pybreaker

from wildside.domain.enrichment.circuit_breaker import (
    Admission,
    BreakerPolicy,
    BreakerState,
    BreakerStatus,
    admit,
    record_failure,
    record_success,
)
from wildside.ports.circuit_store import CircuitStore
from wildside.ports.clock import Clock
from wildside.ports.endpoint_breakers import BreakerCall, CircuitOpenError, EndpointBreakers

_STATE_NAMES = {
    BreakerStatus.CLOSED: pybreaker.STATE_CLOSED,
    BreakerStatus.OPEN: pybreaker.STATE_OPEN,
    BreakerStatus.HALF_OPEN: pybreaker.STATE_HALF_OPEN,
}


class CircuitStoreStorage(pybreaker.CircuitBreakerStorage):
    """pybreaker's storage for one guarded call, kept in a ``CircuitStore``.

    pybreaker's own ``CircuitRedisStorage`` does not fit: in its half-open
    state every caller in every process is let through (its half-open state
    checks nothing), its counter and state are separate keys written one after
    the other, and its times come from ``datetime.now`` (no fake clock). So
    each storage event here is one atomic transition of the shared
    ``BreakerState`` by the domain's pure functions:

    * ``increment_counter`` (a failure) is ``record_failure``, which counts
      and trips the circuit in one step (and keeps an open circuit's opening
      time: late failures do not extend it);
    * ``reset_counter`` (a success) is ``record_success``;
    * entering half-open is the probe claim, ``admit``: the one caller that
      wins it sees ``half-open``; everyone else's claim raises
      ``CircuitBreakerError``, and while another caller's probe is out a
      half-open circuit reads as ``open`` to them;
    * pybreaker's writes of ``open`` and ``closed`` and of the opening time
      confirm what the failure or success above already stored, so they write
      nothing.

    pybreaker compares the opening time with its own ``datetime.now``; the
    getter therefore returns the opening placed as far before pybreaker's now
    as it is before ``clock``'s now, so the cool-down runs on ``clock`` (a
    ``FakeClock`` in tests). The success counter stays local: with one probe
    at a time and a success threshold of one it never needs sharing.
    """

    def __init__(
        self, store: CircuitStore, call: BreakerCall, clock: Clock, policy: BreakerPolicy
    ) -> None:
        super().__init__("circuit-store")
        self._store = store
        self._call = call
        self._clock = clock
        self._policy = policy
        self._is_probe = False
        self._is_admitted = False
        self._has_succeeded = False
        self._successes = 0

    def admitted(self) -> None:
        """The call was let through (``AdmissionListener``); successes count from now."""
        self._is_admitted = True

    @property
    def state(self) -> str:
        """pybreaker's name for the state this call last saw (half-open only for the probe)."""
        status = self._call.state.status
        if status is BreakerStatus.HALF_OPEN and not self._is_probe:
            return pybreaker.STATE_OPEN
        return _STATE_NAMES[status]

    @state.setter
    def state(self, state: str) -> None:
        if state != pybreaker.STATE_HALF_OPEN:
            return  # open and closed were stored by the failure or success that led here
        policy, now = self._policy, self._now()

        def claim(current: BreakerState) -> tuple[BreakerState, tuple[Admission, BreakerState]]:
            admission, new = admit(current, now, policy)
            return new, (admission, new)

        admission, self._call.state = self._store.update(self._call.endpoint, claim)
        if admission is Admission.REJECT:
            raise pybreaker.CircuitBreakerError(
                f"another caller holds the half-open probe of {self._call.endpoint}"
            )
        self._is_probe = admission is Admission.PROBE

    def increment_counter(self) -> None:
        """A failure: count it, and open the circuit at the threshold (one atomic step)."""
        policy, now = self._policy, self._now()
        self._apply(lambda current: record_failure(current, now, policy))

    def reset_counter(self) -> None:
        """A success closes the circuit and forgets the failures (once per call).

        pybreaker also resets when it moves to closed: after this call's
        success (stored already), or on finding the circuit closed by another
        caller before this call ran (nothing succeeded: nothing to store).
        """
        if self._has_succeeded or not self._is_admitted:
            return
        self._has_succeeded = True
        now = self._now()
        self._apply(lambda current: record_success(current, now))

    def increment_success_counter(self) -> None:
        """Count a half-open success (local: one probe at a time)."""
        self._successes += 1

    def reset_success_counter(self) -> None:
        """Forget half-open successes."""
        self._successes = 0

    @property
    def counter(self) -> int:
        """Consecutive failures, as this call last saw them."""
        return self._call.state.failures

    @property
    def success_counter(self) -> int:
        """Half-open successes of this call."""
        return self._successes

    @property
    def opened_at(self) -> datetime | None:
        """The opening, moved onto pybreaker's time line (see the class notes)."""
        opened = self._call.state.opened_at
        if opened is None:
            return None
        return datetime.now(UTC) - timedelta(seconds=self._now() - opened)

    @opened_at.setter
    def opened_at(self, value: datetime) -> None:
        pass  # ``record_failure`` stored the opening, on the shared clock

    def _apply(self, change: Callable[[BreakerState], BreakerState]) -> None:
        def step(current: BreakerState) -> tuple[BreakerState, BreakerState]:
            new = change(current)
            return new, new

        self._call.state = self._store.update(self._call.endpoint, step)

    def _now(self) -> float:
        return self._clock.now().timestamp()


class AdmissionListener(pybreaker.CircuitBreakerListener):
    """Tells the storage when pybreaker lets the call through."""

    def __init__(self, storage: CircuitStoreStorage) -> None:
        self._storage = storage

    def before_call(
        self, cb: pybreaker.CircuitBreaker, func: object, *args: object, **kwargs: object
    ) -> None:
        """pybreaker admitted the call; it runs next."""
        self._storage.admitted()


class PybreakerEndpointBreakers(EndpointBreakers):
    """One ``pybreaker.CircuitBreaker`` per call, over state every worker shares.

    pybreaker runs the call: it refuses an open circuit, half-opens it when
    the cool-down is over, sorts exceptions into failures and the rest
    (``exclude``), counts, trips and closes; ``CircuitStoreStorage`` makes
    each of those steps one atomic change of the shared state. A breaker
    object is built for every call because pybreaker caches the state it last
    saw in the object; a fresh one starts from the stored state, and threads
    of one worker never share a probe. Building one costs a few microseconds
    (``bench/library_choices.py``).

    Parameters
    ----------
    store
        Where the states live (``RedisCircuitStore`` across processes).
    clock
        The clock of the opening times and the cool-down.

    Examples
    --------
    >>> from adapters.outbound.redis.circuit_store import RedisCircuitStore
    >>> from adapters.outbound.redis.connection import redis_client
    >>> from adapters.outbound.system_clock import SystemClock
    >>> store = RedisCircuitStore(redis_client("redis://127.0.0.1:6379/0"))
    >>> breakers = PybreakerEndpointBreakers(store, SystemClock())
    >>> policy = BreakerPolicy(failure_threshold=5, cooldown_s=60.0, probe_timeout_s=240.0)
    >>> with breakers.guard(url, policy, lambda error: True):  # doctest: +SKIP
    ...     fetch(url)
    """

    def __init__(self, store: CircuitStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def state(self, endpoint: str) -> BreakerState:
        """The shared state (closed if never written)."""
        return self._store.read(endpoint)

    @contextlib.contextmanager
    def guard(
        self,
        endpoint: str,
        policy: BreakerPolicy,
        is_failure: Callable[[BaseException], bool],
    ) -> Iterator[BreakerCall]:
        """Run the block under pybreaker; ``CircuitOpenError`` if it refuses.

        Raises
        ------
        CircuitOpenError
            On entering, when the circuit is open or another caller's probe is out.
        UnavailableError
            The store cannot be reached (from ``CircuitStore``).
        """
        call = BreakerCall(endpoint, self._store.read(endpoint))
        storage = CircuitStoreStorage(self._store, call, self._clock, policy)
        breaker = pybreaker.CircuitBreaker(
            fail_max=policy.failure_threshold,
            reset_timeout=policy.cooldown_s,
            success_threshold=1,
            exclude=[lambda error: not is_failure(error)],
            state_storage=storage,
            listeners=[AdmissionListener(storage)],
            name=endpoint,
            # The caller needs the endpoint's own error (its kind, Retry-After),
            # not pybreaker's "circuit opened" in its place.
            throw_new_error_on_trip=False,
        )
        try:
            with breaker.calling():
                yield call
        except pybreaker.CircuitBreakerError as refused:  # only on entering: see above
            raise CircuitOpenError(
                f"the circuit of {endpoint} refused the call: {refused}", endpoint=endpoint
            ) from refused
