"""``Sleeper`` that blocks the calling thread."""

from __future__ import annotations

import time

from wildside.ports.sleeper import Sleeper


class ThreadSleeper(Sleeper):
    """``time.sleep``."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds`` (nothing for zero or less)."""
        if seconds > 0:
            time.sleep(seconds)
