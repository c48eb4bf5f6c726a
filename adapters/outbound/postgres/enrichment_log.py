"""``EnrichmentLog`` on PostgreSQL: the ``enrichment_jobs`` table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.values import utc
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.ports.enrichment_log import (
    EnrichmentLog,
    EnrichmentLogError,
    EnrichmentRecord,
    EnrichmentResult,
)

_START = """
INSERT INTO enrichment_jobs (dedup_key, bbox, themes, started_at)
VALUES (%s, ST_GeomFromText(%s, 4326), %s, %s)
RETURNING id
"""
_FINISH = """
UPDATE enrichment_jobs SET finished_at = %(at)s, outcome = %(outcome)s, endpoint = %(endpoint)s,
    source_url = %(source_url)s, attempts = %(attempts)s, bytes_read = %(bytes_read)s,
    pois_received = %(pois_received)s, pois_inserted = %(pois_inserted)s,
    pois_updated = %(pois_updated)s, error = %(error)s
WHERE id = %(id)s
"""
_RECENT = """
SELECT id, ST_YMin(bbox), ST_XMin(bbox), ST_YMax(bbox), ST_XMax(bbox), themes, started_at,
       finished_at, outcome, endpoint, source_url, attempts, bytes_read, pois_received,
       pois_inserted, pois_updated, error
FROM enrichment_jobs ORDER BY started_at DESC, id LIMIT %s
"""


class PostgresEnrichmentLog(EnrichmentLog):
    """Writes one row per job at its start, completes it at its end."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    def start(self, job: EnrichmentJob, at: datetime) -> str:
        """Insert the row; return its id."""
        with (
            translate_errors("could not log the enrichment job", EnrichmentLogError),
            self._connections() as conn,
        ):
            row = conn.execute(
                _START, (job.dedup_key, job.bbox.wkt(), list(job.themes), at)
            ).fetchone()
        assert row is not None  # INSERT ... RETURNING always returns the row
        return str(row[0])

    def finish(self, record_id: str, result: EnrichmentResult, at: datetime) -> None:
        """Complete the row with the result."""
        params: dict[str, Any] = {
            "id": record_id,
            "at": at,
            "outcome": result.outcome,
            "endpoint": result.endpoint,
            "source_url": result.source_url,
            "attempts": result.attempts,
            "bytes_read": result.bytes_read,
            "pois_received": result.pois_received,
            "pois_inserted": result.pois_inserted,
            "pois_updated": result.pois_updated,
            "error": result.error,
        }
        with (
            translate_errors("could not log the enrichment result", EnrichmentLogError),
            self._connections() as conn,
        ):
            conn.execute(_FINISH, params)

    def recent(self, limit: int) -> list[EnrichmentRecord]:
        """Newest first."""
        with (
            translate_errors("could not read the enrichment log", EnrichmentLogError),
            self._connections() as conn,
        ):
            rows = conn.execute(_RECENT, (limit,)).fetchall()
        return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> EnrichmentRecord:
    (record_id, south, west, north, east, themes, started, finished, outcome, endpoint, url,
     attempts, bytes_read, received, inserted, updated, error) = row  # fmt: skip
    job = EnrichmentJob(BoundingBox(south, west, north, east), tuple(themes))
    result = None
    if outcome is not None:
        result = EnrichmentResult(
            outcome, endpoint, url, attempts, bytes_read, received, inserted, updated, error
        )
    return EnrichmentRecord(
        str(record_id), job, utc(started), None if finished is None else utc(finished), result
    )
