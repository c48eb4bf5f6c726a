"""``Clock`` backed by the operating system."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from wildside.ports.clock import Clock


class SystemClock(Clock):
    """Real wall time and monotonic time."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()
