"""A ``Clock`` the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wildside.ports.clock import Clock


class FakeClock(Clock):
    """Starts at a fixed instant; only ``advance`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._monotonic = 1000.0

    def now(self) -> datetime:
        """The current fake time."""
        return self._now

    def monotonic(self) -> float:
        """The current fake monotonic reading."""
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Move both clocks forward."""
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds


class FakeSleeper:
    """A ``Sleeper`` that moves a ``FakeClock`` instead of waiting, and remembers each wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds``."""
        self.slept.append(seconds)
        self.clock.advance(max(0.0, seconds))
