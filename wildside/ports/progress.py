"""Progress port: long-running use cases report how far they are."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress from a long task; a terminal adapter draws a bar."""

    def phase(self, name: str, total: int | None = None) -> None:
        """Start a named phase, optionally with the number of units it has."""
        ...

    def advance(self, units: int) -> None:
        """Record that ``units`` more units of the current phase are done."""
        ...

    def close(self) -> None:
        """End progress reporting."""
        ...


class SilentProgress:
    """A ``Progress`` that reports nothing (non-terminals, tests, workers)."""

    def phase(self, name: str, total: int | None = None) -> None:
        """Ignore the phase."""

    def advance(self, units: int) -> None:
        """Ignore the advance."""

    def close(self) -> None:
        """Nothing to close."""
