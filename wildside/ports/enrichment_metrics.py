"""Enrichment metrics port: what the enrichment worker counts (names live in the adapter)."""

from __future__ import annotations

from typing import Protocol


class EnrichmentMetrics(Protocol):
    """Counters and gauges behind the enrichment dashboards and alerts."""

    def job_finished(self, outcome: str) -> None:
        """An enrichment job ended with ``outcome``."""
        ...

    def overpass_request(self, endpoint: str, status: str) -> None:
        """One call ended with ``status`` (an HTTP status, or an error kind)."""
        ...

    def bytes_fetched(self, count: int) -> None:
        """Bytes read from Overpass."""
        ...

    def breaker_state(self, endpoint: str, gauge: int) -> None:
        """The endpoint's breaker: 0 closed, 1 half-open, 2 open."""
        ...

    def semaphore_wait(self, seconds: float) -> None:
        """How long a call waited for a permit."""
        ...

    def quota_remaining(self, requests: int, bytes_left: int) -> None:
        """What is left of today's quota."""
        ...
