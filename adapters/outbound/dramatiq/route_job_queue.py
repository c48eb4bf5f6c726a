"""``RouteJobQueue`` over Dramatiq: a message to the ``generate_route`` actor."""

from __future__ import annotations

import dramatiq

from adapters.outbound.dramatiq.broker import send
from wildside.ports.route_job_queue import ROUTE_JOB, ROUTE_QUEUE, GenerateRouteJob, RouteJobQueue


class DramatiqRouteJobQueue(RouteJobQueue):
    """Sends by name, so the sending process needs no actor code (API pods stay light)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker
        broker.declare_queue(ROUTE_QUEUE)

    def enqueue(self, job: GenerateRouteJob) -> None:
        """Enqueue; a Redis outage becomes ``UnavailableError``."""
        send(self._broker, ROUTE_QUEUE, ROUTE_JOB, job.to_document())
