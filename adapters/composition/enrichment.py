"""Wire Overpass enrichment: the worker's ``EnrichArea`` and the route jobs' trigger."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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
from adapters.settings import Settings
from wildside.app.enrich_area import EnrichArea, EnrichmentSettings
from wildside.app.request_enrichment import RequestEnrichment, TriggerSettings
from wildside.domain.enrichment.circuit_breaker import BreakerPolicy
from wildside.domain.enrichment.quota import QuotaPolicy
from wildside.domain.enrichment.retry import RetryPolicy


def enrichment_settings(settings: Settings) -> EnrichmentSettings:
    """The policy knobs, from ``WILDSIDE_OVERPASS_*``."""
    return EnrichmentSettings(
        endpoints=settings.endpoint_list(),
        quota=QuotaPolicy(
            daily_requests=settings.overpass_daily_requests,
            daily_bytes=settings.overpass_daily_bytes,
            reserve_bytes=settings.overpass_reserve_bytes,
        ),
        breaker=BreakerPolicy(
            failure_threshold=settings.overpass_breaker_threshold,
            cooldown_s=settings.overpass_breaker_cooldown_s,
            probe_timeout_s=settings.overpass_permit_lease_s,
        ),
        retry=RetryPolicy(
            max_attempts=settings.overpass_max_attempts,
            base_delay_s=settings.overpass_backoff_base_s,
            max_delay_s=settings.overpass_backoff_max_s,
        ),
        permits=settings.overpass_permits,
        permit_wait_s=settings.overpass_permit_wait_s,
        permit_lease_s=settings.overpass_permit_lease_s,
        query_timeout_s=settings.overpass_timeout_s,
        maxsize=settings.overpass_maxsize,
    )


def enrichment_time_limit_ms(settings: Settings) -> int:
    """Dramatiq's hard limit for one enrichment job: every attempt, wait and backoff, plus slack."""
    per_attempt = settings.overpass_timeout_s + settings.overpass_permit_wait_s
    backoffs = settings.overpass_backoff_max_s * settings.overpass_max_attempts
    return int((per_attempt * settings.overpass_max_attempts + backoffs + 60) * 1000)


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
            metrics=PrometheusEnrichmentMetrics(metrics.registry),
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
        TriggerSettings(
            min_candidates=settings.enrichment_min_candidates,
            max_radius_m=settings.enrichment_radius_m,
            cooldown_s=settings.enrichment_cooldown_s,
        ),
    )
