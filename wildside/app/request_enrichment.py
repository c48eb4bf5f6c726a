"""Use case: when a tour's area had few POIs, ask the enrichment workers to fetch more."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob, is_sparse
from wildside.domain.errors import WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.ports.cooldown import Cooldown
from wildside.ports.enrichment_job_queue import EnrichmentJobQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerSettings:
    """When an area counts as sparse, how much of it to fetch, how often (from settings)."""

    min_candidates: int  # fewer POIs than this in reach: enrich
    max_radius_m: float  # Overpass is asked for a neighbourhood, not a tour's reach
    cooldown_s: float  # one enrichment per area and themes in this window


class RequestEnrichment:
    """Decides and enqueues; never raises (enrichment must not fail a tour)."""

    def __init__(
        self, queue: EnrichmentJobQueue, cooldown: Cooldown, settings: TriggerSettings
    ) -> None:
        self._queue = queue
        self._cooldown = cooldown
        self._settings = settings

    def __call__(self, spec: RouteSpec, candidates_found: int) -> EnrichmentJob | None:
        """Enqueue an ``EnrichmentJob`` for ``spec``'s area if it is sparse; return it if sent."""
        s = self._settings
        if not is_sparse(candidates_found, s.min_candidates):
            return None
        end = spec.end or spec.start
        centre = GeoPoint((spec.start.lat + end.lat) / 2, (spec.start.lng + end.lng) / 2)
        # A tour with no way back reaches twice as far from its start as a loop.
        reach = spec.max_walk_m if spec.end_anywhere else spec.max_walk_m / 2
        try:
            job = EnrichmentJob(BoundingBox.around(centre, min(reach, s.max_radius_m)), spec.themes)
            if not self._cooldown.claim(job.dedup_key, s.cooldown_s):
                return None
            self._queue.enqueue(job)
        except WildsideError as exc:
            # Logs carry the area to about a kilometre, never the user's exact position.
            log.warning(
                "enrichment request near %.2f,%.2f dropped: %s", centre.lat, centre.lng, exc
            )
            return None
        log.info(
            "enrichment requested near %.2f,%.2f (%d candidates)",
            centre.lat,
            centre.lng,
            candidates_found,
        )
        return job
