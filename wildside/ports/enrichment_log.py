"""Enrichment log port: one record per enrichment job, for operators and the admin API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.errors import WildsideError


@dataclass(frozen=True, slots=True)
class EnrichmentResult:
    """How a job ended and what it did."""

    outcome: str
    endpoint: str | None = None
    source_url: str | None = None
    attempts: int = 0
    bytes_read: int = 0
    pois_received: int = 0
    pois_inserted: int = 0
    pois_updated: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class EnrichmentRecord:
    """A logged job."""

    record_id: str
    job: EnrichmentJob
    started_at: datetime
    finished_at: datetime | None
    result: EnrichmentResult | None


class EnrichmentLogError(WildsideError):
    """The log could not be written or read."""

    code = "enrichment-log-error"


class EnrichmentLog(Protocol):
    """Durable history of enrichment jobs."""

    def start(self, job: EnrichmentJob, at: datetime) -> str:
        """Record that ``job`` started; return the record's id."""
        ...

    def finish(self, record_id: str, result: EnrichmentResult, at: datetime) -> None:
        """Record how it ended."""
        ...

    def recent(self, limit: int) -> list[EnrichmentRecord]:
        """The newest ``limit`` records, newest first."""
        ...
