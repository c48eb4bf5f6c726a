"""``GET /api/v1/admin/enrichment``: administrators see recent jobs with their provenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.enrichment_log import PostgresEnrichmentLog
from tests.service_stack import Stack
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.ports.enrichment_log import EnrichmentResult

JOB = EnrichmentJob(BoundingBox(60.15, 24.9, 60.19, 24.98), ("nature",))


def _log_jobs(stack: Stack) -> None:
    journal = PostgresEnrichmentLog(per_call(stack.settings.require_database_url()))
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    done = journal.start(JOB, start)
    journal.finish(
        done,
        EnrichmentResult(
            "succeeded", "http://overpass/api", "http://overpass/api", 1, 5120, 12, 9, 2
        ),
        start + timedelta(seconds=2),
    )
    journal.start(JOB, start + timedelta(minutes=1))  # still running


def test_an_admin_sees_jobs_newest_first_with_provenance(stack: Stack) -> None:
    _log_jobs(stack)
    admin = stack.user("root", is_admin=True)
    response = stack.client.get("/api/v1/admin/enrichment", headers=stack.auth(admin))
    assert response.status_code == 200
    running, finished = response.json()["jobs"]
    assert (running["outcome"], running["finished_at"]) == (None, None)
    assert finished["outcome"] == "succeeded"
    assert finished["source_url"] == "http://overpass/api"
    assert (finished["pois_received"], finished["pois_inserted"], finished["pois_updated"]) == (
        12,
        9,
        2,
    )
    assert finished["bbox"] == {"south": 60.15, "west": 24.9, "north": 60.19, "east": 24.98}
    assert finished["themes"] == ["nature"]
    limited = stack.client.get("/api/v1/admin/enrichment?limit=1", headers=stack.auth(admin))
    assert len(limited.json()["jobs"]) == 1


def test_everyone_else_is_refused(stack: Stack) -> None:
    user = stack.user("walker")
    refused = stack.client.get("/api/v1/admin/enrichment", headers=stack.auth(user))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert stack.client.get("/api/v1/admin/enrichment").status_code == 401


def test_a_silly_limit_is_a_422(stack: Stack) -> None:
    admin = stack.user("root", is_admin=True)
    response = stack.client.get("/api/v1/admin/enrichment?limit=0", headers=stack.auth(admin))
    assert response.status_code == 422
