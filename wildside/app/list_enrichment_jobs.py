"""Use case: an administrator reviews recent enrichment jobs (outcomes, counts, provenance)."""

from __future__ import annotations

from wildside.domain.accounts import User
from wildside.domain.errors import PermissionDeniedError
from wildside.ports.enrichment_log import EnrichmentLog, EnrichmentRecord

MAX_LIMIT = 500


class ListEnrichmentJobs:
    """Admins only; everyone else gets ``PermissionDeniedError``."""

    def __init__(self, journal: EnrichmentLog) -> None:
        self._journal = journal

    def __call__(self, user: User, limit: int = 50) -> list[EnrichmentRecord]:
        """The newest ``limit`` (1..500) jobs, newest first."""
        if not user.is_admin:
            raise PermissionDeniedError("only administrators may list enrichment jobs")
        return self._journal.recent(max(1, min(limit, MAX_LIMIT)))
