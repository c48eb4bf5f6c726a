"""Clock port: wall time and a monotonic timer, injected so tests control time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time. Use cases never call ``time`` or ``datetime`` directly."""

    def now(self) -> datetime:
        """Return the current UTC time (timezone-aware)."""
        ...

    def monotonic(self) -> float:
        """Return seconds from an arbitrary origin, for measuring durations."""
        ...
