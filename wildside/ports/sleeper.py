"""Sleeper port: waiting, injected so retry policies are tested without sleeping."""

from __future__ import annotations

from typing import Protocol


class Sleeper(Protocol):
    """Blocks the calling thread."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...
