"""Settings to policies: the one place each knob's value becomes a policy value.

``Settings`` (``adapters/settings.py``) is the only home of a knob's default;
the policies and use cases have no default for a settings-backed field, and
each is built here by one small function of ``Settings``. Tests get
production defaults by calling these on ``Settings()``
(``tests/support/defaults.py``); ``tests/unit/test_one_home_for_defaults.py``
fails if a policy field these functions fill has a default of its own.
"""

from __future__ import annotations

from datetime import timedelta

from adapters.inbound.http.app import read_session_key
from adapters.inbound.http.services import HttpSettings
from adapters.inbound.worker.actors import RetryPolicy as RouteJobRetryPolicy
from adapters.inbound.worker.process import WorkerOptions
from adapters.outbound.dramatiq.broker import BrokerSettings
from adapters.settings import PREFIX, Settings
from wildside.app.accounts import LoginLimits
from wildside.app.enrich_area import EnrichmentSettings
from wildside.app.find_places import PlacesSettings
from wildside.app.generate_route import GenerationSettings
from wildside.app.guide_walk import GuidanceSettings
from wildside.app.maintenance import MaintenanceSettings
from wildside.app.request_enrichment import TriggerSettings
from wildside.app.submit_route import SubmissionSettings
from wildside.domain.enrichment.circuit_breaker import BreakerPolicy
from wildside.domain.enrichment.quota import QuotaPolicy
from wildside.domain.enrichment.retry import RetryPolicy
from wildside.domain.guidance import GuidancePolicy
from wildside.domain.job_lease import LeasePolicy
from wildside.domain.rate_limit import RateLimitPolicy
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.route_job_queue import ROUTE_QUEUE

PER_MINUTE = 60.0  # the period of every "..._per_minute" / "..._limit_..." quota


def lease_policy(settings: Settings) -> LeasePolicy:
    """A running request's lease, and its attempts: the first delivery and every retry.

    Examples
    --------
    >>> lease_policy(Settings()).max_attempts
    4
    """
    return LeasePolicy(
        lease_s=settings.route_job_lease_s, max_attempts=settings.route_job_max_retries + 1
    )


def generation_settings(settings: Settings) -> GenerationSettings:
    """What a route job may spend, how long its result is cached, and its lease."""
    return GenerationSettings(
        time_limit_s=settings.route_job_time_limit_s,
        cache_ttl_s=settings.route_cache_ttl_s,
        lease=lease_policy(settings),
    )


def maintenance_settings(settings: Settings) -> MaintenanceSettings:
    """When a job counts as lost, when to give up on it, how often expired rows go."""
    return MaintenanceSettings(
        lease=lease_policy(settings),
        requeue_after=timedelta(seconds=settings.requeue_after_s),
        cleanup_every=timedelta(seconds=settings.cleanup_interval_s),
    )


def submission_settings(settings: Settings) -> SubmissionSettings:
    """Each user's quota of route requests, and how long keys and results are kept."""
    return SubmissionSettings(
        rate_limit=RateLimitPolicy(settings.rate_limit_per_minute, PER_MINUTE),
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_s),
        retention=timedelta(seconds=settings.result_retention_s),
    )


def places_settings(settings: Settings) -> PlacesSettings:
    """Each user's quota of place queries (its own bucket, apart from route submissions)."""
    return PlacesSettings(
        rate_limit=RateLimitPolicy(settings.places_rate_limit_per_minute, PER_MINUTE)
    )


def trigger_settings(settings: Settings) -> TriggerSettings:
    """When a route job's area counts as sparse, how much of it to fetch, how often."""
    return TriggerSettings(
        min_candidates=settings.enrichment_min_candidates,
        max_radius_m=settings.enrichment_radius_m,
        cooldown_s=settings.enrichment_cooldown_s,
    )


def quota_policy(settings: Settings) -> QuotaPolicy:
    """Overpass's daily requests and bytes, and what one call reserves."""
    return QuotaPolicy(
        daily_requests=settings.overpass_daily_requests,
        daily_bytes=settings.overpass_daily_bytes,
        reserve_bytes=settings.overpass_reserve_bytes,
    )


def breaker_policy(settings: Settings) -> BreakerPolicy:
    """Each endpoint's breaker; a probe is given as long as a permit lasts."""
    return BreakerPolicy(
        failure_threshold=settings.overpass_breaker_threshold,
        cooldown_s=settings.overpass_breaker_cooldown_s,
        probe_timeout_s=settings.overpass_permit_lease_s,
    )


def overpass_retry_policy(settings: Settings) -> RetryPolicy:
    """Attempts per enrichment job and the backoff between them."""
    return RetryPolicy(
        max_attempts=settings.overpass_max_attempts,
        base_delay_s=settings.overpass_backoff_base_s,
        max_delay_s=settings.overpass_backoff_max_s,
    )


def enrichment_settings(settings: Settings) -> EnrichmentSettings:
    """Every enrichment knob, from ``WILDSIDE_OVERPASS_*``."""
    return EnrichmentSettings(
        endpoints=settings.endpoint_list(),
        quota=quota_policy(settings),
        breaker=breaker_policy(settings),
        retry=overpass_retry_policy(settings),
        permits=settings.overpass_permits,
        permit_wait_s=settings.overpass_permit_wait_s,
        permit_lease_s=settings.overpass_permit_lease_s,
        query_timeout_s=settings.overpass_timeout_s,
        maxsize=settings.overpass_maxsize,
    )


def enrichment_time_limit_ms(settings: Settings) -> int:
    """Dramatiq's hard limit for one enrichment job: every attempt, wait and backoff, plus slack.

    Examples
    --------
    >>> enrichment_time_limit_ms(Settings())
    960000
    """
    per_attempt = settings.overpass_timeout_s + settings.overpass_permit_wait_s
    backoffs = settings.overpass_backoff_max_s * settings.overpass_max_attempts
    return int((per_attempt * settings.overpass_max_attempts + backoffs + 60) * 1000)


def route_job_retry_policy(settings: Settings) -> RouteJobRetryPolicy:
    """Dramatiq's retries of a route job, and its hard limit: twice the job's own.

    Examples
    --------
    >>> route_job_retry_policy(Settings()).hard_time_limit_ms
    120000
    """
    return RouteJobRetryPolicy(
        max_retries=settings.route_job_max_retries,
        min_backoff_ms=settings.route_job_min_backoff_ms,
        max_backoff_ms=settings.route_job_max_backoff_ms,
        hard_time_limit_ms=int(settings.route_job_time_limit_s * 2000),
    )


def worker_options(settings: Settings) -> WorkerOptions:
    """A worker process: both queues, its threads, its maintenance tick."""
    return WorkerOptions(
        queues=frozenset({ROUTE_QUEUE, ENRICHMENT_QUEUE}),
        threads=settings.worker_threads,
        maintenance_interval_s=settings.maintenance_interval_s,
    )


def broker_settings(settings: Settings) -> BrokerSettings:
    """The Redis broker: when a silent worker counts as dead, how often it is swept."""
    return BrokerSettings(
        redis_url=settings.require_queue_redis_url(),
        heartbeat_timeout_ms=settings.queue_heartbeat_timeout_ms,
        maintenance_chance=settings.queue_maintenance_chance,
    )


def login_limits(settings: Settings) -> LoginLimits:
    """Login attempts per minute: per address, per account and address, per account."""
    return LoginLimits(
        per_address=RateLimitPolicy(settings.login_limit_per_address, PER_MINUTE),
        per_account_and_address=RateLimitPolicy(
            settings.login_limit_per_account_and_address, PER_MINUTE
        ),
        per_account=RateLimitPolicy(settings.login_limit_per_account, PER_MINUTE),
    )


def http_settings(settings: Settings, *, session_key: bytes | None = None) -> HttpSettings:
    """HTTP knobs; the session key is read from its file unless given.

    Reading it here makes a bad key file a start-up error of ``wildside
    serve``; the OpenAPI document and tests pass a key of their own.
    """
    if session_key is None:
        session_key = read_session_key(settings.session_key_file, f"{PREFIX}SESSION_KEY_FILE")
    return HttpSettings(
        session_key=session_key,
        cookie_secure=settings.cookie_secure,
        session_max_age_s=settings.session_max_age_s,
        max_body_bytes=settings.max_body_bytes,
        request_timeout_s=settings.request_timeout_s,
        allowed_origins=settings.origin_list(),
        ws_auth_recheck_s=settings.ws_auth_recheck_s,
        tile_cors_origins=settings.tile_origin_list(),
        tile_cors_max_age_s=settings.tile_cors_max_age_s,
    )


def guidance_settings(settings: Settings) -> GuidanceSettings:
    """Each WebSocket's quota of location fixes; guidance's radii are the domain's own."""
    return GuidanceSettings(
        rate_limit=RateLimitPolicy(settings.ws_location_limit_per_minute, PER_MINUTE),
        policy=GuidancePolicy(),
    )
