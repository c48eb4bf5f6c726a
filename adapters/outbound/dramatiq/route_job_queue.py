"""``RouteJobQueue`` over Dramatiq: a message to the ``generate_route`` actor."""

from __future__ import annotations

import dramatiq
import redis

from wildside.domain.errors import UnavailableError
from wildside.ports.route_job_queue import (
    ROUTE_JOB,
    ROUTE_QUEUE,
    GenerateRouteJob,
    JobQueueError,
    RouteJobQueue,
)


class DramatiqRouteJobQueue(RouteJobQueue):
    """Sends by name, so the sending process needs no actor code (API pods stay light)."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker
        broker.declare_queue(ROUTE_QUEUE)

    def enqueue(self, job: GenerateRouteJob) -> None:
        """Enqueue; a Redis outage becomes ``UnavailableError``."""
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=ROUTE_QUEUE,
            actor_name=ROUTE_JOB,
            args=(job.to_document(),),
            kwargs={},
            options={},
        )
        try:
            self._broker.enqueue(message)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise UnavailableError(f"the job queue is unreachable: {exc}", service="redis") from exc
        except redis.exceptions.RedisError as exc:
            raise JobQueueError(f"the job queue refused the job: {exc}") from exc
