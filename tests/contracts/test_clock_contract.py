"""One behaviour suite for every ``Clock``: the fake and the system clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.outbound.system_clock import SystemClock
from tests.fakes.clock import FakeClock
from wildside.ports.clock import Clock


@pytest.fixture(params=["fake", "system"])
def clock(request: pytest.FixtureRequest) -> Clock:
    return FakeClock() if request.param == "fake" else SystemClock()


def test_now_is_timezone_aware_utc(clock: Clock) -> None:
    assert clock.now().utcoffset() == timedelta(0)


def test_monotonic_never_goes_back(clock: Clock) -> None:
    readings = [clock.monotonic() for _ in range(100)]
    assert readings == sorted(readings)


def test_fake_clock_moves_only_when_advanced() -> None:
    clock = FakeClock()
    start, tick = clock.now(), clock.monotonic()
    assert (clock.now(), clock.monotonic()) == (start, tick)
    clock.advance(2.5)
    assert clock.now() - start == timedelta(seconds=2.5)
    assert clock.monotonic() - tick == 2.5
