"""``EnrichmentJobQueue`` over Dramatiq: a message to the ``enrich_area`` actor."""

from __future__ import annotations

import dramatiq

from adapters.outbound.dramatiq.broker import send
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.ports.enrichment_job_queue import (
    ENRICHMENT_JOB,
    ENRICHMENT_QUEUE,
    EnrichmentJobQueue,
)


class DramatiqEnrichmentJobQueue(EnrichmentJobQueue):
    """Sends by name, like the route queue."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker
        broker.declare_queue(ENRICHMENT_QUEUE)

    def enqueue(self, job: EnrichmentJob) -> None:
        """Enqueue; a Redis outage becomes ``UnavailableError``."""
        send(self._broker, ENRICHMENT_QUEUE, ENRICHMENT_JOB, job.to_document())
