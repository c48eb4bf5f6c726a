"""In-memory ``EnrichmentLog``."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from wildside.domain.enrichment.area import EnrichmentJob
from wildside.ports.enrichment_log import EnrichmentLog, EnrichmentRecord, EnrichmentResult


@dataclass
class InMemoryEnrichmentLog(EnrichmentLog):
    """Records by id, in insertion order."""

    records: dict[str, EnrichmentRecord] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, job: EnrichmentJob, at: datetime) -> str:
        """Add a running record."""
        record_id = str(uuid.uuid4())
        with self.lock:
            self.records[record_id] = EnrichmentRecord(record_id, job, at, None, None)
        return record_id

    def finish(self, record_id: str, result: EnrichmentResult, at: datetime) -> None:
        """Complete it."""
        with self.lock:
            self.records[record_id] = replace(
                self.records[record_id], finished_at=at, result=result
            )

    def recent(self, limit: int) -> list[EnrichmentRecord]:
        """Newest first (by start time, then insertion)."""
        with self.lock:
            ordered = sorted(
                enumerate(self.records.values()),
                key=lambda x: (x[1].started_at, x[0]),
                reverse=True,
            )
        return [record for _, record in ordered][:limit]
