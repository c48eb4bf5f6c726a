"""Enrichment job queue port: hand an area to the enrichment workers."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.enrichment.area import EnrichmentJob

ENRICHMENT_QUEUE = "enrichment"
ENRICHMENT_JOB = "enrich_area"  # the actor that consumes enrichment jobs


class EnrichmentJobQueue(Protocol):
    """Enqueues enrichment jobs; delivery is at least once."""

    def enqueue(self, job: EnrichmentJob) -> None:
        """Queue ``job`` on the ``enrichment`` queue."""
        ...
