"""``EnrichmentMetrics`` fake that remembers every call."""

from __future__ import annotations

from dataclasses import dataclass, field

from wildside.ports.enrichment_metrics import EnrichmentMetrics


@dataclass
class RecordingEnrichmentMetrics(EnrichmentMetrics):
    """What was reported, in order."""

    jobs: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bytes: int = 0
    breakers: dict[str, int] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    remaining: list[tuple[int, int]] = field(default_factory=list)

    def job_finished(self, outcome: str) -> None:
        """Record."""
        self.jobs.append(outcome)

    def overpass_request(self, endpoint: str, status: str) -> None:
        """Record."""
        self.requests.append((endpoint, status))

    def bytes_fetched(self, count: int) -> None:
        """Record."""
        self.bytes += count

    def breaker_state(self, endpoint: str, gauge: int) -> None:
        """Record."""
        self.breakers[endpoint] = gauge

    def semaphore_wait(self, seconds: float) -> None:
        """Record."""
        self.waits.append(seconds)

    def quota_remaining(self, requests: int, bytes_left: int) -> None:
        """Record."""
        self.remaining.append((requests, bytes_left))
