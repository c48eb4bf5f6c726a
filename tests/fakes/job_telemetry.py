"""``JobTelemetry`` fake: what the worker's monitor reported, in order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from adapters.inbound.worker.monitor import JobTelemetry


@dataclass
class RecordingJobTelemetry(JobTelemetry):
    """Jobs in flight now, and every ending as ``(queue, job_type, ending)``."""

    in_flight: Counter[tuple[str, str]] = field(default_factory=Counter)
    endings: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def job_started(self, queue: str, job_type: str) -> None:
        """One more in flight."""
        self.in_flight[(queue, job_type)] += 1

    def job_ended(self, queue: str, job_type: str, ending: str, seconds: float) -> None:
        """One fewer in flight; remember the ending."""
        self.in_flight[(queue, job_type)] -= 1
        self.endings.append((queue, job_type, ending))
        self.seconds.append(seconds)
