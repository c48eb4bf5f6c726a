"""Wire Overpass enrichment: the worker's ``EnrichArea`` and the route jobs' trigger."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from adapters.composition.policies import enrichment_settings, trigger_settings
from adapters.composition.service import Resources
from adapters.outbound.dramatiq.enrichment_job_queue import DramatiqEnrichmentJobQueue
from adapters.outbound.overpass.aiohttp_source import AiohttpOverpassSource
from adapters.outbound.postgres.enrichment_log import PostgresEnrichmentLog
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.prometheus.enrichment_metrics import PrometheusEnrichmentMetrics
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.outbound.pybreaker.endpoint_breakers import PybreakerEndpointBreakers
from adapters.outbound.redis.call_limiter import RedisCallLimiter
from adapters.outbound.redis.circuit_store import RedisCircuitStore
from adapters.outbound.redis.cooldown import RedisCooldown
from adapters.outbound.redis.enrichment_quota import RedisEnrichmentQuota
from adapters.outbound.system_clock import SystemClock
from adapters.outbound.system_randomness import RandomJitter
from adapters.outbound.system_sleeper import ThreadSleeper
from wildside.app.enrich_area import EnrichArea
from wildside.app.request_enrichment import RequestEnrichment


@contextlib.contextmanager
def open_enrichment(resources: Resources, metrics: PrometheusMetrics) -> Iterator[EnrichArea]:
    """``EnrichArea`` on the shared resources; the HTTP client closes on exit."""
    settings = resources.settings
    source = AiohttpOverpassSource(
        user_agent=settings.overpass_user_agent,
        contact=settings.overpass_contact,
        tenant_token=settings.overpass_tenant_token,
        timeout_s=float(settings.overpass_timeout_s) + 15.0,  # the server's own timeout first
        connect_timeout_s=10.0,
    )
    clock = SystemClock()
    try:
        yield EnrichArea(
            source=source,
            quota=RedisEnrichmentQuota(resources.redis),
            breakers=PybreakerEndpointBreakers(RedisCircuitStore(resources.redis), clock),
            limiter=RedisCallLimiter(resources.redis),
            pois=PostgresPoiRepository(resources.pool.connection),
            journal=PostgresEnrichmentLog(resources.pool.connection),
            metrics=PrometheusEnrichmentMetrics(metrics),
            clock=clock,
            jitter=RandomJitter(),
            sleeper=ThreadSleeper(),
            settings=enrichment_settings(settings),
        )
    finally:
        source.close()


def enrichment_trigger(resources: Resources) -> RequestEnrichment | None:
    """What route jobs call when their area is sparse (``None`` when enrichment is off)."""
    settings = resources.settings
    if not settings.enrichment_enabled:
        return None
    return RequestEnrichment(
        DramatiqEnrichmentJobQueue(resources.broker),
        RedisCooldown(resources.redis),
        trigger_settings(settings),
    )
