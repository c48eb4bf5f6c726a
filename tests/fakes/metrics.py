"""``Metrics`` fake that remembers every call."""

from __future__ import annotations

from dataclasses import dataclass, field

from wildside.ports.metrics import Metrics


@dataclass
class RecordingMetrics(Metrics):
    """Lists of what was reported."""

    cache_lookups: list[bool] = field(default_factory=list)
    routes: list[tuple[float, int]] = field(default_factory=list)
    jobs: list[tuple[str, str]] = field(default_factory=list)

    def route_cache_lookup(self, *, is_hit: bool) -> None:
        """Record a lookup."""
        self.cache_lookups.append(is_hit)

    def route_computed(self, seconds: float, pois_considered: int) -> None:
        """Record a computed tour."""
        self.routes.append((seconds, pois_considered))

    def job_finished(self, queue: str, outcome: str, seconds: float) -> None:
        """Record a job outcome."""
        self.jobs.append((queue, outcome))
