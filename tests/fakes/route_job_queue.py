"""In-memory ``RouteJobQueue``: jobs in a list; ``is_down`` simulates an outage."""

from __future__ import annotations

from dataclasses import dataclass, field

from wildside.domain.errors import UnavailableError
from wildside.ports.route_job_queue import GenerateRouteJob, RouteJobQueue


@dataclass
class InMemoryRouteJobQueue(RouteJobQueue):
    """What was enqueued, in order."""

    jobs: list[GenerateRouteJob] = field(default_factory=list)
    is_down: bool = False

    def enqueue(self, job: GenerateRouteJob) -> None:
        """Append, or raise ``UnavailableError`` while down."""
        if self.is_down:
            raise UnavailableError("the queue is down", service="redis")
        self.jobs.append(job)
