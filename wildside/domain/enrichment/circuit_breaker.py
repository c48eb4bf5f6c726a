"""The circuit breaker around each Overpass endpoint: closed, open, half-open, decided purely.

These are the transitions of the state every worker shares. pybreaker runs
each call (``adapters/outbound/pybreaker``) and its storage applies them, one
atomic step per event: a failure is ``record_failure``, a success
``record_success``, the half-open probe claim is ``admit``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class BreakerStatus(enum.StrEnum):
    """Where an endpoint's breaker is."""

    CLOSED = "closed"  # calls go through; failures are counted
    OPEN = "open"  # calls are refused until the cooldown ends
    HALF_OPEN = "half_open"  # one probe call decides

    @property
    def gauge(self) -> int:
        """0 closed, 1 half-open, 2 open (the breaker-state metric)."""
        return {BreakerStatus.CLOSED: 0, BreakerStatus.HALF_OPEN: 1, BreakerStatus.OPEN: 2}[self]


class Admission(enum.StrEnum):
    """What the breaker says about one call."""

    ALLOW = "allow"
    PROBE = "probe"  # allowed as the single half-open trial
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """Thresholds; timeouts count as failures. All from settings, no defaults here."""

    failure_threshold: int  # consecutive failures that open the circuit
    cooldown_s: float  # how long it stays open before a probe
    probe_timeout_s: float  # a probe that never reported frees the slot after this

    def __post_init__(self) -> None:
        """Thresholds must be positive."""
        if self.failure_threshold < 1 or self.cooldown_s <= 0 or self.probe_timeout_s <= 0:
            raise ValueError("breaker thresholds must be positive")


@dataclass(frozen=True, slots=True)
class BreakerState:
    """One endpoint's breaker, as stored (shared by every worker)."""

    status: BreakerStatus = BreakerStatus.CLOSED
    failures: int = 0
    opened_at: float | None = None  # seconds (the shared clock)
    probe_started_at: float | None = None


def admit(state: BreakerState, now: float, policy: BreakerPolicy) -> tuple[Admission, BreakerState]:
    """Decide one call; the new state records a probe that starts.

    Examples
    --------
    >>> policy = BreakerPolicy(failure_threshold=1, cooldown_s=10, probe_timeout_s=240)
    >>> opened = record_failure(BreakerState(), 0.0, policy)
    >>> admit(opened, 5.0, policy)[0].value, admit(opened, 10.0, policy)[0].value
    ('reject', 'probe')
    """
    if state.status is BreakerStatus.CLOSED:
        return Admission.ALLOW, state
    if state.status is BreakerStatus.OPEN:
        if state.opened_at is not None and now - state.opened_at < policy.cooldown_s:
            return Admission.REJECT, state
        return Admission.PROBE, replace(state, status=BreakerStatus.HALF_OPEN, probe_started_at=now)
    started = state.probe_started_at
    if started is not None and now - started < policy.probe_timeout_s:
        return Admission.REJECT, state  # a probe is in flight
    return Admission.PROBE, replace(state, probe_started_at=now)


def record_success(state: BreakerState, now: float) -> BreakerState:
    """A call succeeded: the circuit closes and the failure count resets."""
    return BreakerState()


def record_failure(state: BreakerState, now: float, policy: BreakerPolicy) -> BreakerState:
    """A call failed (5xx, 429, timeout, connection error).

    A failed probe reopens at once; in the closed state the circuit opens on
    the ``failure_threshold``-th consecutive failure; an open circuit keeps
    its opening time (late failures of calls admitted before do not extend it).
    """
    if state.status is BreakerStatus.HALF_OPEN:
        return BreakerState(BreakerStatus.OPEN, state.failures + 1, now, None)
    if state.status is BreakerStatus.OPEN:
        return replace(state, failures=state.failures + 1)
    failures = state.failures + 1
    if failures >= policy.failure_threshold:
        return BreakerState(BreakerStatus.OPEN, failures, now, None)
    return replace(state, failures=failures)
