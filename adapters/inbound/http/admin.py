"""``/api/v1/admin``: operator views (administrators only)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from adapters.inbound.http.auth import current_user
from adapters.inbound.http.routes import AUTHENTICATED, COMMON_ERRORS, problem_spec
from adapters.inbound.http.state import services_of
from adapters.inbound.http.wire import BoxOut, EnrichmentJobOut, EnrichmentJobsOut
from wildside.domain.accounts import User
from wildside.ports.enrichment_log import EnrichmentRecord, EnrichmentResult


class AdminController(Controller):
    """Read-only views for operators."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads these as class attributes
    dependencies = {"user": Provide(current_user)}  # noqa: RUF012
    security = AUTHENTICATED

    @get(
        "/enrichment",
        summary="Recent enrichment jobs",
        description="Outcome, counts and provenance of the newest Overpass enrichment jobs.",
        responses={
            400: problem_spec("The request is malformed"),
            403: problem_spec("The caller is not an administrator"),
            422: problem_spec("`limit` is out of range"),
            **COMMON_ERRORS,
        },
    )
    async def enrichment(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        limit: Annotated[int, QueryParameter(ge=1, le=500, description="how many")] = 50,
    ) -> EnrichmentJobsOut:
        """Newest first."""
        records = await to_thread.run_sync(
            services_of(request).list_enrichment, user, limit, abandon_on_cancel=True
        )
        return EnrichmentJobsOut([_job(r) for r in records])


# What a job still running (no result yet) shows in the result's fields.
_NO_RESULT = {f.name: f.default for f in dataclasses.fields(EnrichmentResult)} | {"outcome": None}


def _job(record: EnrichmentRecord) -> EnrichmentJobOut:
    result = record.result
    box = record.job.bbox
    return EnrichmentJobOut(
        id=record.record_id,
        bbox=BoxOut(box.south, box.west, box.north, box.east),
        themes=list(record.job.themes),
        started_at=record.started_at.isoformat(),
        finished_at=None if record.finished_at is None else record.finished_at.isoformat(),
        **(_NO_RESULT if result is None else dataclasses.asdict(result)),
    )
