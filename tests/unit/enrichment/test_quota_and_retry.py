"""Quota arithmetic, UTC days, and jittered bounded backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.support import defaults
from wildside.domain.enrichment.quota import (
    QuotaPolicy,
    QuotaUsage,
    quota_day,
    reservation_bytes,
    seconds_until_next_day,
)
from wildside.domain.enrichment.retry import RetryPolicy, backoff_s

POLICY = QuotaPolicy(daily_requests=3, daily_bytes=1000, reserve_bytes=400)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (QuotaUsage(0, 0), 400),
        (QuotaUsage(2, 700), 300),  # the last bytes of the day
        (QuotaUsage(3, 0), 0),  # no request left
        (QuotaUsage(1, 1000), 0),  # no byte left
        (QuotaUsage(5, 2000), 0),  # over (never negative)
    ],
)
def test_a_call_reserves_what_is_left_up_to_its_share(usage: QuotaUsage, expected: int) -> None:
    assert reservation_bytes(usage, POLICY) == expected


def test_remaining_never_goes_negative() -> None:
    assert QuotaUsage(5, 5000).remaining(POLICY) == QuotaUsage(0, 0)


def test_days_are_utc_days() -> None:
    helsinki = timezone(timedelta(hours=2))
    late_evening = datetime(2026, 11, 30, 1, 30, tzinfo=helsinki)  # 23:30 UTC the day before
    assert quota_day(late_evening) == "2026-11-29"
    assert seconds_until_next_day(datetime(2026, 11, 30, 23, 0, tzinfo=UTC)) == 3600.0


def test_backoff_grows_is_capped_and_jittered() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_s=1.0, max_delay_s=8.0)
    assert [backoff_s(n, policy, 1.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_s(3, policy, 0.25) == 1.0
    assert backoff_s(3, policy, 0.0) == 0.0


def test_retry_after_is_a_floor_within_the_cap() -> None:
    policy = defaults.overpass_retry_policy(base_delay_s=1.0, max_delay_s=10.0)
    assert backoff_s(1, policy, 0.0, retry_after_s=5) == 5.0
    assert backoff_s(1, policy, 0.0, retry_after_s=500) == 10.0


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        defaults.quota_policy(daily_requests=0)
    with pytest.raises(ValueError, match="max_attempts"):
        defaults.overpass_retry_policy(max_attempts=0)
