"""Every circuit-breaker transition, on a hand-driven clock."""

from __future__ import annotations

import pytest

from tests.support import defaults
from wildside.domain.enrichment.circuit_breaker import (
    Admission,
    BreakerPolicy,
    BreakerState,
    BreakerStatus,
    admit,
    record_failure,
    record_success,
)

POLICY = BreakerPolicy(failure_threshold=3, cooldown_s=60.0, probe_timeout_s=30.0)


def _fail(times: int, state: BreakerState | None = None, at: float = 0.0) -> BreakerState:
    state = state or BreakerState()
    for _ in range(times):
        state = record_failure(state, at, POLICY)
    return state


def test_a_closed_breaker_lets_calls_through() -> None:
    assert admit(BreakerState(), 0.0, POLICY) == (Admission.ALLOW, BreakerState())


def test_failures_below_the_threshold_keep_it_closed() -> None:
    state = _fail(2)
    assert (state.status, state.failures) == (BreakerStatus.CLOSED, 2)
    assert admit(state, 1.0, POLICY)[0] is Admission.ALLOW


def test_a_success_resets_the_count() -> None:
    assert record_success(_fail(2), 5.0) == BreakerState()


def test_the_threshold_th_consecutive_failure_opens_it() -> None:
    state = _fail(3, at=100.0)
    assert (state.status, state.opened_at) == (BreakerStatus.OPEN, 100.0)


def test_an_open_breaker_rejects_until_the_cooldown_ends() -> None:
    state = _fail(3, at=100.0)
    assert admit(state, 159.9, POLICY) == (Admission.REJECT, state)


def test_after_the_cooldown_one_probe_goes_half_open() -> None:
    state = _fail(3, at=100.0)
    admission, probing = admit(state, 160.0, POLICY)
    assert admission is Admission.PROBE
    assert (probing.status, probing.probe_started_at) == (BreakerStatus.HALF_OPEN, 160.0)
    # While the probe is in flight, everyone else is turned away.
    assert admit(probing, 170.0, POLICY)[0] is Admission.REJECT


def test_a_successful_probe_closes_the_circuit() -> None:
    _, probing = admit(_fail(3, at=100.0), 160.0, POLICY)
    closed = record_success(probing, 161.0)
    assert closed == BreakerState()
    assert admit(closed, 161.0, POLICY)[0] is Admission.ALLOW


def test_a_failed_probe_reopens_it_for_another_cooldown() -> None:
    _, probing = admit(_fail(3, at=100.0), 160.0, POLICY)
    reopened = record_failure(probing, 165.0, POLICY)
    assert (reopened.status, reopened.opened_at) == (BreakerStatus.OPEN, 165.0)
    assert admit(reopened, 224.0, POLICY)[0] is Admission.REJECT
    assert admit(reopened, 225.0, POLICY)[0] is Admission.PROBE


def test_a_probe_that_never_reports_frees_the_slot() -> None:
    _, probing = admit(_fail(3, at=100.0), 160.0, POLICY)
    admission, again = admit(probing, 190.0, POLICY)  # 30 s: the probe timeout
    assert admission is Admission.PROBE
    assert again.probe_started_at == 190.0


def test_late_failures_do_not_extend_an_open_circuit() -> None:
    opened = _fail(3, at=100.0)
    later = record_failure(opened, 150.0, POLICY)
    assert (later.status, later.opened_at) == (BreakerStatus.OPEN, 100.0)


def test_gauges() -> None:
    assert [s.gauge for s in BreakerStatus] == [0, 2, 1]


@pytest.mark.parametrize(("threshold", "cooldown"), [(0, 1.0), (1, 0.0)])
def test_impossible_policies_are_refused(threshold: int, cooldown: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        defaults.breaker_policy(failure_threshold=threshold, cooldown_s=cooldown)
