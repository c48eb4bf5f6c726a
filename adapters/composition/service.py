"""Wire the service: shared resources, the API's use cases, and the worker's."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import dramatiq
import psycopg_pool
import redis
from redis import Redis

from adapters.composition.engine import build_plan_tour
from adapters.composition.observability import FailureCodes, database_watched
from adapters.composition.policies import (
    broker_settings,
    generation_settings,
    guidance_settings,
    login_limits,
    maintenance_settings,
    places_settings,
    submission_settings,
)
from adapters.inbound.http.services import HttpServices
from adapters.outbound.analytics.posthog_analytics import PostHogProductAnalytics
from adapters.outbound.dramatiq.broker import build_broker, sweep_dead_workers
from adapters.outbound.dramatiq.route_job_queue import DramatiqRouteJobQueue
from adapters.outbound.otel.tracer import OtelTracer
from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import open_pool, per_call
from adapters.outbound.postgres.enrichment_log import PostgresEnrichmentLog
from adapters.outbound.postgres.health import PostgresHealthProbe
from adapters.outbound.postgres.place_directory import PostgresPlaceDirectory
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.postgres.preference_store import PostgresPreferenceStore
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from adapters.outbound.postgres.saved_route_store import PostgresSavedRouteStore
from adapters.outbound.postgres.vector_tile_source import PostgresVectorTileSource
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.health import RedisHealthProbe
from adapters.outbound.redis.rate_limiter import RedisRateLimiter
from adapters.outbound.redis.route_cache import RedisRouteCache
from adapters.outbound.redis.status_channel import RedisStatusFeed, RedisStatusPublisher
from adapters.outbound.system_clock import SystemClock
from adapters.outbound.system_randomness import OsSecretSource, RandomJitter, UuidIdGenerator
from adapters.settings import Settings
from wildside.app.accounts import Accounts
from wildside.app.cancel_route import CancelRoute
from wildside.app.find_places import FindPlaces
from wildside.app.follow_route_status import FollowRouteStatus
from wildside.app.generate_route import GenerateRoute, JobOutcome, TourPlanner
from wildside.app.get_route import GetRoute
from wildside.app.guide_walk import GuideWalk, RequestRouteLookup, SavedRouteLookup
from wildside.app.list_enrichment_jobs import ListEnrichmentJobs
from wildside.app.list_routes import ListRoutes
from wildside.app.maintenance import RunMaintenance
from wildside.app.preferences import UserPreferences
from wildside.app.saved_routes import SavedRoutes
from wildside.app.submit_route import SubmitRoute
from wildside.app.vector_tiles import VectorTiles
from wildside.domain.enrichment.area import EnrichmentJob
from wildside.domain.route_spec import RouteSpec
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.product_analytics import NullProductAnalytics, ProductAnalytics
from wildside.ports.route_job_queue import ROUTE_QUEUE, GenerateRouteJob


@dataclass(frozen=True, slots=True)
class Resources:
    """Connections one process shares between its use cases (closed in reverse order).

    ``redis`` is the queue role (never evicts: rate limits, quota, breakers,
    status fan-out), ``cache`` the cache role (route results, may evict).
    """

    settings: Settings
    pool: psycopg_pool.ConnectionPool
    redis: redis.Redis
    broker: dramatiq.Broker
    cache: Redis  # (the field ``redis`` hides the module's name in the class body)

    @property
    def route_store(self) -> PostgresRouteRequestStore:
        """Route requests on the pool."""
        return PostgresRouteRequestStore(self.pool.connection)

    @property
    def job_queue(self) -> DramatiqRouteJobQueue:
        """The route queue on the broker."""
        return DramatiqRouteJobQueue(self.broker)


@contextlib.contextmanager
def open_resources(settings: Settings, *, pool_size: int | None = None) -> Iterator[Resources]:
    """Open the pool, the two Redis clients and the broker; close them on exit."""
    pool = open_pool(settings.require_database_url(), max_size=pool_size or settings.db_pool_size)
    client = redis_client(settings.require_queue_redis_url())
    broker = build_broker(broker_settings(settings))
    cache = redis_client(settings.require_cache_redis_url())  # connects on first use only
    try:
        yield Resources(settings, pool, client, broker, cache)
    finally:
        cache.close()
        broker.close()
        client.close()
        pool.close()


def accounts(resources: Resources, analytics: ProductAnalytics | None = None) -> Accounts:
    """The accounts use cases; logins are throttled in Redis, shared by every API process."""
    store = PostgresAccountStore(resources.pool.connection)
    return Accounts(
        store,
        OsSecretSource(),
        SystemClock(),
        analytics,
        limiter=RedisRateLimiter(resources.redis),
        login_limits=login_limits(resources.settings),
    )


@contextlib.contextmanager
def product_analytics(settings: Settings) -> Iterator[ProductAnalytics]:
    """PostHog when a project key is configured, else nothing; flushed on exit."""
    if settings.posthog_api_key is None:
        yield NullProductAnalytics()
        return
    client = PostHogProductAnalytics(settings.posthog_api_key, settings.posthog_host)
    try:
        yield client
    finally:
        client.close()


@contextlib.asynccontextmanager
async def open_http_services(
    settings: Settings, metrics: PrometheusMetrics
) -> AsyncIterator[HttpServices]:
    """Everything the API process needs, for the app's lifetime."""
    with (
        open_resources(settings) as resources,
        product_analytics(settings) as analytics,
        database_watched(resources.pool, metrics, settings),
    ):
        feed = RedisStatusFeed(settings.require_redis_url())
        await feed.start()
        redis_probe = RedisHealthProbe(settings.require_redis_url())
        try:
            clock = SystemClock()
            store = resources.route_store
            preferences = PostgresPreferenceStore(resources.pool.connection)
            saved_store = PostgresSavedRouteStore(resources.pool.connection)
            yield HttpServices(
                submit_route=SubmitRoute(
                    store=store,
                    queue=resources.job_queue,
                    publisher=RedisStatusPublisher(resources.redis),
                    limiter=RedisRateLimiter(resources.redis),
                    clock=clock,
                    ids=UuidIdGenerator(),
                    settings=submission_settings(settings),
                    tracer=OtelTracer(),
                    analytics=analytics,
                    preferences=preferences,
                    saved_routes=SavedRouteLookup(saved_store),
                ),
                get_route=GetRoute(store),
                follow_route=FollowRouteStatus(store, feed),
                accounts=accounts(resources, analytics),
                list_enrichment=ListEnrichmentJobs(
                    PostgresEnrichmentLog(resources.pool.connection)
                ),
                probes=[
                    PostgresHealthProbe(per_call(settings.require_database_url())),
                    redis_probe,
                ],
                telemetry=metrics,
                # A request id or a saved-route id: the first lookup that knows it wins.
                guide_walk=GuideWalk(
                    [RequestRouteLookup(store), SavedRouteLookup(saved_store)],
                    clock,
                    guidance_settings(settings),
                ),
                find_places=FindPlaces(
                    directory=PostgresPlaceDirectory(resources.pool.connection),
                    limiter=RedisRateLimiter(resources.redis),
                    settings=places_settings(settings),
                ),
                cancel_route=CancelRoute(
                    store, RedisStatusPublisher(resources.redis), clock, analytics
                ),
                list_routes=ListRoutes(store, clock),
                saved_routes=SavedRoutes(
                    get_route=GetRoute(store),
                    store=saved_store,
                    clock=clock,
                    ids=UuidIdGenerator(),
                    analytics=analytics,
                ),
                preferences=UserPreferences(preferences, clock),
                vector_tiles=VectorTiles(PostgresVectorTileSource(resources.pool.connection)),
            )
        finally:
            redis_probe.close()
            await feed.aclose()


@dataclass(frozen=True, slots=True)
class WorkerServices:
    """The worker's use cases (the handlers its actors call)."""

    generate: GenerateRoute
    maintenance: RunMaintenance
    enrich_area: Callable[[EnrichmentJob], object]
    sweep_queues: Callable[[], None] = lambda: None
    failure_codes: FailureCodes | None = None  # the planner, noting why it refused a request

    def upkeep(self) -> object:
        """One maintenance tick: dead workers' messages back to the queues, then lost jobs."""
        self.sweep_queues()
        return self.maintenance()

    def generate_route(self, job: GenerateRouteJob) -> JobOutcome:
        """Run one route job."""
        return self.generate(job)

    def route_failure_code(self) -> str | None:
        """Why this thread's last route job failed, if the engine said (then forgotten)."""
        return self.failure_codes.take() if self.failure_codes is not None else None

    def abandon_route(self, job: GenerateRouteJob, error: str) -> None:
        """End a job the queue gave up on."""
        self.generate.abandon(job, error)

    def enrich(self, job: EnrichmentJob) -> object:
        """Run one enrichment job."""
        return self.enrich_area(job)


def worker_services(
    resources: Resources,
    metrics: PrometheusMetrics,
    *,
    enrich_area: Callable[[EnrichmentJob], object],
    enrichment: Callable[[RouteSpec, int], object] | None = None,
    planner: TourPlanner | None = None,
    analytics: ProductAnalytics | None = None,
) -> WorkerServices:
    """Warm the kernels, wire the job use cases (the walking network is read per request).

    Tests pass their own ``planner``; everything else is real.
    """
    settings = resources.settings
    tracer = OtelTracer()
    planner = FailureCodes(
        planner
        or build_plan_tour(
            settings,
            pois=PostgresPoiRepository(resources.pool.connection),
            clock=SystemClock(),
            tracer=tracer,
            connections=resources.pool.connection,
        )
    )
    store = resources.route_store
    return WorkerServices(
        generate=GenerateRoute(
            store=store,
            planner=planner,
            cache=RedisRouteCache(resources.cache),
            publisher=RedisStatusPublisher(resources.redis),
            metrics=metrics,
            clock=SystemClock(),
            jitter=RandomJitter(),
            settings=generation_settings(settings),
            enrichment=enrichment,
            tracer=tracer,
            analytics=analytics,
        ),
        maintenance=RunMaintenance(
            store,
            resources.job_queue,
            SystemClock(),
            settings=maintenance_settings(settings),
            publisher=RedisStatusPublisher(resources.redis),
        ),
        enrich_area=enrich_area,
        sweep_queues=lambda: sweep_dead_workers(resources.broker, (ROUTE_QUEUE, ENRICHMENT_QUEUE)),
        failure_codes=planner,
    )
