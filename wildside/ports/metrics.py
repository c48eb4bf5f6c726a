"""Metrics port: the measurements use cases report (names and labels live in the adapter)."""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """What the core counts and times."""

    def route_cache_lookup(self, *, is_hit: bool) -> None:
        """One route cache lookup."""
        ...

    def route_computed(self, seconds: float, pois_considered: int) -> None:
        """The engine finished one tour."""
        ...

    def job_finished(self, queue: str, outcome: str, seconds: float) -> None:
        """A job ended with ``outcome`` (``succeeded``, ``failed``, ``timeout``, ...)."""
        ...


class NullMetrics:
    """A ``Metrics`` that records nothing (CLI, tests that do not look)."""

    def route_cache_lookup(self, *, is_hit: bool) -> None:
        """Ignore."""

    def route_computed(self, seconds: float, pois_considered: int) -> None:
        """Ignore."""

    def job_finished(self, queue: str, outcome: str, seconds: float) -> None:
        """Ignore."""
