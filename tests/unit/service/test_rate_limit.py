"""The GCRA quota decision: bursts, spacing, headers, and denials that cost nothing."""

from __future__ import annotations

import pytest

from wildside.domain.rate_limit import RateLimitPolicy, decide

POLICY = RateLimitPolicy(limit=60, period_s=60.0)


def _burst(count: int, now: float = 0.0) -> tuple[list, float | None]:
    tat = None
    decisions = []
    for _ in range(count):
        decision, tat = decide(POLICY, tat, now)
        decisions.append(decision)
    return decisions, tat


def test_a_fresh_user_gets_the_whole_quota_at_once() -> None:
    decisions, _ = _burst(60)
    assert all(d.is_allowed for d in decisions)
    assert [d.remaining for d in decisions[:3]] == [59, 58, 57]
    assert decisions[-1].remaining == 0
    assert decisions[-1].reset_s == 60


def test_the_next_request_waits_for_one_interval() -> None:
    _, tat = _burst(60)
    denied, same = decide(POLICY, tat, 0.0)
    assert not denied.is_allowed
    assert (denied.remaining, denied.retry_after_s, denied.limit) == (0, 1, 60)
    assert same == tat  # a denial does not use quota


def test_credit_comes_back_one_interval_at_a_time() -> None:
    _, tat = _burst(60)
    later, tat = decide(POLICY, tat, 1.0)
    assert later.is_allowed
    assert later.remaining == 0
    again, _ = decide(POLICY, tat, 1.0)
    assert not again.is_allowed


def test_an_idle_user_is_back_to_a_full_quota() -> None:
    _, tat = _burst(60)
    rested, _ = decide(POLICY, tat, 600.0)
    assert rested.is_allowed
    assert rested.remaining == 59


def test_retry_after_counts_whole_seconds_up() -> None:
    slow = RateLimitPolicy(limit=2, period_s=60.0)
    tat = None
    for _ in range(2):
        _, tat = decide(slow, tat, 0.0)
    denied, _ = decide(slow, tat, 0.5)
    assert denied.retry_after_s == 30  # 29.5 s rounded up


@pytest.mark.parametrize(("limit", "period"), [(0, 60.0), (10, 0.0), (10, -1.0)])
def test_impossible_policies_are_refused(limit: int, period: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimitPolicy(limit, period)
