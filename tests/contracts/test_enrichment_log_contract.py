"""One behaviour suite for every ``EnrichmentLog``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.enrichment_log import PostgresEnrichmentLog
from tests.fakes.enrichment_log import InMemoryEnrichmentLog
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.ports.enrichment_log import EnrichmentLog, EnrichmentResult

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
JOB = EnrichmentJob(BoundingBox(60.15, 24.9, 60.19, 24.98), ("history", "nature"))


@pytest.fixture(params=["memory", "postgres"])
def journal(request: pytest.FixtureRequest) -> EnrichmentLog:
    if request.param == "memory":
        return InMemoryEnrichmentLog()
    return PostgresEnrichmentLog(per_call(request.getfixturevalue("migrated_database_url")))


def test_a_started_job_is_listed_running(journal: EnrichmentLog) -> None:
    record_id = journal.start(JOB, T0)
    (record,) = journal.recent(10)
    assert record.record_id == record_id
    assert record.job == JOB
    assert (record.started_at, record.finished_at, record.result) == (T0, None, None)


def test_a_finished_job_keeps_its_result_and_provenance(journal: EnrichmentLog) -> None:
    record_id = journal.start(JOB, T0)
    result = EnrichmentResult(
        outcome="succeeded",
        endpoint="http://127.0.0.1:1/api/interpreter",
        source_url="http://127.0.0.1:1/api/interpreter",
        attempts=2,
        bytes_read=12_345,
        pois_received=40,
        pois_inserted=30,
        pois_updated=5,
    )
    journal.finish(record_id, result, T0 + timedelta(seconds=3))
    (record,) = journal.recent(1)
    assert record.result == result
    assert record.finished_at == T0 + timedelta(seconds=3)


def test_recent_is_newest_first_and_limited(journal: EnrichmentLog) -> None:
    ids = [journal.start(JOB, T0 + timedelta(minutes=i)) for i in range(5)]
    assert [r.record_id for r in journal.recent(3)] == ids[::-1][:3]


def test_failures_keep_their_error(journal: EnrichmentLog) -> None:
    record_id = journal.start(JOB, T0)
    journal.finish(record_id, EnrichmentResult("quota_denied", error="daily quota used up"), T0)
    (record,) = journal.recent(1)
    assert record.result is not None
    assert (record.result.outcome, record.result.error) == ("quota_denied", "daily quota used up")
